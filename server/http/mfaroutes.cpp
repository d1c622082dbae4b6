// API.md "Second factor (TOTP, RFC 6238, and recovery codes)" and the admin's
// POST /api/v1/admin/users/<user_id>/mfa/reset. Parse, call core::MfaService, map; no rule here.

#include "apiroutes.h"
#include "errormapping.h"
#include "jsonbody.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

#define SD_MFA_TRY(var, expr)                                                                      \
    auto var = (expr);                                                                             \
    if (!var)                                                                                      \
        return errorResponse(var.error(), lang);

// The signed-in user of a Bearer session, or Unauthorized.
core::Result<core::SessionUser> sessionUser(core::CoreServices &c, const HttpRequest &r)
{
    auto session = c.sessions().check(r.bearerToken());
    if (!session)
        return std::unexpected(session.error());
    return core::SessionUser{session->account, session->tokenId};
}

// A required string that must not be empty (API.md: an empty string breaks a rule).
ApiResult<QString> nonEmpty(const JsonBody &body, const QString &name)
{
    auto value = body.requiredString(name);
    if (!value)
        return value;
    if (value->trimmed().isEmpty()) {
        core::Error e{ErrorCode::Validation, name + u" is empty"_s, {}, 0};
        e.fields[name] << u"required"_s;
        return std::unexpected(ApiError(e));
    }
    return value;
}

HttpResponse recoveryCodes(const QStringList &codes)
{
    return HttpResponse::json(
        200, QJsonObject{{u"recovery_codes"_s, QJsonArray::fromStringList(codes)}});
}

} // namespace

void registerMfaRoutes(ApiServer &server, core::CoreServices &core)
{
    core::CoreServices *c = &core;

    server.addRoute(
        {"POST", u"/api/v1/user/mfa/totp"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             const QString lang = r.language();
             SD_MFA_TRY(user, sessionUser(*c, r));
             SD_MFA_TRY(body, JsonBody::parse(r.body));
             SD_MFA_TRY(password, body->requiredString(u"current_password"_s));
             SD_MFA_TRY(enrolment, c->mfa().startTotp(*user, *password, requestInfo(r)));
             return HttpResponse::json(200, QJsonObject{{u"secret"_s, enrolment->secret},
                                                        {u"otpauth_uri"_s, enrolment->otpauthUri}});
         }});

    server.addRoute({"POST", u"/api/v1/user/mfa/totp/confirm"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_MFA_TRY(user, sessionUser(*c, r));
                         SD_MFA_TRY(body, JsonBody::parse(r.body));
                         SD_MFA_TRY(code, nonEmpty(*body, u"code"_s));
                         SD_MFA_TRY(codes, c->mfa().confirmTotp(*user, *code, requestInfo(r)));
                         return recoveryCodes(*codes);
                     }});

    server.addRoute({"POST", u"/api/v1/user/mfa/recovery-codes"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_MFA_TRY(user, sessionUser(*c, r));
                         SD_MFA_TRY(body, JsonBody::parse(r.body));
                         SD_MFA_TRY(code, nonEmpty(*body, u"code"_s));
                         SD_MFA_TRY(codes,
                                    c->mfa().renewRecoveryCodes(*user, *code, requestInfo(r)));
                         return recoveryCodes(*codes);
                     }});

    server.addRoute({"POST", u"/api/v1/user/mfa/disable"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_MFA_TRY(user, sessionUser(*c, r));
                         SD_MFA_TRY(body, JsonBody::parse(r.body));
                         SD_MFA_TRY(password, body->requiredString(u"current_password"_s));
                         SD_MFA_TRY(code, nonEmpty(*body, u"code"_s));
                         SD_MFA_TRY(done,
                                    c->mfa().disable(*user, *password, *code, requestInfo(r)));
                         return HttpResponse::empty(204);
                     }});

    server.addRoute(
        {"POST", u"/api/v1/login/mfa"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             const QString lang = r.language();
             if (auto limited = c->limitAddress(u"login"_s, {r.remoteIp}); !limited)
                 return errorResponse(limited.error(), lang);
             SD_MFA_TRY(body, JsonBody::parse(r.body));
             SD_MFA_TRY(token, body->requiredString(u"mfa_token"_s));
             const bool hasCode = body->has(u"code"_s);
             if (hasCode == body->has(u"recovery_code"_s))
                 return errorResponse(
                     ApiError(HttpErrorCode::InvalidBody, u"send code or recovery_code"_s), lang);
             SD_MFA_TRY(code, nonEmpty(*body, hasCode ? u"code"_s : u"recovery_code"_s));
             SD_MFA_TRY(result,
                        c->mfa().completeLogin(*token, hasCode ? *code : QString(),
                                               hasCode ? QString() : *code, requestInfo(r)));
             return HttpResponse::json(200, loginJson(*result));
         }});

    server.addRoute(
        {"POST", u"/api/v1/admin/users/<user_id>/mfa/reset"_s, RunOn::WorkerPool, true,
         [c](const HttpRequest &r) {
             const QString lang = r.language();
             SD_MFA_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
             SD_MFA_TRY(done, c->mfa().adminReset(r.pathSegment(4), {u"admin:"_s + admin->id}));
             return HttpResponse::empty(204);
         }});
}

#undef SD_MFA_TRY

} // namespace sd::http
