#include "errormapping.h"
#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// Account recovery and self-service pages behind email links (API.md "Account recovery and
// self-service"): /reset-password (the new password twice) and /confirm-email-change. As on
// the other link pages, GET and HEAD only show a form; only its POST, with the CSRF token,
// acts (link scanners cannot spend the token).
namespace sd::http::pages {

namespace {

const QString kResetKind = u"password_reset"_s;
const QString kEmailChangeKind = u"email_change"_s;

HttpResponse resetForm(int status, const QString &language, const core::Account &account,
                       const QString &csrfToken, const QString &token, const QString &errorKey)
{
    const QString errors = errorKey.isEmpty() ? QString() : message(language, errorKey, u"error"_s);
    return page(
        status, language, u"reset_title"_s,
        errors +
            fragment(u"reset_password"_s, language,
                     {{u"csrf"_s, csrfToken}, {u"token"_s, token}, {u"email"_s, account.email}}));
}

HttpResponse resetInvalidPage(const QString &language)
{
    return page(400, language, u"reset_invalid_title"_s,
                message(language, u"reset_invalid"_s, u"error"_s));
}

HttpResponse resetGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString token = queryValue(r, u"token"_s);
    recordHit(c, r, kResetKind, token);
    auto account = c.recovery().inspect(token);
    if (!account) {
        if (account.error().code != ErrorCode::InvalidToken)
            return errorPage(language, account.error());
        return resetInvalidPage(language);
    }
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(resetForm(200, language, *account, csrf.token, token, {}), csrf);
}

HttpResponse resetPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString token = form.value(u"token"_s);
    recordHit(c, r, kResetKind, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    const QString password = form.value(u"new_password"_s);
    // Shown again with the token unused: the two fields differ, or core refused the password.
    auto again = [&](const QString &errorKey) {
        auto account = c.recovery().inspect(token);
        if (!account)
            return resetInvalidPage(language);
        return resetForm(400, language, *account, csrfTokenAgain(c, r), token, errorKey);
    };
    if (password != form.value(u"new_password_again"_s))
        return again(u"passwords_differ"_s);
    auto done = c.recovery().resetWithToken(token, password, {r.remoteIp});
    if (!done) {
        if (done.error().code == ErrorCode::Validation)
            return again(u"password_weak"_s);
        if (done.error().code == ErrorCode::InvalidToken)
            return resetInvalidPage(language);
        return errorPage(language, done.error());
    }
    return page(200, language, u"reset_done_title"_s, message(language, u"reset_done"_s));
}

HttpResponse emailChangeInvalidPage(const QString &language)
{
    return page(400, language, u"email_change_invalid_title"_s,
                message(language, u"email_change_invalid"_s, u"error"_s));
}

HttpResponse emailChangeGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString token = queryValue(r, u"token"_s);
    recordHit(c, r, kEmailChangeKind, token);
    auto view = c.emailChange().inspect(token);
    if (!view) {
        if (view.error().code != ErrorCode::InvalidToken)
            return errorPage(language, view.error());
        return emailChangeInvalidPage(language);
    }
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(
        page(200, language, u"email_change_title"_s,
             fragment(
                 u"confirm_email_change"_s, language,
                 {{u"csrf"_s, csrf.token}, {u"token"_s, token}, {u"new_email"_s, view->newEmail}})),
        csrf);
}

HttpResponse emailChangePost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString token = form.value(u"token"_s);
    recordHit(c, r, kEmailChangeKind, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    auto account = c.emailChange().confirm(token, {r.remoteIp});
    if (!account) {
        if (account.error().code == ErrorCode::InvalidToken)
            return emailChangeInvalidPage(language);
        return errorPage(language, account.error());
    }
    return page(200, language, u"email_changed_title"_s,
                message(language, u"email_changed"_s) + u"<p class=\"value\">"_s +
                    account->email.toHtmlEscaped() + u"</p>"_s);
}

} // namespace

void registerRecoveryPages(PageRoutes &routes)
{
    routes.add("GET", u"/reset-password"_s, RunOn::WorkerPool, resetGet);
    routes.add("POST", u"/reset-password"_s, RunOn::WorkerPool, resetPost);
    routes.add("GET", u"/confirm-email-change"_s, RunOn::WorkerPool, emailChangeGet);
    routes.add("POST", u"/confirm-email-change"_s, RunOn::WorkerPool, emailChangePost);
}

} // namespace sd::http::pages
