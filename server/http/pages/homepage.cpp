#include "emails/placeholders.h"
#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

using namespace Qt::StringLiterals;

namespace sd::http::pages {

namespace {

HttpResponse stylesheet(core::CoreServices &, const HttpRequest &)
{
    static const QByteArray css = readResource(u":/pages/signupdesk.css"_s).toUtf8();
    return HttpResponse{200, "text/css; charset=utf-8", css, {}};
}

HttpResponse homeGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString ust = cookie(r, sessionCookieName(c));
    if (!ust.isEmpty()) {
        if (auto session = c.sessions().check(ust)) {
            const core::Account &a = session->account;
            const QString name = a.displayName.isEmpty() ? a.username : a.displayName;
            const QString line = core::fillPlaceholders(text(language, u"home_signed_in"_s),
                                                        {{u"name"_s, name}}, core::Escaping::None);
            return page(200, language, u"home_title"_s,
                        fragment(u"message"_s, language,
                                 {{u"message"_s, line}, {u"class"_s, u"signed-in"_s}}));
        }
    }
    return page(200, language, u"home_title"_s, message(language, u"home_anonymous"_s));
}

} // namespace

void registerHomePage(PageRoutes &routes)
{
    routes.add("GET", u"/static/signupdesk.css"_s, RunOn::ServerThread, stylesheet);
    routes.add("GET", u"/"_s, RunOn::ServerThread, homeGet);
}

} // namespace sd::http::pages
