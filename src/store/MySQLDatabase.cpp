#include "store/MySQLDatabase.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <cstdlib>

#include "common/Error.h"

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
constexpr int kCrConnectionError = 2002;
constexpr int kCrConnHostError = 2003;
constexpr int kCrServerGone = 2006;
constexpr int kCrServerLost = 2013;
constexpr int kErAccessDenied = 1045;
constexpr int kErBadDb = 1049;

[[noreturn]] void translate(const sql::SQLException& e, std::string_view what) {
  const int code = e.getErrorCode();
  const std::string msg =
      std::string(what) + ": " + e.what() + " (MySQL error " + std::to_string(code) + ")";
  switch (code) {
    case kErDupEntry:
    case kErDupEntryWithKeyName:
    case kErNoReferencedRow:
    case kErRowIsReferenced:
    case kErCheckConstraint:
      throw Error(ErrorCode::kConflict, db_messages::kDuplicate, msg);
    case kErLockWaitTimeout:
    case kErLockDeadlock:
      throw Error(ErrorCode::kConflict, db_messages::kBusy, msg);
    case kCrConnectionError:
    case kCrConnHostError:
    case kCrServerGone:
    case kCrServerLost:
    case kErAccessDenied:
    case kErBadDb:
      throw Error(ErrorCode::kUnavailable, db_messages::kUnavailable, msg);
    default:
      throw Error(ErrorCode::kInternal, db_messages::kInternal, msg);
  }
}

class MySQLStatement : public Statement {
 public:
  MySQLStatement(sql::Connection& conn, std::string_view sql) {
    try {
      stmt_.reset(conn.prepareStatement(sql::SQLString(sql.data(), sql.size())));
    } catch (const sql::SQLException& e) {
      translate(e, "preparing SQL");
    }
  }

  void bind(int index, const SqlValue& value) override {
    if (rs_) reset();
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
      translate(e, "binding a parameter");
    }
  }

  int64_t execute() override {
    if (rs_) reset();
    try {
      return stmt_->executeUpdate();
    } catch (const sql::SQLException& e) {
      translate(e, "executing SQL");
    }
  }

  bool next() override {
    try {
      if (!rs_) rs_.reset(stmt_->executeQuery());
      return rs_->next();
    } catch (const sql::SQLException& e) {
      rs_.reset();
      translate(e, "querying");
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
  std::unique_ptr<sql::PreparedStatement> stmt_;
  std::unique_ptr<sql::ResultSet> rs_;
};

}  // namespace

MySQLDatabase::Options MySQLDatabase::parseUrl(const std::string& url) {
  Options o;
  const auto scheme_end = url.find("://");
  std::string rest = url.substr(scheme_end + 3);
  const auto at = rest.rfind('@');
  const auto slash = rest.find('/', at == std::string::npos ? 0 : at);
  if (at == std::string::npos || slash == std::string::npos || slash + 1 >= rest.size()) {
    throw Error(ErrorCode::kInvalidInput,
                "MySQL URL must look like mysql://user:password@host:port/database");
  }
  const std::string userinfo = rest.substr(0, at);
  const std::string hostport = rest.substr(at + 1, slash - at - 1);
  o.database = rest.substr(slash + 1);
  const auto colon = userinfo.find(':');
  o.user = userinfo.substr(0, colon);
  if (colon != std::string::npos) o.password = userinfo.substr(colon + 1);
  if (o.password.empty()) {
    if (const char* p = std::getenv("EDUPAY_DB_PASSWORD")) o.password = p;
  }
  const auto pc = hostport.rfind(':');
  o.host = hostport.substr(0, pc);
  if (pc != std::string::npos) {
    try {
      o.port = std::stoi(hostport.substr(pc + 1));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInvalidInput,
                  "MySQL URL has a bad port `" + hostport.substr(pc + 1) + "`");
    }
  }
  if (o.user.empty() || o.host.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "MySQL URL needs a user and a host: mysql://user:password@host:port/database");
  }
  return o;
}

MySQLDatabase::MySQLDatabase(const Options& options) : options_(options) {
  try {
    sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
    sql::ConnectOptionsMap props;
    props["hostName"] = sql::SQLString(options.host);
    props["port"] = options.port;
    props["userName"] = sql::SQLString(options.user);
    props["password"] = sql::SQLString(options.password);
    props["schema"] = sql::SQLString(options.database);
    props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    props["OPT_RECONNECT"] = false;
    conn_.reset(driver->connect(props));
    std::unique_ptr<sql::Statement> s(conn_->createStatement());
    s->execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'");
    s->execute("SET SESSION time_zone = '+08:00'");
  } catch (const sql::SQLException& e) {
    throw Error(ErrorCode::kUnavailable, db_messages::kUnavailable,
                "cannot connect to " + describe() + ": " + e.what() +
                    "; check the URL, the password (EDUPAY_DB_PASSWORD) and that the server is "
                    "running");
  }
}

MySQLDatabase::~MySQLDatabase() {
  try {
    if (conn_) conn_->close();
  } catch (const sql::SQLException&) {
    // Already closed by the server.
  }
}

std::string MySQLDatabase::describe() const {
  return "mysql://" + options_.user + "@" + options_.host + ":" + std::to_string(options_.port) +
         "/" + options_.database;
}

std::unique_ptr<Statement> MySQLDatabase::prepare(std::string_view sql) {
  return std::make_unique<MySQLStatement>(*conn_, sql);
}

void MySQLDatabase::executeScript(std::string_view script) {
  // Migration scripts put each statement's terminating `;` at the end of a line.
  std::unique_ptr<sql::Statement> s(conn_->createStatement());
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
        translate(e, "running SQL script");
      }
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) {
    try {
      s->execute(sql::SQLString(current));
    } catch (const sql::SQLException& e) {
      translate(e, "running SQL script");
    }
  }
}

void MySQLDatabase::begin() {
  try {
    conn_->setAutoCommit(false);
  } catch (const sql::SQLException& e) {
    translate(e, "starting a transaction");
  }
}

void MySQLDatabase::commit() {
  try {
    conn_->commit();
    conn_->setAutoCommit(true);
  } catch (const sql::SQLException& e) {
    translate(e, "committing");
  }
}

void MySQLDatabase::rollback() {
  try {
    conn_->rollback();
    conn_->setAutoCommit(true);
  } catch (const sql::SQLException& e) {
    translate(e, "rolling back");
  }
}

int64_t MySQLDatabase::lastInsertId() { return queryInt(*this, "SELECT LAST_INSERT_ID()"); }

}  // namespace edupay::store
