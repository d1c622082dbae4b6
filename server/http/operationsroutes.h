#pragma once

#include "apiserver.h"
#include "coreservices.h"

namespace sd::http {

// API.md "Operations": GET /metrics (Prometheus text format 0.0.4, only to
// metrics/allowed_addresses, 404 to others) and GET /api/v1/openapi.json (the contract as
// OpenAPI 3.1, resources/openapi.json).
void registerOperationsRoutes(ApiServer &server, core::CoreServices &core);

} // namespace sd::http
