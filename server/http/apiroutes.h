#pragma once

#include "apiserver.h"
#include "coreservices.h"

namespace sd::http {

// The JSON API of API.md: "Self-service signup", "Login and sessions", "Administration" and
// /healthz. Each handler parses, calls core and maps the result; no rule lives here.
void registerApiRoutes(ApiServer &server, core::CoreServices &core);

// The user object of API.md.
QJsonObject userJson(const core::Account &account);

} // namespace sd::http
