#pragma once

#include "apierror.h"
#include "httpmessage.h"

namespace sd::http {

// The one place where core errors, and HTTP's own, become HTTP: status, machine code, message,
// fields and Retry-After. Bodies carry nothing request-specific, so two failures of one kind are
// byte-identical (no account enumeration through error bodies).
// `language` picks the message's translation (en, fr, de).
HttpResponse errorResponse(const ApiError &error, const QString &language = QStringLiteral("en"));

// The machine code of API.md for an error code, e.g. "invalid_json".
QString errorCodeName(const ApiError &error);
int httpStatus(const ApiError &error);
// Retry-After on the answers that ask the client to come back (rate limited, busy,
// unavailable), at least one second; JSON errors and error pages alike.
void addRetryAfter(HttpResponse &response, const ApiError &error);

} // namespace sd::http
