#pragma once

#include "apiserver.h"
#include "coreservices.h"

namespace sd::http {

// API.md "OAuth": POST /oauth/init, GET /oauth/callback/from/<provider> (one prefix route, so
// an unknown provider also ends in the frontend redirect) and POST /oauth/login. The callback
// hands core the binding cookie of the browser flow (GET /oauth/start, pages/oauthpages.cpp).
void registerOAuthRoutes(ApiServer &server, core::CoreServices &core);

} // namespace sd::http
