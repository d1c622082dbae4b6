#include "recoveryroutes.h"

#include "apiroutes.h"
#include "errormapping.h"
#include "jsonbody.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

// Unwraps a Result or returns its error response, in the handler's `lang`.
#define SD_TRY(var, expr)                                                                          \
    auto var = (expr);                                                                             \
    if (!var)                                                                                      \
        return errorResponse(var.error(), lang);

HttpResponse accepted()
{
    return HttpResponse::json(202, QJsonObject{{u"status"_s, u"ok"_s}});
}

// The body's language wins over Accept-Language for the messages.
QString languageOf(const HttpRequest &r, const JsonBody &body)
{
    auto language = body.optionalString(u"language"_s);
    if (language && *language && core::Config::languages().contains(**language))
        return **language;
    return r.language();
}

// The signed-in user of a Bearer session, or Unauthorized.
core::Result<core::SessionUser> sessionUser(core::CoreServices &c, const HttpRequest &r)
{
    auto session = c.sessions().check(r.bearerToken());
    if (!session)
        return std::unexpected(session.error());
    return core::SessionUser{session->account, session->tokenId};
}

} // namespace

void registerRecoveryRoutes(ApiServer &server, core::CoreServices &core)
{
    core::CoreServices *c = &core;

    server.addRoute(
        {"POST", u"/api/v1/password/forgot"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             if (auto limited = c->limitAddress(u"resend"_s, {r.remoteIp}); !limited)
                 return errorResponse(limited.error(), lang);
             SD_TRY(body, JsonBody::parse(r.body));
             lang = languageOf(r, *body);
             SD_TRY(email, body->requiredString(u"email"_s));
             if (email->trimmed().isEmpty()) {
                 core::Error e{ErrorCode::Validation, {}, {}, 0};
                 e.fields[u"email"_s] << u"required"_s;
                 return errorResponse(e, lang);
             }
             SD_TRY(done, c->recovery().requestReset(*email, {r.remoteIp}));
             return accepted();
         }});

    server.addRoute(
        {"POST", u"/api/v1/password/reset"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             if (auto limited = c->limitAddress(u"verify"_s, {r.remoteIp}); !limited)
                 return errorResponse(limited.error(), lang);
             SD_TRY(body, JsonBody::parse(r.body));
             lang = languageOf(r, *body);
             SD_TRY(password, body->requiredString(u"new_password"_s));
             const bool hasToken = body->has(u"token"_s), hasCode = body->has(u"code"_s);
             if (hasToken == hasCode)
                 return errorResponse(ApiError(HttpErrorCode::InvalidBody, u"send token or code"_s),
                                      lang);
             if (hasToken) {
                 SD_TRY(token, body->requiredString(u"token"_s));
                 SD_TRY(done, c->recovery().resetWithToken(*token, *password, {r.remoteIp}));
                 return HttpResponse::json(200, QJsonObject{{u"status"_s, u"ok"_s}});
             }
             SD_TRY(email, body->requiredString(u"email"_s));
             SD_TRY(code, body->requiredString(u"code"_s));
             SD_TRY(done, c->recovery().resetWithCode(*email, *code, *password, {r.remoteIp}));
             return HttpResponse::json(200, QJsonObject{{u"status"_s, u"ok"_s}});
         }});

    server.addRoute(
        {"POST", u"/api/v1/user/password"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             SD_TRY(user, sessionUser(*c, r));
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(current, body->requiredString(u"current_password"_s));
             SD_TRY(password, body->requiredString(u"new_password"_s));
             SD_TRY(done, c->recovery().changePassword(*user, *current, *password, {r.remoteIp}));
             return HttpResponse::empty(204);
         }});

    server.addRoute(
        {"POST", u"/api/v1/user/email"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             SD_TRY(user, sessionUser(*c, r));
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(newEmail, body->requiredString(u"new_email"_s));
             SD_TRY(current, body->requiredString(u"current_password"_s));
             SD_TRY(done, c->emailChange().request(*user, *newEmail, *current, {r.remoteIp}));
             return accepted();
         }});

    // The token is the proof (it went to the new address); a code needs the signed-in user.
    server.addRoute({"POST", u"/api/v1/email-change/confirm"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         QString lang = r.language();
                         if (auto limited = c->limitAddress(u"verify"_s, {r.remoteIp}); !limited)
                             return errorResponse(limited.error(), lang);
                         SD_TRY(body, JsonBody::parse(r.body));
                         const bool hasToken = body->has(u"token"_s);
                         if (hasToken == body->has(u"code"_s))
                             return errorResponse(
                                 ApiError(HttpErrorCode::InvalidBody, u"send token or code"_s),
                                 lang);
                         if (hasToken) {
                             SD_TRY(token, body->requiredString(u"token"_s));
                             SD_TRY(account, c->emailChange().confirm(*token, {r.remoteIp}));
                             return HttpResponse::json(200, userJson(*account));
                         }
                         SD_TRY(user, sessionUser(*c, r));
                         SD_TRY(code, body->requiredString(u"code"_s));
                         SD_TRY(account, c->emailChange().confirmCode(*user, *code, {r.remoteIp}));
                         return HttpResponse::json(200, userJson(*account));
                     }});

    server.addRoute({"POST", u"/api/v1/admin/users/<user_id>/password-reset"_s, RunOn::WorkerPool,
                     true, [c](const HttpRequest &r) {
                         QString lang = r.language();
                         SD_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
                         // /api/v1/admin/users/<user_id>/password-reset
                         const QString userId = r.path.section(u'/', 5, 5);
                         SD_TRY(done, c->recovery().adminReset(userId, {u"admin:"_s + admin->id}));
                         return accepted();
                     }});
}

#undef SD_TRY

} // namespace sd::http
