#pragma once

namespace sd::http {

// QtHttpServer logs every request in full at debug level (category qt.httpserver): URL with
// its query (verification and login tokens) and headers (Authorization: Bearer …). Those
// lines stay off whatever QT_LOGGING_RULES says. Safe to call more than once.
void keepSecretsOutOfLogs();

} // namespace sd::http
