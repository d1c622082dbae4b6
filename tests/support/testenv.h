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

// The database of a test built for both backends: the PostgreSQL test database, emptied, when
// the test is built with SD_TEST_BACKEND_PG; else a SQLite file at `sqlitePath` (which must
// not exist yet). Empty, with *error set, when PostgreSQL is not reachable.
inline QString freshDatabaseUrl(const QString &sqlitePath, QString *error)
{
#ifdef SD_TEST_BACKEND_PG
    Q_UNUSED(sqlitePath);
    if (postgresUrl().isEmpty()) {
        *error = QStringLiteral("SIGNUPDESK_TEST_PG_URL is not set");
        return {};
    }
    return resetPostgres(error) ? postgresUrl() : QString();
#else
    Q_UNUSED(error);
    return QStringLiteral("sqlite:") + sqlitePath;
#endif
}
} // namespace testenv
