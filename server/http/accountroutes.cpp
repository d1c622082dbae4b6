// Issue 13, accounts: a signed-in user's sessions and account deletion, the administrator's
// user list, disable, enable and delete, and invitations (API.md "Account recovery and
// self-service", "Administration of accounts and invitations"). Parse, call core, map.

#include "apiroutes.h"
#include "errormapping.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

// Unwraps a Result or returns its error response, in the handler's `lang`.
#define SD_ACCOUNT_TRY(var, expr)                                                                  \
    auto var = (expr);                                                                             \
    if (!var)                                                                                      \
        return errorResponse(var.error(), lang);

core::Error fieldError(const QString &field, const QString &message)
{
    core::Error e{ErrorCode::Validation, {}, {}, 0};
    e.fields[field] << message;
    return e;
}

// A body that may be absent (POST …/disable has only an optional reason).
ApiResult<JsonBody> optionalBody(const QByteArray &bytes)
{
    return JsonBody::parse(bytes.trimmed().isEmpty() ? QByteArray("{}") : bytes);
}

// The caller's session (401 otherwise); records its use as GET /api/v1/user/me does.
core::Result<core::SessionCheck> userSession(core::CoreServices &core, const HttpRequest &r)
{
    auto session = core.sessions().check(r.bearerToken());
    if (session && session->needsTouch)
        core.sessions().touch(session->tokenId); // already on the pool
    return session;
}

QJsonObject sessionJson(const core::SessionInfo &s)
{
    return {{u"session_id"_s, s.id},
            {u"created_at"_s, isoTime(s.createdAtMs)},
            {u"last_used_at"_s, isoTime(s.lastUsedAtMs)},
            {u"ip"_s, s.ip},
            {u"user_agent"_s, s.userAgent},
            {u"current"_s, s.current}};
}

QJsonObject invitationJson(const core::InvitationRow &i)
{
    return {{u"invitation_id"_s, i.id},
            {u"email"_s, i.email},
            {u"display_name"_s, i.displayName},
            {u"apps"_s, QJsonArray::fromStringList(i.apps)},
            {u"groups"_s, QJsonArray::fromStringList(i.groups)},
            {u"created_at"_s, isoTime(i.createdAtMs)},
            {u"expires_at"_s, isoTime(i.expiresAtMs)},
            {u"status"_s, i.status}};
}

core::Actor adminActor(const core::Account &admin)
{
    return {u"admin:"_s + admin.id};
}

void registerUserRoutes(ApiServer &server, core::CoreServices *c)
{
    server.addRoute(
        {"GET", u"/api/v1/user/sessions"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             const QString lang = r.language();
             SD_ACCOUNT_TRY(session, userSession(*c, r));
             SD_ACCOUNT_TRY(list, c->accountSessions().list(session->account.id, session->tokenId));
             QJsonArray out;
             for (const core::SessionInfo &s : *list)
                 out.append(sessionJson(s));
             return HttpResponse::json(200, out);
         }});

    server.addRoute({"DELETE", u"/api/v1/user/sessions/<session_id>"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(session, userSession(*c, r));
                         SD_ACCOUNT_TRY(
                             done, c->accountSessions().end(session->account.id, r.pathSegment(4)));
                         return HttpResponse::empty(204);
                     }});

    server.addRoute({"POST", u"/api/v1/user/sessions/revoke-others"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(session, userSession(*c, r));
                         SD_ACCOUNT_TRY(done, c->accountSessions().endOthers(session->account.id,
                                                                             session->tokenId));
                         return HttpResponse::empty(204);
                     }});

    server.addRoute(
        {"POST", u"/api/v1/user/delete"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             const QString lang = r.language();
             SD_ACCOUNT_TRY(session, userSession(*c, r));
             SD_ACCOUNT_TRY(body, JsonBody::parse(r.body));
             SD_ACCOUNT_TRY(password, body->requiredString(u"current_password"_s));
             SD_ACCOUNT_TRY(done, c->accountDeletion().deleteOwn(session->account.id, *password,
                                                                 requestInfo(r)));
             return HttpResponse::empty(204);
         }});
}

void registerAdminUserRoutes(ApiServer &server, core::CoreServices *c)
{
    server.addRoute(
        {"GET", u"/api/v1/admin/users"_s, RunOn::WorkerPool, true, [c](const HttpRequest &r) {
             const QString lang = r.language();
             SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
             core::UserSearch search;
             search.query = r.query.queryItemValue(u"query"_s, QUrl::FullyDecoded);
             search.after = r.query.queryItemValue(u"after"_s, QUrl::FullyDecoded);
             if (const QString status = r.query.queryItemValue(u"status"_s); !status.isEmpty()) {
                 search.status = core::accountStatusFromString(status);
                 if (!search.status)
                     return errorResponse(fieldError(u"status"_s, u"unsupported"_s), lang);
             }
             if (r.query.hasQueryItem(u"limit"_s)) {
                 bool ok = false;
                 search.limit = r.query.queryItemValue(u"limit"_s).toInt(&ok);
                 if (!ok || search.limit < 1 || search.limit > 500)
                     return errorResponse(fieldError(u"limit"_s, u"1 to 500"_s), lang);
             }
             SD_ACCOUNT_TRY(page, c->userAdmin().search(search));
             QJsonArray users;
             for (const auto &[account, lastLogin] : std::as_const(page->users)) {
                 QJsonObject user = userJson(account);
                 user.insert(u"last_login_at"_s,
                             lastLogin > 0 ? QJsonValue(isoTime(lastLogin)) : QJsonValue());
                 users.append(user);
             }
             return HttpResponse::json(
                 200, QJsonObject{{u"users"_s, users},
                                  {u"next"_s,
                                   page->next.isEmpty() ? QJsonValue() : QJsonValue(page->next)}});
         }});

    server.addRoute({"POST", u"/api/v1/admin/users/<user_id>/disable"_s, RunOn::WorkerPool, true,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
                         SD_ACCOUNT_TRY(body, optionalBody(r.body));
                         SD_ACCOUNT_TRY(reason, body->optionalString(u"reason"_s));
                         SD_ACCOUNT_TRY(done,
                                        c->userAdmin().disable(r.pathSegment(4), adminActor(*admin),
                                                               reason->value_or(QString())));
                         return HttpResponse::empty(204);
                     }});

    server.addRoute({"POST", u"/api/v1/admin/users/<user_id>/enable"_s, RunOn::WorkerPool, true,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
                         SD_ACCOUNT_TRY(
                             done, c->userAdmin().enable(r.pathSegment(4), adminActor(*admin)));
                         return HttpResponse::empty(204);
                     }});

    server.addRoute({"POST", u"/api/v1/admin/users/<user_id>/delete"_s, RunOn::WorkerPool, true,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
                         SD_ACCOUNT_TRY(body, JsonBody::parse(r.body));
                         SD_ACCOUNT_TRY(reason, body->requiredString(u"reason"_s));
                         SD_ACCOUNT_TRY(done, c->accountDeletion().deleteByAdmin(
                                                  r.pathSegment(4), *reason, adminActor(*admin)));
                         return HttpResponse::empty(204);
                     }});
}

void registerInvitationRoutes(ApiServer &server, core::CoreServices *c)
{
    server.addRoute({"POST", u"/api/v1/admin/invitations"_s, RunOn::WorkerPool, true,
                     [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
                         SD_ACCOUNT_TRY(body, JsonBody::parse(r.body));
                         SD_ACCOUNT_TRY(email, body->requiredString(u"email"_s));
                         SD_ACCOUNT_TRY(displayName, body->optionalString(u"display_name"_s));
                         SD_ACCOUNT_TRY(apps, body->optionalStringList(u"apps"_s));
                         SD_ACCOUNT_TRY(groups, body->optionalStringList(u"groups"_s));
                         SD_ACCOUNT_TRY(language, body->optionalString(u"language"_s));
                         core::InvitationInput input{*email, displayName->value_or(QString()),
                                                     apps->value_or(QStringList()),
                                                     groups->value_or(QStringList()),
                                                     language->value_or(QString())};
                         SD_ACCOUNT_TRY(row, c->invitations().invite(input, adminActor(*admin)));
                         return HttpResponse::json(
                             201, QJsonObject{{u"invitation_id"_s, row->id},
                                              {u"email"_s, row->email},
                                              {u"expires_at"_s, isoTime(row->expiresAtMs)}});
                     }});

    server.addRoute(
        {"GET", u"/api/v1/admin/invitations"_s, RunOn::WorkerPool, true, [c](const HttpRequest &r) {
             const QString lang = r.language();
             SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
             SD_ACCOUNT_TRY(list, c->invitations().list());
             QJsonArray out;
             for (const core::InvitationRow &i : *list)
                 out.append(invitationJson(i));
             return HttpResponse::json(200, out);
         }});

    server.addRoute({"POST", u"/api/v1/admin/invitations/<invitation_id>/revoke"_s,
                     RunOn::WorkerPool, true, [c](const HttpRequest &r) {
                         const QString lang = r.language();
                         SD_ACCOUNT_TRY(admin, c->sessions().requireSuperuser(r.bearerToken()));
                         SD_ACCOUNT_TRY(
                             done, c->invitations().revoke(r.pathSegment(4), adminActor(*admin)));
                         return HttpResponse::empty(204);
                     }});
}

} // namespace

HttpResponse acceptInvitation(core::CoreServices &core, const HttpRequest &r, const JsonBody &body,
                              const QString &lang)
{
    SD_ACCOUNT_TRY(token, body.requiredString(u"invitation_token"_s));
    SD_ACCOUNT_TRY(username, body.requiredString(u"username"_s));
    SD_ACCOUNT_TRY(password, body.requiredString(u"password"_s));
    SD_ACCOUNT_TRY(displayName, body.optionalString(u"display_name"_s));
    SD_ACCOUNT_TRY(language, body.optionalString(u"language"_s));
    // `email` is ignored: the invitation's address is the account's.
    core::SignupInput input;
    input.username = *username;
    input.password = *password;
    input.displayName = displayName->value_or(QString());
    if (*language && core::Config::languages().contains(**language))
        input.language = **language;
    SD_ACCOUNT_TRY(result, core.invitations().accept(*token, input, {}, requestInfo(r)));
    return HttpResponse::json(201, QJsonObject{{u"status"_s, u"ok"_s},
                                               {u"user_id"_s, result->userId},
                                               {u"cid"_s, result->cid}});
}

void registerAccountRoutes(ApiServer &server, core::CoreServices &core)
{
    registerUserRoutes(server, &core);
    registerAdminUserRoutes(server, &core);
    registerInvitationRoutes(server, &core);
}

#undef SD_ACCOUNT_TRY

} // namespace sd::http
