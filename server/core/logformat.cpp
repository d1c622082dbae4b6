#include "logformat.h"

#include <mutex>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

bool needsEscape(char16_t c)
{
    return (c < 0x20 && c != u'\t') || c == u'\\' || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
           c == 0x2029;
}

QtMessageHandler handedOnTo = nullptr;

void escapingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (handedOnTo)
        handedOnTo(type, context, escapeLogText(message));
}

} // namespace

QString escapeLogText(QStringView text)
{
    qsizetype firstEscape = 0;
    while (firstEscape < text.size() && !needsEscape(text[firstEscape].unicode()))
        ++firstEscape;
    if (firstEscape == text.size())
        return text.toString(); // the common case: nothing to do

    QString out;
    out.reserve(text.size() + 16);
    out.append(text.left(firstEscape));
    for (qsizetype i = firstEscape; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (!needsEscape(c)) {
            out.append(QChar(c));
        } else if (c == u'\r') {
            out.append(u"\\r");
        } else if (c == u'\n') {
            out.append(u"\\n");
        } else if (c == u'\\') {
            out.append(u"\\\\");
        } else if (c <= 0xff) {
            out.append(u"\\x%1"_s.arg(uint(c), 2, 16, QChar(u'0')));
        } else {
            out.append(u"\\u%1"_s.arg(uint(c), 4, 16, QChar(u'0')));
        }
    }
    return out;
}

void installEscapingLogHandler()
{
    static std::once_flag once;
    std::call_once(once, [] { handedOnTo = qInstallMessageHandler(escapingHandler); });
}

} // namespace sd::core
