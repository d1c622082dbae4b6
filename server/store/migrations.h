#pragma once

#include "database.h"

#include <limits>

namespace sd::store {

// Forward-only, versioned schema changes. Each version runs in its own transaction and is
// recorded in schema_migrations; a version that is already recorded is skipped, so several
// instances may start at once against one PostgreSQL database. Returns the schema version.
// `upTo` stops after that version (the tests of a migration's data).
DbResult<int> applyMigrations(Database &database, int upTo = std::numeric_limits<int>::max());

// The newest schema version this build knows.
int latestSchemaVersion();

} // namespace sd::store
