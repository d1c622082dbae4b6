#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// Email verification by link (/verify-email), by signed link (/verify-registration), and
// "send me a new link" (/verify-email/resend).
namespace sd::http::pages {

namespace {

QString resendForm(const QString &language, const QString &csrfToken, const QString &email)
{
    return fragment(u"resend_form"_s, language, {{u"csrf"_s, csrfToken}, {u"email"_s, email}});
}

HttpResponse verifiedPage(const QString &language, const core::Account &account)
{
    const bool waiting = account.status == core::AccountStatus::PendingApproval;
    return page(200, language, u"verified_title"_s,
                message(language, waiting ? u"verified_pending"_s : u"verified_active"_s));
}

// The page for a link that does not (or no longer) work, with "send me a new link".
HttpResponse brokenLinkPage(const QString &language, bool spent, const QString &csrfToken,
                            const QString &email)
{
    return page(400, language, spent ? u"spent_title"_s : u"invalid_title"_s,
                message(language, spent ? u"spent_message"_s : u"invalid_message"_s) +
                    resendForm(language, csrfToken, email));
}

HttpResponse verifyEmailGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString email = queryValue(r, u"email"_s), token = queryValue(r, u"token"_s);
    recordHit(c, r, u"verification"_s, token);
    const CsrfState csrf = csrfFor(c, r);
    auto state = c.verification().inspectToken(email, token);
    if (!state)
        return errorPage(language, state.error());
    if (*state != core::VerificationService::TokenState::Live)
        return withCookie(brokenLinkPage(language,
                                         *state == core::VerificationService::TokenState::Spent,
                                         csrf.token, email),
                          csrf);
    return withCookie(
        page(200, language, u"verify_title"_s,
             fragment(u"verify_email"_s, language,
                      {{u"csrf"_s, csrf.token}, {u"email"_s, email}, {u"token"_s, token}})),
        csrf);
}

HttpResponse verifyEmailPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString email = form.value(u"email"_s), token = form.value(u"token"_s);
    recordHit(c, r, u"verification"_s, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    auto verified = c.verification().verifyToken(email, token, {r.remoteIp});
    if (verified)
        return verifiedPage(language, *verified);
    if (verified.error().code != ErrorCode::InvalidVerification)
        return errorPage(language, verified.error());
    auto state = c.verification().inspectToken(email, token);
    const bool spent = state && *state == core::VerificationService::TokenState::Spent;
    return brokenLinkPage(language, spent, csrfTokenAgain(c, r), email);
}

HttpResponse verifyRegistrationGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString userId = queryValue(r, u"user_id"_s);
    recordHit(c, r, u"signed_verification"_s, {}, userId);
    const CsrfState csrf = csrfFor(c, r);
    const QString timestamp = queryValue(r, u"timestamp"_s),
                  signature = queryValue(r, u"signature"_s);
    if (userId.isEmpty() || timestamp.isEmpty() || signature.isEmpty())
        return withCookie(brokenLinkPage(language, false, csrf.token, {}), csrf);
    return withCookie(page(200, language, u"verify_title"_s,
                           fragment(u"verify_registration"_s, language,
                                    {{u"csrf"_s, csrf.token},
                                     {u"user_id"_s, userId},
                                     {u"timestamp"_s, timestamp},
                                     {u"signature"_s, signature}})),
                      csrf);
}

HttpResponse verifyRegistrationPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString userId = form.value(u"user_id"_s);
    recordHit(c, r, u"signed_verification"_s, {}, userId);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    bool isNumber = false;
    const qint64 timestamp = form.value(u"timestamp"_s).toLongLong(&isNumber);
    const QString csrfToken = csrfTokenAgain(c, r);
    if (!isNumber)
        return brokenLinkPage(language, false, csrfToken, {});
    auto verified =
        c.verification().verifySigned(userId, timestamp, form.value(u"signature"_s), {r.remoteIp});
    if (verified)
        return verifiedPage(language, *verified);
    if (verified.error().code != ErrorCode::InvalidSignature)
        return errorPage(language, verified.error());
    // Expired, used and forged signed links look the same: the link cannot tell them apart.
    return brokenLinkPage(language, false, csrfToken, {});
}

HttpResponse resendPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"resend"_s, r))
        return errorPage(language, *limited);
    const QString email = form.value(u"email"_s).trimmed();
    if (!email.isEmpty()) {
        auto done = c.verification().resend(email);
        if (!done && done.error().code != ErrorCode::RateLimited)
            return errorPage(language, done.error());
    }
    // The same page whether or not the address exists or waits for confirmation.
    return page(200, language, u"resend_title"_s, message(language, u"resend_message"_s));
}

} // namespace

// Link pages run on the pool: recording the hit is a write.
void registerVerificationPages(PageRoutes &routes)
{
    routes.add("GET", u"/verify-email"_s, RunOn::WorkerPool, verifyEmailGet);
    routes.add("POST", u"/verify-email"_s, RunOn::WorkerPool, verifyEmailPost);
    routes.add("POST", u"/verify-email/resend"_s, RunOn::WorkerPool, resendPost);
    routes.add("GET", u"/verify-registration"_s, RunOn::WorkerPool, verifyRegistrationGet);
    routes.add("POST", u"/verify-registration"_s, RunOn::WorkerPool, verifyRegistrationPost);
}

} // namespace sd::http::pages
