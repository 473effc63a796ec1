#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

#include "common/Error.h"
#include "security/PasswordHasher.h"
#include "security/Users.h"
#include "store/Migrations.h"
#include "store/SqlSecurityStore.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

using security::PasswordHasher;

class Login : public ::testing::TestWithParam<std::string> {
 protected:
  Login() : scratch(GetParam()), db(scratch.open()), store(*db) {
    store::migrate(*db);
    security::User u;
    u.name = "officer";
    u.role = security::Role::kBureauOfficer;
    u.scope = "430121";
    u.password_hash = PasswordHasher().hash("Officer-pass-2026");  // the production cost
    u.created_on = u.updated_on = "2026-09-01T00:00:00+08:00";
    store.addUser(u);
  }

  /// This thread's CPU time: the work a login does, whatever else the machine is busy with.
  static double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }

  /// The refusal's message and the CPU time it took.
  std::pair<std::string, double> refused(const std::string& name, const std::string& password) {
    const double started = cpuSeconds();
    std::string message;
    try {
      (void)security::authenticate(store, PasswordHasher(), name, password);
      ADD_FAILURE() << name << " logged in";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kForbidden);
      message = e.what();
    }
    return {message, cpuSeconds() - started};
  }

  ScratchDatabase scratch;
  std::unique_ptr<store::Database> db;
  store::SqlSecurityStore store;
};

TEST_P(Login, UnknownWrongLockedAndDisabledLookAndTakeTheSame) {
  (void)refused("nobody", "warm-up");  // the dummy hash is made once per process
  std::vector<double> unknown, wrong, locked;
  std::string unknown_says, wrong_says, locked_says, disabled_says;
  for (int i = 0; i < 3; ++i) {
    auto u = refused("nobody-" + std::to_string(i), "Officer-pass-2026");
    unknown.push_back(u.second);
    unknown_says = u.first;
    auto w = refused("officer", "Wrong-pass-2026");
    wrong.push_back(w.second);
    wrong_says = w.first;
  }
  for (int i = 0; i < 2; ++i) (void)refused("officer", "Wrong-pass-2026");  // five: locked
  for (int i = 0; i < 2; ++i) {
    auto l = refused("officer", "Officer-pass-2026");
    locked.push_back(l.second);
    locked_says = l.first;
  }
  auto user = *store.findUser("officer");
  ASSERT_FALSE(user.locked_until.empty());
  user.locked_until.clear();
  user.disabled = true;
  store.updateUser(user);
  disabled_says = refused("officer", "Officer-pass-2026").first;

  EXPECT_EQ(unknown_says, wrong_says);
  EXPECT_EQ(locked_says, wrong_says);
  EXPECT_EQ(disabled_says, wrong_says);
  EXPECT_EQ(wrong_says.find("officer"), std::string::npos) << wrong_says;
  // Every refusal does one PBKDF2 at the production cost, so none takes markedly less work (the
  // least CPU time of each kind, against the least of a wrong password).
  const double w = *std::min_element(wrong.begin(), wrong.end());
  for (const auto* times : {&unknown, &locked}) {
    const double t = *std::min_element(times->begin(), times->end());
    EXPECT_GT(t, 0.6 * w) << "wrong " << w << " s, this " << t << " s";
    EXPECT_LT(t, 1.6 * w) << "wrong " << w << " s, this " << t << " s";
  }
}

TEST_P(Login, APasswordChangeOrDisableRevokesEverySessionOfTheUser) {
  const auto a =
      security::openSession(store, PasswordHasher::forTests(), "officer", "Officer-pass-2026", 30);
  const auto b =
      security::openSession(store, PasswordHasher::forTests(), "officer", "Officer-pass-2026", 30);
  security::User admin;
  admin.name = "admin";
  admin.role = security::Role::kSysadmin;
  admin.scope = "*";
  ASSERT_TRUE(security::sessionUser(store, a.token));
  (void)security::changeUser(store, admin, "officer", "passwd", "Officer-new-2026");
  EXPECT_FALSE(security::sessionUser(store, a.token));
  EXPECT_FALSE(security::sessionUser(store, b.token));

  const auto c =
      security::openSession(store, PasswordHasher::forTests(), "officer", "Officer-new-2026", 30);
  (void)security::changeUser(store, admin, "officer", "disable");
  (void)security::changeUser(store, admin, "officer", "enable");
  EXPECT_FALSE(security::sessionUser(store, c.token)) << "enable does not revive a session";
  const auto d =
      security::openSession(store, PasswordHasher::forTests(), "officer", "Officer-new-2026", 30);
  (void)security::changeUser(store, admin, "officer", "enable");
  EXPECT_TRUE(security::sessionUser(store, d.token)) << "enabling an enabled user ends nothing";
}

INSTANTIATE_TEST_SUITE_P(Backends, Login, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
