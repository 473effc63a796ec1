#include "store/TestDb.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/Cli.h"
#include "security/AuditLog.h"

namespace edupay::testing {

std::vector<std::string> testBackends() {
  const char* env = std::getenv("EDUPAY_TEST_BACKENDS");
  std::istringstream in(env && *env ? env : "sqlite mysql");
  std::vector<std::string> out;
  for (std::string b; in >> b;) out.push_back(b);
  return out;
}

ScratchDatabase::ScratchDatabase(const std::string& backend) : backend_(backend) {
  // A fresh directory every time (mkdtemp): a process id is reused, and a directory left by a
  // test that was killed must never hand its database to a later test.
  std::string pattern = (std::filesystem::temp_directory_path() / "edupay_test_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot create a scratch directory under " + pattern);
  dir_ = pattern;
  const std::string unique = dir_.substr(dir_.size() - 6);  // letters and digits
  if (backend == "sqlite") {
    url_ = "sqlite:" + dir_ + "/test.db";
    return;
  }
  const char* admin = std::getenv("EDUPAY_TEST_MYSQL_URL");
  if (!admin || !*admin) {
    ADD_FAILURE()
        << "EDUPAY_TEST_MYSQL_URL is not set: run the tests with scripts/test, which starts a "
           "private MariaDB, or set EDUPAY_TEST_BACKENDS=sqlite to run only the SQLite suite";
    url_ = "sqlite:" + dir_ + "/fallback.db";
    return;
  }
  mysql_admin_url_ = admin;
  mysql_schema_ = "edupay_t" + unique;
  auto db = store::openDatabase(mysql_admin_url_);
  db->executeScript("CREATE DATABASE " + mysql_schema_ +
                    " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;");
  url_ = mysql_admin_url_.substr(0, mysql_admin_url_.rfind('/') + 1) + mysql_schema_;
}

ScratchDatabase::~ScratchDatabase() {
  if (!mysql_schema_.empty()) {
    try {
      auto db = store::openDatabase(mysql_admin_url_);
      db->executeScript("DROP DATABASE IF EXISTS " + mysql_schema_ + ";");
    } catch (const std::exception&) {
      // The private server is removed after the run anyway.
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string writeFile(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path;
}

CliActors::CliActors(const std::string& db_url, const std::string& dir)
    : admin_(dir + "/setup-admin.credential"), officer_(dir + "/svc-import.credential") {
  std::ostringstream out, err;
  const int a = app::runCli({"--db", db_url, "user", "add", "setup-admin", "--role", "sysadmin",
                             "--scope", "*", "--credential-file", admin_},
                            out, err);
  EXPECT_EQ(a, 0) << err.str();
  const int o = app::runCli(
      {"--db", db_url, "user", "add", "svc-import", "--role", "bureau_officer", "--scope", "43",
       "--credential-file", officer_, "--as", "setup-admin", "--credential", admin_},
      out, err);
  EXPECT_EQ(o, 0) << err.str();
}

std::vector<std::string> auditWords(store::Database& db, const std::string& action, bool before) {
  auto q = store::query(db,
                        std::string("SELECT ") + (before ? "before_state" : "after_state") +
                            " FROM audit_events WHERE action = ? ORDER BY seq",
                        {action});
  std::vector<std::string> out;
  while (q->next()) out.push_back(security::auditText(q->getText(0), Lang::kEn));
  return out;
}

int64_t countAuditWords(store::Database& db, const std::string& action, const std::string& prefix,
                        bool before) {
  int64_t n = 0;
  for (const auto& w : auditWords(db, action, before)) n += w.rfind(prefix, 0) == 0;
  return n;
}

std::vector<std::string> CliActors::with(std::vector<std::string> args) const {
  bool has_actor = false, admin_command = false, write = false;
  for (size_t i = 0; i < args.size(); ++i) {
    has_actor |= args[i] == "--as";
    if (args[i] == "import" && i + 1 < args.size()) {
      write = true;
      admin_command = args[i + 1] == "regions" || args[i + 1] == "schools";
    }
    write |= args[i] == "entitle" || (args[i] == "activate" && i > 0 && args[i - 1] == "policy");
  }
  if (!write || has_actor) return args;
  const auto actor = admin_command ? admin() : officer();
  args.insert(args.end(), actor.begin(), actor.end());
  return args;
}

}  // namespace edupay::testing
