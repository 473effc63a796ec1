// The operation log and the upload histories read from the audit chain: filters, pages, and who
// sees which events, on every backend.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <sstream>

#include "app/Cli.h"

#include "common/Catalogue.h"
#include "common/Error.h"
#include "security/AuditLog.h"
#include "store/Migrations.h"
#include "store/SqlAuditLog.h"
#include "store/SqlSecurityStore.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

using security::Role;

const std::string kDigest(64, 'a');

class AuditLog : public ::testing::TestWithParam<std::string> {
 protected:
  AuditLog() : scratch(GetParam()), db(scratch.open()), users(*db), log(*db) {
    store::migrate(*db);
    store::execute(*db,
                   "INSERT INTO schools (code, name, region_code, stages, ownership) VALUES "
                   "('4301210001', '一中', '430121', 'junior', 'public'), "
                   "('4301220001', '二中', '430122', 'junior', 'public')");
    add("school_a", Role::kSchoolAdmin, "4301210001");
    add("school_b", Role::kSchoolAdmin, "4301220001");
    add("officer_a", Role::kBureauOfficer, "430121");
    add("officer_b", Role::kBureauOfficer, "430122");
    add("auditor_a", Role::kAuditor, "430121");
    add("auditor_p", Role::kAuditor, "43");
    add("bank", Role::kBankOperator, "102");
    add("admin", Role::kSysadmin, "*");
    ::setenv("EDUPAY_NOW", "1788228000", 1);  // 2026-09-01 10:00 (UTC+8)
    event("school_a", "roll.import", "school:4301210001", "", rollSummary("a.csv", 10, 9, 1, 9));
    event("school_b", "roll.import", "school:4301220001", "", rollSummary("b.csv", 5, 5, 0, 5));
    event("admin", "user.add", "user:officer_a", "", "bureau_officer 430121");
    event("admin", "regions.import", "regions", "", "r.csv sha256 " + kDigest + ": 3 added");
    for (int i = 0; i < 120; ++i) event("officer_a", "login", "user:officer_a", "", "session");
    ::setenv("EDUPAY_NOW", "1789437600", 1);  // 2026-09-15
    // The events above are text, as an older release wrote them; these are messages, as the use
    // cases write them now. The log and the upload histories read both.
    event("school_a", "roll.import", "school:4301210001", Message(),
          msg("audit.rec.roll.import",
              {arg("file", "a.csv"), arg("sha256", kDigest), arg("rows", 10), arg("ok", 10),
               arg("skipped", 0), arg("students_new", 0), arg("students_changed", 0),
               arg("opened", 0), arg("transfers", 0), arg("accounts_added", 0),
               arg("accounts_replaced", 0)}));
    event("officer_a", "school.account", "school:4301210001",
          msg("audit.rec.school_account", {arg("account", "6222********1111"),
                                           arg("bank", "102100000001"), arg("holder", "一中")}),
          msg("audit.rec.school_account.changed",
              {arg("account", "6222020200112233445"), arg("bank", "102100000001"),
               arg("holder", "一中"), arg("released", 0)}));
    event("bank", "bank.import_result", "result:1", Message(),
          msg("audit.rec.bank.import_result",
              {arg("file", "r1.txt"), arg("sha256", kDigest), arg("paid", 7),
               arg("paid_total", "700.00"), arg("returned", 1), arg("returned_total", "100.00"),
               arg("returned_late", 0), arg("pending", 0), arg("unchanged", 0),
               words("batches", "3（已全部发放）", "3 settled")}));
    ::unsetenv("EDUPAY_NOW");
  }
  ~AuditLog() override { ::unsetenv("EDUPAY_NOW"); }

  static std::string rollSummary(const std::string& file, int rows, int ok, int bad, int added) {
    return file + " sha256 " + kDigest + ": " + std::to_string(rows) + " rows, " +
           std::to_string(ok) + " ok, " + std::to_string(bad) + " skipped; students " +
           std::to_string(added) + " new, 0 changed; enrollments " + std::to_string(added) +
           " opened, 0 transfers; accounts 0 added, 0 replaced";
  }
  void add(const std::string& name, Role role, const std::string& scope) {
    security::User u;
    u.name = name;
    u.role = role;
    u.scope = scope;
    u.password_hash = "x";
    u.created_on = u.updated_on = "2026-09-01T00:00:00+08:00";
    users.addUser(u);
    who[name] = u;
  }
  void event(const std::string& actor, const std::string& action, const std::string& object,
             const std::string& before, const std::string& after) {
    auto tx = users.transaction();
    security::appendAudit(users, actor, action, object, before, after);
    tx->commit();
  }
  void event(const std::string& actor, const std::string& action, const std::string& object,
             const Message& before, const Message& after) {
    auto tx = users.transaction();
    security::appendAudit(users, actor, action, object, before, after);
    tx->commit();
  }
  security::AuditPage read(const std::string& as, security::AuditQuery q) {
    return security::auditLog(log, who.at(as), q);
  }

  ScratchDatabase scratch;
  std::unique_ptr<store::Database> db;
  store::SqlSecurityStore users;
  store::SqlAuditLog log;
  std::map<std::string, security::User> who;
};

TEST_P(AuditLog, PagesNewestFirstThroughAFilteredUser) {
  security::AuditQuery q;
  q.user = "officer_a";
  q.action = "login";
  const auto first = read("auditor_p", q);
  ASSERT_EQ(first.entries.size(), 50u);
  EXPECT_TRUE(first.more);
  for (size_t i = 1; i < first.entries.size(); ++i)
    EXPECT_GT(first.entries[i - 1].event.seq, first.entries[i].event.seq);
  q.page = 3;
  const auto last = read("auditor_p", q);
  EXPECT_EQ(last.entries.size(), 20u);
  EXPECT_FALSE(last.more);
  EXPECT_LT(last.entries.front().event.seq, first.entries.back().event.seq);
  q.page = 4;
  EXPECT_TRUE(read("auditor_p", q).entries.empty());
}

TEST_P(AuditLog, FiltersByActionFamilyObjectAndDate) {
  security::AuditQuery q;
  q.action = "roll";  // the family: roll.import
  EXPECT_EQ(read("auditor_p", q).entries.size(), 3u);
  q.action = "roll.import";
  q.object = "school:4301210001";
  EXPECT_EQ(read("auditor_p", q).entries.size(), 2u);
  q.object = "school";  // every school
  EXPECT_EQ(read("auditor_p", q).entries.size(), 3u);
  q = {};
  q.from = "2026-09-15";
  const auto late = read("admin", q);
  ASSERT_EQ(late.entries.size(), 3u);
  for (const auto& e : late.entries) EXPECT_GE(e.event.at, "2026-09-15");
  q = {};
  q.page_size = 200;
  q.to = "2026-09-01";
  EXPECT_EQ(read("admin", q).entries.size(), 124u);
  q.user = "nobody";
  EXPECT_TRUE(read("admin", q).entries.empty());
}

TEST_P(AuditLog, AnAuditorSeesTheObjectsOfTheirRegionOnly) {
  security::AuditQuery q;
  q.action = "roll.import";
  const auto county = read("auditor_a", q);
  ASSERT_EQ(county.entries.size(), 2u);  // not the other county's school
  for (const auto& e : county.entries) EXPECT_EQ(e.scope.region, "430121");
  q = {};
  q.action = "regions.import";  // placed nowhere: a province-wide auditor and sysadmins only
  EXPECT_TRUE(read("auditor_a", q).entries.empty());
  EXPECT_EQ(read("auditor_p", q).entries.size(), 1u);
  EXPECT_EQ(read("admin", q).entries.size(), 1u);
  q.action = "user.add";  // about a user of the county
  EXPECT_EQ(read("auditor_a", q).entries.size(), 1u);
}

TEST_P(AuditLog, AnIdAfterALineBreakInFreeTextIsMaskedInTheRecordToo) {
  // A complaint note typed on two lines: in the stored form the line break is \u000a.
  event("officer_a", "complaint.note", "complaint:1", Message(),
        Message::literal("家长来电核实\n身份证 430121200801011234"));
  security::AuditQuery q;
  q.action = "complaint.note";
  const auto page = read("admin", q);
  ASSERT_EQ(page.entries.size(), 1u);
  const auto& e = page.entries[0].event;
  EXPECT_EQ(e.after.find("200801011234"), std::string::npos) << e.after;
  EXPECT_NE(e.after.find("4301**********1234"), std::string::npos) << e.after;
  EXPECT_EQ(security::auditText(e.after, Lang::kZh), "家长来电核实\n身份证 4301**********1234");
}

TEST_P(AuditLog, ShowsBeforeAndAfterWithAccountsMasked) {
  security::AuditQuery q;
  q.action = "school.account";
  const auto page = read("auditor_a", q);
  ASSERT_EQ(page.entries.size(), 1u);
  const auto& e = page.entries[0].event;
  EXPECT_EQ(security::auditText(e.before, Lang::kEn),
            "6222********1111 at 102100000001, holder 一中");
  EXPECT_EQ(security::auditText(e.before, Lang::kZh),
            "6222********1111，开户行 102100000001，户名 一中");
  for (const auto& text : {e.after, security::auditText(e.after, Lang::kEn),
                           security::auditText(e.after, Lang::kZh)}) {
    EXPECT_EQ(text.find("6222020200112233445"), std::string::npos) << text;
    EXPECT_NE(text.find("6222***********3445"), std::string::npos) << text;
  }
  EXPECT_EQ(security::actionName(e.action), "登记学校账户");
}

TEST_P(AuditLog, RefusesOtherRolesAndBadQueries) {
  security::AuditQuery q;
  for (const char* name : {"officer_a", "school_a", "bank"}) {
    try {
      (void)read(name, q);
      ADD_FAILURE() << name << " read the log";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kForbidden);
      EXPECT_EQ(e.message().code(), "audit.readers");
      EXPECT_NE(i18n::render(e.message(), Lang::kZh).find("操作日志"), std::string::npos)
          << e.what();
    }
  }
  for (auto bad : {std::pair<std::string, std::string>{"2026-13-01", ""},
                   {"", "1 Sept"},
                   {"2026-09-30", "2026-09-01"}}) {
    q.from = bad.first;
    q.to = bad.second;
    EXPECT_THROW((void)read("admin", q), Error) << bad.first << " " << bad.second;
  }
  q = {};
  q.page = 0;
  EXPECT_THROW((void)read("admin", q), Error);
}

TEST_P(AuditLog, UploadHistoriesForTheSchoolTheBankAndTheCounty) {
  const auto mine = security::uploadHistory(log, who.at("school_a"), "roll", 1, 50);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_TRUE(mine[0].unchanged);  // the same roll again, newest first
  EXPECT_FALSE(mine[1].unchanged);
  EXPECT_EQ(mine[1].file_name, "a.csv");
  EXPECT_EQ(mine[1].actor, "school_a");
  EXPECT_EQ(mine[1].rows, 10);
  EXPECT_EQ(mine[1].rows_ok, 9);
  EXPECT_EQ(mine[1].rows_bad, 1);
  EXPECT_EQ(mine[1].students_new, 9);
  EXPECT_EQ(mine[1].at.substr(0, 10), "2026-09-01");
  EXPECT_EQ(security::uploadHistory(log, who.at("school_b"), "roll", 1, 50).size(), 1u);
  EXPECT_EQ(security::uploadHistory(log, who.at("officer_b"), "roll", 1, 50).size(), 1u);
  EXPECT_EQ(security::uploadHistory(log, who.at("auditor_p"), "roll", 1, 50).size(), 3u);
  bool more = true;
  EXPECT_EQ(security::uploadHistory(log, who.at("auditor_p"), "roll", 2, 2, &more).size(), 1u);
  EXPECT_FALSE(more);

  const auto bank = security::uploadHistory(log, who.at("bank"), "result", 1, 50);
  ASSERT_EQ(bank.size(), 1u);
  EXPECT_EQ(bank[0].file_name, "r1.txt");
  EXPECT_EQ(bank[0].scope.bank, "102");
  EXPECT_EQ(bank[0].paid, 7);
  EXPECT_EQ(bank[0].paid_total, "700.00");
  EXPECT_EQ(bank[0].returned, 1);
  EXPECT_EQ(bank[0].returned_total, "100.00");
  EXPECT_FALSE(bank[0].unchanged);
  // Its words in the reader's language; the older roll records as they were written.
  EXPECT_EQ(security::auditText(bank[0].summary, Lang::kEn),
            "r1.txt sha256 " + kDigest +
                ": 7 paid (700.00), 1 returned (100.00; 0 of them after being paid), 0 pending, 0 "
                "unchanged; batches 3 settled");
  EXPECT_NE(security::auditText(bank[0].summary, Lang::kZh).find("成功 7 笔（700.00 元）"),
            std::string::npos)
      << security::auditText(bank[0].summary, Lang::kZh);
  EXPECT_EQ(security::auditText(mine[1].summary, Lang::kZh), rollSummary("a.csv", 10, 9, 1, 9));
  EXPECT_THROW((void)security::uploadHistory(log, who.at("bank"), "roll", 1, 50), Error);
  EXPECT_THROW((void)security::uploadHistory(log, who.at("school_a"), "result", 1, 50), Error);
  EXPECT_THROW((void)security::uploadHistory(log, who.at("school_a"), "budget", 1, 50), Error);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLog, ::testing::ValuesIn(testBackends()));

/// `edupay audit log`: the same use case and JSON from the command line.
class AuditLogCli : public ::testing::TestWithParam<std::string> {
 protected:
  AuditLogCli() : scratch(GetParam()), actors(scratch.url(), scratch.dir()) {}
  std::pair<int, std::string> run(std::vector<std::string> args, const std::string& as = "") {
    if (as.empty()) {
      args = actors.with(std::move(args));
    } else {
      args.insert(args.end(), {"--as", as, "--credential", scratch.dir() + "/" + as + ".cred"});
    }
    args.insert(args.begin(), {"--db", scratch.url()});
    std::ostringstream out, err;
    const int code = app::runCli(args, out, err);
    return {code, out.str() + err.str()};
  }
  static Poco::JSON::Array::Ptr events(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>()->getArray("events");
  }
  ScratchDatabase scratch;
  CliActors actors;
};

TEST_P(AuditLogCli, ListsFiltersAndScopesLikeTheApi) {
  auto add = actors.admin();
  add.insert(add.begin(), {"user", "add", "county_auditor", "--role", "auditor", "--scope",
                           "430122", "--credential-file", scratch.dir() + "/county_auditor.cred"});
  ASSERT_EQ(run(add).first, 0);
  auto officer = actors.officer();
  officer.insert(officer.begin(),
                 {"audit", "log", "--json", "--lang", "zh", "--action", "user.add"});
  auto [code, out] = run(officer);
  ASSERT_NE(code, 0) << "a bureau officer does not read the log: " << out;
  EXPECT_NE(out.find("操作日志仅审计人员和系统管理员可查看"), std::string::npos) << out;
  EXPECT_NE(out.find("\"message_code\": \"audit.readers\""), std::string::npos) << out;
  auto admin = actors.admin();
  admin.insert(admin.begin(), {"audit", "log", "--json", "--action", "user.add"});
  std::tie(code, out) = run(admin);
  ASSERT_EQ(code, 0) << out;
  const auto added = events(out);
  ASSERT_EQ(added->size(), 3u) << out;  // setup-admin, svc-import, county_auditor; newest first
  EXPECT_EQ(added->getObject(0)->getValue<std::string>("object"), "user:county_auditor");
  // The reader's language: English here (the tests' locale), Chinese with --lang zh.
  EXPECT_EQ(added->getObject(0)->getValue<std::string>("action_name"), "add user");
  EXPECT_EQ(added->getObject(0)->getValue<std::string>("after"), "auditor 430122 (service account)")
      << out;
  admin.insert(admin.end(), {"--lang", "zh"});
  std::tie(code, out) = run(admin);
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(events(out)->getObject(0)->getValue<std::string>("action_name"), "新增用户");
  EXPECT_EQ(events(out)->getObject(0)->getValue<std::string>("after"),
            "审计人员，管辖范围 430122（服务账户）")
      << out;
  // The county's auditor sees the county's events only: not the provincial officer's.
  std::tie(code, out) = run({"audit", "log", "--json"}, "county_auditor");
  ASSERT_EQ(code, 0) << out;
  const auto mine = events(out);
  ASSERT_GE(mine->size(), 2u) << out;  // their own login and their account being added
  for (size_t i = 0; i < mine->size(); ++i)
    EXPECT_EQ(mine->getObject(i)->getValue<std::string>("region"), "430122") << out;
  std::tie(code, out) = run({"audit", "log", "--page", "two"}, "county_auditor");
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("page"), std::string::npos) << out;
  std::tie(code, out) = run({"audit", "log", "--user", "county_auditor"}, "county_auditor");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("log in (login)"), std::string::npos) << out;
  EXPECT_NE(out.find("auditor 430122"), std::string::npos) << out;
  std::tie(code, out) =
      run({"audit", "log", "--user", "county_auditor", "--lang", "zh"}, "county_auditor");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("登录 (login)"), std::string::npos) << out;
  EXPECT_NE(out.find("审计人员，管辖范围 430122"), std::string::npos) << out;
  EXPECT_NE(out.find("第 1 页"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogCli, ::testing::ValuesIn(testBackends()));

}  // namespace
}  // namespace edupay::testing
