#pragma once

#include "testserver.h"

// The backend a test program built twice runs on: PostgreSQL where the target defines
// SD_TEST_BACKEND_PG, else SQLite. (Internal linkage: each test program has its own.)
#ifdef SD_TEST_BACKEND_PG
constexpr auto kBackend = TestServer::Backend::Postgres;
#else
constexpr auto kBackend = TestServer::Backend::Sqlite;
#endif
