// `edupay identify` end to end on a generated county, on every backend: each step with --json,
// the exit code of each refusal, and the entitlement run using the identified level.

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/Cli.h"
#include "common/Text.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

constexpr const char* kSchool = "1430121002";  // a primary school of county 430121

class IdentifyCli : public ::testing::TestWithParam<std::string> {
 protected:
  IdentifyCli() : scratch(GetParam()), actors(scratch.url(), scratch.dir()) {}
  ~IdentifyCli() override { ::unsetenv("EDUPAY_TODAY"); }

  struct Result {
    int code;
    std::string out, err;
    Poco::JSON::Object::Ptr json() const {
      return Poco::JSON::Parser().parse(out).extract<Poco::JSON::Object::Ptr>();
    }
  };
  Result run(std::vector<std::string> args) {
    args = actors.with(std::move(args));
    args.insert(args.begin(), {"--db", scratch.url(), "--key-file", scratch.dir() + "/k.key"});
    std::ostringstream out, err;
    const int code = app::runCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  /// `args` acting as the account `name` (a credential file made by addUser).
  Result as(const std::string& name, std::vector<std::string> args) {
    args.insert(args.end(), {"--as", name, "--credential", scratch.dir() + "/" + name + ".cred"});
    return run(std::move(args));
  }
  void addUser(const std::string& name, const std::string& role, const std::string& scope) {
    auto args = actors.admin();
    args.insert(args.begin(), {"user", "add", name, "--role", role, "--scope", scope,
                               "--credential-file", scratch.dir() + "/" + name + ".cred"});
    const auto r = run(args);
    ASSERT_EQ(r.code, 0) << r.err;
  }

  ScratchDatabase scratch;
  CliActors actors;
};

TEST_P(IdentifyCli, OneSchoolFromTheRostersToTheSpotCheckAndTheRunUsesTheLevel) {
  const std::string d = scratch.dir() + "/prov";
  ASSERT_EQ(run({"synth", "--students", "400", "--seed", "7", "--out", d}).code, 0);
  ASSERT_EQ(run({"keygen"}).code, 0);
  ASSERT_EQ(run({"import", "regions", d + "/regions.csv"}).code, 0);
  ASSERT_EQ(run({"import", "schools", d + "/schools.csv"}).code, 0);
  for (const auto& e : std::filesystem::directory_iterator(d + "/roll")) {
    const auto r = run({"import", "roll", e.path().string(), "--as-of", "2026-10-08"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }
  std::set<std::string> on_roster;
  for (const char* s : {"poverty", "civil_affairs", "disabled", "orphan"}) {
    ASSERT_EQ(run({"import", "roster", d + "/rosters/" + s + ".csv", "--source", s}).code, 0);
    std::ifstream in(d + "/rosters/" + s + ".csv");
    for (std::string line; std::getline(in, line);) on_roster.insert(text::split(line, ',').at(2));
  }
  ASSERT_EQ(
      run({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  // A boarder whose household no roster lists.
  std::string rid;
  {
    std::ifstream in(d + "/roll/" + kSchool + "-430121.csv");
    std::string line;
    std::getline(in, line);
    while (rid.empty() && std::getline(in, line)) {
      const auto f = text::split(line, ',');
      if (f.size() > 21 && f[11] == "Y" && f[13] == "active" && f[21].empty() &&
          !on_roster.count(f[15]))
        rid = f[0];
    }
  }
  ASSERT_FALSE(rid.empty());
  addUser("clerk", "school_admin", kSchool);
  addUser("head", "school_approver", kSchool);
  addUser("county", "bureau_officer", "430121");
  addUser("elsewhere", "bureau_officer", "430122");

  auto r = as("clerk", {"--json", "identify", "open", "--school", kSchool, "--year", "2026",
                        "--as-of", "2026-09-01"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string round = std::to_string(r.json()->getValue<int64_t>("id"));
  EXPECT_EQ(r.json()->getValue<std::string>("status"), "open");
  r = as("clerk", {"identify", "apply", round, rid, "--members", "5", "--indicators",
                   "serious_illness,income_below_local_min", "--details", "母亲重病住院"});
  EXPECT_EQ(r.code, 2) << r.out;  // no signed commitment
  EXPECT_NE(r.err.find("承诺书"), std::string::npos) << r.err;
  r = as("clerk", {"--json", "identify", "apply", round, rid, "--members", "5", "--indicators",
                   "serious_illness,income_below_local_min", "--details", "母亲重病住院",
                   "--commitment-date", "2026-09-03"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string case_id = std::to_string(r.json()->getValue<int64_t>("id"));
  EXPECT_EQ(r.out.find("母亲重病住院"), std::string::npos);  // never shown outside `family`
  r = as("clerk", {"--json", "identify", "assess", case_id, "--indicators",
                   "serious_illness,income_below_local_min", "--teacher", "王老师",
                   "--representatives", "李同学,赵同学", "--level", "difficult"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json()->getValue<int>("score"), 45);
  EXPECT_EQ(as("clerk", {"identify", "decide", case_id}).code, 5);  // maker-checker
  ASSERT_EQ(as("head", {"identify", "decide", case_id}).code, 0);
  EXPECT_EQ(as("elsewhere", {"identify", "show", round}).code, 3);  // out of scope: not found
  r = as("county", {"--json", "identify", "family", case_id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json()->getValue<std::string>("details"), "母亲重病住院");

  ::setenv("EDUPAY_TODAY", "2026-09-07", 1);
  r = as("clerk", {"--json", "identify", "notice", round, "--out", scratch.dir() + "/notices"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json()->getValue<std::string>("window_ends"), "2026-09-14");
  std::ifstream csv(r.json()->getValue<std::string>("csv"));
  const std::string notice((std::istreambuf_iterator<char>(csv)), {});
  EXPECT_NE(notice.find("姓名,班级,认定等级"), std::string::npos);
  EXPECT_EQ(notice.find(rid.substr(0, 6) + "*"), std::string::npos);
  r = as("clerk", {"identify", "file", round});
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.err.find("公示期未满"), std::string::npos) << r.err;
  ::setenv("EDUPAY_TODAY", "2026-09-15", 1);
  ASSERT_EQ(as("clerk", {"identify", "file", round}).code, 0);
  EXPECT_EQ(as("elsewhere", {"identify", "review", round, "--decision", "accept"}).code, 3);
  ASSERT_EQ(as("county", {"identify", "review", round, "--decision", "accept"}).code, 0);
  r = as("county", {"--json", "identify", "sample", round, "--seed", "42", "--percent", "100"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto drawn = r.json()->getArray("spot_checks");
  ASSERT_EQ(drawn->size(), 1u);  // the one application; special groups are not sampled
  const std::string check = std::to_string(drawn->getObject(0)->getValue<int64_t>("id"));
  ASSERT_EQ(
      as("county", {"identify", "check", check, "--outcome", "confirmed", "--as-of", "2026-10-20"})
          .code,
      0);
  r = as("county", {"--json", "identify", "report", "--region", "430121", "--year", "2026"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(r.json()->getArray("identified")->size(), 1u);
  EXPECT_EQ(r.json()->getObject("spot_checks")->getValue<int>("confirmed"), 1);

  ASSERT_EQ(run({"entitle", "--term", "2026-autumn"}).code, 0);
  r = run({"explain", rid, "--term", "2026-autumn"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("identified (identification " + case_id + " from 2026-09-01; score 45"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("spot check confirmed"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentifyCli, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
