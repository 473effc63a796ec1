#pragma once

#include <string>
#include <vector>

#include "store/Database.h"

namespace edupay::store {

/// One forward-only schema step, numbered by its file name (`0001_registry.sql`).
struct Migration {
  int version;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& sqliteMigrations();
const std::vector<Migration>& mysqlMigrations();

struct MigrationResult {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;
};

/// Applies, in order, every migration whose version is not yet recorded in `schema_version` (also
/// one numbered below the highest applied, e.g. when work is merged out of numbering order),
/// recording each. SQLite runs each migration in one transaction. MySQL commits DDL
/// implicitly, so each statement is applied in turn and the version row is written last: a failed
/// migration names itself and the statement, and is re-run after the fix (scripts use
/// CREATE ... statements that fail loudly rather than half-apply silently).
MigrationResult migrate(Database& db);
/// The highest version recorded (0 for an empty database).
int currentSchemaVersion(Database& db);
/// The highest version this binary knows.
int latestSchemaVersion(Dialect dialect);

}  // namespace edupay::store
