#include "flows/emaillogin/redirectpolicy.h"

#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

constexpr qsizetype kMaxLength = 2048;

// Printable ASCII without space and backslash.
bool isPlainUrlText(QStringView text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u <= 0x20 || u >= 0x7f || u == u'\\')
            return false;
    }
    return true;
}

// After percent-decoding: no control character and no backslash.
bool isHarmlessDecoded(QStringView text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || u == u'\\')
            return false;
    }
    return true;
}

} // namespace

QString resolveRedirect(const QString &nextPage, const QStringList &allowedHosts)
{
    const QString fallback = u"/"_s;
    if (nextPage.isEmpty() || nextPage.size() > kMaxLength || !isPlainUrlText(nextPage))
        return fallback;
    // What a lenient browser or proxy might see after decoding once must be as harmless.
    const QString decoded = QUrl::fromPercentEncoding(nextPage.toLatin1());
    if (!isHarmlessDecoded(decoded))
        return fallback;

    if (nextPage.startsWith(u'/')) {
        if (nextPage.startsWith(u"//"_s) || decoded.startsWith(u"//"_s))
            return fallback;
        return nextPage;
    }

    // Absolute: the scheme spelled exactly, then an authority of host[:port] only.
    static const QRegularExpression absolute(
        u"^https?://([A-Za-z0-9.-]+)(:[0-9]{1,5})?([/?#].*)?\\z"_s);
    const auto match = absolute.match(nextPage);
    if (!match.hasMatch())
        return fallback;
    const QString host = match.captured(1).toLower();
    for (const QString &allowed : allowedHosts) {
        if (!allowed.trimmed().isEmpty() && host == allowed.trimmed().toLower())
            return nextPage;
    }
    return fallback;
}

} // namespace sd::core
