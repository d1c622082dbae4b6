#pragma once

#include "apiserver.h"
#include "coreservices.h"

namespace sd::http {

// API.md "Account recovery and self-service": password forgot/reset, the signed-in user's
// password and email changes, the email-change confirmation, and the administrators'
// POST /api/v1/admin/users/<user_id>/password-reset. Parse, call core, map; no rule here.
void registerRecoveryRoutes(ApiServer &server, core::CoreServices &core);

} // namespace sd::http
