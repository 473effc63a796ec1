#include "store/MySQLDatabase.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "common/Error.h"
#include "common/Retry.h"

namespace edupay::store {
namespace {

// Server and client error numbers (mysqld_error.h / errmsg.h).
constexpr int kErDupEntry = 1062;
constexpr int kErDupEntryWithKeyName = 1586;
constexpr int kErNoReferencedRow = 1452;
constexpr int kErRowIsReferenced = 1451;
constexpr int kErLockWaitTimeout = 1205;
constexpr int kErLockDeadlock = 1213;
constexpr int kErCheckConstraint = 4025;  // MariaDB CONSTRAINT ... CHECK failed
constexpr int kErUnknownComError = 1047;  // Galera: "WSREP has not yet prepared node ..."
constexpr int kErQueryInterrupted = 1317;
constexpr int kErConnectionKilled = 1927;
constexpr int kCrConnectionError = 2002;
constexpr int kCrConnHostError = 2003;
constexpr int kCrServerGone = 2006;
constexpr int kCrServerLost = 2013;
constexpr int kCrServerLostExtended = 2055;
constexpr int kErAccessDenied = 1045;
constexpr int kErBadDb = 1049;

bool connectionLost(int code) {
  return code == kCrConnectionError || code == kCrConnHostError || code == kCrServerGone ||
         code == kCrServerLost || code == kCrServerLostExtended || code == kErConnectionKilled ||
         code == kErUnknownComError || code == kErQueryInterrupted;
}

bool transientConflict(const sql::SQLException& e) {
  const int code = e.getErrorCode();
  return code == kErLockDeadlock || code == kErLockWaitTimeout || e.getSQLState() == "40001" ||
         std::string_view(e.what()).find("wsrep aborted transaction") != std::string_view::npos;
}

[[noreturn]] void translate(const sql::SQLException& e, std::string_view what,
                            MySQLDatabase* db = nullptr) {
  const int code = e.getErrorCode();
  const std::string msg =
      std::string(what) + ": " + e.what() + " (MySQL error " + std::to_string(code) + ")";
  if (transientConflict(e)) {
    throw TransientError(TransientError::Kind::kConflict, ErrorCode::kConflict, db_messages::busy(),
                         msg);
  }
  if (connectionLost(code)) {
    if (db) db->markBroken();
    throw TransientError(TransientError::Kind::kConnectionLost, ErrorCode::kUnavailable,
                         db_messages::unavailable(), msg);
  }
  switch (code) {
    case kErDupEntry:
    case kErDupEntryWithKeyName:
    case kErNoReferencedRow:
    case kErRowIsReferenced:
    case kErCheckConstraint:
      throw Error(ErrorCode::kConflict, db_messages::duplicate(), msg);
    case kErAccessDenied:
    case kErBadDb:
      throw Error(ErrorCode::kUnavailable, db_messages::unavailable(), msg);
    default:
      throw Error(ErrorCode::kInternal, db_messages::internal(), msg);
  }
}

/// Prepares itself again on a new connection of its database (after a fail-over), so statements
/// kept across units of work (Database::cached) stay usable.
class MySQLStatement : public Statement {
 public:
  MySQLStatement(MySQLDatabase& db, std::string_view sql) : db_(db), sql_(sql) { prepareNow(); }

  void bind(int index, const SqlValue& value) override {
    if (rs_) reset();
    if (generation_ != db_.generation()) prepareNow();
    const auto i = static_cast<size_t>(index);
    if (binds_.size() <= i) binds_.resize(i + 1);
    binds_[i] = value;
    apply(index, value);
  }

  int64_t execute() override {
    if (rs_) reset();
    if (generation_ != db_.generation()) prepareNow();
    try {
      return stmt_->executeUpdate();
    } catch (const sql::SQLException& e) {
      translate(e, "executing SQL", &db_);
    }
  }

  bool next() override {
    if (!rs_ && generation_ != db_.generation()) prepareNow();
    try {
      if (!rs_) rs_.reset(stmt_->executeQuery());
      return rs_->next();
    } catch (const sql::SQLException& e) {
      const bool first_read = !rs_;
      rs_.reset();
      // A query outside a transaction that lost its node is run once more on another node, with
      // the same parameters: a read changes nothing, so running it again is safe.
      if (first_read && connectionLost(e.getErrorCode()) && !db_.inTransaction()) {
        db_.markBroken();
        try {
          db_.connection();
        } catch (const Error&) {
          translate(e, "querying", &db_);
        }
        prepareNow();
        try {
          rs_.reset(stmt_->executeQuery());
          return rs_->next();
        } catch (const sql::SQLException& again) {
          rs_.reset();
          translate(again, "querying", &db_);
        }
      }
      translate(e, "querying", &db_);
    }
  }

  bool isNull(int column) override { return rs_->isNull(static_cast<uint32_t>(column + 1)); }
  int64_t getInt(int column) override { return rs_->getInt64(static_cast<uint32_t>(column + 1)); }
  std::string getText(int column) override {
    const sql::SQLString s = rs_->getString(static_cast<uint32_t>(column + 1));
    return s.asStdString();
  }
  void reset() override { rs_.reset(); }

 private:
  void apply(int index, const SqlValue& value) {
    try {
      const auto i = static_cast<unsigned>(index);
      if (std::holds_alternative<std::nullptr_t>(value)) {
        stmt_->setNull(i, sql::DataType::VARCHAR);
      } else if (const auto* n = std::get_if<int64_t>(&value)) {
        stmt_->setInt64(i, *n);
      } else {
        const auto& s = std::get<std::string>(value);
        stmt_->setString(i, sql::SQLString(s.data(), s.size()));
      }
    } catch (const sql::SQLException& e) {
      translate(e, "binding a parameter", &db_);
    }
  }

  /// Prepares the SQL on the database's current connection and binds the parameters bound so
  /// far again.
  void prepareNow() {
    rs_.reset();
    stmt_.reset();
    try {
      stmt_.reset(db_.connection().prepareStatement(sql::SQLString(sql_)));
    } catch (const sql::SQLException& e) {
      translate(e, "preparing SQL", &db_);
    }
    generation_ = db_.generation();
    for (size_t i = 1; i < binds_.size(); ++i) apply(static_cast<int>(i), binds_[i]);
  }

  MySQLDatabase& db_;
  std::string sql_;
  uint64_t generation_ = 0;
  std::vector<SqlValue> binds_;  ///< by 1-based index, to bind again after a fail-over
  std::unique_ptr<sql::PreparedStatement> stmt_;
  std::unique_ptr<sql::ResultSet> rs_;
};

[[noreturn]] void badUrl(const std::string& what) {
  throw Error(ErrorCode::kInvalidInput,
              "database URL: " + what +
                  "; it must look like mysql://user:password@host:port/database, or for a "
                  "cluster mysql://user:password@host1:port1,host2:port2,host3:port3/database");
}

MySQLDatabase::Host parseHost(const std::string& item, size_t position) {
  MySQLDatabase::Host h;
  std::string port;
  const std::string where = "host " + std::to_string(position);
  if (item.empty()) badUrl(where + " is empty (two commas, or a comma at an end)");
  if (item.front() == '[') {
    const auto close = item.find(']');
    if (close == std::string::npos) badUrl(where + " `" + item + "` has no closing `]`");
    h.host = item.substr(1, close - 1);
    if (close + 1 < item.size()) {
      if (item[close + 1] != ':') badUrl(where + " `" + item + "`: expected `:` after `]`");
      port = item.substr(close + 2);
    }
  } else {
    const auto pc = item.find(':');
    h.host = item.substr(0, pc);
    if (pc != std::string::npos) {
      port = item.substr(pc + 1);
      if (port.find(':') != std::string::npos) {
        badUrl(where + " `" + item + "` has more than one `:`; write an IPv6 address in []");
      }
    }
  }
  if (h.host.empty()) badUrl(where + " `" + item + "` has no host name");
  if (!port.empty() || (item.back() == ':')) {
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
        std::stoi(port) > 65535) {
      badUrl(where + " has a bad port `" + port + "` (a number from 1 to 65535)");
    }
    h.port = std::stoi(port);
  }
  return h;
}

std::string wsrepStatus(sql::Connection& c, const std::string& name) {
  std::unique_ptr<sql::Statement> s(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(s->executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'"));
  return rs->next() ? rs->getString(2).asStdString() : std::string();
}

void runOnConnection(sql::Connection& c, const char* sql) {
  std::unique_ptr<sql::Statement> s(c.createStatement());
  s->execute(sql);
}

std::string wsrepVariable(sql::Connection& c, const std::string& name) {
  std::unique_ptr<sql::Statement> s(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(s->executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'"));
  return rs->next() ? rs->getString(2).asStdString() : std::string();
}

}  // namespace

MySQLDatabase::Options MySQLDatabase::parseUrl(const std::string& url) {
  Options o;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) badUrl("no `://`");
  std::string rest = url.substr(scheme_end + 3);
  const auto at = rest.rfind('@');
  if (at == std::string::npos) badUrl("no `user@` before the host");
  const auto slash = rest.find('/', at);
  if (slash == std::string::npos || slash + 1 >= rest.size()) {
    badUrl("no `/database` after the host");
  }
  const std::string userinfo = rest.substr(0, at);
  const std::string hostlist = rest.substr(at + 1, slash - at - 1);
  o.database = rest.substr(slash + 1);
  if (o.database.find_first_of("/?#,") != std::string::npos) {
    badUrl("the database name `" + o.database + "` has a character it cannot have");
  }
  const auto colon = userinfo.find(':');
  o.user = userinfo.substr(0, colon);
  if (colon != std::string::npos) o.password = userinfo.substr(colon + 1);
  if (o.password.empty()) {
    if (const char* p = std::getenv("EDUPAY_DB_PASSWORD")) o.password = p;
  }
  if (o.user.empty()) badUrl("no user name before `@`");
  if (hostlist.empty()) badUrl("no host between `@` and `/`");
  size_t pos = 0;
  for (size_t n = 1;; ++n) {
    const auto comma = hostlist.find(',', pos);
    o.hosts.push_back(parseHost(hostlist.substr(pos, comma - pos), n));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return o;
}

MySQLDatabase::MySQLDatabase(const Options& options) : options_(options) {
  if (options_.hosts.empty()) badUrl("no host");
  connect();
}

void MySQLDatabase::connect() {
  if (conn_) {
    // Kept, closed, until this object goes: statements prepared on it may still be released.
    try {
      conn_->close();
    } catch (const sql::SQLException&) {
      // Already gone with its server.
    }
    retired_.push_back(std::move(conn_));
  }
  cluster_ = false;
  std::string failures;
  std::unique_ptr<sql::Connection> fallback;  // reachable and ready, but not Synced
  size_t fallback_index = 0;
  const size_t n = options_.hosts.size();
  // After a failure start at the next node, so a node that died is tried last.
  const size_t first = broken_ ? (current_ + 1) % n : 0;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (first + k) % n;
    const Host& h = options_.hosts[i];
    const std::string where = h.host + ":" + std::to_string(h.port);
    try {
      sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
      sql::ConnectOptionsMap props;
      props["hostName"] = sql::SQLString(h.host);
      props["port"] = h.port;
      props["userName"] = sql::SQLString(options_.user);
      props["password"] = sql::SQLString(options_.password);
      props["schema"] = sql::SQLString(options_.database);
      props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
      props["OPT_RECONNECT"] = false;
      props["OPT_CONNECT_TIMEOUT"] = 5;
      std::unique_ptr<sql::Connection> c(driver->connect(props));
      const bool cluster = wsrepVariable(*c, "wsrep_on") == "ON";
      if (cluster) {
        const std::string ready = wsrepStatus(*c, "wsrep_ready");
        const std::string state = wsrepStatus(*c, "wsrep_local_state");
        if (ready != "ON") {
          failures += "; " + where + ": not ready (wsrep_ready=" + ready + ")";
          continue;
        }
        if (state != "4") {
          failures += "; " + where + ": not Synced (wsrep_local_state=" + state + ")";
          if (!fallback) {
            fallback = std::move(c);
            fallback_index = i;
          }
          continue;
        }
      }
      conn_ = std::move(c);
      current_ = i;
      cluster_ = cluster;
      break;
    } catch (const sql::SQLException& e) {
      failures += "; " + where + ": " + e.what();
    }
  }
  if (!conn_ && fallback) {
    conn_ = std::move(fallback);
    current_ = fallback_index;
    cluster_ = true;
  }
  if (!conn_) {
    throw Error(ErrorCode::kUnavailable, db_messages::unavailable(),
                "cannot connect to " + describe() + failures +
                    "; check the URL, the password (EDUPAY_DB_PASSWORD) and that the server is "
                    "running");
  }
  try {
    std::unique_ptr<sql::Statement> s(conn_->createStatement());
    s->execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'");
    s->execute("SET SESSION time_zone = '+08:00'");
    // Reads wait for the node to apply what the cluster committed before them.
    if (cluster_) s->execute("SET SESSION wsrep_sync_wait = 1");
  } catch (const sql::SQLException& e) {
    conn_.reset();
    throw Error(ErrorCode::kUnavailable, db_messages::unavailable(),
                "cannot set up the session on " + node() + ": " + e.what());
  }
  broken_ = false;
  in_tx_ = false;
  ++generation_;
}

void MySQLDatabase::reconnectIfBroken() {
  if ((broken_ || !conn_) && !in_tx_) connect();
}

sql::Connection& MySQLDatabase::connection() {
  reconnectIfBroken();
  if (!conn_) connect();
  return *conn_;
}

MySQLDatabase::~MySQLDatabase() {
  try {
    if (conn_) conn_->close();
  } catch (const sql::SQLException&) {
    // Already closed by the server.
  }
}

std::string MySQLDatabase::describe() const {
  std::string hosts;
  for (const auto& h : options_.hosts) {
    if (!hosts.empty()) hosts += ",";
    hosts += h.host + ":" + std::to_string(h.port);
  }
  return "mysql://" + options_.user + "@" + hosts + "/" + options_.database;
}

std::string MySQLDatabase::node() const {
  const Host& h = options_.hosts[current_];
  return h.host + ":" + std::to_string(h.port);
}

std::unique_ptr<Statement> MySQLDatabase::prepare(std::string_view sql) {
  reconnectIfBroken();
  return std::make_unique<MySQLStatement>(*this, sql);
}

void MySQLDatabase::executeScript(std::string_view script) {
  // Migration scripts put each statement's terminating `;` at the end of a line.
  std::unique_ptr<sql::Statement> s(connection().createStatement());
  std::string current;
  size_t pos = 0;
  while (pos < script.size()) {
    auto nl = script.find('\n', pos);
    if (nl == std::string_view::npos) nl = script.size();
    std::string_view line = script.substr(pos, nl - pos);
    pos = nl + 1;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line.substr(first, 2) == "--") continue;
    current.append(line).push_back('\n');
    const auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      try {
        s->execute(sql::SQLString(current));
      } catch (const sql::SQLException& e) {
        translate(e, "running SQL script", this);
      }
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) {
    try {
      s->execute(sql::SQLString(current));
    } catch (const sql::SQLException& e) {
      translate(e, "running SQL script", this);
    }
  }
}

void MySQLDatabase::begin() {
  reconnectIfBroken();
  commit_check_sql_.clear();
  commit_check_key_.clear();
  try {
    runOnConnection(*conn_, "SET autocommit = 0");
  } catch (const sql::SQLException& e) {
    translate(e, "starting a transaction", this);
  }
  in_tx_ = true;
}

void MySQLDatabase::commit() {
  try {
    // COMMIT as a statement: Connector/C++'s Connection::commit() does not report a transaction
    // a cluster aborted (a certification failure while the client was idle) — the commit
    // seemed to succeed and the unit's writes were lost.
    runOnConnection(*conn_, "COMMIT");
  } catch (const sql::SQLException& e) {
    in_tx_ = false;
    if (!connectionLost(e.getErrorCode()) || e.getErrorCode() == kErUnknownComError) {
      // Refused by the server (a certification failure, a node that is not ready): not committed.
      translate(e, "committing", this);
    }
    markBroken();
    if (committedAfterAll()) return;
    translate(e, "committing", this);
  }
  in_tx_ = false;
  try {
    runOnConnection(*conn_, "SET autocommit = 1");
  } catch (const sql::SQLException& e) {
    translate(e, "committing", this);
  }
}

bool MySQLDatabase::committedAfterAll() {
  if (commit_check_sql_.empty()) {
    throw Error(ErrorCode::kUnavailable, db_messages::unavailable(),
                "the connection to " + node() +
                    " was lost while committing a transaction that has no idempotency key; "
                    "whether it was saved is unknown");
  }
  // A commit the node certified before it died reaches the others; a causal read (sync wait)
  // on another node sees it. Try a few times while the cluster settles on its new membership.
  const std::string sql = commit_check_sql_;
  const std::string key = commit_check_key_;
  for (int attempt = 0;; ++attempt) {
    try {
      connect();
      std::unique_ptr<sql::PreparedStatement> s(conn_->prepareStatement(sql::SQLString(sql)));
      s->setString(1, sql::SQLString(key));
      std::unique_ptr<sql::ResultSet> rs(s->executeQuery());
      return rs->next();
    } catch (const std::exception&) {
      if (attempt >= 5) throw;
      markBroken();
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
    }
  }
}

void MySQLDatabase::rollback() {
  in_tx_ = false;
  if (broken_) return;  // the server rolled it back when the connection went
  try {
    runOnConnection(*conn_, "ROLLBACK");
    runOnConnection(*conn_, "SET autocommit = 1");
  } catch (const sql::SQLException& e) {
    translate(e, "rolling back", this);
  }
}

int64_t MySQLDatabase::lastInsertId() { return queryInt(*this, "SELECT LAST_INSERT_ID()"); }

}  // namespace edupay::store
