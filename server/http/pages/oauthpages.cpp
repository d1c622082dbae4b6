#include "apiroutes.h"
#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

#include <QUrlQuery>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// The browser flow of sign-in with GitHub or Google (API.md "Operations"): GET
// /oauth/start/<provider> binds a new state to this browser with a cookie and sends it to the
// provider; the callback (oauthroutes.cpp) refuses that state without the cookie and ends on
// /oauth/done, the embedded default frontend, whose button POSTs the confirmation (CSRF) and
// sets the session cookie, or which shows the error in the user's language. The JSON flow of
// the FreeSewing API (/oauth/init) is oauthroutes.cpp's and does not change.
namespace sd::http::pages {

namespace {

// The error codes of docs/OAUTH.md that have a text of their own; any other shows a general one.
const QStringList kKnownErrors = {u"access_denied"_s,  u"provider_error"_s,   u"provider_timeout"_s,
                                  u"invalid_state"_s,  u"unverified_email"_s, u"unknown_provider"_s,
                                  u"not_configured"_s, u"signup_disabled"_s,  u"server_error"_s};

// The language a query or form names, when it is one we ship; else the browser's.
QString languageOf(const HttpRequest &r, const QString &named)
{
    return core::Config::languages().contains(named) ? named : r.language();
}

HttpResponse errorOutcome(int status, const QString &language, const QString &messageKey)
{
    return page(status, language, u"oauth_error_title"_s,
                message(language, messageKey, u"error"_s) + fragment(u"oauth_error"_s, language));
}

HttpResponse oauthStart(core::CoreServices &c, const HttpRequest &r)
{
    const QString provider = r.path.section(u'/', 3, 3);
    const QString language = languageOf(r, queryValue(r, u"language"_s));
    if (auto limited = limitAddress(c, u"oauth-init"_s, r))
        return errorPage(language, *limited);
    auto started = c.oauth().startInBrowser(provider, language, {r.remoteIp});
    if (!started) {
        QString code = u"server_error"_s;
        if (started.error().code == ErrorCode::UnknownProvider)
            code = u"unknown_provider"_s;
        else if (started.error().code == ErrorCode::NotConfigured)
            code = u"not_configured"_s;
        QUrlQuery query;
        query.addQueryItem(u"language"_s, language);
        query.addQueryItem(u"error"_s, code);
        HttpResponse response = HttpResponse::empty(302);
        response.headers.append(
            {"Location",
             (c.oauth().donePageUrl() + u'?' + query.toString(QUrl::FullyEncoded)).toUtf8()});
        return response;
    }
    HttpResponse response = HttpResponse::empty(302);
    response.headers.append({"Location", started->authorizeUrl.toUtf8()});
    // Lives as long as the state; named after it, so a second start in this browser (another
    // tab) adds its own cookie instead of replacing this one.
    response.headers.append(
        {"Set-Cookie", cookieHeader(c, oauthBindingCookieName(c, started->state), started->binding,
                                    core::OAuthService::kStateTtlSeconds)});
    return response;
}

HttpResponse doneGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = languageOf(r, queryValue(r, u"language"_s));
    const QString error = queryValue(r, u"error"_s);
    const QString confirmation = queryValue(r, u"confirmation"_s);
    if (!error.isEmpty())
        return errorOutcome(400, language,
                            kKnownErrors.contains(error) ? u"oauth_error_"_s + error
                                                         : u"oauth_error_other"_s);
    if (confirmation.isEmpty())
        return errorOutcome(400, language, u"oauth_error_invalid_confirmation"_s);
    // Nothing is spent here: a person presses the button (link scanners and prefetches only
    // GET), and the POST carries the CSRF token of this browser.
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(page(200, language, u"oauth_done_title"_s,
                           fragment(u"oauth_done"_s, language,
                                    {{u"csrf"_s, csrf.token},
                                     {u"confirmation"_s, confirmation},
                                     {u"language"_s, language}})),
                      csrf);
}

HttpResponse donePost(core::CoreServices &c, const HttpRequest &r)
{
    const auto form = parseForm(r);
    if (!form)
        return errorPage(r.language(),
                         ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const QString language = languageOf(r, form->value(u"language"_s));
    if (!csrfPasses(c, r, *form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"login"_s, r))
        return errorPage(language, *limited);
    auto result = c.oauth().login(form->value(u"confirmation"_s), requestInfo(r));
    if (!result) {
        switch (result.error().code) {
        case ErrorCode::InvalidConfirmation:
            return errorOutcome(400, language, u"oauth_error_invalid_confirmation"_s);
        case ErrorCode::PendingApproval:
            return errorOutcome(403, language, u"login_pending"_s);
        case ErrorCode::AccountDisabled:
            return errorOutcome(403, language, u"login_disabled"_s);
        default:
            return errorPage(language, result.error());
        }
    }
    HttpResponse response = seeOther(language, u"/account"_s, u"oauth_done_title"_s);
    response.headers.append({"Set-Cookie", cookieHeader(c, sessionCookieName(c), result->ust,
                                                        c.liveSettings()->sessionTtlSeconds)});
    return response;
}

} // namespace

void registerOAuthPages(PageRoutes &routes)
{
    routes.add("GET", u"/oauth/start/<provider>"_s, RunOn::WorkerPool, oauthStart);
    routes.add("GET", u"/oauth/done"_s, RunOn::ServerThread, doneGet);
    routes.add("POST", u"/oauth/done"_s, RunOn::WorkerPool, donePost);
}

} // namespace sd::http::pages
