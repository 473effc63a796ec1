#pragma once

#include <memory>
#include <string>

#include "store/Database.h"

struct sqlite3;

namespace edupay::store {

/// The embedded store: a SQLite file opened through Poco::Data::SQLite, with statements prepared
/// on the underlying handle (the bulk paths need sqlite3_prepare/step without per-row allocation).
/// WAL journal, foreign keys on, a 5 s busy timeout.
class SQLiteDatabase : public Database {
 public:
  explicit SQLiteDatabase(const std::string& path);
  ~SQLiteDatabase() override;

  Dialect dialect() const override { return Dialect::kSQLite; }
  std::unique_ptr<Statement> prepare(std::string_view sql) override;
  void executeScript(std::string_view sql) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  int64_t lastInsertId() override;
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace edupay::store
