#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "app/Cli.h"
#include "common/Error.h"
#include "store/Migrations.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

/// Users, logins and the audit chain through the CLI, on both databases.
class UsersAndAudit : public ::testing::TestWithParam<std::string> {
 protected:
  UsersAndAudit() : scratch(GetParam()) {}

  struct Result {
    int code;
    std::string out, err;
  };
  Result run(std::vector<std::string> args, const std::string& password = "",
             const std::string& new_password = "") {
    args.insert(args.begin(), {"--db", scratch.url(), "--key-file", scratch.dir() + "/k.key"});
    ::setenv("EDUPAY_PASSWORD", password.c_str(), 1);
    ::setenv("EDUPAY_NEW_PASSWORD", new_password.c_str(), 1);
    std::ostringstream out, err;
    const int code = app::runCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  void bootstrap() {
    ASSERT_EQ(
        run({"user", "add", "admin", "--role", "sysadmin", "--scope", "*"}, "", "Admin-pass-2026")
            .code,
        0);
    ASSERT_EQ(run({"user", "add", "officer1", "--role", "bureau_officer", "--scope", "430121",
                   "--as", "admin"},
                  "Admin-pass-2026", "Officer-pass-2026")
                  .code,
              0);
  }
  int64_t count(const std::string& sql) {
    auto db = scratch.open();
    return store::queryInt(*db, sql);
  }
  void exec(const std::string& sql) {
    auto db = scratch.open();
    store::execute(*db, sql);
  }

  ScratchDatabase scratch;
};

TEST_P(UsersAndAudit, TheFirstUserIsASysadminAndOnlySysadminsManageUsers) {
  auto r = run({"user", "add", "clerk", "--role", "school_admin", "--scope", "1430121001"}, "",
               "Clerk-pass-2026");
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("first user must be a sysadmin"), std::string::npos) << r.err;
  bootstrap();
  r = run({"user", "add", "clerk", "--role", "school_admin", "--scope", "1430121001"}, "",
          "Clerk-pass-2026");
  EXPECT_EQ(r.code, app::kExitUsage) << "a second user was added without --as";
  r = run({"user", "add", "clerk", "--role", "school_admin", "--scope", "1430121001", "--as",
           "officer1"},
          "Officer-pass-2026", "Clerk-pass-2026");
  EXPECT_EQ(r.code, app::kExitForbidden);
  EXPECT_NE(r.err.find("only a sysadmin"), std::string::npos) << r.err;
  r = run({"user", "add", "clerk", "--role", "school_admin", "--scope", "4301", "--as", "admin"},
          "Admin-pass-2026", "Clerk-pass-2026");
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("10-digit code of the school"), std::string::npos) << r.err;
  r = run({"user", "add", "officer1", "--role", "auditor", "--scope", "43", "--as", "admin"},
          "Admin-pass-2026", "Auditor-pass-2026");
  EXPECT_EQ(r.code, app::kExitConflict);
  r = run({"user", "add", "weak", "--role", "auditor", "--scope", "43", "--as", "admin"},
          "Admin-pass-2026", "short");
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_EQ(count("SELECT COUNT(*) FROM users"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE password_hash LIKE 'pbkdf2-sha256$600000$%'"),
            2);
}

TEST_P(UsersAndAudit, WrongPasswordsLockTheAccountAfterFive) {
  bootstrap();
  for (int i = 0; i < 5; ++i) {
    const auto r = run({"user", "list", "--as", "officer1"}, "wrong-password-1");
    EXPECT_EQ(r.code, app::kExitForbidden);
    EXPECT_NE(r.err.find("unknown user or wrong password"), std::string::npos) << r.err;
  }
  const auto locked = run({"user", "passwd", "officer1", "--as", "officer1"}, "Officer-pass-2026",
                          "Officer-new-2026");
  EXPECT_EQ(locked.code, app::kExitForbidden);
  // The same words as a wrong password: the lock shows in the audit log and the user list.
  EXPECT_NE(locked.err.find("unknown user or wrong password"), std::string::npos) << locked.err;
  EXPECT_EQ(locked.err.find("locked"), std::string::npos) << locked.err;
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'"), 6);
  {
    auto db = scratch.open();
    EXPECT_EQ(testing::countAuditWords(*db, "login.failed", "wrong password (5), locked until "),
              1);
  }
  const auto list = run({"user", "list", "--as", "admin"}, "Admin-pass-2026");
  EXPECT_NE(list.out.find("locked until"), std::string::npos) << list.out;
  // A sysadmin's password change unlocks it.
  ASSERT_EQ(
      run({"user", "passwd", "officer1", "--as", "admin"}, "Admin-pass-2026", "Officer-new-2026")
          .code,
      0);
  EXPECT_EQ(run({"user", "passwd", "officer1", "--as", "officer1"}, "Officer-new-2026",
                "Officer-newer-2026")
                .code,
            0);
}

TEST_P(UsersAndAudit, ADisabledUserCannotLogIn) {
  bootstrap();
  ASSERT_EQ(run({"user", "disable", "officer1", "--as", "admin"}, "Admin-pass-2026").code, 0);
  const auto r = run({"user", "passwd", "officer1", "--as", "officer1"}, "Officer-pass-2026",
                     "Officer-new-2026");
  EXPECT_EQ(r.code, app::kExitForbidden);
  EXPECT_NE(r.err.find("unknown user or wrong password"), std::string::npos) << r.err;
  {
    auto db = scratch.open();
    const auto failed = testing::auditWords(*db, "login.failed");
    EXPECT_EQ(std::count(failed.begin(), failed.end(), "disabled"), 1);
  }
  EXPECT_EQ(run({"user", "disable", "admin", "--as", "admin"}, "Admin-pass-2026").code,
            app::kExitForbidden);
}

TEST_P(UsersAndAudit, TheAuditChainVerifiesAndNamesTampering) {
  bootstrap();
  ASSERT_EQ(run({"user", "disable", "officer1", "--as", "admin"}, "Admin-pass-2026").code, 0);
  ASSERT_EQ(run({"user", "enable", "officer1", "--as", "admin"}, "Admin-pass-2026").code, 0);
  const int64_t n = count("SELECT COUNT(*) FROM audit_events");
  ASSERT_GE(n, 6);
  auto ok = run({"audit", "verify"});
  EXPECT_EQ(ok.code, 0);
  EXPECT_NE(ok.out.find("intact: " + std::to_string(n) + " events"), std::string::npos) << ok.out;

  exec("UPDATE audit_events SET after_state = 'auditor 43' WHERE seq = 4");
  auto edited = run({"audit", "verify"});
  EXPECT_EQ(edited.code, app::kExitConflict);
  EXPECT_NE(edited.out.find("BROKEN at event 4"), std::string::npos) << edited.out;
}

TEST_P(UsersAndAudit, DeletedAuditEventsAreFound) {
  bootstrap();
  ASSERT_EQ(run({"user", "disable", "officer1", "--as", "admin"}, "Admin-pass-2026").code, 0);
  exec("DELETE FROM audit_events WHERE seq = 3");
  auto deleted = run({"audit", "verify"});
  EXPECT_EQ(deleted.code, app::kExitConflict);
  EXPECT_NE(deleted.out.find("BROKEN at event 4"), std::string::npos) << deleted.out;
}

TEST_P(UsersAndAudit, ReorderedAuditEventsAreFound) {
  bootstrap();
  ASSERT_EQ(run({"user", "disable", "officer1", "--as", "admin"}, "Admin-pass-2026").code, 0);
  // Swap the contents of events 2 and 3 (keeping positions): the links no longer hold.
  exec("UPDATE audit_events SET seq = 1000 WHERE seq = 2");
  exec("UPDATE audit_events SET seq = 2 WHERE seq = 3");
  exec("UPDATE audit_events SET seq = 3 WHERE seq = 1000");
  auto reordered = run({"audit", "verify"});
  EXPECT_EQ(reordered.code, app::kExitConflict);
  EXPECT_NE(reordered.out.find("BROKEN at event 2"), std::string::npos) << reordered.out;
}

TEST_P(UsersAndAudit, TheDatabaseRefusesAForkedChain) {
  bootstrap();
  try {
    exec(
        "INSERT INTO audit_events (seq, at, actor, action, object, before_state, after_state, "
        "prev_hash, hash) "
        "SELECT 99, at, actor, action, object, before_state, after_state, prev_hash, 'x' FROM "
        "audit_events WHERE seq = 2");
    FAIL() << "two events claiming the same predecessor were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, UsersAndAudit, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
