#include "apiroutes.h"
#include "errormapping.h"
#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

#include <QDateTime>

#include <variant>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// The sign-in page (/login: password, or "email me a link"), /forgot-password and /account
// (the account, change password, change email, its sessions with "end one" and "end every
// other", log out, delete the account). Forms without script, CSRF on every POST, the session
// in the page cookie; every rule is core's (SessionService, EmailLoginService, RecoveryService,
// EmailChangeService, AccountSessionService, AccountDeletionService).
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

// The signed-in user of the page cookie, if any; records its use (the sessions list's "last
// used") as the JSON API does. Only on the worker pool (it may write).
std::optional<core::SessionUser> pageUser(core::CoreServices &c, const HttpRequest &r)
{
    const QString ust = cookie(r, sessionCookieName(c));
    auto session = c.sessions().check(ust);
    if (!session)
        return std::nullopt;
    if (session->needsTouch)
        c.sessions().touch(session->tokenId);
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
    // The user agent goes with the session: the account page lists it.
    auto result = c.sessions().login(username, form.value(u"password"_s), requestInfo(r));
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

// A time of the sessions list: the same in every language, in UTC as the API's times.
QString pageTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s);
}

QString sessionItems(const QList<core::SessionInfo> &sessions, const QString &language,
                     const QString &csrf)
{
    QString html;
    for (const core::SessionInfo &s : sessions) {
        const QString agent = s.userAgent.trimmed().isEmpty()
                                  ? text(language, u"session_unknown_agent"_s)
                                  : s.userAgent;
        html += fragment(s.current ? u"account_session_current"_s : u"account_session"_s, language,
                         {{u"csrf"_s, csrf},
                          {u"session_id"_s, s.id},
                          {u"user_agent"_s, agent},
                          {u"ip"_s, s.ip},
                          {u"created"_s, pageTime(s.createdAtMs)},
                          {u"last_used"_s, pageTime(s.lastUsedAtMs)}});
    }
    return html;
}

// The account page with its sessions (read now, so an ended one is gone), and `notice` (a
// string key) above it when not empty.
HttpResponse accountPage(core::CoreServices &c, int status, const QString &language,
                         const core::SessionUser &user, const QString &csrf, const QString &notice,
                         bool isError)
{
    auto sessions = c.accountSessions().list(user.account.id, user.sessionId);
    if (!sessions)
        return errorPage(language, sessions.error());
    QString head;
    if (!notice.isEmpty())
        head = message(language, notice, isError ? u"error"_s : u"notice"_s);
    const core::Account &a = user.account;
    return page(status, language, u"account_title"_s,
                head +
                    fragmentWithHtml(u"account"_s, language,
                                     {{u"csrf"_s, csrf},
                                      {u"username"_s, a.username},
                                      {u"email"_s, a.email},
                                      {u"display_name"_s, a.displayName}},
                                     {{u"sessions"_s, sessionItems(*sessions, language, csrf)}}) +
                    mfaAccountSection(language, a, csrf));
}

HttpResponse accountGet(core::CoreServices &c, const HttpRequest &r)
{
    auto user = pageUser(c, r);
    if (!user)
        return seeOther(r.language(), u"/login"_s);
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(accountPage(c, 200, r.language(), *user, csrf.token, {}, false), csrf);
}

// Forgets the page's session cookie (after a logout or a deletion).
HttpResponse withoutSession(core::CoreServices &c, HttpResponse response)
{
    response.headers.append({"Set-Cookie", cookieHeader(c, sessionCookieName(c), {}, 0)});
    return response;
}

// The /account forms: signed in (else to /login), the form accepted (UTF-8, CSRF, limit), then the
// answer `change` makes of it (with the CSRF token for the page shown again).
template <typename Change>
HttpResponse accountForm(core::CoreServices &c, const HttpRequest &r, Change change)
{
    const QString language = r.language();
    auto user = pageUser(c, r);
    if (!user)
        return seeOther(language, u"/login"_s);
    auto accepted = acceptForm(c, r, u"login"_s);
    if (auto *refused = std::get_if<HttpResponse>(&accepted))
        return *refused;
    return change(*user, std::get<Form>(accepted), csrfTokenAgain(c, r));
}

// Change password, change email: the form again with what happened.
template <typename Change>
HttpResponse accountChange(core::CoreServices &c, const HttpRequest &r, const QString &doneKey,
                           Change change)
{
    const QString language = r.language();
    return accountForm(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            auto result = change(user, form);
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
                return accountPage(c, httpStatus(e), language, user, csrf, key, true);
            }
            return accountPage(c, 200, language, user, csrf, doneKey, false);
        });
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
                                               requestInfo(r));
        });
}

HttpResponse emailPost(core::CoreServices &c, const HttpRequest &r)
{
    return accountChange(
        c, r, u"email_change_sent"_s, [&](const core::SessionUser &user, const Form &form) {
            return c.emailChange().request(user, form.value(u"new_email"_s),
                                           form.value(u"current_password"_s), requestInfo(r));
        });
}

// Ends one session of the signed-in account (never another account's: core checks the owner).
HttpResponse endSessionPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    return accountForm(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            const QString sessionId = form.value(u"session_id"_s);
            auto done = c.accountSessions().end(user.account.id, sessionId);
            if (!done && done.error().code == ErrorCode::NotFound)
                return accountPage(c, 404, language, user, csrf, u"session_not_found"_s, true);
            if (!done)
                return errorPage(language, done.error());
            if (sessionId == user.sessionId) // its own: signed out, as a logout
                return withoutSession(c, seeOther(language, u"/login"_s));
            return accountPage(c, 200, language, user, csrf, u"session_ended"_s, false);
        });
}

HttpResponse endOthersPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    return accountForm(c, r, [&](const core::SessionUser &user, const Form &, const QString &csrf) {
        auto done = c.accountSessions().endOthers(user.account.id, user.sessionId);
        if (!done)
            return errorPage(language, done.error());
        return accountPage(c, 200, language, user, csrf, u"others_ended"_s, false);
    });
}

HttpResponse logoutPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    return accountForm(c, r, [&](const core::SessionUser &, const Form &, const QString &) {
        // Unauthorized: it ended meanwhile, which is what was asked.
        if (auto done = c.sessions().logout(cookie(r, sessionCookieName(c)));
            !done && done.error().code != ErrorCode::Unauthorized)
            return errorPage(language, done.error());
        return withoutSession(
            c, page(200, language, u"logged_out_title"_s, message(language, u"logged_out"_s)));
    });
}

// Deletes the signed-in account after the password and the confirmation box; the goodbye
// page, signed out.
HttpResponse deletePost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    return accountForm(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            if (form.value(u"confirm"_s) != u"yes"_s)
                return accountPage(c, 400, language, user, csrf, u"delete_confirm_required"_s,
                                   true);
            auto done = c.accountDeletion().deleteOwn(
                user.account.id, form.value(u"current_password"_s), requestInfo(r));
            if (!done) {
                const core::Error &e = done.error();
                if (e.code == ErrorCode::InvalidCredentials)
                    return accountPage(c, 401, language, user, csrf, u"wrong_current_password"_s,
                                       true);
                if (e.code == ErrorCode::Forbidden) // a super-user: the CLI's business
                    return accountPage(c, 403, language, user, csrf, u"delete_not_here"_s, true);
                return errorPage(language, e);
            }
            return withoutSession(c, page(200, language, u"delete_done_title"_s,
                                          message(language, u"delete_done"_s)));
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
    routes.add("POST", u"/account/sessions/end"_s, RunOn::WorkerPool, endSessionPost);
    routes.add("POST", u"/account/sessions/end-others"_s, RunOn::WorkerPool, endOthersPost);
    routes.add("POST", u"/account/logout"_s, RunOn::WorkerPool, logoutPost);
    routes.add("POST", u"/account/delete"_s, RunOn::WorkerPool, deletePost);
}

} // namespace sd::http::pages
