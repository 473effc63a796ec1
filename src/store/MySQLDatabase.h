#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/Database.h"

namespace sql {
class Connection;
}

namespace edupay::store {

/// Production store: MySQL 8 / MariaDB 10.6+ through MySQL Connector/C++, utf8mb4, InnoDB,
/// REPEATABLE READ, explicit transactions (autocommit off only inside begin()/commit()).
///
/// Several hosts (a MariaDB Galera cluster's nodes) may be given: it connects to the first
/// reachable one that is ready (wsrep_ready=ON and wsrep_local_state=4, Synced, preferred; a
/// node that is not a cluster member is taken as it is), and when the connection is lost or the
/// node stops being ready it connects again, to the next node, at the next begin() or prepare()
/// outside a transaction. A read outside a transaction that loses its connection is run once
/// more on the new connection; anything inside a transaction throws TransientError so that
/// retryUnit() runs the whole unit again. On a cluster every read waits until the node has
/// applied what the cluster committed before it (wsrep_sync_wait=1): a read after a write sees
/// it, whichever node served the write.
class MySQLDatabase : public Database {
 public:
  struct Host {
    std::string host;
    int port = 3306;
  };
  struct Options {
    std::vector<Host> hosts;  ///< in the URL's order; at least one
    std::string user;
    std::string password;
    std::string database;
  };
  /// `mysql://user[:pass]@host[:port][,host[:port]...]/db` (also `mariadb://`; a host may be an
  /// IPv6 address in brackets); EDUPAY_DB_PASSWORD fills an absent password. Throws
  /// Error(kInvalidInput) naming what is wrong and showing the expected shape.
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
  std::string node() const override;

  /// Bumped on every new connection; statements prepared on an older one prepare themselves
  /// again.
  uint64_t generation() const { return generation_; }
  sql::Connection& connection();
  /// The connection failed (lost, or the node is no longer ready): the next begin() or prepare()
  /// outside a transaction connects again.
  void markBroken() { broken_ = true; }
  bool inTransaction() const { return in_tx_; }

 private:
  /// Connects to the first ready node, starting after the one that failed last.
  void connect();
  /// When the connection broke and no transaction is open, connects again.
  void reconnectIfBroken();
  /// After a lost connection at COMMIT: on a new connection, whether the idempotency key shows
  /// the transaction committed.
  bool committedAfterAll();

  Options options_;
  std::unique_ptr<sql::Connection> conn_;
  std::vector<std::unique_ptr<sql::Connection>> retired_;  ///< earlier connections, closed
  size_t current_ = 0;  ///< index in options_.hosts of the node serving
  bool cluster_ = false;
  bool broken_ = false;
  bool in_tx_ = false;
  uint64_t generation_ = 0;
};

}  // namespace edupay::store
