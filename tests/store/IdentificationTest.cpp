// The identification of needy students (资助对象认定) on every backend: a school's whole round
// from the special groups to the county review and a spot check revoking a level, the
// entitlement run using the levels, and every refusal.

#include <gtest/gtest.h>

#include "common/Catalogue.h"
#include "identify/Identify.h"
#include "store/BatchFixture.h"
#include "store/SqlIdentificationStore.h"

namespace edupay::testing {
namespace {

using identify::Level;
using security::Role;

class IdentificationTest : public ::testing::TestWithParam<std::string> {
 protected:
  IdentificationTest() : f(GetParam()), ids(*f.db), audit(*f.db), ents(*f.db), pay(*f.db) {
    RollBuilder roll;
    for (int seq = 1; seq <= 6; ++seq) {
      roll.student(seq, "学生" + std::to_string(seq))
          .set("boarding", "Y")
          .set("claimed_categories", "")
          .set("bank_account", card(seq));
    }
    // At the other school: a level only the roll declares.
    roll.student(7, "学生7")
        .set("school_code", "4301210002")
        .set("boarding", "Y")
        .set("claimed_categories", "")
        .set("bank_account", card(7));
    EXPECT_TRUE(f.import(roll.csv()).committed);
    const auto roster =
        writeFile(f.scratch.dir(), "roster.csv",
                  "resident_id,name,household_id,category,valid_from,valid_to,region\n" +
                      makeId("430121", "19850101", 1) + ",张父1,H1,dibao,2020-01-01,,430121\n");
    EXPECT_TRUE(
        registry::importRoster(f.store, f.cipher, roster, "civil_affairs", false).committed);
    policy = rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
    ip = identify::identificationPolicy(policy);
    auto tx = ents.transaction();
    policy_id = ents.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
    tx->commit();
  }

  std::string rid(int seq) { return makeId("430121", "20170315", seq); }
  std::string hash(int seq) { return f.cipher.blindIndex("resident_id", rid(seq)); }

  identify::Round open() {
    return identify::openRound(ids, audit, admin, ip, "4301210001", 2026, "2026-09-01");
  }
  identify::Case apply(int64_t round, int seq, std::vector<std::string> indicators) {
    identify::Application a;
    a.rid_hash = hash(seq);
    a.family.members = 4;
    a.family.income_band = "below_dibao_1.5x";
    a.family.indicators = std::move(indicators);
    a.family.details = "父亲患尿毒症，长期透析";
    a.commitment_signed = true;
    a.commitment_date = "2026-09-03";
    a.evidence_notes = "医院诊断证明复印件";
    return identify::addApplication(ids, audit, f.cipher, admin, ip, round, a);
  }
  identify::Case assess(int64_t id, std::vector<std::string> indicators, Level proposed,
                        const std::string& reason = "") {
    identify::Assessment a;
    a.indicators = std::move(indicators);
    a.class_teacher = "王老师";
    a.representatives = {"李同学", "赵同学"};
    a.proposed = proposed;
    a.reason = reason;
    return identify::assessCase(ids, audit, admin, ip, id, a);
  }
  rules::EntitleSummary entitle(const char* term) {
    rules::EntitleOptions o;
    o.term = Term::parse(term);
    return rules::runEntitlements(ents, policy, policy_id, o);
  }
  /// The stored entitlement (status and reason) of a student for the boarding allowance.
  std::pair<std::string, std::string> boarding(int seq, const char* term) {
    auto s = f.db->prepare(
        "SELECT e.status, e.reason FROM entitlements e JOIN persons p ON p.id = e.person_id "
        "WHERE p.rid_hash = ? AND e.programme = 'compulsory_boarding_allowance' AND e.term = ?");
    s->bind(1, hash(seq));
    s->bind(2, std::string(term));
    if (!s->next()) return {};
    return {s->getText(0), s->getText(1)};
  }
  /// The refusal as a school clerk reads it in Chinese.
  std::string refusalZh(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return i18n::render(e.message(), Lang::kZh);
    }
    return "";
  }
  std::string refusal(const std::function<void()>& action, ErrorCode* code = nullptr) {
    try {
      action();
    } catch (const Error& e) {
      if (code) *code = e.code();
      return e.what();
    }
    return "";
  }
  int64_t events() { return f.count("audit_events"); }

  /// Runs a round to filing: seq 1 special (dibao), seq 2 difficult, seq 3 generally (upheld
  /// objection -> none), seq 4 especially. Returns the round; `cases` by seq.
  identify::Round filedRound() {
    auto r = open();
    const auto c2 = apply(r.id, 2, {"income_below_local_min", "serious_illness"});
    const auto c3 = apply(r.id, 3, {"single_parent", "remote_rural"});
    const auto c4 = apply(
        r.id, 4,
        {"income_below_local_min", "no_stable_income", "serious_illness", "disaster_or_accident"});
    assess(c2.id, {"income_below_local_min", "serious_illness"}, Level::kDifficult);
    assess(c3.id, {"single_parent", "remote_rural"}, Level::kGenerally, "母亲独自抚养三个孩子");
    assess(
        c4.id,
        {"income_below_local_min", "no_stable_income", "serious_illness", "disaster_or_accident"},
        Level::kEspecially);
    for (auto id : {c2.id, c3.id, c4.id}) identify::decideCase(ids, audit, approver, id, "", "");
    identify::publishNotice(ids, audit, admin, ip, r.id, policy.holidays,
                            *Date::parse("2026-09-14"));
    const auto o = identify::addObjection(ids, audit, admin, c3.id, "同学反映其家庭新购置轿车");
    identify::resolveObjection(ids, audit, approver, o.id, "upheld", "none", "家访核实属实");
    cases = {{2, c2.id}, {3, c3.id}, {4, c4.id}};
    return identify::fileRound(ids, audit, admin, r.id, *Date::parse("2026-09-22"));
  }

  RegistryFixture f;
  store::SqlIdentificationStore ids;
  store::SqlSecurityStore audit;
  store::SqlEntitlementStore ents;
  store::SqlDisbursementStore pay;
  rules::Policy policy;
  identify::IdentificationPolicy ip;
  int64_t policy_id = 0;
  std::map<int, int64_t> cases;
  security::User admin = user("school1", Role::kSchoolAdmin, "4301210001");
  security::User approver = user("head1", Role::kSchoolApprover, "4301210001");
  security::User officer = user("county1", Role::kBureauOfficer, "430121");
  security::User other_admin = user("school2", Role::kSchoolAdmin, "4301210002");
  security::User other_officer = user("county2", Role::kBureauOfficer, "430122");
};

TEST_P(IdentificationTest, SpecialGroupsAreIdentifiedFromTheRosterWithoutApplying) {
  const int64_t before = events();
  const auto r = open();
  EXPECT_EQ(r.status, "open");
  const auto cs = ids.cases(r.id);
  ASSERT_EQ(cs.size(), 1u);  // only seq 1's household is on an official roster
  EXPECT_EQ(cs[0].kind, "special");
  EXPECT_EQ(cs[0].state, "decided");
  EXPECT_EQ(cs[0].level, "difficult");  // dibao -> 困难 in the policy
  EXPECT_EQ(cs[0].category, "dibao");
  EXPECT_NE(cs[0].evidence.find("civil_affairs"), std::string::npos);
  EXPECT_EQ(cs[0].name, "学生1");
  EXPECT_EQ(events(), before + 1);
  ErrorCode code{};
  EXPECT_NE(refusal([&] { open(); }, &code).find("already"), std::string::npos);
  EXPECT_EQ(code, ErrorCode::kConflict);
}

TEST_P(IdentificationTest, TheFamilySituationIsEncryptedAtRestAndShownOnlyInScope) {
  const auto r = open();
  const auto c = apply(r.id, 2, {"serious_illness"});
  const std::string stored =
      store::queryInt(*f.db,
                      "SELECT COUNT(*) FROM ident_cases WHERE items_enc LIKE '%尿毒症%' "
                      "OR notes_enc LIKE '%诊断%'") == 0
          ? "encrypted"
          : "plain";
  EXPECT_EQ(stored, "encrypted");
  EXPECT_EQ(identify::revealFamily(ids, f.cipher, admin, c.id).details, "父亲患尿毒症，长期透析");
  EXPECT_EQ(identify::revealFamily(ids, f.cipher, officer, c.id).members, 4);
  ErrorCode code{};
  refusal([&] { identify::revealFamily(ids, f.cipher, other_admin, c.id); }, &code);
  EXPECT_EQ(code, ErrorCode::kNotFound);
  // The audit trail never carries the family situation.
  EXPECT_EQ(f.count("audit_events", "after_state LIKE '%尿毒症%'"), 0);
  // An application without the signed commitment, or naming an unknown indicator, is refused.
  identify::Application a;
  a.rid_hash = hash(3);
  a.family.members = 3;
  EXPECT_NE(refusal([&] {
              identify::addApplication(ids, audit, f.cipher, admin, ip, r.id, a);
            }).find("承诺书"),
            std::string::npos);
  a.commitment_signed = true;
  a.commitment_date = "2026-09-03";
  a.family.indicators = {"rich_uncle"};
  EXPECT_NE(refusal([&] {
              identify::addApplication(ids, audit, f.cipher, admin, ip, r.id, a);
            }).find("rich_uncle"),
            std::string::npos);
}

TEST_P(IdentificationTest, WholeCycleThenTheEntitlementRunUsesTheLevels) {
  const int64_t before = events();
  const auto r = filedRound();
  EXPECT_EQ(r.status, "submitted");
  // open, 3 applications, 3 assessments, 3 decisions, notice, objection, resolution, filing.
  EXPECT_EQ(events(), before + 14);
  const auto c3 = *ids.loadCase(cases[3]);
  EXPECT_EQ(c3.level, "none");
  EXPECT_EQ(c3.score, 15);
  EXPECT_EQ(c3.score_level, "none");
  EXPECT_EQ(c3.proposed_level, "generally");
  EXPECT_EQ(c3.panel_reason, "母亲独自抚养三个孩子");
  EXPECT_EQ(c3.panel_representatives, "李同学、赵同学");
  EXPECT_EQ(ids.loadCase(cases[4])->score, 80);
  EXPECT_EQ(f.count("ident_levels", "status = 'in_force'"), 4);

  const auto review = identify::reviewRound(ids, audit, officer, r.id, "accept", "");
  EXPECT_EQ(review.status, "accepted");
  const auto county = identify::countyReview(ids, officer, "430121", 2026);
  ASSERT_EQ(county.size(), 1u);
  EXPECT_EQ(county[0].outcome.enrolled, 6);
  EXPECT_EQ(county[0].outcome.identified(), 3);
  EXPECT_EQ(county[0].outcome.special, 1);
  ASSERT_EQ(county[0].outliers.size(), 1u);  // 3 of 6: 50 % identified
  EXPECT_EQ(county[0].outliers[0].rfind("share_high: 50.0%", 0), 0u);
  const auto report = ids.identified("430121", 2026);
  int64_t total = 0;
  for (const auto& row : report) total += row.students;
  EXPECT_EQ(total, 3);

  entitle("2026-autumn");
  auto [s2, why2] = boarding(2, "2026-autumn");
  EXPECT_EQ(s2, "eligible");
  EXPECT_NE(why2.find("difficult, identified (identification " + std::to_string(cases[2])),
            std::string::npos)
      << why2;
  // Five working days from Monday 2026-09-14; Sunday the 20th is a make-up working day (调休).
  EXPECT_NE(why2.find("notice 2026-09-14..2026-09-20"), std::string::npos) << why2;
  EXPECT_EQ(boarding(3, "2026-autumn").first, "excluded");  // objection upheld: 不认定
  EXPECT_EQ(boarding(5, "2026-autumn").first, "excluded");  // the roll's column is not used
  EXPECT_NE(boarding(5, "2026-autumn").second.find("not identified in the school's"),
            std::string::npos);
  EXPECT_EQ(boarding(1, "2026-autumn").first, "eligible");  // dibao, special group
  // At the school without identification the roll's level is used, marked and flagged.
  auto [s7, why7] = boarding(7, "2026-autumn");
  EXPECT_EQ(s7, "eligible");
  EXPECT_NE(why7.find("declared by the school, not identified"), std::string::npos) << why7;
  bankfiles::LayoutSet layouts;
  const auto built = disburse::buildBatches(pay, audit, officer, "compulsory_boarding_allowance",
                                            Term::parse("2026-autumn"), "",
                                            bankfiles::holderEncodingCheck(pay, layouts));
  ASSERT_FALSE(built.batch_ids.empty());
  EXPECT_EQ(f.count("batch_flags", "kind = 'level_not_identified'"), 1);
  EXPECT_EQ(f.count("batch_flags b JOIN payments p ON p.id = b.payment_id JOIN entitlements e ON "
                    "e.id = p.entitlement_id JOIN persons x ON x.id = e.person_id",
                    "b.kind = 'level_not_identified' AND x.name = '学生7'"),
            1);
}

TEST_P(IdentificationTest, FalseInformationRevokesHoldsAndListsPaidMoneyForRecovery) {
  const auto r = filedRound();
  entitle("2026-autumn");
  bankfiles::LayoutSet layouts;
  (void)disburse::buildBatches(pay, audit, officer, "compulsory_boarding_allowance",
                               Term::parse("2026-autumn"), "",
                               bankfiles::holderEncodingCheck(pay, layouts));
  // The bank paid seq 4's autumn allowance (its answer file is another suite's business).
  const int64_t person4 =
      store::queryInt(*f.db, "SELECT id FROM persons WHERE rid_hash = ?", {hash(4)});
  const int64_t paid_fen =
      store::queryInt(*f.db,
                      "SELECT amount_fen FROM entitlements WHERE person_id = ? AND programme = "
                      "'compulsory_boarding_allowance' AND term = '2026-autumn'",
                      {person4});
  ASSERT_GT(paid_fen, 0);
  store::execute(*f.db,
                 "UPDATE payments SET status = 'paid' WHERE entitlement_id IN (SELECT id FROM "
                 "entitlements WHERE person_id = ? AND term = '2026-autumn')",
                 {person4});
  store::execute(*f.db,
                 "UPDATE entitlements SET locked = 1 WHERE person_id = ? AND term = "
                 "'2026-autumn'",
                 {person4});
  entitle("2027-spring");
  EXPECT_EQ(boarding(4, "2027-spring").first, "eligible");

  // 100 % so that seq 4 is in the sample: seq 2 and 4 (the special group and 不认定 are not).
  const auto sample = identify::drawSpotChecks(ids, audit, officer, ip, r.id, 20260930, 100);
  ASSERT_EQ(sample.size(), 2u);
  const identify::SpotCheck* check4 = nullptr;
  for (const auto& s : sample)
    if (s.case_id == cases[4]) check4 = &s;
  ASSERT_NE(check4, nullptr);
  ErrorCode code{};
  EXPECT_NE(refusal([&] { identify::drawSpotChecks(ids, audit, officer, ip, r.id, 1, 10); }, &code)
                .find("already"),
            std::string::npos);
  EXPECT_EQ(code, ErrorCode::kConflict);

  identify::recordSpotCheck(ids, audit, officer, check4->id, "false_information", "",
                            "家访发现家庭经营养殖场，收入远高于申报", *Date::parse("2026-10-20"));
  EXPECT_EQ(ids.loadCase(cases[4])->state, "revoked");
  EXPECT_EQ(f.count("ident_levels", "status = 'revoked'"), 1);
  EXPECT_EQ(boarding(4, "2027-spring").first, "held");
  const auto rec = ids.recoveries("430121", 2026);
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].amount.fen(), paid_fen);
  EXPECT_EQ(rec[0].term, "2026-autumn");
  EXPECT_EQ(rec[0].name, "学生4");
  EXPECT_EQ(rec[0].student.find(rid(4)), std::string::npos);  // masked
  // A recorded outcome is final.
  EXPECT_NE(refusal([&] {
              identify::recordSpotCheck(ids, audit, officer, check4->id, "confirmed", "", "",
                                        *Date::parse("2026-10-21"));
            }).find("already"),
            std::string::npos);
  // The next run no longer finds a level for seq 4.
  entitle("2027-spring");
  EXPECT_EQ(boarding(4, "2027-spring").first, "excluded");
}

TEST_P(IdentificationTest, TheSampleIsReproducibleFromItsSeed) {
  const auto r = filedRound();
  const auto drawn = identify::drawSpotChecks(ids, audit, officer, ip, r.id, 77, 0);
  ASSERT_EQ(drawn.size(), 1u);  // 10 % of two, at least one
  EXPECT_EQ(drawn[0].percent, 10);
  EXPECT_EQ(drawn[0].seed, 77);
  const auto again = identify::spotCheckSample({cases[2], cases[4]}, 77, 10);
  EXPECT_EQ(again, std::vector<int64_t>{drawn[0].case_id});
  EXPECT_EQ(ids.spotChecks(r.id).size(), 1u);
}

TEST_P(IdentificationTest, AChangeDuringTheYearHoldsFromItsDate) {
  const auto r = filedRound();
  // Sudden hardship (a flood) for seq 3 from 2026-11-15, in short form.
  identify::Application a;
  a.rid_hash = hash(3);
  a.family.members = 4;
  a.family.indicators = {"disaster_or_accident", "income_below_local_min", "heavy_debt"};
  a.commitment_signed = true;
  a.commitment_date = "2026-11-16";
  a.effective_from = "2026-11-15";
  a.change_reason = "洪灾房屋倒塌";
  const auto c = identify::addApplication(ids, audit, f.cipher, admin, ip, r.id, a, true);
  EXPECT_EQ(c.kind, "change");
  assess(c.id, a.family.indicators, Level::kDifficult);  // 55
  identify::decideCase(ids, audit, approver, c.id, "", "");
  identify::publishNotice(ids, audit, admin, ip, r.id, policy.holidays, *Date::parse("2026-11-16"));
  identify::fileRound(ids, audit, admin, r.id, *Date::parse("2026-11-24"));
  entitle("2026-autumn");
  EXPECT_EQ(boarding(3, "2026-autumn").first, "excluded");  // reference date 2026-09-01: none
  entitle("2027-spring");
  auto [s, why] = boarding(3, "2027-spring");
  EXPECT_EQ(s, "eligible");
  EXPECT_NE(why.find("from 2026-11-15"), std::string::npos) << why;
  EXPECT_NE(why.find("change during the year"), std::string::npos) << why;
}

TEST_P(IdentificationTest, AnObjectionAfterFilingHoldsTheStudentUntilResolved) {
  filedRound();
  const auto o = identify::addObjection(ids, audit, admin, cases[2], "邻居反映其父母均有稳定工作");
  entitle("2026-autumn");
  auto [status, why] = boarding(2, "2026-autumn");
  EXPECT_EQ(status, "held");
  EXPECT_NE(why.find("objection to identification " + std::to_string(cases[2])), std::string::npos)
      << why;
  // Upheld: the level in force becomes what the resolution says (here 一般困难 → still paid, at
  // that level); the next run pays on it.
  identify::resolveObjection(ids, audit, approver, o.id, "upheld", "generally",
                             "核实后调整为一般困难");
  EXPECT_EQ(ids.loadCase(cases[2])->level, "generally");
  entitle("2026-autumn");
  std::tie(status, why) = boarding(2, "2026-autumn");
  EXPECT_EQ(status, "eligible");
  EXPECT_NE(why.find("assessed generally, identified"), std::string::npos) << why;
}

TEST_P(IdentificationTest, RefusesSelfApprovalOpenObjectionsOpenNoticesAndOutOfScopeUsers) {
  const auto r = open();
  const auto c = apply(r.id, 2, {"serious_illness", "income_below_local_min"});
  ErrorCode code{};
  // Deciding before the class panel assessed.
  EXPECT_NE(refusal([&] { identify::decideCase(ids, audit, approver, c.id, "", ""); }, &code)
                .find("assesses it first"),
            std::string::npos);
  // A panel departing from the score without a reason.
  EXPECT_NE(refusal([&] { assess(c.id, {"serious_illness"}, Level::kEspecially); }, &code)
                .find("须说明理由"),
            std::string::npos);
  EXPECT_EQ(code, ErrorCode::kInvalidInput);
  assess(c.id, {"serious_illness", "income_below_local_min"}, Level::kDifficult);
  // The school administrator who entered it cannot decide it, nor can the same person as
  // approver.
  EXPECT_NE(refusal([&] { identify::decideCase(ids, audit, admin, c.id, "", ""); }, &code)
                .find("school_approver"),
            std::string::npos);
  EXPECT_EQ(code, ErrorCode::kForbidden);
  const auto same_person = user("school1", Role::kSchoolApprover, "4301210001");
  EXPECT_NE(refusal([&] { identify::decideCase(ids, audit, same_person, c.id, "", ""); }, &code)
                .find("录入人不能自行审核"),
            std::string::npos);
  EXPECT_EQ(code, ErrorCode::kForbidden);
  // Whoever entered or assessed a case never decides it; a school administrator may not decide.
  const std::string own =
      refusalZh([&] { identify::decideCase(ids, audit, same_person, c.id, "", ""); });
  EXPECT_NE(own.find("由 school1 录入或评议，录入人不能自行审核；请由学校其他审核人员认定"),
            std::string::npos)
      << own;
  const std::string role =
      refusalZh([&] { identify::decideCase(ids, audit, admin, c.id, "", ""); });
  EXPECT_NE(role.find("学校管理员无权审核认定"), std::string::npos) << role;
  EXPECT_NE(role.find("此操作须由学校资助审核人办理"), std::string::npos) << role;
  // Out of scope: another school's approver and another county's officer find nothing.
  const auto other_approver = user("head2", Role::kSchoolApprover, "4301210002");
  refusal([&] { identify::decideCase(ids, audit, other_approver, c.id, "", ""); }, &code);
  EXPECT_EQ(code, ErrorCode::kNotFound);
  refusal([&] { identify::visibleRound(ids, other_admin, r.id); }, &code);
  EXPECT_EQ(code, ErrorCode::kNotFound);
  refusal([&] { identify::countyReview(ids, other_officer, "430121", 2026); }, &code);
  EXPECT_EQ(code, ErrorCode::kNotFound);
  EXPECT_NE(refusal([&] { apply(r.id, 7, {}); }, &code).find("不在本校学籍中"),
            std::string::npos);  // seq 7 is at the other school
  EXPECT_EQ(code, ErrorCode::kNotFound);
  // Deciding another level than proposed needs a reason.
  EXPECT_NE(refusal([&] {
              identify::decideCase(ids, audit, approver, c.id, "especially", "");
            }).find("needs a reason"),
            std::string::npos);
  identify::decideCase(ids, audit, approver, c.id, "", "");
  // Filing before the notice, during its window, and with an objection open.
  EXPECT_NE(
      refusal([&] { identify::fileRound(ids, audit, admin, r.id, *Date::parse("2026-09-30")); },
              &code)
          .find("not yet noticed"),
      std::string::npos);
  EXPECT_EQ(code, ErrorCode::kForbidden);
  const auto [notice, lines] = identify::publishNotice(ids, audit, admin, ip, r.id, policy.holidays,
                                                       *Date::parse("2026-09-28"));
  // 2026-09-28 Monday: National Day holidays push the fifth working day into October.
  EXPECT_GT(notice.window_ends, "2026-10-02");
  ASSERT_EQ(lines.size(), 2u);  // the special group and the application: name, class, level only
  EXPECT_EQ(lines[0].class_name, "4年级1班");
  EXPECT_NE(refusal([&] {
              identify::fileRound(ids, audit, admin, r.id, *Date::parse(notice.window_ends));
            }).find("公示期未满"),
            std::string::npos);
  const auto o = identify::addObjection(ids, audit, approver, c.id, "有同学反映情况不实");
  const Date after = Date::parse(notice.window_ends)->addDays(1);
  EXPECT_NE(
      refusal([&] { identify::fileRound(ids, audit, admin, r.id, after); }).find("异议未处理"),
      std::string::npos);
  EXPECT_NE(refusal([&] {
              identify::resolveObjection(ids, audit, admin, o.id, "dismissed", "", "核实无误");
            }).find("school_approver"),
            std::string::npos);
  identify::resolveObjection(ids, audit, approver, o.id, "dismissed", "", "核实无误");
  EXPECT_NE(refusal([&] {
              identify::resolveObjection(ids, audit, approver, o.id, "dismissed", "", "again");
            }).find("already"),
            std::string::npos);
  EXPECT_EQ(identify::fileRound(ids, audit, admin, r.id, after).status, "submitted");
  // The county: another county's officer cannot see it; a send-back needs a reason.
  refusal([&] { identify::reviewRound(ids, audit, other_officer, r.id, "accept", ""); }, &code);
  EXPECT_EQ(code, ErrorCode::kNotFound);
  EXPECT_NE(refusal([&] {
              identify::reviewRound(ids, audit, officer, r.id, "send_back", "");
            }).find("退回须说明理由"),
            std::string::npos);
  EXPECT_EQ(
      identify::reviewRound(ids, audit, officer, r.id, "send_back", "特殊群体比例异常，请复核")
          .status,
      "sent_back");
  // A sent-back round's levels are not in force: the run falls back (and marks the roll's).
  entitle("2026-autumn");
  EXPECT_NE(boarding(2, "2026-autumn").second.find("declared by the school, not identified"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentificationTest, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
