#include "errormapping.h"
#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

#include <variant>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// The sign-in page (/login: password, or "email me a link"), /forgot-password and /account
// (the account, change password, change email). Forms without script, CSRF on every POST, the
// session in the page cookie; every rule is core's (SessionService, EmailLoginService,
// RecoveryService, EmailChangeService).
//
// Hooks for the rest of /account: the sessions list and account deletion add their sections
// to accountPage() below (after the email form) and their POST routes in
// registerAccountPages().
namespace sd::http::pages {

// A 303 to `location` (after a POST, or to the sign-in page without a session).
HttpResponse seeOther(const QString &language, const QString &location, const QString &titleKey)
{
    HttpResponse r = page(303, language, titleKey,
                          u"<p><a href=\""_s + location.toHtmlEscaped() + u"\">"_s +
                              location.toHtmlEscaped() + u"</a></p>"_s);
    r.headers.append({"Location", location.toUtf8()});
    return r;
}

// The checks every form POST here starts with: a UTF-8 form, CSRF, the per-address limit.
std::variant<Form, HttpResponse> acceptForm(core::CoreServices &c, const HttpRequest &r,
                                            const QString &bucket)
{
    const QString language = r.language();
    auto form = parseForm(r);
    if (!form)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    if (!csrfPasses(c, r, *form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, bucket, r))
        return errorPage(language, *limited);
    return *form;
}

// The signed-in user of the page cookie, if any.
std::optional<core::SessionUser> pageUser(core::CoreServices &c, const HttpRequest &r)
{
    const QString ust = cookie(r, sessionCookieName(c));
    auto session = c.sessions().check(ust);
    if (!session)
        return std::nullopt;
    return core::SessionUser{session->account, session->tokenId};
}

namespace {

HttpResponse signInPage(int status, const QString &language, const QString &csrf,
                        const QString &username, const QString &errorKey)
{
    const QString errors = errorKey.isEmpty() ? QString() : message(language, errorKey, u"error"_s);
    return page(
        status, language, u"sign_in_title"_s,
        errors + fragment(u"sign_in"_s, language, {{u"csrf"_s, csrf}, {u"username"_s, username}}));
}

HttpResponse signInGet(core::CoreServices &c, const HttpRequest &r)
{
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(signInPage(200, r.language(), csrf.token, {}, {}), csrf);
}

HttpResponse signInPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    auto accepted = acceptForm(c, r, u"login"_s);
    if (auto *refused = std::get_if<HttpResponse>(&accepted))
        return *refused;
    const Form &form = std::get<Form>(accepted);
    const QString username = form.value(u"username"_s);
    auto result = c.sessions().login(username, form.value(u"password"_s), {r.remoteIp});
    if (result && result->mfaRequired())
        return mfaCodePage(c, r, 200, result->mfaToken, u"/account"_s); // no cookie yet
    if (!result) {
        QString key;
        switch (result.error().code) {
        case ErrorCode::InvalidCredentials:
            key = u"login_failed"_s;
            break;
        case ErrorCode::NotVerified:
            key = u"login_not_verified"_s;
            break;
        case ErrorCode::PendingApproval:
            key = u"login_pending"_s;
            break;
        case ErrorCode::AccountDisabled:
            key = u"login_disabled"_s;
            break;
        default:
            return errorPage(language, result.error());
        }
        return signInPage(httpStatus(result.error()), language, csrfTokenAgain(c, r), username,
                          key);
    }
    HttpResponse response = seeOther(language, u"/account"_s);
    response.headers.append({"Set-Cookie", cookieHeader(c, sessionCookieName(c), result->ust,
                                                        c.liveSettings()->sessionTtlSeconds)});
    return response;
}

// A form that asks for a mail (a login link, a reset): "check your inbox", whatever the
// address; only a spent limit answers otherwise.
template <typename Request>
HttpResponse mailRequestPost(core::CoreServices &c, const HttpRequest &r, const QString &bucket,
                             Request request)
{
    auto accepted = acceptForm(c, r, bucket);
    if (auto *refused = std::get_if<HttpResponse>(&accepted))
        return *refused;
    const QString email = std::get<Form>(accepted).value(u"email"_s).trimmed();
    if (!email.isEmpty()) {
        if (core::Result<void> done = request(email); !done)
            return errorPage(r.language(), done.error());
    }
    return page(200, r.language(), u"link_sent_title"_s, message(r.language(), u"link_sent"_s));
}

HttpResponse emailLinkPost(core::CoreServices &c, const HttpRequest &r)
{
    return mailRequestPost(c, r, u"email-link"_s, [&](const QString &email) {
        return c.emailLogin().requestLink(email, u"/account"_s, {r.remoteIp});
    });
}

HttpResponse forgotGet(core::CoreServices &c, const HttpRequest &r)
{
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(page(200, r.language(), u"forgot_title"_s,
                           fragment(u"forgot_password"_s, r.language(), {{u"csrf"_s, csrf.token}})),
                      csrf);
}

HttpResponse forgotPost(core::CoreServices &c, const HttpRequest &r)
{
    return mailRequestPost(c, r, u"resend"_s, [&](const QString &email) {
        return c.recovery().requestReset(email, {r.remoteIp});
    });
}

HttpResponse accountPage(int status, const QString &language, const core::Account &a,
                         const QString &csrf, const QString &notice, bool isError)
{
    QString head;
    if (!notice.isEmpty())
        head = message(language, notice, isError ? u"error"_s : u"notice"_s);
    return page(status, language, u"account_title"_s,
                head +
                    fragment(u"account"_s, language,
                             {{u"csrf"_s, csrf},
                              {u"username"_s, a.username},
                              {u"email"_s, a.email},
                              {u"display_name"_s, a.displayName}}) +
                    mfaAccountSection(language, a, csrf));
}

HttpResponse accountGet(core::CoreServices &c, const HttpRequest &r)
{
    auto user = pageUser(c, r);
    if (!user)
        return seeOther(r.language(), u"/login"_s);
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(accountPage(200, r.language(), user->account, csrf.token, {}, false), csrf);
}

// The two /account forms: the change through core, then the page again with what happened.
template <typename Change>
HttpResponse accountChange(core::CoreServices &c, const HttpRequest &r, const QString &doneKey,
                           Change change)
{
    const QString language = r.language();
    auto user = pageUser(c, r);
    if (!user)
        return seeOther(language, u"/login"_s);
    auto accepted = acceptForm(c, r, u"login"_s);
    if (auto *refused = std::get_if<HttpResponse>(&accepted))
        return *refused;
    const QString csrf = csrfTokenAgain(c, r);
    auto result = change(*user, std::get<Form>(accepted));
    if (!result) {
        const core::Error &e = result.error();
        QString key;
        if (e.code == ErrorCode::InvalidCredentials)
            key = u"wrong_current_password"_s;
        else if (e.code != ErrorCode::Validation)
            return errorPage(language, e);
        else if (e.fields.contains(u"new_email"_s))
            key = u"email_invalid"_s;
        else if (e.fields.contains(u"new_password_again"_s))
            key = u"passwords_differ"_s;
        else
            key = u"password_weak"_s;
        return accountPage(httpStatus(e), language, user->account, csrf, key, true);
    }
    return accountPage(200, language, user->account, csrf, doneKey, false);
}

HttpResponse passwordPost(core::CoreServices &c, const HttpRequest &r)
{
    return accountChange(
        c, r, u"password_changed"_s,
        [&](const core::SessionUser &user, const Form &form) -> core::Result<void> {
            const QString password = form.value(u"new_password"_s);
            if (password != form.value(u"new_password_again"_s)) {
                core::Error e{ErrorCode::Validation, u"passwords differ"_s, {}, 0};
                e.fields[u"new_password_again"_s] << u"mismatch"_s;
                return std::unexpected(e);
            }
            return c.recovery().changePassword(user, form.value(u"current_password"_s), password,
                                               {r.remoteIp});
        });
}

HttpResponse emailPost(core::CoreServices &c, const HttpRequest &r)
{
    return accountChange(
        c, r, u"email_change_sent"_s, [&](const core::SessionUser &user, const Form &form) {
            return c.emailChange().request(user, form.value(u"new_email"_s),
                                           form.value(u"current_password"_s), {r.remoteIp});
        });
}

} // namespace

void registerAccountPages(PageRoutes &routes)
{
    routes.add("GET", u"/login"_s, RunOn::ServerThread, signInGet);
    routes.add("POST", u"/login"_s, RunOn::WorkerPool, signInPost);
    routes.add("POST", u"/login/email"_s, RunOn::WorkerPool, emailLinkPost);
    routes.add("GET", u"/forgot-password"_s, RunOn::ServerThread, forgotGet);
    routes.add("POST", u"/forgot-password"_s, RunOn::WorkerPool, forgotPost);
    routes.add("GET", u"/account"_s, RunOn::WorkerPool, accountGet);
    routes.add("POST", u"/account/password"_s, RunOn::WorkerPool, passwordPost);
    routes.add("POST", u"/account/email"_s, RunOn::WorkerPool, emailPost);
}

} // namespace sd::http::pages
