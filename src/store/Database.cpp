#include "store/Database.h"

#include <cstdlib>

#include "common/Error.h"
#include "store/MySQLDatabase.h"
#include "store/SQLiteDatabase.h"

namespace edupay::store {

std::unique_ptr<Database> openDatabase(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty()) {
      throw Error(ErrorCode::kInvalidInput, msg("store.url.sqlite_path"));
    }
    return std::make_unique<SQLiteDatabase>(path);
  }
  if (url.rfind("mysql://", 0) == 0 || url.rfind("mariadb://", 0) == 0) {
    return std::make_unique<MySQLDatabase>(MySQLDatabase::parseUrl(url));
  }
  throw Error(ErrorCode::kInvalidInput,
              msg("store.url.unknown", {arg("url", url.substr(0, url.find('@')))}));
}

Statement& Database::cached(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) it = statements_.emplace(sql, prepare(sql)).first;
  it->second->reset();
  return *it->second;
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.rollback();
    } catch (const std::exception&) {
      // The connection is gone; the server rolls the transaction back by itself.
    }
  }
}

void Transaction::commit() {
  db_.commit();
  done_ = true;
}

std::unique_ptr<Statement> query(Database& db, std::string_view sql,
                                 std::initializer_list<SqlValue> params) {
  auto stmt = db.prepare(sql);
  int i = 1;
  for (const auto& p : params) stmt->bind(i++, p);
  return stmt;
}

int64_t execute(Database& db, std::string_view sql, std::initializer_list<SqlValue> params) {
  return query(db, sql, params)->execute();
}

int64_t queryInt(Database& db, std::string_view sql, std::initializer_list<SqlValue> params,
                 int64_t fallback) {
  auto stmt = query(db, sql, params);
  if (!stmt->next() || stmt->isNull(0)) return fallback;
  return stmt->getInt(0);
}

}  // namespace edupay::store
