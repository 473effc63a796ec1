#pragma once

#include <memory>
#include <string>

#include "store/Database.h"

namespace sql {
class Connection;
}

namespace edupay::store {

/// Production store: MySQL 8 / MariaDB 10.6+ through MySQL Connector/C++, utf8mb4, InnoDB,
/// REPEATABLE READ, explicit transactions (autocommit off only inside begin()/commit()).
class MySQLDatabase : public Database {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 3306;
    std::string user;
    std::string password;
    std::string database;
  };
  /// `mysql://user[:pass]@host[:port]/db`; EDUPAY_DB_PASSWORD fills an absent password.
  /// Throws Error(kInvalidInput) naming what is missing.
  static Options parseUrl(const std::string& url);

  explicit MySQLDatabase(const Options& options);
  ~MySQLDatabase() override;

  Dialect dialect() const override { return Dialect::kMySQL; }
  std::unique_ptr<Statement> prepare(std::string_view sql) override;
  void executeScript(std::string_view sql) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  int64_t lastInsertId() override;
  std::string describe() const override;

 private:
  Options options_;
  std::unique_ptr<sql::Connection> conn_;
};

}  // namespace edupay::store
