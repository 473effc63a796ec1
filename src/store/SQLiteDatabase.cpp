#include "store/SQLiteDatabase.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>

#include "common/Error.h"
#include "common/Retry.h"

namespace edupay::store {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  const std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CONSTRAINT)
    throw Error(ErrorCode::kConflict, db_messages::duplicate(), msg);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    // Another process holds the write lock past the busy timeout: the unit may run again.
    throw TransientError(TransientError::Kind::kConflict, ErrorCode::kUnavailable,
                         db_messages::busy(), msg);
  }
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_FULL ||
      primary == SQLITE_READONLY) {
    throw Error(ErrorCode::kUnavailable, db_messages::unavailable(), msg);
  }
  throw Error(ErrorCode::kInternal, db_messages::internal(), msg);
}

class SQLiteStatement : public Statement {
 public:
  SQLiteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    const int rc =
        sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, "preparing SQL");
  }
  ~SQLiteStatement() override { sqlite3_finalize(stmt_); }

  void bind(int index, const SqlValue& value) override { bindWith(index, value, SQLITE_TRANSIENT); }
  void bindRef(int index, const SqlValue& value) override { bindWith(index, value, SQLITE_STATIC); }

  void bindWith(int index, const SqlValue& value, sqlite3_destructor_type lifetime) {
    if (running_) reset();
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(value)) {
      rc = sqlite3_bind_null(stmt_, index);
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt_, index, *i);
    } else {
      const auto& s = std::get<std::string>(value);
      rc = sqlite3_bind_text(stmt_, index, s.data(), static_cast<int>(s.size()), lifetime);
    }
    if (rc != SQLITE_OK) fail(db_, rc, "binding a parameter");
  }

  int64_t execute() override {
    if (running_) reset();
    const int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      sqlite3_reset(stmt_);
      fail(db_, rc, "executing SQL");
    }
    sqlite3_reset(stmt_);
    return sqlite3_changes(db_);
  }

  bool next() override {
    running_ = true;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    running_ = false;
    fail(db_, rc, "querying");
  }

  bool isNull(int column) override {
    checkColumn(column);
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t getInt(int column) override {
    checkColumn(column);
    return sqlite3_column_int64(stmt_, column);
  }
  std::string getText(int column) override {
    checkColumn(column);
    const auto* p = sqlite3_column_text(stmt_, column);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  void reset() override {
    sqlite3_reset(stmt_);
    running_ = false;
  }

 private:
  // SQLite answers NULL for a column that does not exist; MySQL throws. Both must fail alike.
  void checkColumn(int column) const {
    if (column < 0 || column >= sqlite3_column_count(stmt_)) {
      throw Error(ErrorCode::kInternal, "column " + std::to_string(column) +
                                            " is not in the result of: " +
                                            std::string(sqlite3_sql(stmt_)).substr(0, 120));
    }
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool running_ = false;
};

}  // namespace

struct SQLiteDatabase::Impl {
  std::unique_ptr<Poco::Data::Session> session;
  sqlite3* handle = nullptr;
};

SQLiteDatabase::SQLiteDatabase(const std::string& path)
    : impl_(std::make_unique<Impl>()), path_(path) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  if (path != ":memory:") {
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir)) {
      throw Error(ErrorCode::kUnavailable,
                  msg("store.sqlite.no_directory", {arg("path", path), arg("dir", dir.string())}));
    }
  }
  try {
    // Opening a file either works at once or not at all: no 60 s login retry.
    impl_->session = std::make_unique<Poco::Data::Session>("SQLite", path, 5);
  } catch (const Poco::Exception& e) {
    throw Error(ErrorCode::kUnavailable, msg("store.sqlite.cannot_open",
                                             {arg("path", path), arg("detail", e.displayText())}));
  }
  impl_->handle = Poco::Data::SQLite::Utility::dbHandle(*impl_->session);
  sqlite3_busy_timeout(impl_->handle, 5000);
  executeScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072; "
      // Bulk jobs commit in chunks: checkpoint the WAL every 64 MiB rather than after every
      // chunk past the default 4 MiB.
      "PRAGMA wal_autocheckpoint=16384;");
}

SQLiteDatabase::~SQLiteDatabase() {
  try {
    if (impl_->session) impl_->session->close();
  } catch (const Poco::Exception&) {
    // Closing cannot be retried; statements were finalised already.
  }
}

std::unique_ptr<Statement> SQLiteDatabase::prepare(std::string_view sql) {
  return std::make_unique<SQLiteStatement>(impl_->handle, sql);
}

void SQLiteDatabase::executeScript(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  const int rc = sqlite3_exec(impl_->handle, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    fail(nullptr, rc, "running SQL script: " + msg);
  }
}

void SQLiteDatabase::begin() { executeScript("BEGIN IMMEDIATE"); }
void SQLiteDatabase::commit() { executeScript("COMMIT"); }
void SQLiteDatabase::rollback() {
  if (!sqlite3_get_autocommit(impl_->handle)) executeScript("ROLLBACK");
}
int64_t SQLiteDatabase::lastInsertId() { return sqlite3_last_insert_rowid(impl_->handle); }

}  // namespace edupay::store
