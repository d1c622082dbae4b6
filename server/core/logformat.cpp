#include "logformat.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <cstdio>
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
std::atomic<LogFormat> logFormat = LogFormat::Text;
thread_local QString requestIdOfThread;

QString levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return u"debug"_s;
    case QtInfoMsg:
        return u"info"_s;
    case QtWarningMsg:
        return u"warning"_s;
    case QtCriticalMsg:
        return u"critical"_s;
    case QtFatalMsg:
        return u"fatal"_s;
    }
    return u"info"_s;
}

void escapingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const LogFormat format = logFormat.load(std::memory_order_relaxed);
    if (format == LogFormat::Text) {
        if (handedOnTo)
            handedOnTo(
                type, context,
                formatLogLine(format, type, context.category, message, requestIdOfThread, {}));
        return;
    }
    // JSON goes straight to stderr: Qt's message pattern would wrap it in text of its own.
    const QByteArray line = formatLogLine(format, type, context.category, message,
                                          requestIdOfThread, QDateTime::currentDateTimeUtc())
                                .toUtf8() +
                            '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr); // one locked write
    std::fflush(stderr);
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

QString formatLogLine(LogFormat format, QtMsgType type, const char *category, QStringView message,
                      QStringView requestId, const QDateTime &timeUtc)
{
    if (format == LogFormat::Text) {
        if (requestId.isEmpty())
            return escapeLogText(message);
        return u'[' + escapeLogText(requestId) + u"] "_s + escapeLogText(message);
    }
    // QJsonDocument escapes quotes and control characters; escaping first as well keeps the
    // decoded message identical to the text format's (and U+2028/U+2029 out of the line).
    const QJsonObject line{
        {u"time"_s, timeUtc.toString(Qt::ISODateWithMs)},
        {u"level"_s, levelName(type)},
        {u"category"_s, QString::fromLatin1(category && *category ? category : "default")},
        {u"message"_s, escapeLogText(message)},
        {u"request_id"_s, requestId.isEmpty() ? QJsonValue() : escapeLogText(requestId)}};
    return QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
}

void setLogFormat(LogFormat format)
{
    logFormat.store(format, std::memory_order_relaxed);
}

QString currentRequestId()
{
    return requestIdOfThread;
}

RequestIdScope::RequestIdScope(QString requestId) : m_previous(std::move(requestIdOfThread))
{
    requestIdOfThread = std::move(requestId);
}

RequestIdScope::~RequestIdScope()
{
    requestIdOfThread = std::move(m_previous);
}

void installEscapingLogHandler()
{
    static std::once_flag once;
    std::call_once(once, [] { handedOnTo = qInstallMessageHandler(escapingHandler); });
}

} // namespace sd::core
