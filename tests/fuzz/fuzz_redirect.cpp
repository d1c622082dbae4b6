// The next_page resolver (SEC-22): whatever comes in, the result is "/", a local path that
// cannot be read as another host, or an absolute URL on an allowed host, and never holds
// CR or LF.

#include "flows/emaillogin/redirectpolicy.h"

#include <QUrl>

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QStringList allowed{u"app.example.com"_s, u"allowed.example"_s};
    const QString next = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString result = sd::core::resolveRedirect(next, allowed);
    if (result != u"/"_s && result != next)
        std::abort(); // either kept as it was, or replaced by "/"
    for (QChar c : result)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == u'\\')
            std::abort();
    if (result.startsWith(u'/')) {
        if (result.startsWith(u"//"_s) || result.startsWith(u"/\\"_s))
            std::abort();
        // Resolved against our own origin it must stay on our own origin.
        const QUrl resolved = QUrl(u"https://self.example/"_s).resolved(QUrl(result));
        if (resolved.host() != u"self.example"_s)
            std::abort();
    } else {
        const QUrl url(result);
        if (!(url.scheme() == u"http"_s || url.scheme() == u"https"_s) ||
            !allowed.contains(url.host().toLower()) || !url.userInfo().isEmpty())
            std::abort();
    }
    return 0;
}
