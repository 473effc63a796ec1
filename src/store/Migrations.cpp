#include "store/Migrations.h"

#include <algorithm>
#include <set>

#include "common/Date.h"
#include "common/Error.h"

namespace edupay::store {
namespace {

const std::vector<Migration>& migrationsFor(Dialect d) {
  return d == Dialect::kSQLite ? sqliteMigrations() : mysqlMigrations();
}

void ensureVersionTable(Database& db) {
  db.executeScript(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_on VARCHAR(32) NOT NULL)");
}

}  // namespace

int currentSchemaVersion(Database& db) {
  ensureVersionTable(db);
  return static_cast<int>(queryInt(db, "SELECT MAX(version) FROM schema_version"));
}

int latestSchemaVersion(Dialect dialect) {
  const auto& all = migrationsFor(dialect);
  return all.empty() ? 0 : all.back().version;
}

MigrationResult migrate(Database& db) {
  MigrationResult result;
  result.from_version = currentSchemaVersion(db);
  result.to_version = result.from_version;
  const int latest = latestSchemaVersion(db.dialect());
  if (result.from_version > latest) {
    throw Error(ErrorCode::kConflict,
                msg("store.schema.newer", {arg("version", std::to_string(result.from_version)),
                                           arg("latest", std::to_string(latest))}));
  }
  // Numbers are recorded one by one, not only the highest: a migration numbered below one already
  // applied (work merged in a different order than it was numbered) is still applied.
  std::set<int64_t> applied;
  {
    auto s = db.prepare("SELECT version FROM schema_version");
    while (s->next()) applied.insert(s->getInt(0));
  }
  for (const auto& m : migrationsFor(db.dialect())) {
    if (applied.count(m.version)) continue;
    try {
      Transaction tx(db);
      db.executeScript(m.sql);
      execute(db, "INSERT INTO schema_version (version, name, applied_on) VALUES (?, ?, ?)",
              {int64_t{m.version}, std::string(m.name), Date::today().str()});
      tx.commit();
    } catch (const Error& e) {
      throw Error(e.code(), "migration " + std::string(m.name) + " failed: " + e.what(),
                  e.detail());
    }
    result.applied.emplace_back(m.name);
    result.to_version = std::max(result.to_version, m.version);
  }
  return result;
}

}  // namespace edupay::store
