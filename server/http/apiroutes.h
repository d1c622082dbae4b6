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

// The user object of API.md.
QJsonObject userJson(const core::Account &account);
// A time of API.md: UTC, ISO 8601 with Z.
QString isoTime(qint64 ms);
// What core needs to know of a request: its address and user agent.
core::RequestInfo requestInfo(const HttpRequest &request);

} // namespace sd::http
