// Families can see and report: the public look-up and the complaint channel, on every backend.
// The use cases directly (holds, flags, objections, due dates, the report) and the service over
// HTTP (what a family sees, mismatches indistinguishable from no record, rate limits, scope).
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <tuple>

#include "api/Service.h"
#include "app/Cli.h"
#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "disburse/Families.h"
#include "security/PasswordHasher.h"
#include "store/BatchFixture.h"
#include "store/SqlFamilyStore.h"

namespace edupay::testing {
namespace {

using security::Role;

constexpr const char* kTerm = "2026-autumn";

std::string childId(int seq) { return makeId("430121", "20170315", seq); }

/// The five children of the batch fixture (all named 张三, born 2017-03-15), the county's
/// officers and the family channel's use cases over the real store.
class FamilyChannel : public BatchFixture {
 protected:
  FamilyChannel() : fs(*f.db) {
    std::string key(security::FieldCipher::kKeyBytes, '\x01');
    std::array<uint8_t, security::FieldCipher::kKeyBytes> k{};
    std::copy(key.begin(), key.end(), k.begin());
    cipher = std::make_unique<security::FieldCipher>(k);
    // National Day 2026: 1-7 October off, Sunday 27 September and Saturday 10 October worked.
    for (int d = 1; d <= 7; ++d) holidays.addHoliday(*Date::fromYmd(2026, 10, d));
    holidays.addWorkday(*Date::fromYmd(2026, 9, 27));
    holidays.addWorkday(*Date::fromYmd(2026, 10, 10));
    for (const auto& u : {officer, other_county, auditor, approver1}) {
      security::User x = u;
      x.password_hash = "x";
      x.created_on = x.updated_on = "2026-09-01T00:00:00+08:00";
      audit.addUser(x);
    }
  }

  disburse::LookupKey key(int seq, const std::string& name = "张三",
                          const std::string& birth = "2017-03-15") {
    return *disburse::lookupKey(f.cipher, name, childId(seq), birth);
  }

  int64_t personOf(int seq) { return *fs.matchPerson(key(seq)); }

  disburse::FiledComplaint file(int64_t person, const std::string& category = "not_paid",
                                const Date& on = *Date::fromYmd(2026, 9, 25)) {
    disburse::ComplaintInput in;
    in.category = category;
    in.body = "孩子的补助一直没有收到，学校说已经发了。";
    in.contact_name = "张父";
    in.contact_phone = "138 0000 1234";
    in.person_id = person;
    if (!person) in.region = "430121";
    return disburse::fileComplaint(fs, audit, *cipher, in, holidays, on, 15);
  }

  std::map<std::string, std::string> names = {{kProgramme, "义务教育非寄宿生生活补助"}};
  store::SqlFamilyStore fs;
  std::unique_ptr<security::FieldCipher> cipher;
  HolidayCalendar holidays;
  security::User other_county = user("officer9", Role::kBureauOfficer, "430122");
  security::User auditor = user("auditor1", Role::kAuditor, "43");
};

TEST_P(FamilyChannel, TheLookupMatchesOnlyTheWholeKey) {
  const auto found = disburse::lookupAid(fs, audit, key(1), names);
  ASSERT_TRUE(found);
  int eligible = 0;
  for (const auto& l : found->lines) {
    EXPECT_EQ(l.term, kTerm);
    if (l.programme != kProgramme) {
      // What the child does not get says why in plain words, with no amount.
      EXPECT_EQ(l.decision, "not_eligible") << l.programme;
      EXPECT_FALSE(l.reason_zh.empty());
      EXPECT_EQ(l.amount.fen(), 0);
      continue;
    }
    ++eligible;
    EXPECT_EQ(l.programme_name, "义务教育非寄宿生生活补助");
    EXPECT_EQ(l.decision, "eligible");
    EXPECT_EQ(l.amount.toYuan(), "250.00");
    EXPECT_FALSE(l.paid);
    EXPECT_EQ(l.payment_zh, "尚未发放");
  }
  EXPECT_EQ(eligible, 1);
  EXPECT_EQ(found->region, "430121");
  // Each field wrong on its own, and a valid ID nobody has: no record, alike.
  EXPECT_FALSE(disburse::lookupAid(fs, audit, key(1, "张四"), names));
  EXPECT_FALSE(disburse::lookupAid(fs, audit, key(1, "张三", "2017-03-16"), names));
  EXPECT_FALSE(disburse::lookupAid(fs, audit, key(2), names));
  EXPECT_FALSE(disburse::lookupAid(fs, audit, std::nullopt, names));
  // The national student number `G` + ID is the same child.
  const auto by_number = disburse::lookupKey(f.cipher, "张三", "G" + childId(3), "2017年3月15日");
  ASSERT_TRUE(by_number);
  const auto found3 = disburse::lookupAid(fs, audit, by_number, names);
  ASSERT_TRUE(found3);
  EXPECT_NE(found3->person_id, found->person_id) << "never another student's record";
  // Audited under the public actor with the blind index, never the ID typed.
  int lookups = 0;
  for (const auto& e : audit.auditEvents(0, 1000)) {
    if (e.action != "family.lookup") continue;
    ++lookups;
    EXPECT_EQ(e.actor, disburse::kPublicActor);
    for (int seq : {1, 2, 3}) {
      EXPECT_EQ(e.object.find(childId(seq)), std::string::npos) << e.object;
      EXPECT_EQ(e.after.find(childId(seq)), std::string::npos) << e.after;
    }
  }
  EXPECT_EQ(lookups, 6);
}

TEST_P(FamilyChannel, TheDueDateCountsWorkingDaysOnTheHolidayCalendar) {
  const auto filed = file(personOf(1));
  // Friday 25 September + 15 working days: the make-up Sunday and Saturday count, the National
  // Day week does not.
  EXPECT_EQ(filed.due_on, "2026-10-21");
  EXPECT_EQ(filed.region, "430121");
  EXPECT_EQ(filed.tracking_code.size(), 19u);
  EXPECT_NE(file(personOf(1)).tracking_code, filed.tracking_code);
  const auto anonymous = file(0, "school_charged", *Date::fromYmd(2026, 11, 2));
  EXPECT_EQ(anonymous.due_on, "2026-11-23");
  // Overdue first, then by due date.
  const auto list = disburse::listComplaints(fs, officer, "", *Date::fromYmd(2026, 10, 22));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_TRUE(list[0].overdue(*Date::fromYmd(2026, 10, 22)));
  EXPECT_EQ(list[2].id, anonymous.id);
  EXPECT_FALSE(list[2].overdue(*Date::fromYmd(2026, 10, 22)));
}

TEST_P(FamilyChannel, BadFilingsAreRefusedNamingTheField) {
  auto refused = [&](const std::function<void(disburse::ComplaintInput&)>& change) {
    disburse::ComplaintInput in;
    in.category = "other";
    in.body = "学校收了资料费两百元。";
    in.region = "430121";
    change(in);
    return refusal([&] {
      (void)disburse::fileComplaint(fs, audit, *cipher, in, holidays, Date::today(), 15);
    });
  };
  EXPECT_NE(refused([](auto& in) { in.category = "spam"; }).find("category"), std::string::npos);
  EXPECT_NE(refused([](auto& in) { in.body = "短"; }).find("text"), std::string::npos);
  EXPECT_NE(refused([](auto& in) { in.body = std::string(1001 * 3, 'a'); }).find("at most"),
            std::string::npos);
  EXPECT_NE(refused([](auto& in) { in.body += "\x07"; }).find("control"), std::string::npos);
  EXPECT_NE(refused([](auto& in) { in.region = "999999"; }).find("region"), std::string::npos);
  EXPECT_NE(refused([](auto& in) { in.contact_phone = "call me"; }).find("phone"),
            std::string::npos);
  EXPECT_EQ(refused([](auto&) {}), "");
}

TEST_P(FamilyChannel, AComplaintIsAssignedInvestigatedAndClosedInScope) {
  const auto filed = file(personOf(1));
  // Another county's officer sees nothing: not found, not forbidden.
  EXPECT_TRUE(disburse::listComplaints(fs, other_county, "", Date::today()).empty());
  EXPECT_NE(refusal([&] {
              (void)disburse::showComplaint(fs, cipher.get(), other_county, filed.id);
            }).find("no complaint"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              (void)disburse::closeComplaint(fs, audit, other_county, filed.id, "confirmed",
                                             "查无此事。", Date::today());
            }).find("no complaint"),
            std::string::npos);
  // The contact is encrypted at rest; the county's officer reads it, the auditor a mask.
  {
    auto s = f.db->prepare("SELECT contact_enc, contact_mask FROM complaints WHERE id = ?");
    s->bind(1, filed.id);
    ASSERT_TRUE(s->next());
    EXPECT_EQ(s->getText(0).find("13800001234"), std::string::npos);
    EXPECT_EQ(s->getText(1).find("13800001234"), std::string::npos);
  }
  EXPECT_EQ(disburse::showComplaint(fs, cipher.get(), officer, filed.id).contact,
            "张父 13800001234");
  EXPECT_EQ(disburse::showComplaint(fs, cipher.get(), auditor, filed.id).contact.find("1234"),
            std::string::npos);
  // An auditor reads but never changes.
  EXPECT_FALSE(refusal([&] {
                 (void)disburse::noteComplaint(fs, audit, auditor, filed.id, "看过");
               }).empty());
  EXPECT_NE(refusal([&] {
              (void)disburse::assignComplaint(fs, audit, officer, filed.id, "officer9");
            }).find("bureau officer of county 430121"),
            std::string::npos);
  EXPECT_EQ(disburse::assignComplaint(fs, audit, officer, filed.id, "officer1").status, "assigned");
  (void)disburse::noteComplaint(fs, audit, officer, filed.id, "电话联系家长，核对银行流水。");
  const auto closed = disburse::closeComplaint(fs, audit, officer, filed.id, "confirmed",
                                               "经核实，补助已补发到家长账户。", Date::today());
  EXPECT_EQ(closed.outcome, "confirmed");
  EXPECT_FALSE(refusal([&] {
                 (void)disburse::closeComplaint(fs, audit, officer, filed.id, "not_confirmed",
                                                "再次关闭。", Date::today());
               }).empty());
  const auto seen = disburse::complaintByCode(fs, filed.tracking_code);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->status, "closed");
  EXPECT_EQ(seen->outcome_text, "经核实，补助已补发到家长账户。");
  EXPECT_FALSE(disburse::complaintByCode(fs, "2222-2222-2222-2222"));
  // One audit event per change, the filing under the public actor.
  std::vector<std::string> actions;
  for (const auto& e : audit.auditEvents(0, 1000))
    if (e.object == "complaint:" + std::to_string(filed.id))
      actions.push_back(e.actor + " " + e.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"public:family complaint.file", "officer1 complaint.assign",
                                      "officer1 complaint.note", "officer1 complaint.close"}));
  EXPECT_FALSE(security::verifyAudit(audit).broken);
}

TEST_P(FamilyChannel, AConfirmedComplaintHoldsTheChildUntilReleased) {
  const int64_t child = personOf(1);
  const auto filed = file(child, "wrong_account");
  EXPECT_NE(refusal([&] {
              (void)disburse::actOnComplaint(fs, audit, officer, filed.id, "hold", "", "");
            }).find("closed as confirmed"),
            std::string::npos);
  (void)disburse::closeComplaint(fs, audit, officer, filed.id, "confirmed",
                                 "账户不是家长本人的，已暂停发放。", Date::today());
  const auto held = disburse::actOnComplaint(fs, audit, officer, filed.id, "hold", "", "");
  ASSERT_EQ(held.links.size(), 1u);
  // The family reads it as held, in plain words; no batch takes it.
  const auto seen = disburse::lookupAid(fs, audit, key(1), names);
  ASSERT_TRUE(seen);
  for (const auto& l : seen->lines) {
    if (l.programme != kProgramme) continue;
    EXPECT_EQ(l.decision, "held");
    EXPECT_NE(l.reason_zh.find("投诉"), std::string::npos) << l.reason_zh;
  }
  const auto built = build();
  EXPECT_EQ(built.payments, 4) << "the held child is left out";
  // Linked both ways, and released with a reason.
  const auto links = fs.links(filed.id);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].kind, "hold");
  EXPECT_EQ(links[0].programme, kProgramme);
  EXPECT_EQ(disburse::releaseComplaintHolds(fs, audit, officer, filed.id, "账户已更正为家长本人。"),
            1);
  EXPECT_EQ(build().payments, 1);
}

TEST_P(FamilyChannel, AConfirmedComplaintFlagsThePaymentAndOpensAnObjection) {
  const int64_t batch = build().batch_ids.at(0);
  const auto filed = file(personOf(3), "ineligible_paid");
  (void)disburse::closeComplaint(fs, audit, officer, filed.id, "confirmed",
                                 "家庭经济状况已好转，不应享受。", Date::today());
  EXPECT_NE(refusal([&] {
              (void)disburse::actOnComplaint(fs, audit, officer, filed.id, "hold", "", "");
            }).find("no open entitlement"),
            std::string::npos);
  const auto flagged =
      disburse::actOnComplaint(fs, audit, officer, filed.id, "flag", kProgramme, kTerm);
  ASSERT_EQ(flagged.links.size(), 1u);
  const auto flag = store.flag(flagged.links[0].flag_id);
  ASSERT_TRUE(flag);
  EXPECT_EQ(flag->kind, "complaint");
  EXPECT_EQ(flag->batch_id, batch);
  EXPECT_NE(flag->evidence.find("#" + std::to_string(filed.id)), std::string::npos);
  EXPECT_EQ(fs.complaintsOfFlag(flag->id), std::vector<int64_t>{filed.id});
  // The approver must clear it first.
  disburse::submitBatch(store, audit, officer, batch);
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, approver1, batch);
            }).find("precision flag"),
            std::string::npos);
  const auto objected =
      disburse::actOnComplaint(fs, audit, officer, filed.id, "objection", kProgramme, kTerm);
  ASSERT_EQ(objected.links.size(), 1u);
  EXPECT_EQ(fs.complaintsOfObjection(objected.links[0].objection_id),
            std::vector<int64_t>{filed.id});
  EXPECT_EQ(store.openObjections(batch), 1);
  EXPECT_EQ(fs.links(filed.id).size(), 2u);
  // Acting on a complaint about no child is refused in words.
  const auto anonymous = file(0, "other");
  (void)disburse::closeComplaint(fs, audit, officer, anonymous.id, "confirmed", "已转学校整改。",
                                 Date::today());
  EXPECT_NE(refusal([&] {
              (void)disburse::actOnComplaint(fs, audit, officer, anonymous.id, "flag", kProgramme,
                                             kTerm);
            }).find("names no child"),
            std::string::npos);
}

TEST_P(FamilyChannel, TheReportCountsByCategoryCountyOutcomeAndDaysToClose) {
  const auto a = file(personOf(1), "not_paid", *Date::fromYmd(2026, 9, 1));
  const auto b = file(0, "school_charged", *Date::fromYmd(2026, 9, 2));
  (void)file(0, "school_charged", *Date::fromYmd(2026, 9, 3));
  (void)disburse::closeComplaint(fs, audit, officer, a.id, "confirmed", "已补发到家长账户。",
                                 *Date::fromYmd(2026, 9, 11));
  (void)disburse::closeComplaint(fs, audit, officer, b.id, "referred", "已转市场监管部门。",
                                 *Date::fromYmd(2026, 9, 4));
  const auto r = disburse::complaintReport(
      disburse::listComplaints(fs, auditor, "", *Date::fromYmd(2026, 10, 1)),
      *Date::fromYmd(2026, 10, 1));
  EXPECT_EQ(r.total, 3);
  EXPECT_EQ(r.open, 1);
  EXPECT_EQ(r.overdue, 1);
  EXPECT_EQ(r.by_category.at("school_charged"), 2);
  EXPECT_EQ(r.by_county.at("430121"), 3);
  EXPECT_EQ(r.by_outcome.at("confirmed"), 1);
  EXPECT_EQ(r.by_outcome.at("referred"), 1);
  EXPECT_EQ(r.days_to_close.at("0-5"), 1);
  EXPECT_EQ(r.days_to_close.at("6-15"), 1);
  EXPECT_EQ(r.max_days_to_close, 10);
  EXPECT_DOUBLE_EQ(r.mean_days_to_close, 6.0);
  EXPECT_TRUE(
      disburse::listComplaints(fs, user("aud44", Role::kAuditor, "44"), "", Date::today()).empty());
}

TEST_P(FamilyChannel, TheCountyWorksComplaintsFromTheCommandLine) {
  const auto filed = file(personOf(1), "amount_wrong");
  const std::string secret = security::randomSecret();
  (void)security::addServiceAccount(audit, user("root", Role::kSysadmin, "*"), "svc-county",
                                    Role::kBureauOfficer, "430121", secret);
  const std::string credential = f.scratch.dir() + "/svc-county.credential";
  security::writeCredentialFile(credential, secret);
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> full = {"--db", f.scratch.url()};
    full.insert(full.end(), args.begin(), args.end());
    for (const char* a : {"--json", "--as", "svc-county", "--credential"}) full.emplace_back(a);
    full.push_back(credential);
    std::ostringstream out, err;
    const int code = app::runCli(full, out, err);
    EXPECT_EQ(code, 0) << err.str();
    return Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Object::Ptr>();
  };
  const std::string id = std::to_string(filed.id);
  const auto listed = cli({"complaint", "list"})->getArray("complaints");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->getObject(0)->getValue<std::string>("due_on"), "2026-10-21");
  EXPECT_EQ(cli({"complaint", "assign", id, "--to", "officer1"})->getValue<std::string>("status"),
            "assigned");
  (void)cli({"complaint", "note", id, "--text", "核对了发放名册。"});
  EXPECT_EQ(cli({"complaint", "close", id, "--outcome", "referred", "--text",
                 "属于学校收费问题，已转交学校主管部门。"})
                ->getValue<std::string>("outcome"),
            "referred");
  const auto shown = cli({"complaint", "show", id});
  EXPECT_EQ(shown->getArray("notes")->size(), 1u);
  EXPECT_EQ(shown->getValue<std::string>("contact").find("1234"), std::string::npos)
      << "masked without the key";
  EXPECT_EQ(cli({"complaint", "report"})->getObject("by_outcome")->getValue<int>("referred"), 1);
  // Out of scope reads like not found; a bad outcome is named.
  std::ostringstream out, err;
  EXPECT_EQ(app::runCli({"--db", f.scratch.url(), "complaint", "show", "999", "--as", "svc-county",
                         "--credential", credential},
                        out, err),
            app::kExitNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, FamilyChannel, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------------
// Over HTTP: what a family sees on the public page.

struct Answer {
  int status = 0;
  std::string body, retry_after;
  double ms = 0;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

class FamilyApi : public BatchFixture {
 protected:
  FamilyApi() {
    std::string key(security::FieldCipher::kKeyBytes, '\x01');
    writeFileAtomically(path("field.key"),
                        "edupay-field-key-v1\n" + security::base64Encode(key) + "\n");
    ::chmod(path("field.key").c_str(), 0600);
    security::SigningKey::generate(path("bureau.pem"));
    store.setPayer({"430121", "102", "6212260000000430121", "长沙县教育局学生资助专户"});
    for (const auto& [name, rs] : std::vector<std::pair<std::string, std::pair<Role, std::string>>>{
             {"officer_in", {Role::kBureauOfficer, "430121"}},
             {"officer_out", {Role::kBureauOfficer, "430122"}},
             {"auditor_in", {Role::kAuditor, "43"}},
             {"school_in", {Role::kSchoolAdmin, "4301210001"}}}) {
      security::User u = user(name, rs.first, rs.second);
      u.password_hash = security::PasswordHasher::forTests().hash("password-" + name);
      u.created_on = u.updated_on = "2026-09-01T00:00:00+08:00";
      audit.addUser(u);
    }
    batch = submitted();
    disburse::approveBatch(store, audit, approver1, batch);
    config.port = 0;
    config.threads = 4;
    config.db_url = f.scratch.url();
    config.key_file = path("field.key");
    config.signing_key = path("bureau.pem");
    config.files_dir = path("files");
    config.lookups_per_address = 12;
    config.lookups_per_id = 5;
    config.complaints_per_address = 3;
    config.lookup_min_ms = 300;
    config.contact = "长沙市学生资助管理中心 0731-00000000";
    config.county_contacts["430121"] = "长沙县学生资助管理中心 0731-11111111";
    service = std::make_unique<api::Service>(config);
    service->start();
    EXPECT_EQ(
        call("POST", "/api/v1/batches/" + std::to_string(batch) + "/export", token("officer_in"))
            .status,
        200);
  }
  ~FamilyApi() override {
    if (service) service->stop();
  }
  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  Answer call(const std::string& method, const std::string& p, const std::string& tok = "",
              const std::string& body = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", service->port());
    Poco::Net::HTTPRequest req(method, p, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!tok.empty()) req.set("Authorization", "Bearer " + tok);
    if (method == "POST") {
      req.setContentType("application/json");
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    const auto started = std::chrono::steady_clock::now();
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Answer a;
    Poco::StreamCopier::copyToString(in, a.body);
    a.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
               .count();
    a.status = static_cast<int>(resp.getStatus());
    a.retry_after = resp.get("Retry-After", "");
    return a;
  }
  std::string token(const std::string& name) {
    auto it = tokens.find(name);
    if (it != tokens.end()) return it->second;
    const auto r = call("POST", "/api/v1/login", "",
                        R"({"name": ")" + name + R"(", "password": "password-)" + name + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    return tokens[name] = r.json()->getValue<std::string>("token");
  }
  Answer lookup(const std::string& name, const std::string& id, const std::string& birth) {
    return call(
        "POST", "/api/v1/public/lookup", "",
        R"({"name": ")" + name + R"(", "id": ")" + id + R"(", "birth_date": ")" + birth + "\"}");
  }
  /// The bank pays every payment of the batch (its pipe answer, as a bank operator would send).
  void bankPaysAll() {
    std::string result = "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n";
    auto s =
        f.db->prepare("SELECT seq, end_to_end_ref FROM payments WHERE batch_id = ? ORDER BY seq");
    s->bind(1, batch);
    while (s->next())
      result += std::to_string(s->getInt(0)) + "|" + s->getText(1) + "|6222|250.00|S|||T" +
                std::to_string(s->getInt(0)) + "|\r\n";
    s.reset();
    const auto files = store.exportedFiles(batch);
    ASSERT_FALSE(files.empty());
    const auto r = bankfiles::importResultFile(
        store, audit, user("bank", Role::kBankOperator, "102"),
        writeFile(f.scratch.dir(), "result.txt", utf8ToGb18030(withPipeSummary(result))),
        std::nullopt);
    ASSERT_EQ(r.paid, 5);
  }

  api::ServiceConfig config;
  std::unique_ptr<api::Service> service;
  std::map<std::string, std::string> tokens;
  int64_t batch = 0;
};

TEST_P(FamilyApi, AFamilySeesThePaymentAndNothingElse) {
  bankPaysAll();
  const auto r = lookup("张三", childId(1), "2017-03-15");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto o = r.json();
  EXPECT_TRUE(o->getValue<bool>("found"));
  const auto terms = o->getArray("terms");
  ASSERT_EQ(terms->size(), 1u);
  const auto term = terms->getObject(0);
  EXPECT_EQ(term->getValue<std::string>("term_zh"), "2026年秋季学期");
  Poco::JSON::Object::Ptr line;
  const auto lines = term->getArray("programmes");
  for (size_t i = 0; i < lines->size(); ++i) {
    const auto x = lines->getObject(static_cast<unsigned>(i));
    if (x->getValue<std::string>("programme") == kProgramme) {
      line = x;
    } else {
      EXPECT_EQ(x->getValue<std::string>("decision"), "not_eligible");
      EXPECT_EQ(x->getValue<std::string>("bank"), "") << "nothing paid, no bank shown";
    }
  }
  ASSERT_TRUE(line);
  EXPECT_EQ(line->getValue<std::string>("decision"), "eligible");
  EXPECT_EQ(line->getValue<std::string>("amount"), "250.00");
  EXPECT_TRUE(line->getValue<bool>("paid"));
  EXPECT_EQ(line->getValue<std::string>("payment"), "已发放到账");
  EXPECT_EQ(line->getValue<std::string>("paid_on").size(), 10u);
  EXPECT_EQ(line->getValue<std::string>("bank"), "中国工商银行");
  EXPECT_EQ(line->getValue<std::string>("account_last4"), card(1).substr(card(1).size() - 4));
  EXPECT_EQ(o->getObject("contact")->getValue<std::string>("county"),
            "长沙县学生资助管理中心 0731-11111111");
  // No ID, no account number, no guardian or household, no other child.
  for (int seq : {1, 3, 5, 7, 9}) {
    EXPECT_EQ(r.body.find(childId(seq)), std::string::npos);
    EXPECT_EQ(r.body.find(card(seq)), std::string::npos);
    EXPECT_EQ(r.body.find(card(seq).substr(0, 12)), std::string::npos);
    EXPECT_EQ(r.body.find(makeId("430121", "19850101", seq)), std::string::npos);
  }
  // The complaint ticket is ciphertext in base64: any two letters may occur in it by chance, so
  // the words are looked for in the rest of the answer.
  std::string words = r.body;
  const std::string key = "\"complaint_ticket\":\"";
  const size_t start = words.find(key);
  ASSERT_NE(start, std::string::npos) << r.body;
  const size_t end = words.find('"', start + key.size());
  ASSERT_GT(end, start + key.size() + 16) << r.body;
  words.erase(start + key.size(), end - start - key.size());
  for (const char* hidden : {"张父", "H1", "dibao", "resident_id", "person_id", "household"})
    EXPECT_EQ(words.find(hidden), std::string::npos) << hidden;
  // Another child (same name, same birth date) gets their own account's digits.
  const auto other = lookup("张三", childId(3), "2017-03-15");
  ASSERT_EQ(other.status, 200);
  EXPECT_NE(other.body.find(card(3).substr(card(3).size() - 4)), std::string::npos);
  EXPECT_EQ(other.body.find("\"" + card(1).substr(card(1).size() - 4) + "\""), std::string::npos);
}

TEST_P(FamilyApi, AMismatchIsIndistinguishableFromNoRecord) {
  const auto none = lookup("张三", childId(2), "2017-03-15");  // a valid ID nobody has
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_FALSE(none.json()->getValue<bool>("found"));
  for (const auto& wrong :
       {lookup("张四", childId(1), "2017-03-15"), lookup("张三", childId(1), "2017-03-16"),
        lookup("李四", childId(4), "2010-01-01")}) {
    EXPECT_EQ(wrong.status, none.status);
    EXPECT_EQ(wrong.body, none.body) << "same bytes whichever field was wrong";
    EXPECT_GE(wrong.ms, config.lookup_min_ms);
  }
  // Same time: a match and a miss, alternately, both padded to the minimum; their medians differ
  // by scheduling noise only.
  std::vector<double> found, missed = {none.ms};
  for (int i = 0; i < 3; ++i) {
    const auto f = lookup("张三", childId(1), "2017-03-15");
    ASSERT_EQ(f.status, 200);
    EXPECT_TRUE(f.json()->getValue<bool>("found"));
    found.push_back(f.ms);
    if (i < 2) missed.push_back(lookup("张三", childId(6 + 2 * i), "2017-03-15").ms);
  }
  for (double ms : found) EXPECT_GE(ms, config.lookup_min_ms);
  for (double ms : missed) EXPECT_GE(ms, config.lookup_min_ms);
  std::sort(found.begin(), found.end());
  std::sort(missed.begin(), missed.end());
  EXPECT_LT(std::abs(found[1] - missed[1]), 100.0) << found[1] << " ms vs " << missed[1] << " ms";
  // A malformed ID is a typing error, named (a check digit is public arithmetic).
  const auto typo = lookup("张三", "43012120170315001", "2017-03-15");
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("身份证号"), std::string::npos);
}

TEST_P(FamilyApi, LookupsAreLimitedPerIdentifierAndPerAddress) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(lookup("张三", childId(5), "2017-03-1" + std::to_string(i)).status, 200);
  const auto sixth = lookup("张三", childId(5), "2017-03-15");
  EXPECT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_FALSE(sixth.retry_after.empty());
  EXPECT_GT(std::stoi(sixth.retry_after), 3000) << "an hour's window";
  EXPECT_NE(sixth.body.find("too_many_requests"), std::string::npos);
  // The same child by its G student number is the same identifier only when typed so; other
  // identifiers go on until the address's limit (12 here).
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(lookup("张三", childId(7), "2017-03-15").status, i < 5 ? 200 : 429);
  const auto address = lookup("张三", childId(9), "2017-03-15");
  EXPECT_EQ(address.status, 429) << address.body;
  EXPECT_NE(address.body.find("address"), std::string::npos);
}

TEST_P(FamilyApi, AParentComplainsAndReadsTheOutcome) {
  const auto found = lookup("张三", childId(1), "2017-03-15");
  const std::string ticket = found.json()->getValue<std::string>("complaint_ticket");
  const auto filed =
      call("POST", "/api/v1/public/complaints", "",
           R"({"category": "not_paid", "text": "<a href=\"http://x\">点我</a> 没收到钱", )"
           R"("contact_phone": "13800001234", "complaint_ticket": ")" +
               ticket + "\"}");
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string code = filed.json()->getValue<std::string>("tracking_code");
  EXPECT_EQ(filed.json()->getValue<std::string>("contact"), "长沙县学生资助管理中心 0731-11111111");
  const auto status = call("GET", "/api/v1/public/complaints/" + code);
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json()->getValue<std::string>("status"), "open");
  EXPECT_EQ(status.body.find("13800001234"), std::string::npos);
  EXPECT_EQ(status.body.find("没收到钱"), std::string::npos) << "status and outcome only";
  EXPECT_EQ(call("GET", "/api/v1/public/complaints/2222-2222-2222-2222").status, 404);
  // The county's officer: listed, routed to the child's county; another county: nothing.
  const auto list = call("GET", "/api/v1/complaints", token("officer_in"));
  ASSERT_EQ(list.status, 200);
  const auto first = list.json()->getArray("complaints")->getObject(0);
  const std::string id = std::to_string(first->getValue<int64_t>("id"));
  EXPECT_EQ(first->getValue<std::string>("region"), "430121");
  EXPECT_EQ(call("GET", "/api/v1/complaints", token("officer_out"))
                .json()
                ->getArray("complaints")
                ->size(),
            0u);
  EXPECT_EQ(call("GET", "/api/v1/complaints/" + id, token("officer_out")).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/complaints/" + id + "/close", token("officer_out"),
                 R"({"outcome": "not_confirmed", "text": "不属实。"})")
                .status,
            404);
  const auto detail = call("GET", "/api/v1/complaints/" + id, token("officer_in"));
  EXPECT_NE(detail.body.find("13800001234"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/complaints/" + id, token("auditor_in")).body.find("13800001234"),
            std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/complaints/" + id + "/assign", token("officer_in"),
                 R"({"to": "officer_in"})")
                .status,
            200);
  EXPECT_EQ(call("POST", "/api/v1/complaints/" + id + "/notes", token("officer_in"),
                 R"({"text": "已与家长电话核实。"})")
                .status,
            201);
  EXPECT_EQ(call("POST", "/api/v1/complaints/" + id + "/close", token("officer_in"),
                 R"({"outcome": "confirmed", "text": "经核实属实，已补发。"})")
                .status,
            200);
  const auto after = call("GET", "/api/v1/public/complaints/" + code);
  EXPECT_EQ(after.json()->getValue<std::string>("outcome"), "confirmed");
  EXPECT_EQ(after.json()->getValue<std::string>("outcome_text"), "经核实属实，已补发。");
  const auto flagged = call(
      "POST", "/api/v1/complaints/" + id + "/actions", token("officer_in"),
      R"({"kind": "flag", "programme": "compulsory_nonboarding_allowance", "term": "2026-autumn"})");
  EXPECT_EQ(flagged.status, 201) << flagged.body;
  const auto report = call("GET", "/api/v1/reports/complaints", token("auditor_in"));
  EXPECT_EQ(report.json()->getObject("by_outcome")->getValue<int>("confirmed"), 1);
  // Only JSON, and only from this service's own page (a cross-site form cannot file for anyone).
  {
    Poco::Net::HTTPClientSession session("127.0.0.1", service->port());
    const std::string body =
        R"({"category": "other", "text": "学校收了资料费。", "county": "430121"})";
    for (const auto& [type, origin, expected] :
         std::vector<std::tuple<std::string, std::string, int>>{
             {"text/plain", "", 415}, {"application/json", "http://evil.example", 403}}) {
      Poco::Net::HTTPRequest req("POST", "/api/v1/public/complaints",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setContentType(type);
      if (!origin.empty()) req.set("Origin", origin);
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
      session.sendRequest(req) << body;
      Poco::Net::HTTPResponse resp;
      std::string ignored;
      Poco::StreamCopier::copyToString(session.receiveResponse(resp), ignored);
      EXPECT_EQ(static_cast<int>(resp.getStatus()), expected) << type << " " << origin;
    }
  }
  // Filing is limited per address, and bodies are bounded.
  EXPECT_EQ(call("POST", "/api/v1/public/complaints", "",
                 R"({"category": "other", "text": ")" + std::string(20000, 'a') + "\"}")
                .status,
            413);
  int limited = 0;
  for (int i = 0; i < 4; ++i)
    limited += call("POST", "/api/v1/public/complaints", "",
                    R"({"category": "other", "text": "学校收了资料费。", "county": "430121"})")
                   .status == 429;
  EXPECT_GE(limited, 1);
}

TEST_P(FamilyApi, SchoolsPrintSlipsWithoutPersonalDataInTheLink) {
  const auto slips = call("GET", "/api/v1/schools/4301210001/slips", token("school_in"));
  ASSERT_EQ(slips.status, 200) << slips.body;
  EXPECT_NE(slips.body.find("/console/family.html"), std::string::npos);
  EXPECT_NE(slips.body.find("<svg"), std::string::npos) << "a QR code of the page";
  size_t count = 0;
  for (auto at = slips.body.find("class=\"slip\""); at != std::string::npos;
       at = slips.body.find("class=\"slip\"", at + 1))
    ++count;
  EXPECT_EQ(count, 5u);
  for (int seq : {1, 3, 5, 7, 9}) EXPECT_EQ(slips.body.find(childId(seq)), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/schools/4301210001/slips", token("officer_out")).status, 404);
  // The page itself needs no login.
  const auto page = call("GET", "/console/family.html");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("查询孩子的资助"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, FamilyApi, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
