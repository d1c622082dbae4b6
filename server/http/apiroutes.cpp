#include "apiroutes.h"

#include "errormapping.h"
#include "jsonbody.h"
#include "webhooks/webhooks.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

HttpResponse ok(int status, const QJsonObject &object)
{
    return HttpResponse::json(status, object);
}

// Unwraps a Result or returns its error response, in the handler's `lang`, from the enclosing
// handler.
#define SD_TRY(var, expr)                                                                          \
    auto var = (expr);                                                                             \
    if (!var)                                                                                      \
        return errorResponse(var.error(), lang);

// Per-address limit on the endpoints that log in, mail or verify (API.md: 60 a minute), one
// bucket per kind. The address is the socket peer's (or a trusted proxy's X-Forwarded-For).
std::optional<HttpResponse> limitAddress(core::CoreServices &core, const QString &bucket,
                                         const HttpRequest &request, const QString &lang)
{
    if (auto allowed = core.limitAddress(bucket, {request.remoteIp}); !allowed)
        return errorResponse(allowed.error(), lang);
    return std::nullopt;
}

} // namespace

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

core::RequestInfo requestInfo(const HttpRequest &request)
{
    return {request.remoteIp, QString::fromUtf8(request.header("user-agent")).left(256)};
}

QJsonObject userJson(const core::Account &a)
{
    return core::userObject(a); // one user object for the API and the webhooks
}

// The body of GET /api/v1/user/me, the same bytes again while the account is unchanged:
// building the user object (its ISO dates above all) was a fifth of the request's CPU (issue
// 19). A small memo per server thread, keyed by account id and checked against the whole
// account (Account's == compares every field), so any change gives a fresh body.
QByteArray meBody(const core::Account &account)
{
    struct Memo
    {
        core::Account account;
        QByteArray body;
    };
    thread_local QHash<QString, Memo> memo;
    if (auto it = memo.constFind(account.id); it != memo.cend() && it->account == account)
        return it->body;
    QByteArray body = HttpResponse::json(200, userJson(account)).body;
    if (memo.size() >= 4096) // a bound, not a policy: the busiest sessions come back at once
        memo.clear();
    memo.insert(account.id, {account, body});
    return body;
}

QJsonObject loginJson(const core::LoginResult &result)
{
    if (result.mfaRequired())
        return {{u"mfa_required"_s, true},
                {u"mfa_token"_s, result.mfaToken},
                {u"expires_at"_s, isoTime(result.expiresAtMs)}};
    return {{u"ust"_s, result.ust},
            {u"expires_at"_s, isoTime(result.expiresAtMs)},
            {u"user"_s, userJson(result.account)}};
}

void registerApiRoutes(ApiServer &server, core::CoreServices &core)
{
    core::CoreServices *c = &core;
    ApiServer *srv = &server;

    server.addRoute({"GET", u"/healthz"_s, RunOn::ServerThread, false, [c](const HttpRequest &r) {
                         if (auto healthy = c->checkHealth(); !healthy)
                             return errorResponse(healthy.error(), r.language());
                         // What ok(200, {{"status", "ok"}}) gives, from static bytes: no JSON
                         // to build and nothing shared between threads to count references
                         // on (tst_edge checks the answer byte for byte).
                         return HttpResponse{200,
                                             QByteArrayLiteral("application/json; charset=utf-8"),
                                             QByteArrayLiteral(R"({"status":"ok"})"),
                                             {}};
                     }});

    server.addRoute(
        {"POST", u"/api/v1/signup"_s, RunOn::WorkerPool, false, [c, srv](const HttpRequest &r) {
             QString lang = r.language();
             if (auto limited = limitAddress(*c, u"signup"_s, r, lang))
                 return *limited;
             SD_TRY(body, JsonBody::parse(r.body));
             if (body->has(u"invitation_token"_s))
                 return acceptInvitation(*c, r, *body, lang);
             SD_TRY(username, body->requiredString(u"username"_s));
             SD_TRY(password, body->requiredString(u"password"_s));
             SD_TRY(email, body->requiredString(u"email"_s));
             SD_TRY(displayName, body->optionalString(u"display_name"_s));
             SD_TRY(currentApp, body->optionalString(u"current_app"_s));
             SD_TRY(appList, body->optionalStringList(u"app_list"_s));
             SD_TRY(language, body->optionalString(u"language"_s));
             if (*language && core::Config::languages().contains(**language))
                 lang = **language; // the body's language wins over Accept-Language
             core::SignupInput input{
                 *username,   *password, *email,   displayName->value_or(QString()),
                 *currentApp, *appList,  *language};
             SD_TRY(result, c->signup().signUp(input, {r.remoteIp}));
             QJsonObject out{
                 {u"status"_s, u"ok"_s}, {u"user_id"_s, result->userId}, {u"cid"_s, result->cid}};
             if (c->config().returnConfirmToken)
                 out.insert(u"confirm_token"_s, result->confirmToken);
             // Reverse DNS can take seconds: after the answer, on the pool, if there is room.
             const QString userId = result->userId, ip = r.remoteIp;
             srv->tryRunInBackground(
                 [c, userId, ip] { c->signup().resolveRemoteName(userId, ip); });
             return ok(201, out);
         }});

    server.addRoute(
        {"POST", u"/api/v1/signup/confirm"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             if (auto limited = limitAddress(*c, u"verify"_s, r, lang))
                 return *limited;
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(token, body->requiredString(u"confirm_token"_s));
             SD_TRY(result, c->verification().confirm(*token, {r.remoteIp}));
             return ok(200, {{u"status"_s, u"ok"_s},
                             {u"user_id"_s, result->userId},
                             {u"approval"_s,
                              result->approvalPending ? u"pending"_s : u"not_required"_s}});
         }});

    server.addRoute(
        {"POST", u"/api/v1/user/verify-email"_s, RunOn::WorkerPool, false,
         [c](const HttpRequest &r) {
             QString lang = r.language();
             if (auto limited = limitAddress(*c, u"verify"_s, r, lang))
                 return *limited;
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(email, body->requiredString(u"email"_s));
             const bool hasToken = body->has(u"token"_s), hasCode = body->has(u"code"_s);
             if (hasToken == hasCode)
                 return errorResponse(ApiError(HttpErrorCode::InvalidBody, u"send token or code"_s),
                                      lang);
             if (hasToken) {
                 SD_TRY(token, body->requiredString(u"token"_s));
                 SD_TRY(account, c->verification().verifyToken(*email, *token, {r.remoteIp}));
                 return ok(200, userJson(*account));
             }
             SD_TRY(code, body->requiredString(u"code"_s));
             SD_TRY(account, c->verification().verifyCode(*email, *code, {r.remoteIp}));
             return ok(200, userJson(*account));
         }});

    server.addRoute({"POST", u"/api/v1/accounts/verify-registration"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         QString lang = r.language();
                         if (auto limited = limitAddress(*c, u"verify"_s, r, lang))
                             return *limited;
                         SD_TRY(body, JsonBody::parse(r.body));
                         SD_TRY(userId, body->requiredString(u"user_id"_s));
                         SD_TRY(timestamp, body->requiredInteger(u"timestamp"_s));
                         SD_TRY(signature, body->requiredString(u"signature"_s));
                         SD_TRY(account, c->verification().verifySigned(*userId, *timestamp,
                                                                        *signature, {r.remoteIp}));
                         return ok(200, userJson(*account));
                     }});

    server.addRoute({"POST", u"/api/v1/verify-email/resend"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         QString lang = r.language();
                         if (auto limited = limitAddress(*c, u"resend"_s, r, lang))
                             return *limited;
                         SD_TRY(body, JsonBody::parse(r.body));
                         SD_TRY(email, body->requiredString(u"email"_s));
                         if (email->isEmpty()) {
                             core::Error e{ErrorCode::Validation, {}, {}, 0};
                             e.fields[u"email"_s] << u"required"_s;
                             return errorResponse(e, lang);
                         }
                         SD_TRY(done, c->verification().resend(*email));
                         return ok(202, {{u"status"_s, u"ok"_s}});
                     }});

    server.addRoute(
        {"POST", u"/api/v1/login"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             if (auto limited = limitAddress(*c, u"login"_s, r, lang))
                 return *limited;
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(username, body->requiredString(u"username"_s));
             SD_TRY(password, body->requiredString(u"password"_s));
             SD_TRY(currentApp, body->optionalString(u"current_app"_s));
             SD_TRY(result, c->sessions().login(*username, *password, requestInfo(r)));
             return ok(200, loginJson(*result));
         }});

    server.addRoute(
        {"POST", u"/api/v1/logout"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             QString lang = r.language();
             SD_TRY(done, c->sessions().logout(r.bearerToken()));
             return HttpResponse::empty(204);
         }});

    // The session check: from the cache on the server thread when it can; else one indexed
    // read, on the server thread's connection with SQLite (a local file); with PostgreSQL
    // handed to the session reader, which reads the checks waiting in batches off the server
    // threads, so no server thread waits on a round trip (issue 16).
    const auto meAnswer = [c, srv](const QString &lang,
                                   const core::Result<core::SessionCheck> &session) {
        if (!session)
            return errorResponse(session.error(), lang);
        if (session->needsTouch) {
            const QString tokenId = session->tokenId;
            srv->tryRunOnPool([c, tokenId] { c->sessions().touch(tokenId); });
        }
        return HttpResponse{200,
                            QByteArrayLiteral("application/json; charset=utf-8"),
                            meBody(session->account),
                            {}};
    };
    Route me{"GET",
             u"/api/v1/user/me"_s,
             RunOn::ServerThread,
             false,
             [c, meAnswer](const HttpRequest &r) {
                 return meAnswer(r.language(), c->sessions().check(r.bearerToken()));
             },
             false,
             QString(),
             [c, meAnswer](const HttpRequest &r) -> std::optional<HttpResponse> {
                 auto cached = c->sessions().checkCached(r.bearerToken());
                 if (!cached)
                     return std::nullopt;
                 return meAnswer(r.language(), *cached);
             }};
    if (c->databaseAcrossNetwork())
        me.deferred = [c, meAnswer](const HttpRequest &r, const Resume &resume) {
            return c->sessions().checkLater(
                r.bearerToken(),
                [meAnswer, resume, lang = r.language()](core::Result<core::SessionCheck> session) {
                    // Back on the server thread: the answer, and the touch on its pool.
                    resume([meAnswer, lang, session = std::move(session)] {
                        return meAnswer(lang, session);
                    });
                });
        };
    server.addRoute(std::move(me));

    // Administration: super-users only, and only with admin/api_enabled (404 otherwise).
    server.addRoute(
        {"GET", u"/api/v1/signup"_s, RunOn::WorkerPool, true, [c](const HttpRequest &r) {
             QString lang = r.language();
             SD_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
             const QString status = r.query.queryItemValue(u"status"_s);
             const auto filter =
                 core::signupFilterFromString(status.isEmpty() ? u"pending_approval"_s : status);
             if (!filter) {
                 core::Error e{ErrorCode::Validation, {}, {}, 0};
                 e.fields[u"status"_s] << u"unsupported"_s;
                 return errorResponse(e, lang);
             }
             SD_TRY(list, c->approval().list(*filter));
             QJsonArray out;
             for (const core::Account &a : *list)
                 out.append(QJsonObject{{u"user_id"_s, a.id},
                                        {u"username"_s, a.username},
                                        {u"email"_s, a.email},
                                        {u"display_name"_s, a.displayName},
                                        {u"sign_up_time"_s, isoTime(a.signUpTimeMs)},
                                        {u"remote_ip"_s, a.remoteIp},
                                        {u"remote_addr"_s, a.remoteAddr},
                                        {u"status"_s, core::toString(a.status)},
                                        {u"apps"_s, QJsonArray::fromStringList(a.apps)}});
             return HttpResponse::json(200, out);
         }});

    server.addRoute(
        {"POST", u"/api/v1/signup/approve"_s, RunOn::WorkerPool, true, [c](const HttpRequest &r) {
             QString lang = r.language();
             SD_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(userId, body->requiredString(u"user_id"_s));
             SD_TRY(done, c->approval().approve(*userId, {u"admin:"_s + admin->id}));
             return HttpResponse::empty(204);
         }});

    server.addRoute(
        {"POST", u"/api/v1/signup/reject"_s, RunOn::WorkerPool, true, [c](const HttpRequest &r) {
             QString lang = r.language();
             SD_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
             SD_TRY(body, JsonBody::parse(r.body));
             SD_TRY(userId, body->requiredString(u"user_id"_s));
             SD_TRY(reason, body->requiredString(u"reason"_s));
             SD_TRY(done, c->approval().reject(*userId, *reason, {u"admin:"_s + admin->id}));
             return HttpResponse::empty(204);
         }});

    registerAccountRoutes(server, core);
    registerMfaRoutes(server, core);
}

#undef SD_TRY

} // namespace sd::http
