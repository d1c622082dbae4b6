#pragma once

#include <QString>

// Where the build put things, and the test databases.
namespace testenv {
QString sourceDir();
QString signupdeskBinary();
// The PostgreSQL URL of the fixture server, or empty when the test runs outside CTest.
QString postgresUrl();
// Drops every table of the PostgreSQL test database, so each test starts empty.
bool resetPostgres(QString *error);
} // namespace testenv
