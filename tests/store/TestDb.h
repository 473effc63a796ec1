#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/Database.h"

namespace edupay::testing {

/// The backends the database suites run on: EDUPAY_TEST_BACKENDS ("sqlite mysql"; default
/// "sqlite mysql"). A listed backend that cannot be reached fails the test: it is never skipped.
std::vector<std::string> testBackends();

/// A fresh, empty database for one test: a temporary SQLite file, or a new MariaDB/MySQL
/// schema on the server named by EDUPAY_TEST_MYSQL_URL (dropped afterwards).
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& backend);
  ~ScratchDatabase();
  const std::string& url() const { return url_; }
  std::unique_ptr<store::Database> open() const { return store::openDatabase(url_); }
  /// A scratch directory for files of this test.
  const std::string& dir() const { return dir_; }

 private:
  std::string backend_;
  std::string url_;
  std::string dir_;
  std::string mysql_admin_url_;
  std::string mysql_schema_;
};

/// CLI tests act through two service accounts with credential files in the scratch directory:
/// `setup-admin` (sysadmin: regions, schools) and `svc-import` (a provincial bureau officer,
/// scope 43: rolls, rosters, nominations, policies, entitlement runs).
class CliActors {
 public:
  /// Adds both accounts to the database at `db_url` (the first user is the sysadmin).
  CliActors(const std::string& db_url, const std::string& dir);
  /// `args` with `--as ACCOUNT --credential FILE` added for a write command that names no actor.
  std::vector<std::string> with(std::vector<std::string> args) const;
  std::vector<std::string> admin() const { return {"--as", "setup-admin", "--credential", admin_}; }
  std::vector<std::string> officer() const {
    return {"--as", "svc-import", "--credential", officer_};
  }

 private:
  std::string admin_, officer_;
};

/// What the audit events of `action` recorded after the action (or before it), in the English
/// words the operation log shows (security::auditText), oldest first.
std::vector<std::string> auditWords(store::Database& db, const std::string& action,
                                    bool before = false);
/// How many of them start with `prefix`.
int64_t countAuditWords(store::Database& db, const std::string& action, const std::string& prefix,
                        bool before = false);

/// Writes `content` to DIR/name and returns the path.
std::string writeFile(const std::string& dir, const std::string& name, const std::string& content);

}  // namespace edupay::testing
