#pragma once

#include "apiserver.h"
#include "coreservices.h"
#include "jsonbody.h"

namespace sd::http {

// The JSON API of API.md: "Self-service signup", "Login and sessions", "Administration" and
// /healthz. Each handler parses, calls core and maps the result; no rule lives here.
void registerApiRoutes(ApiServer &server, core::CoreServices &core);
// Issue 13, accounts (accountroutes.cpp): the user's sessions and deletion, the admin's users
// and invitations.
void registerAccountRoutes(ApiServer &server, core::CoreServices &core);
// POST /api/v1/signup with invitation_token (accountroutes.cpp).
HttpResponse acceptInvitation(core::CoreServices &core, const HttpRequest &request,
                              const JsonBody &body, const QString &lang);

// Issue 14 (mfaroutes.cpp): the second factor's enrolment and management, POST
// /api/v1/login/mfa and the admin's reset.
void registerMfaRoutes(ApiServer &server, core::CoreServices &core);

// The user object of API.md.
QJsonObject userJson(const core::Account &account);
// The answer of every login: {ust, expires_at, user}, or with the second factor on
// {mfa_required: true, mfa_token, expires_at} and no session.
QJsonObject loginJson(const core::LoginResult &result);
// A time of API.md: UTC, ISO 8601 with Z.
QString isoTime(qint64 ms);
// What core needs to know of a request: its address and user agent.
core::RequestInfo requestInfo(const HttpRequest &request);

} // namespace sd::http
