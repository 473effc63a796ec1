#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>

namespace edupay::store {

enum class Dialect { kSQLite, kMySQL };

/// A value bound to or read from SQL. Text is UTF-8 (or ASCII hex/base64 for protected fields).
using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;

/// A prepared statement with `?` placeholders. Reusable: bind, run, reset, bind again.
/// Driver errors are translated to edupay::Error (duplicate key -> kConflict, lost connection ->
/// kUnavailable, anything else -> kInternal).
class Statement {
 public:
  virtual ~Statement() = default;
  /// 1-based placeholder index. The value is copied.
  virtual void bind(int index, const SqlValue& value) = 0;
  /// Like bind(), but the statement may refer to `value` without copying it.
  /// REQUIRES: `value` outlives the next execute()/next().
  virtual void bindRef(int index, const SqlValue& value) { bind(index, value); }
  /// Runs a statement that returns no rows; returns the number of rows changed.
  virtual int64_t execute() = 0;
  /// Query: the first call runs it; each call moves to the next row; false when no more rows.
  virtual bool next() = 0;
  /// Column accessors for the current row, 0-based.
  virtual bool isNull(int column) = 0;
  virtual int64_t getInt(int column) = 0;
  virtual std::string getText(int column) = 0;
  /// Ends the current run so the statement can be bound and run again.
  virtual void reset() = 0;
};

/// One connection to the database. Not thread-safe: one per thread.
class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;
  /// Runs a script of `;`-terminated statements (DDL in migrations). No parameters.
  virtual void executeScript(std::string_view sql) = 0;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual int64_t lastInsertId() = 0;
  /// The URL with any password removed, for messages.
  virtual std::string describe() const = 0;
  /// The server serving this connection (`host:port`, with the cluster state when it is a
  /// Galera node); empty for an embedded database.
  virtual std::string node() const { return ""; }
  /// Names a query that finds a row only if the open transaction committed — its idempotency
  /// key (the store sets it when it writes the transaction's audit event: the event's hash).
  /// When the connection is lost at COMMIT, the store re-reads it on a new connection to tell a
  /// commit that happened from one that did not. Cleared by begin().
  void setCommitCheck(std::string sql, std::string key) {
    commit_check_sql_ = std::move(sql);
    commit_check_key_ = std::move(key);
  }
  /// A prepared statement kept for the life of the connection, for SQL run again and again
  /// (bulk paths). REQUIRES: the caller finishes with it (reset() or last next()) before the same
  /// SQL is asked for again.
  Statement& cached(const std::string& sql);
  /// `INSERT OR IGNORE` (SQLite) / `INSERT IGNORE` (MySQL).
  std::string_view insertIgnore() const {
    return dialect() == Dialect::kSQLite ? "INSERT OR IGNORE" : "INSERT IGNORE";
  }

 protected:
  std::string commit_check_sql_;
  std::string commit_check_key_;

 private:
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

/// Opens `sqlite:PATH` (PATH may be `:memory:`) or `mysql://user[:pass]@host[:port]/db`, with
/// several `host:port` separated by commas for a cluster (MySQLDatabase).
/// The MySQL password may also come from EDUPAY_DB_PASSWORD. Throws Error(kInvalidInput) for a
/// malformed URL, Error(kUnavailable) when the server cannot be reached.
std::unique_ptr<Database> openDatabase(const std::string& url);

/// RAII transaction: begins on construction, rolls back on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.begin(); }
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

/// Helper: prepare and bind in order; the caller reads the rows with next().
std::unique_ptr<Statement> query(Database& db, std::string_view sql,
                                 std::initializer_list<SqlValue> params);
/// Helper: prepare, bind in order, and execute.
int64_t execute(Database& db, std::string_view sql, std::initializer_list<SqlValue> params = {});
/// Helper: a single integer from a one-row, one-column query; nullopt-like `fallback` when no row.
int64_t queryInt(Database& db, std::string_view sql, std::initializer_list<SqlValue> params = {},
                 int64_t fallback = 0);

}  // namespace edupay::store
