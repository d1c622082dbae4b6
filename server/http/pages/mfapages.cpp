#include "apiroutes.h"
#include "errormapping.h"
#include "flows/emaillogin/redirectpolicy.h"
#include "flows/mfa/totp.h"
#include "pageflows.h"
#include "pagerender.h"
#include "qrsvg.h"
#include "websecurity.h"

#include <variant>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// Issue 14, the second factor on the pages: the code asked after a correct password (/login)
// or email link (/login/confirm), before any cookie is set (POST /login/mfa), and the /account
// section (turn on with a QR code and the key as text, confirm with a first code, new recovery
// codes, turn off). Forms without script, CSRF on every POST; every rule is core::MfaService's.
namespace sd::http::pages {

namespace {

// A page of the /account second-factor flow: an optional message, then `html`.
HttpResponse mfaPage(int status, const QString &language, const QString &messageKey, bool isError,
                     const QString &html)
{
    const QString head = messageKey.isEmpty()
                             ? QString()
                             : message(language, messageKey, isError ? u"error"_s : QString());
    return page(status, language, u"mfa_title"_s, head + html);
}

HttpResponse codesPage(const QString &language, const QStringList &codes)
{
    QString items;
    for (const QString &code : codes)
        items += u"<li>"_s + code.toHtmlEscaped() + u"</li>"_s;
    const QString marker = u"\u0001codes\u0001"_s; // no escaped value can hold it
    return page(200, language, u"mfa_codes_title"_s,
                fragment(u"mfa_codes"_s, language, {{u"codes"_s, marker}}).replace(marker, items));
}

// POST /login/mfa: the code (or a recovery code) for the mfa_token of the form; the session
// cookie only when it is right.
HttpResponse loginMfaPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    auto accepted = acceptForm(c, r, u"login"_s);
    if (auto *refused = std::get_if<HttpResponse>(&accepted))
        return *refused;
    const Form &form = std::get<Form>(accepted);
    const QString token = form.value(u"mfa_token"_s);
    const QString nextPage = form.value(u"next_page"_s);
    const QString typed = form.value(u"code"_s).trimmed();
    const bool totpCode = core::totp::normalizedCode(typed).has_value();
    auto result = c.mfa().completeLogin(token, totpCode ? typed : QString(),
                                        totpCode ? QString() : typed, requestInfo(r));
    if (!result) {
        const core::Error &e = result.error();
        if (e.code == ErrorCode::InvalidLoginCode)
            return mfaCodePage(c, r, httpStatus(e), token, nextPage, u"mfa_code_wrong"_s);
        if (e.code == ErrorCode::InvalidToken)
            return mfaPage(400, language, u"mfa_expired"_s, true,
                           u"<p><a href=\"/login\">"_s +
                               text(language, u"sign_in_title"_s).toHtmlEscaped() + u"</a></p>"_s);
        return errorPage(language, e);
    }
    HttpResponse response =
        seeOther(language, core::resolveRedirect(nextPage, c.config().allowedRedirectHosts));
    response.headers.append({"Set-Cookie", cookieHeader(c, sessionCookieName(c), result->ust,
                                                        c.liveSettings()->sessionTtlSeconds)});
    return response;
}

// The /account second-factor POSTs: the signed-in user (else the sign-in page), the form.
template <typename Handler>
HttpResponse accountMfaPost(core::CoreServices &c, const HttpRequest &r, Handler handler)
{
    auto user = pageUser(c, r);
    if (!user)
        return seeOther(r.language(), u"/login"_s);
    auto accepted = acceptForm(c, r, u"login"_s);
    if (auto *refused = std::get_if<HttpResponse>(&accepted))
        return *refused;
    return handler(*user, std::get<Form>(accepted), csrfTokenAgain(c, r));
}

// A wrong password or code shows the section again with the error; anything else is an error
// page.
HttpResponse refused(const HttpRequest &r, const core::Error &e, const core::Account &account,
                     const QString &csrf)
{
    const QString language = r.language();
    QString key;
    if (e.code == ErrorCode::InvalidCredentials)
        key = u"wrong_current_password"_s;
    else if (e.code == ErrorCode::InvalidCode)
        key = u"mfa_code_wrong"_s;
    else
        return errorPage(language, e);
    return mfaPage(httpStatus(e), language, key, true, mfaAccountSection(language, account, csrf));
}

HttpResponse startPost(core::CoreServices &c, const HttpRequest &r)
{
    return accountMfaPost(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            const QString language = r.language();
            auto started = c.mfa().startTotp(user, form.value(u"current_password"_s), {r.remoteIp});
            if (!started) {
                if (started.error().code == ErrorCode::MfaEnabled)
                    return seeOther(language, u"/account"_s);
                return refused(r, started.error(), user.account, csrf);
            }
            const QString qrMarker = u"\u0001qr\u0001"_s;
            const QString html = fragment(u"mfa_enrol"_s, language,
                                          {{u"qr"_s, qrMarker}, {u"secret"_s, started->secret}})
                                     .replace(qrMarker, qrSvg(started->otpauthUri,
                                                              text(language, u"mfa_qr_label"_s))) +
                                 fragment(u"mfa_confirm"_s, language, {{u"csrf"_s, csrf}});
            return mfaPage(200, language, {}, false, html);
        });
}

HttpResponse confirmPost(core::CoreServices &c, const HttpRequest &r)
{
    return accountMfaPost(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            const QString language = r.language();
            auto codes = c.mfa().confirmTotp(user, form.value(u"code"_s), {r.remoteIp});
            if (!codes) {
                const core::Error &e = codes.error();
                if (e.code == ErrorCode::MfaEnabled)
                    return seeOther(language, u"/account"_s);
                if (e.code != ErrorCode::InvalidCode)
                    return errorPage(language, e);
                // The key stays pending: the app has it already, so only the form comes back.
                return mfaPage(400, language, u"mfa_code_wrong"_s, true,
                               fragment(u"mfa_confirm"_s, language, {{u"csrf"_s, csrf}}));
            }
            return codesPage(language, *codes);
        });
}

HttpResponse renewPost(core::CoreServices &c, const HttpRequest &r)
{
    return accountMfaPost(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            auto codes = c.mfa().renewRecoveryCodes(user, form.value(u"code"_s), {r.remoteIp});
            if (!codes)
                return refused(r, codes.error(), user.account, csrf);
            return codesPage(r.language(), *codes);
        });
}

HttpResponse disablePost(core::CoreServices &c, const HttpRequest &r)
{
    return accountMfaPost(
        c, r, [&](const core::SessionUser &user, const Form &form, const QString &csrf) {
            auto done = c.mfa().disable(user, form.value(u"current_password"_s),
                                        form.value(u"code"_s).trimmed(), {r.remoteIp});
            if (!done) {
                if (done.error().code == ErrorCode::Conflict)
                    return seeOther(r.language(), u"/account"_s);
                return refused(r, done.error(), user.account, csrf);
            }
            core::Account off = user.account;
            off.mfaEnabled = false;
            return mfaPage(200, r.language(), u"mfa_disabled_notice"_s, false,
                           mfaAccountSection(r.language(), off, csrf));
        });
}

} // namespace

HttpResponse mfaCodePage(core::CoreServices &c, const HttpRequest &r, int status,
                         const QString &mfaToken, const QString &nextPage, const QString &errorKey)
{
    const QString language = r.language();
    const QString errors = errorKey.isEmpty() ? QString() : message(language, errorKey, u"error"_s);
    return page(status, language, u"mfa_title"_s,
                errors + fragment(u"mfa_code"_s, language,
                                  {{u"csrf"_s, csrfTokenAgain(c, r)},
                                   {u"mfa_token"_s, mfaToken},
                                   {u"next_page"_s, nextPage}}));
}

QString mfaAccountSection(const QString &language, const core::Account &account,
                          const QString &csrf)
{
    return fragment(account.mfaEnabled ? u"mfa_on"_s : u"mfa_off"_s, language, {{u"csrf"_s, csrf}});
}

void registerMfaPages(PageRoutes &routes)
{
    routes.add("POST", u"/login/mfa"_s, RunOn::WorkerPool, loginMfaPost);
    routes.add("POST", u"/account/mfa/start"_s, RunOn::WorkerPool, startPost);
    routes.add("POST", u"/account/mfa/confirm"_s, RunOn::WorkerPool, confirmPost);
    routes.add("POST", u"/account/mfa/recovery-codes"_s, RunOn::WorkerPool, renewPost);
    routes.add("POST", u"/account/mfa/disable"_s, RunOn::WorkerPool, disablePost);
}

} // namespace sd::http::pages
