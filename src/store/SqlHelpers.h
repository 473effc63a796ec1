#pragma once

#include "common/Error.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/Money.h"
#include "common/StoreTransaction.h"
#include "store/Database.h"

namespace edupay::store {

// Bulk helpers shared by the SQL stores. Statements are cached on the connection, so a bulk path
// parses a handful of SQL texts once instead of once per chunk.

inline std::string placeholders(size_t n) {
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

/// Splits `n` items into batches whose sizes are powers of two (at most `max_batch`), so a bulk
/// path uses a handful of distinct statements that stay prepared for the whole import instead of
/// parsing new SQL for every chunk.
template <typename Fn>
void forEachBatch(size_t n, size_t max_batch, Fn&& fn) {
  size_t batch = 1;
  while (batch * 2 <= max_batch) batch *= 2;
  size_t start = 0;
  while (start < n) {
    while (batch > n - start) batch /= 2;
    fn(start, batch);
    start += batch;
  }
}

/// Rows per multi-row statement: large enough to amortise a MySQL round trip, small enough to
/// stay far below the parameter limits (SQLite 32,766, MySQL 65,535).
constexpr size_t kMaxBatchRows = 256;

/// Appends one row of values, moving what can be moved (bulk paths build millions of them).
template <typename... T>
void appendRow(std::vector<SqlValue>& values, T&&... xs) {
  (values.emplace_back(std::forward<T>(xs)), ...);
}

/// Runs `INSERT ... VALUES (...),(...)` for `values` (rows of `ncols` values).
inline int64_t insertMany(Database& db, std::string_view head, size_t ncols,
                          const std::vector<SqlValue>& values) {
  const size_t nrows = values.size() / ncols;
  const std::string tuple = "(" + placeholders(ncols) + ")";
  int64_t changed = 0;
  forEachBatch(nrows, kMaxBatchRows, [&](size_t start, size_t n) {
    std::string sql(head);
    sql += " VALUES ";
    for (size_t i = 0; i < n; ++i) {
      if (i) sql += ',';
      sql += tuple;
    }
    Statement& stmt = db.cached(sql);
    int p = 1;
    for (size_t i = start * ncols; i < (start + n) * ncols; ++i) stmt.bindRef(p++, values[i]);
    changed += stmt.execute();
  });
  return changed;
}

/// Runs `SELECT ... WHERE col IN (...)` over `keys` and calls `on_row` per row.
template <typename Key, typename Fn>
void selectIn(Database& db, std::string_view head, std::string_view tail,
              const std::vector<Key>& keys, Fn&& on_row, const std::vector<SqlValue>& extra = {}) {
  forEachBatch(keys.size(), kMaxBatchRows, [&](size_t start, size_t n) {
    std::string sql(head);
    sql += " IN (" + placeholders(n) + ")";
    sql += tail;
    Statement& stmt = db.cached(sql);
    int p = 1;
    for (size_t i = start; i < start + n; ++i) stmt.bind(p++, SqlValue(keys[i]));
    for (const auto& e : extra) stmt.bind(p++, e);
    while (stmt.next()) on_row(stmt);
    stmt.reset();
  });
}

/// The StoreTransaction the store interfaces hand out, over a Database transaction.
class SqlStoreTransaction : public StoreTransaction {
 public:
  explicit SqlStoreTransaction(Database& db) : tx_(db) {}
  void commit() override { tx_.commit(); }

 private:
  Transaction tx_;
};

/// A stored code or date read back strictly: a value the program does not know is a bug or an
/// edited row, never silently a default. Error(kInternal) naming the table, column and row.
template <typename T>
T stored(std::optional<T> value, std::string_view table, std::string_view column, int64_t row,
         const std::string& raw) {
  if (value) return *std::move(value);
  throw Error(ErrorCode::kInternal, std::string(table) + "." + std::string(column) + " of row " +
                                        std::to_string(row) + " holds `" + raw.substr(0, 40) +
                                        "`, which this program does not know");
}

inline SqlValue textOrNull(const std::string& s) {
  return s.empty() ? SqlValue(nullptr) : SqlValue(s);
}

/// The connection's prepared statement for `sql` (prepared once, kept for the connection's life)
/// with `params` bound in order; the caller reads the rows with next().
inline Statement& cachedQuery(Database& db, const std::string& sql,
                              std::initializer_list<SqlValue> params) {
  Statement& s = db.cached(sql);
  int i = 1;
  for (const auto& p : params) s.bind(i++, p);
  return s;
}

/// Runs `sql` with `params` bound in order and calls `on_row(statement)` for each row.
template <typename Fn>
void forEachRow(Database& db, std::string_view sql, std::initializer_list<SqlValue> params,
                Fn&& on_row) {
  auto s = query(db, sql, params);
  while (s->next()) on_row(*s);
}

/// A text column of the current row; "" when it is NULL.
inline std::string textOrEmpty(Statement& s, int column) {
  return s.isNull(column) ? std::string() : s.getText(column);
}

/// One column of the current row into `out` by its type: integers (NULL reads as 0), a flag
/// (non-zero), text (NULL reads as ""), fen into Money.
inline void readColumn(Statement& s, int column, int64_t& out) {
  out = s.isNull(column) ? 0 : s.getInt(column);
}
inline void readColumn(Statement& s, int column, int& out) {
  out = s.isNull(column) ? 0 : static_cast<int>(s.getInt(column));
}
inline void readColumn(Statement& s, int column, bool& out) {
  out = !s.isNull(column) && s.getInt(column) != 0;
}
inline void readColumn(Statement& s, int column, std::string& out) { out = textOrEmpty(s, column); }
inline void readColumn(Statement& s, int column, Money& out) {
  out = Money::fromFen(s.isNull(column) ? 0 : s.getInt(column));
}

/// Reads the current row's columns `first`, `first + 1`, ... into `out...`, in order:
/// `readColumns(s, 0, o.id, o.case_id, o.text)` for `SELECT id, case_id, text ...`.
template <typename... T>
void readColumns(Statement& s, int first, T&... out) {
  int column = first;
  (readColumn(s, column++, out), ...);
}

}  // namespace edupay::store
