#include "apiroutes.h"
#include "errormapping.h"
#include "flows/emaillogin/redirectpolicy.h"
#include "jsonbody.h"
#include "pageflows.h"
#include "pagerender.h"
#include "validation/names.h"
#include "websecurity.h"

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// Email-link login: the page behind the link (/login/confirm: display name, Terms of Service,
// then the session cookie) and the JSON request for a link (POST /api/v1/login/email-link).
namespace sd::http::pages {

namespace {

HttpResponse loginForm(core::CoreServices &c, int status, const QString &language,
                       const core::LoginLinkView &view, const QString &csrfToken,
                       const QString &token, const QString &nextPage, const QString &displayName,
                       const QStringList &errorKeys)
{
    QString errors;
    for (const QString &key : errorKeys)
        errors += message(language, key, u"error"_s);
    const QString html = fragmentWithTos(u"login_confirm"_s, language,
                                         {{u"csrf"_s, csrfToken},
                                          {u"token"_s, token},
                                          {u"next_page"_s, nextPage},
                                          {u"email"_s, view.account.email},
                                          {u"display_name"_s, displayName}},
                                         view.tosRequired ? c.config().tosVersion : QString());
    return page(status, language, u"login_title"_s, errors + html);
}

HttpResponse loginInvalidPage(const QString &language)
{
    return page(400, language, u"login_invalid_title"_s,
                message(language, u"login_invalid"_s, u"error"_s));
}

HttpResponse loginConfirmGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString token = queryValue(r, u"token"_s);
    recordHit(c, r, u"login_link"_s, token);
    auto view = c.emailLogin().inspect(token);
    if (!view) {
        if (view.error().code != ErrorCode::InvalidToken)
            return errorPage(language, view.error());
        return loginInvalidPage(language);
    }
    const CsrfState csrf = csrfFor(c, r);
    // A stored name that today's rule would refuse (an older row) is offered cleaned, so
    // sending the form back unchanged always passes.
    return withCookie(loginForm(c, 200, language, *view, csrf.token, token,
                                queryValue(r, u"next_page"_s),
                                core::names::sanitizedDisplayName(view->account.displayName), {}),
                      csrf);
}

HttpResponse loginConfirmPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString token = form.value(u"token"_s);
    recordHit(c, r, u"login_link"_s, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    core::EmailLoginConfirmation input;
    input.token = token;
    if (form.has(u"display_name"_s))
        input.displayName = form.value(u"display_name"_s);
    input.tosAccepted = !form.value(u"tos"_s).isEmpty();
    const QString nextPage = form.value(u"next_page"_s);
    auto result = c.emailLogin().confirm(input, requestInfo(r)); // the account page lists its agent
    if (!result) {
        const core::Error &e = result.error();
        if (e.code == ErrorCode::Validation) {
            // Shown again, token unused, no cookie.
            auto view = c.emailLogin().inspect(token);
            if (!view)
                return loginInvalidPage(language);
            QStringList keys;
            if (e.fields.contains(u"tos"_s))
                keys << u"tos_required"_s;
            if (e.fields.contains(u"display_name"_s))
                keys << u"name_invalid"_s;
            return loginForm(c, 400, language, *view, csrfTokenAgain(c, r), token, nextPage,
                             input.displayName.value_or(
                                 core::names::sanitizedDisplayName(view->account.displayName)),
                             keys);
        }
        if (e.code == ErrorCode::InvalidToken)
            return loginInvalidPage(language);
        return errorPage(language, e);
    }
    // The second factor is on: its code comes before any cookie (API.md).
    if (result->mfaRequired())
        return mfaCodePage(c, r, 200, result->mfaToken, nextPage);
    const QString location = core::resolveRedirect(nextPage, c.config().allowedRedirectHosts);
    HttpResponse response =
        page(303, language, u"login_title"_s,
             u"<p><a href=\""_s + location.toHtmlEscaped() + u"\">"_s +
                 text(language, u"login_button"_s).toHtmlEscaped() + u"</a></p>"_s);
    response.headers.append({"Location", location.toLatin1()});
    response.headers.append({"Set-Cookie", cookieHeader(c, sessionCookieName(c), result->ust,
                                                        c.liveSettings()->sessionTtlSeconds)});
    return response;
}

} // namespace

void registerEmailLoginPages(PageRoutes &routes)
{
    routes.add("GET", u"/login/confirm"_s, RunOn::WorkerPool, loginConfirmGet);
    routes.add("POST", u"/login/confirm"_s, RunOn::WorkerPool, loginConfirmPost);

    // The JSON half of email-link login (API.md "Login and sessions"): 202 whatever the address.
    routes.addApi({"POST", u"/api/v1/login/email-link"_s, RunOn::WorkerPool, false,
                   [c = &routes.core()](const HttpRequest &r) {
                       const QString language = r.language();
                       if (auto limited = limitAddress(*c, u"email-link"_s, r))
                           return errorResponse(*limited, language);
                       auto body = JsonBody::parse(r.body);
                       if (!body)
                           return errorResponse(body.error(), language);
                       auto email = body->requiredString(u"email"_s);
                       if (!email)
                           return errorResponse(email.error(), language);
                       auto nextPage = body->optionalString(u"next_page"_s);
                       if (!nextPage)
                           return errorResponse(nextPage.error(), language);
                       if (email->trimmed().isEmpty()) {
                           core::Error e{ErrorCode::Validation, {}, {}, 0};
                           e.fields[u"email"_s] << u"required"_s;
                           return errorResponse(e, language);
                       }
                       auto done = c->emailLogin().requestLink(
                           *email, nextPage->value_or(QString()), {r.remoteIp});
                       if (!done)
                           return errorResponse(done.error(), language);
                       return HttpResponse::json(202, QJsonObject{{u"status"_s, u"ok"_s}});
                   }});
}

} // namespace sd::http::pages
