#pragma once

#include <QString>

class QProcess;

// Where the build put things, and the test databases.
namespace testenv {
QString sourceDir();
QString signupdeskBinary();
// The PostgreSQL URL of the fixture server, or empty when the test runs outside CTest.
QString postgresUrl();
// Drops every table of the PostgreSQL test database, so each test starts empty.
bool resetPostgres(QString *error);
// Reads what a started signupdesk writes on standard output until its first line is complete
// (or timeoutMs pass, or it exits) and returns it all. *port is the port of a first line
// "listening on http://127.0.0.1:N", else 0.
QByteArray readListeningLine(QProcess &process, quint16 *port, int timeoutMs = 15000);
} // namespace testenv
