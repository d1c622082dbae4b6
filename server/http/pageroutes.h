#pragma once

#include "apiserver.h"
#include "coreservices.h"

namespace sd::http {

// The HTML pages end users reach from email links (API.md "Pages end users reach from email
// links"), their stylesheet, a plain home page, and the JSON endpoint that mails login links
// (POST /api/v1/login/email-link). Pages come from resources/pages (no script, no external
// asset), in the best language of Accept-Language. GET and HEAD only render and record the
// hit; only a POST with a valid CSRF token, from this site, consumes anything.
// Also installs the server's error renderer, so the router's own errors on page paths are
// HTML pages too.
void registerPageRoutes(ApiServer &server, core::CoreServices &core);

} // namespace sd::http
