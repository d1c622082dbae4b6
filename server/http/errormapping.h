#pragma once

#include "http/httpmessage.h"
#include "result.h"

namespace sd::http {

// The one place where core errors become HTTP: status, machine code, message, fields and
// Retry-After. Bodies carry nothing request-specific, so two failures of one kind are
// byte-identical (no account enumeration through error bodies).
// `language` picks the message's translation (en, fr, de).
HttpResponse errorResponse(const core::Error &error, const QString &language = QStringLiteral("en"));

// The machine code of API.md for an error code, e.g. "invalid_json".
QString errorCodeName(core::ErrorCode code);
int httpStatus(core::ErrorCode code);

} // namespace sd::http
