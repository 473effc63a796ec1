#include "registry/RollMerge.h"

#include <gtest/gtest.h>

#include "common/Error.h"

namespace edupay::registry {
namespace {

Date day(const char* s) { return *Date::parse(s); }

/// A protected identifier whose blind index, ciphertext and mask are recognisable in tests.
Protected prot(const std::string& name) { return {"hash-" + name, "enc-" + name, "mask-" + name}; }

/// A pupil on the roll of school 4301210001 (id 1), household H1, guardian, account, claim.
RollRecord pupil(int64_t line, const std::string& id = "child1") {
  RollRecord r;
  r.line = line;
  r.resident_id = prot(id);
  r.derived_student_no = "G" + id;
  r.name = "张三";
  r.sex = Sex::kMale;
  r.birth_date = day("2017-03-15");
  r.ethnicity = "汉族";
  r.school_code = "4301210001";
  r.stage = domain::Stage::kPrimary;
  r.grade = 4;
  r.class_name = "4年级1班";
  r.enroll_date = day("2023-09-01");
  r.household_code = "H1";
  r.hukou_region = "430121";
  r.rural_hukou = true;
  r.guardian_name = "张父";
  r.guardian_id = prot("father1");
  r.difficulty = domain::DifficultyLevel::kDifficult;
  r.claimed_categories = {domain::Category::kDibao};
  r.account = prot("acct1");
  r.bank_code = "102551000011";
  r.account_holder = "张三";
  return r;
}

ImportContext context() {
  ImportContext ctx;
  ctx.run_id = 9;
  ctx.as_of = day("2026-10-08");
  ctx.academic_year = 2026;
  return ctx;
}

/// What is on record after `pupil(2)` was imported by run 3: person 10, guardian 11, household
/// 20, enrollment 30, open claim 40 (dibao, by the pupil's school), account 50.
RollSnapshot onRecord() {
  RollSnapshot s;
  s.school_ids = {{"4301210001", 1}, {"4301210002", 2}};
  PersonOnRecord p;
  p.id = 10;
  p.has_rid = true;
  p.name = "张三";
  p.sex = "M";
  p.birth_date = "2017-03-15";
  p.ethnicity = "汉族";
  p.hukou_region = "430121";
  p.hukou_type = "rural";
  p.last_run_id = 3;
  p.last_line = 2;
  s.persons["hash-child1"] = p;
  PersonOnRecord g;
  g.id = 11;
  g.has_rid = true;
  g.name = "张父";
  s.persons["hash-father1"] = g;
  s.households["H1"] = 20;
  s.open_claims[{20, "4301210001"}] = {{40, "dibao", "2025-09-01"}};
  EnrollmentOnRecord e;
  e.id = 30;
  e.school_id = 1;
  e.stage = "primary";
  e.grade = 4;
  e.class_name = "4年级1班";
  e.status = "active";
  e.enroll_date = "2023-09-01";
  e.open = true;
  s.enrollments[10] = {e};
  s.difficulty[10] = "difficult";
  s.accounts[{10, "student_card"}] = {50, "hash-acct1", "102551000011", "张三", "student"};
  return s;
}

RollDecisions decide(const RollSnapshot& s, const std::vector<RollRecord>& rows) {
  return decideRollMerge(s, rows, context());
}

std::vector<std::string> changed(const RollDecisions& d) {
  std::vector<std::string> out;
  for (const auto& c : d.changes) {
    out.push_back(c.entity + " " + std::to_string(c.entity_id) + " " + c.field + ": " +
                  c.old_value + " -> " + c.new_value);
  }
  return out;
}

TEST(RollMerge, ANewStudentIsAddedWithGuardianHouseholdClaimEnrollmentLevelAndAccount) {
  RollSnapshot s;
  s.school_ids = {{"4301210001", 1}};
  const auto d = decide(s, {pupil(2)});
  EXPECT_TRUE(d.issues.empty());
  ASSERT_EQ(d.persons_to_add.size(), 2u);
  EXPECT_FALSE(d.persons_to_add[0].guardian);
  EXPECT_EQ(d.persons_to_add[0].hukou_type, "rural");
  EXPECT_TRUE(d.persons_to_add[1].guardian);
  EXPECT_EQ(d.counts.persons_added, 1);
  EXPECT_TRUE(d.persons_to_update.empty());
  ASSERT_EQ(d.guardian_links.size(), 1u);
  EXPECT_EQ(d.guardian_links[0].student.id, 0);  // the store gives the id once added
  EXPECT_EQ(d.guardian_links[0].student.key, "hash-child1");
  EXPECT_EQ(d.guardian_links[0].guardian.key, "hash-father1");
  ASSERT_EQ(d.households_to_add.size(), 1u);
  EXPECT_EQ(d.households_to_add[0].code, "H1");
  EXPECT_EQ(d.household_members.size(), 2u);
  ASSERT_EQ(d.claims_to_open.size(), 1u);
  EXPECT_EQ(d.claims_to_open[0].category, "dibao");
  EXPECT_EQ(d.claims_to_open[0].valid_from, "2026-09-01");  // the as-of date's term
  EXPECT_EQ(d.claims_to_open[0].school_code, "4301210001");
  ASSERT_EQ(d.enrollments_to_open.size(), 1u);
  EXPECT_EQ(d.enrollments_to_open[0].school_id, 1);
  EXPECT_EQ(d.enrollments_to_open[0].status, "active");
  EXPECT_EQ(d.enrollments_to_open[0].end_date, "");
  ASSERT_EQ(d.difficulty_to_add.size(), 1u);
  EXPECT_EQ(d.difficulty_to_add[0].level, "difficult");
  ASSERT_EQ(d.accounts_to_open.size(), 1u);
  EXPECT_EQ(d.accounts_to_open[0].owner, "student");
  EXPECT_EQ(d.accounts_to_open[0].valid_from, "2026-10-08");
  EXPECT_EQ(d.counts.accounts_added, 1);
  EXPECT_EQ(d.counts.enrollments_opened, 1);
  EXPECT_EQ(d.counts.statuses_opened, 1);
  EXPECT_TRUE(d.changes.empty());
}

TEST(RollMerge, AnUnchangedStudentOnlyGetsTheRunMarkerAndNoChangeRows) {
  const auto d = decide(onRecord(), {pupil(2)});
  EXPECT_TRUE(d.issues.empty());
  EXPECT_TRUE(d.persons_to_add.empty());
  ASSERT_EQ(d.persons_to_update.size(), 1u);
  EXPECT_EQ(d.persons_to_update[0].id, 10);
  EXPECT_FALSE(d.persons_to_update[0].set_identifier);
  EXPECT_EQ(d.counts.persons_unchanged, 1);
  EXPECT_EQ(d.counts.persons_updated, 0);
  EXPECT_EQ(d.guardian_links[0].guardian.id, 11);
  EXPECT_TRUE(d.households_to_add.empty());
  EXPECT_TRUE(d.claims_to_open.empty());
  EXPECT_TRUE(d.claims_to_close.empty());
  EXPECT_TRUE(d.enrollments_to_open.empty());
  EXPECT_TRUE(d.enrollments_to_update.empty());
  EXPECT_TRUE(d.difficulty_to_add.empty());
  EXPECT_TRUE(d.difficulty_to_update.empty());
  EXPECT_TRUE(d.accounts_to_open.empty());
  EXPECT_TRUE(d.accounts_to_update.empty());
  EXPECT_TRUE(d.changes.empty()) << ::testing::PrintToString(changed(d));
}

TEST(RollMerge, ChangedFieldsUpdateTheRecordsAndKeepTheOldValues) {
  auto r = pupil(2);
  r.name = "张叁";
  r.grade = 5;
  r.boarding = true;
  r.difficulty = domain::DifficultyLevel::kEspecially;
  r.rural_hukou.reset();  // a roll that does not say keeps what an earlier roll said
  const auto d = decide(onRecord(), {r});
  EXPECT_EQ(d.counts.persons_updated, 1);
  EXPECT_EQ(d.persons_to_update[0].hukou_type, "rural");
  ASSERT_EQ(d.enrollments_to_update.size(), 1u);
  EXPECT_EQ(d.enrollments_to_update[0].id, 30);
  EXPECT_EQ(d.counts.enrollments_updated, 1);
  ASSERT_EQ(d.difficulty_to_update.size(), 1u);
  EXPECT_EQ(d.difficulty_to_update[0].level, "especially");
  EXPECT_EQ(changed(d), (std::vector<std::string>{
                            "person 10 name: 张三 -> 张叁",
                            "enrollment 30 grade: 4 -> 5",
                            "enrollment 30 boarding: 0 -> 1",
                            "difficulty 10 2026: difficult -> especially",
                        }));
}

TEST(RollMerge, AStudentTwiceInTheFileIsAppliedOnceAndTheSecondRowNamesTheFirstLine) {
  auto again = pupil(5);
  again.class_name = "4年级2班";
  RollSnapshot s;
  s.school_ids = {{"4301210001", 1}};
  const auto d = decide(s, {pupil(2), pupil(3, "x"), again});
  ASSERT_EQ(d.issues.size(), 1u);
  EXPECT_EQ(d.issues[0].line, 5);
  EXPECT_EQ(d.issues[0].column, "resident_id");
  EXPECT_EQ(d.issues[0].value, "mask-child1");
  EXPECT_EQ(d.issues[0].text(Lang::kEn),
            "the same student is already on line 2 of this file; keep one row per student");
  // A duplicate ID in the file, in Chinese.
  EXPECT_EQ(d.issues[0].column_zh, "身份证号");
  EXPECT_NE(d.issues[0].text(Lang::kZh).find("已在本文件第 2 行出现"), std::string::npos)
      << d.issues[0].text(Lang::kZh);
  EXPECT_EQ(d.counts.persons_added, 2);
  EXPECT_EQ(d.enrollments_to_open.size(), 2u);
}

TEST(RollMerge, AStudentWrittenByAnEarlierChunkOfTheSameRunIsADuplicateToo) {
  auto s = onRecord();
  s.persons["hash-child1"].last_run_id = 9;  // this run
  s.persons["hash-child1"].last_line = 1234;
  const auto d = decide(s, {pupil(2000)});
  ASSERT_EQ(d.issues.size(), 1u);
  EXPECT_EQ(d.issues[0].text(Lang::kEn),
            "the same student is already on line 1234 of this file; keep one row per student");
  EXPECT_TRUE(d.persons_to_update.empty());
  EXPECT_TRUE(d.changes.empty());
}

TEST(RollMerge, ANewIdForAChildOnRecordIsRefusedNamingTheRecordAndTheEvidence) {
  RollSnapshot s;
  s.school_ids = {{"4301210001", 1}};
  DuplicateCandidate c;
  c.id = 7;
  c.key_mask = "4301**********0202";
  c.name = "张三";
  c.birth_date = "2017-03-15";
  c.households = {"H1"};
  s.candidates.push_back(c);
  DuplicateCandidate other = c;  // same name and birth date, nothing else shared: not a suspect
  other.id = 8;
  other.households = {"H9"};
  s.candidates.insert(s.candidates.begin(), other);
  auto twin = pupil(3, "child2");
  twin.household_code = "H2";
  twin.guardian_id = prot("father2");
  twin.account = prot("acct2");
  const auto d = decide(s, {pupil(2, "corrected"), twin});
  ASSERT_EQ(d.issues.size(), 1u);
  EXPECT_EQ(d.issues[0].line, 2);
  EXPECT_EQ(d.issues[0].column, "resident_id");
  EXPECT_EQ(
      d.issues[0].text(Lang::kEn),
      "may be the child already on record as record 7 (4301**********0202): same name and birth "
      "date, same household; paying both would pay one child twice. If this ID is a "
      "correction, a bureau officer or the school's administrator gives that record the corrected "
      "ID — `edupay student merge 7 NEW-ID --reason ... --as USER`, NEW-ID being the ID on line 2 "
      "— and the file is imported again; if they are two children, correct the name or birth "
      "date that is wrong");
  EXPECT_EQ(d.issues[0].message.code(), "roll.student.possible_duplicate");
  const std::string zh = d.issues[0].text(Lang::kZh);
  EXPECT_NE(zh.find("可能与已有学生记录 7（4301**********0202）重复"), std::string::npos) << zh;
  EXPECT_NE(zh.find("且户编号相同"), std::string::npos) << zh;
  EXPECT_NE(zh.find("把记录 7 更正为第 2 行的证件号"), std::string::npos) << zh;
  // The other row shares nothing with the candidates: a new child.
  EXPECT_EQ(d.counts.persons_added, 1);
  ASSERT_EQ(d.enrollments_to_open.size(), 1u);
  EXPECT_EQ(d.enrollments_to_open[0].person.key, "hash-child2");

  // A shared guardian or account is evidence too.
  s.candidates[1].households.clear();
  s.candidates[1].accounts = {"hash-acct1"};
  const auto by_account = decide(s, {pupil(2, "corrected")});
  ASSERT_EQ(by_account.issues.size(), 1u);
  EXPECT_NE(by_account.issues[0].text(Lang::kEn).find("same bank account;"), std::string::npos);
  EXPECT_NE(by_account.issues[0].text(Lang::kZh).find("且银行账号相同"), std::string::npos);
  s.candidates[1].guardians = {"hash-father1"};
  const auto by_guardian = decide(s, {pupil(2, "corrected")});
  EXPECT_NE(by_guardian.issues[0].text(Lang::kEn).find("same guardian;"), std::string::npos);
  EXPECT_NE(by_guardian.issues[0].text(Lang::kZh).find("且监护人相同"), std::string::npos);
}

TEST(RollMerge, ATransferClosesTheOldEnrollmentTheDayBeforeTheNewOne) {
  auto r = pupil(2);
  r.school_code = "4301210002";
  r.enroll_date = day("2026-09-20");
  const auto d = decide(onRecord(), {r});
  ASSERT_EQ(d.enrollments_to_close.size(), 1u);
  EXPECT_EQ(d.enrollments_to_close[0].id, 30);
  EXPECT_EQ(d.enrollments_to_close[0].status, "transferred");
  EXPECT_EQ(d.enrollments_to_close[0].status_date, "2026-09-20");
  EXPECT_EQ(d.enrollments_to_close[0].end_date, "2026-09-19");
  ASSERT_EQ(d.enrollments_to_open.size(), 1u);
  EXPECT_EQ(d.enrollments_to_open[0].school_id, 2);
  EXPECT_EQ(d.enrollments_to_open[0].person.id, 10);
  EXPECT_EQ(d.counts.transfers, 1);
  EXPECT_EQ(changed(d), (std::vector<std::string>{"enrollment 30 status: active -> transferred"}));
}

TEST(RollMerge, ARowOlderThanTheOpenEnrollmentIsOutOfDateAndOpensNothing) {
  auto r = pupil(2);
  r.school_code = "4301210002";
  r.enroll_date = day("2022-09-01");
  const auto d = decide(onRecord(), {r});
  ASSERT_EQ(d.issues.size(), 1u);
  EXPECT_EQ(d.issues[0].column, "enroll_date");
  EXPECT_EQ(d.issues[0].value, "2022-09-01");
  EXPECT_EQ(d.issues[0].text(Lang::kEn),
            "the student has a newer enrollment (since 2023-09-01) at another school; this row "
            "is out of date");
  EXPECT_TRUE(d.enrollments_to_open.empty());
  EXPECT_TRUE(d.enrollments_to_close.empty());
}

TEST(RollMerge, MovingUpAStageAtTheSameSchoolGraduatesTheOldEnrollment) {
  auto r = pupil(2);
  r.stage = domain::Stage::kJunior;
  r.grade = 7;
  r.enroll_date = day("2026-09-01");
  const auto d = decide(onRecord(), {r});
  ASSERT_EQ(d.enrollments_to_close.size(), 1u);
  EXPECT_EQ(d.enrollments_to_close[0].status, "graduated");
  EXPECT_EQ(d.enrollments_to_close[0].end_date, "2026-08-31");
  EXPECT_EQ(d.counts.transfers, 0);
  EXPECT_EQ(d.enrollments_to_open.size(), 1u);
}

TEST(RollMerge, LeavingEndsTheEnrollmentOnTheStatusDateOrTheAsOfDate) {
  auto r = pupil(2);
  r.status = domain::EnrollmentStatus::kDropped;
  r.status_date = day("2026-09-15");
  auto d = decide(onRecord(), {r});
  ASSERT_EQ(d.enrollments_to_update.size(), 1u);
  EXPECT_EQ(d.enrollments_to_update[0].status, "dropped");
  EXPECT_EQ(d.enrollments_to_update[0].end_date, "2026-09-15");
  EXPECT_TRUE(d.enrollments_to_open.empty());
  r.status = domain::EnrollmentStatus::kGraduated;
  r.status_date.reset();
  d = decide(onRecord(), {r});
  ASSERT_EQ(d.enrollments_to_update.size(), 1u);
  EXPECT_EQ(d.enrollments_to_update[0].status, "graduated");
  EXPECT_EQ(d.enrollments_to_update[0].end_date, "2026-10-08");
  EXPECT_EQ(changed(d), (std::vector<std::string>{"enrollment 30 status: active -> graduated",
                                                  "enrollment 30 end_date:  -> 2026-10-08"}));
}

TEST(RollMerge, AClaimNoLongerListedIsClosedAndANewOneOpened) {
  auto s = onRecord();
  // Another school's claim for the same household is that school's to close, not this one's.
  s.open_claims[{20, "4301210002"}] = {{41, "orphan", "2025-09-01"}};
  auto r = pupil(2);
  r.claimed_categories = {domain::Category::kTekun};
  const auto d = decide(s, {r});
  ASSERT_EQ(d.claims_to_close.size(), 1u);
  EXPECT_EQ(d.claims_to_close[0].id, 40);
  EXPECT_EQ(d.claims_to_close[0].valid_to, "2026-08-31");  // the day before the term
  ASSERT_EQ(d.claims_to_open.size(), 1u);
  EXPECT_EQ(d.claims_to_open[0].category, "tekun");
  EXPECT_EQ(d.claims_to_open[0].household, "H1");
  EXPECT_EQ(d.counts.statuses_closed, 1);
  EXPECT_EQ(d.counts.statuses_opened, 1);
  EXPECT_EQ(changed(d), (std::vector<std::string>{"household_status 40 valid_to:  -> 2026-08-31"}));

  // A claim opened this very term closes on the day it began, never before.
  s.open_claims[{20, "4301210001"}][0].valid_from = "2026-09-01";
  EXPECT_EQ(decide(s, {r}).claims_to_close[0].valid_to, "2026-09-01");
}

TEST(RollMerge, ANewAccountNumberReplacesTheOpenOne) {
  auto r = pupil(2);
  r.account = prot("acct2");
  auto d = decide(onRecord(), {r});
  ASSERT_EQ(d.accounts_to_close.size(), 1u);
  EXPECT_EQ(d.accounts_to_close[0].id, 50);
  EXPECT_EQ(d.accounts_to_close[0].valid_to, "2026-10-08");
  ASSERT_EQ(d.accounts_to_open.size(), 1u);
  EXPECT_EQ(d.accounts_to_open[0].person.id, 10);
  EXPECT_EQ(d.counts.accounts_replaced, 1);
  EXPECT_EQ(d.counts.accounts_added, 0);
  EXPECT_EQ(changed(d), (std::vector<std::string>{"bank_account 50 valid_to:  -> 2026-10-08"}));

  // The same number held by the guardian now: updated in place, the holder's change recorded.
  r = pupil(2);
  r.account_holder = "张父";
  d = decide(onRecord(), {r});
  EXPECT_TRUE(d.accounts_to_open.empty());
  ASSERT_EQ(d.accounts_to_update.size(), 1u);
  EXPECT_EQ(d.accounts_to_update[0].owner, "guardian");
  EXPECT_EQ(changed(d), (std::vector<std::string>{"bank_account 50 holder_name: 张三 -> 张父"}));
}

TEST(RollMerge, AChildKnownByAGNumberGetsTheResidentIdOnTheSameRecord) {
  auto s = onRecord();
  PersonOnRecord p = s.persons.at("hash-child1");
  s.persons.erase("hash-child1");
  p.has_rid = false;
  p.student_no = "Gchild1";
  s.persons["sno:Gchild1"] = p;
  const auto d = decide(s, {pupil(2)});
  EXPECT_TRUE(d.persons_to_add.empty());
  ASSERT_EQ(d.persons_to_update.size(), 1u);
  EXPECT_EQ(d.persons_to_update[0].id, 10);
  EXPECT_TRUE(d.persons_to_update[0].set_identifier);
  EXPECT_EQ(d.persons_to_update[0].student_no, "");  // the ID is not kept in clear in a G number
  EXPECT_EQ(changed(d), (std::vector<std::string>{"person 10 resident_id:  -> mask-child1",
                                                  "person 10 student_no: Gchild1 -> "}));
  EXPECT_EQ(d.enrollments_to_open.size(), 0u);  // the same enrollment
}

TEST(RollMerge, AnIdOfARecordMergedIntoAnotherLandsOnTheRecordKept) {
  // The load step puts the merged-away identifier under the record kept (person 10).
  auto s = onRecord();
  s.persons["hash-old"] = s.persons.at("hash-child1");
  const auto d = decide(s, {pupil(2, "old")});
  EXPECT_TRUE(d.issues.empty());
  EXPECT_EQ(d.counts.persons_added, 0);
  ASSERT_EQ(d.persons_to_update.size(), 1u);
  EXPECT_EQ(d.persons_to_update[0].id, 10);
  EXPECT_TRUE(d.enrollments_to_open.empty());
}

TEST(RollMerge, AnUnregisteredSchoolIsNamed) {
  auto r = pupil(2);
  r.school_code = "4399999999";
  try {
    (void)decide(onRecord(), {r});
    FAIL() << "decided for an unknown school";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("4399999999"), std::string::npos);
  }
}

}  // namespace
}  // namespace edupay::registry
