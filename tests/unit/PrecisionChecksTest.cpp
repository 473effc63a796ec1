#include "disburse/PrecisionChecks.h"

#include <gtest/gtest.h>

#include <map>

#include "common/Catalogue.h"
#include "disburse/Batches.h"

namespace edupay::disburse {
namespace {

CheckLimits limits() {
  return {"compulsory_nonboarding_allowance", "2026-autumn", *Date::parse("2026-09-01"), 2};
}

/// A payment that raises no flag: one school, the student holds the account, a plausible age.
PaymentFacts clean(int64_t id = 1) {
  PaymentFacts f;
  f.payment_id = id;
  f.schools_in_term = 1;
  f.account_households = 1;
  f.acct_mask = "6222****0128";
  f.holder = "张三";
  f.student_name = "张三";
  f.birth_date = Date::parse("2016-05-01");
  f.current_stages = {domain::Stage::kPrimary};
  return f;
}

std::vector<FlagDecision> person(const PaymentFacts& f, const CheckLimits& l = limits()) {
  return decide({f}, {}, l);
}

std::vector<FlagDecision> school(const SchoolPaymentFacts& f) { return decide({}, {f}, limits()); }

TEST(PrecisionChecks, CleanPaymentRaisesNothing) { EXPECT_TRUE(person(clean()).empty()); }

TEST(PrecisionChecks, MultiEnrollmentFromTheSecondSchoolInTheTerm) {
  auto f = clean(7);
  f.schools_in_term = 0;  // no enrolment overlapping the term is not this check's concern
  EXPECT_TRUE(person(f).empty());
  f.schools_in_term = 2;
  const auto d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].payment_id, 7);
  EXPECT_EQ(d[0].kind, "multi_enrollment");
  EXPECT_EQ(d[0].evidence, "enrolled at 2 schools during 2026-autumn");
}

TEST(PrecisionChecks, PaidElsewhereOncePerOtherLivePayment) {
  auto f = clean();
  f.other_batches = {7, 9};
  const auto d = person(f);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].kind, "paid_elsewhere");
  EXPECT_EQ(d[0].evidence, "also in batch 7");
  EXPECT_EQ(d[1].evidence, "also in batch 9");
}

TEST(PrecisionChecks, SharedAccountAboveTheLimitOnly) {
  auto f = clean();
  f.account_households = 2;  // at the limit
  EXPECT_TRUE(person(f).empty());
  f.account_households = std::nullopt;  // no account on the payment
  EXPECT_TRUE(person(f).empty());
  f.account_households = 3;
  const auto d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "shared_account");
  EXPECT_EQ(d[0].evidence, "account 6222****0128 receives for students of 3 households (limit 2)");
  auto wider = limits();
  wider.shared_account_limit = 3;
  EXPECT_TRUE(person(f, wider).empty());
}

TEST(PrecisionChecks, HolderMustBeTheStudentOrARegisteredGuardian) {
  auto f = clean();
  f.holder = "李四";
  f.guardian_names = {"王五", "李四"};
  EXPECT_TRUE(person(f).empty()) << "a guardian holds the account";
  f.guardian_names = {"王五"};
  auto d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "holder_mismatch");
  EXPECT_EQ(d[0].evidence, "account holder 李四 is neither the student nor a registered guardian");
  f.holder = "张三 ";  // names are compared exactly: a stray space is not the student
  d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "holder_mismatch");
}

TEST(PrecisionChecks, PossibleDuplicateNamesTheFirstLinkedRecordByStrongestLink) {
  auto f = clean();
  f.duplicates = {{"4301**********1111", false, false, false}};
  EXPECT_TRUE(person(f).empty()) << "same name and birth date alone is not evidence";
  f.duplicates = {{"4301**********1111", false, false, false},
                  {"4301**********2222", false, true, true},
                  {"4301**********3333", true, false, false}};
  auto d = person(f);
  ASSERT_EQ(d.size(), 1u) << "one flag per payment";
  EXPECT_EQ(d[0].kind, "possible_duplicate");
  EXPECT_EQ(d[0].evidence,
            "may be the same child as record 4301**********2222 (same name, birth date and "
            "guardian (监护人)), also entitled to compulsory_nonboarding_allowance 2026-autumn; if "
            "so, merge the records (edupay student merge) before paying "
            "(疑似同一学生的两条记录，请核实后合并)");
  f.duplicates = {{"G4301**********1111", true, true, true}};
  d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].evidence.find("birth date and household (户编号))"), std::string::npos);
  f.duplicates = {{"G4301**********1111", false, false, true}};
  d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].evidence.find("birth date and bank account (银行账号))"), std::string::npos);
}

TEST(PrecisionChecks, ImplausibleAgeAtTheEdgesOfTheStageOnTheReferenceDate) {
  // Primary: 5 to 16 on the reference date 2026-09-01.
  auto f = clean();
  f.birth_date = Date::parse("2021-09-01");  // 5 that day
  EXPECT_TRUE(person(f).empty());
  f.birth_date = Date::parse("2021-09-02");  // still 4
  auto d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "implausible_age");
  EXPECT_EQ(d[0].evidence, "age 4 is implausible for primary");
  f.birth_date = Date::parse("2009-09-02");  // 16
  EXPECT_TRUE(person(f).empty());
  f.birth_date = Date::parse("2009-09-01");  // 17 that day
  d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].evidence, "age 17 is implausible for primary");
  // One flag per open enrolment whose stage excludes the age.
  f.current_stages = {domain::Stage::kPrimary, domain::Stage::kJunior, domain::Stage::kPreschool};
  d = person(f);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].evidence, "age 17 is implausible for preschool");
  f.birth_date.reset();  // a record without a birth date
  EXPECT_TRUE(person(f).empty());
}

TEST(PrecisionChecks, LevelDeclaredOnlyByTheRoll) {
  auto f = clean();
  f.level_declared_only = true;
  const auto d = person(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "level_not_identified");
  EXPECT_EQ(d[0].evidence,
            "the difficulty level comes from the roll's column, not from the school's "
            "identification for the academic year; identify the student (edupay identify) or "
            "clear the flag with a reason (困难等级仅为学籍表填报，未经资助对象认定)");
}

TEST(PrecisionChecks, KindByKindThenPaymentByPayment) {
  auto a = clean(1), b = clean(2);
  a.level_declared_only = true;
  a.schools_in_term = 3;
  b.schools_in_term = 2;
  b.holder = "stranger";
  SchoolPaymentFacts s;
  s.payment_id = 3;
  s.school_code = "1430121004";
  s.waived = 1;
  const auto d = decide({a, b}, {s}, limits());
  std::vector<std::pair<int64_t, std::string>> got;
  for (const auto& x : d) got.emplace_back(x.payment_id, x.kind);
  const std::vector<std::pair<int64_t, std::string>> want = {{1, "multi_enrollment"},
                                                             {2, "multi_enrollment"},
                                                             {2, "holder_mismatch"},
                                                             {1, "level_not_identified"},
                                                             {3, "school_over_roll"}};
  EXPECT_EQ(got, want);
}

SchoolPaymentFacts schoolPayment() {
  SchoolPaymentFacts f;
  f.payment_id = 40;
  f.school_code = "1430121004";
  f.school_name = "第4中学";
  f.students = {{"4301**********0001", true}, {"4301**********0002", true}};
  f.waived = 2;
  f.on_roll = 2;
  return f;
}

TEST(PrecisionChecks, SchoolWithEveryListedStudentActiveAndWithinItsRollRaisesNothing) {
  EXPECT_TRUE(school(schoolPayment()).empty());
}

TEST(PrecisionChecks, SchoolStudentInactiveListsAtMostFive) {
  auto f = schoolPayment();
  f.students[1].active_on_reference = false;
  auto d = school(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].payment_id, 40);
  EXPECT_EQ(d[0].kind, "school_student_inactive");
  EXPECT_EQ(d[0].evidence,
            "学校 1430121004（第4中学） 的名单中有 1 名学生在 2026-09-01 不在该校在籍在读："
            "4301**********0002。请核对学籍，移除本笔或待学籍更正后重新计算。 / 1 student(s) on "
            "the list of school 1430121004 are not active at it on 2026-09-01 "
            "(4301**********0002): check the roll, remove this payment or recompute after the "
            "roll is corrected");
  f.students.clear();
  for (int i = 1; i <= 6; ++i) f.students.push_back({"S" + std::to_string(i), false});
  d = school(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].evidence.find("有 6 名学生"), std::string::npos);
  EXPECT_NE(d[0].evidence.find("：S1, S2, S3, S4, S5, ...。"), std::string::npos);
  EXPECT_EQ(d[0].evidence.find("S6"), std::string::npos);
  f.students.resize(5);
  d = school(f);
  EXPECT_NE(d[0].evidence.find("(S1, S2, S3, S4, S5)"), std::string::npos) << d[0].evidence;
}

// Every flag carries its evidence as a catalogue message: the English rendering says what the
// stored evidence says (its English part), the Chinese one says it whole for the county officer.
TEST(PrecisionChecks, EveryFlagRendersItsEvidenceInChineseAndEnglish) {
  auto p = clean(1);
  p.schools_in_term = 2;
  p.other_batches = {9};
  p.account_households = 3;
  p.holder = "李四";
  p.duplicates = {{"4301**********0099", false, true, false}};
  p.current_stages = {domain::Stage::kPreschool};
  p.level_declared_only = true;
  auto sp = schoolPayment();
  sp.students[1].active_on_reference = false;
  sp.waived = 3;
  sp.shared_account = {{"6222****7777", 2}};
  const auto d = decide({p}, {sp}, limits());
  std::map<std::string, std::pair<std::string, std::string>> by_kind;  // kind -> zh, en
  for (const auto& x : d) {
    EXPECT_EQ(x.message.code(), "flag." + x.kind);
    by_kind[x.kind] = {i18n::render(x.message, Lang::kZh), i18n::render(x.message, Lang::kEn)};
    // The English sentence is the stored evidence's English (the part after " / " if any).
    const auto slash = x.evidence.find(" / ");
    const std::string stored_en =
        slash == std::string::npos ? x.evidence : x.evidence.substr(slash + 3);
    EXPECT_EQ(stored_en.rfind(by_kind[x.kind].second.substr(0, 20), 0), 0u)
        << x.kind << ": " << stored_en << " vs " << by_kind[x.kind].second;
  }
  ASSERT_EQ(by_kind.size(), 10u);
  EXPECT_EQ(by_kind["multi_enrollment"].second, "enrolled at 2 schools during 2026-autumn");
  EXPECT_EQ(by_kind["multi_enrollment"].first,
            "2026年秋季学期内在 2 所学校有学籍；请核实学生实际就读的学校，避免重复资助");
  EXPECT_EQ(by_kind["paid_elsewhere"].first,
            "该生本项目本学期的资助已列入批次 9；请核实，避免重复发放");
  EXPECT_NE(
      by_kind["shared_account"].first.find("账户 6222****0128 为 3 户家庭的学生收款（上限 2 户）"),
      std::string::npos);
  EXPECT_NE(by_kind["holder_mismatch"].first.find("收款户名 李四 既不是学生本人"),
            std::string::npos);
  EXPECT_NE(by_kind["possible_duplicate"].first.find("姓名、出生日期和监护人相同"),
            std::string::npos)
      << by_kind["possible_duplicate"].first;
  EXPECT_NE(by_kind["possible_duplicate"].first.find("该记录也享受本项目2026年秋季学期的资助"),
            std::string::npos)
      << by_kind["possible_duplicate"].first;
  EXPECT_NE(by_kind["possible_duplicate"].second.find("birth date and guardian), also entitled"),
            std::string::npos);
  EXPECT_NE(by_kind["implausible_age"].first.find("年龄 10 岁与"), std::string::npos)
      << by_kind["implausible_age"].first;
  EXPECT_EQ(by_kind["implausible_age"].second, "age 10 is implausible for preschool");
  EXPECT_NE(by_kind["level_not_identified"].first.find("未经本学年资助对象认定"),
            std::string::npos);
  EXPECT_EQ(by_kind["school_student_inactive"].first,
            "学校 1430121004（第4中学） 的名单中有 1 名学生在 2026-09-01 不在该校在籍在读："
            "4301**********0002。请核对学籍，移除本笔或待学籍更正后重新计算。");
  EXPECT_NE(by_kind["school_over_roll"].first.find("申报 3 名学生享受减免，而该学段在 2026-09-01 "
                                                   "在籍在读仅 2 人"),
            std::string::npos)
      << by_kind["school_over_roll"].first;
  EXPECT_NE(by_kind["school_account_shared"].first.find("账户 6222****7777 同时登记为 2 名学生"),
            std::string::npos);
  for (const auto& [kind, texts] : by_kind) {
    EXPECT_EQ(texts.first.find(kind), std::string::npos) << "a code in the Chinese text: " << kind;
    EXPECT_EQ(texts.first.find("compulsory_"), std::string::npos) << texts.first;
  }
}

TEST(PrecisionChecks, HolderFindingsRenderInChineseAndEnglish) {
  const auto f = holderFindings("4301**********0077", "\xE7\x8E\x8B\xF0\xAB\x96\xAF", "102",
                                Unencodable{"GBK", "pipe-gbk", {"\xF0\xAB\x96\xAF"}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message.code(), "flag.holder_not_encodable");
  const std::string zh = i18n::render(f[0].message, Lang::kZh);
  EXPECT_NE(zh.find("学生 4301**********0077 的收款户名"), std::string::npos) << zh;
  EXPECT_NE(zh.find("无法用 GBK 写入 102 银行文件（格式 pipe-gbk）"), std::string::npos) << zh;
  // The English is the stored evidence's English half.
  const std::string en = i18n::render(f[0].message, Lang::kEn);
  EXPECT_EQ(f[0].evidence.substr(f[0].evidence.find(" / ") + 3), en);
  const auto unsafe = holderFindings("1430121004 第4中学", "=王\t五", "102", std::nullopt, true);
  ASSERT_EQ(unsafe.size(), 1u);
  const std::string uzh = i18n::render(unsafe[0].message, Lang::kZh);
  EXPECT_NE(uzh.find("学校 1430121004 第4中学 的收款户名"), std::string::npos) << uzh;
  EXPECT_NE(uzh.find("= (U+003D), (U+0009)"), std::string::npos) << uzh;
  EXPECT_EQ(unsafe[0].evidence.substr(unsafe[0].evidence.find(" / ") + 3),
            i18n::render(unsafe[0].message, Lang::kEn));
}

TEST(PrecisionChecks, SchoolOverRollWhenMoreWaivedThanOnTheRoll) {
  auto f = schoolPayment();
  f.waived = 3;
  f.on_roll = 3;
  EXPECT_TRUE(school(f).empty()) << "as many as on the roll";
  f.on_roll = 2;
  const auto d = school(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "school_over_roll");
  EXPECT_EQ(
      d[0].evidence,
      "学校 1430121004（第4中学） 申报 3 名学生享受 compulsory_nonboarding_allowance，而该学段"
      "在籍在读仅 2 人（2026-09-01）。请核对名单与学籍。 / School 1430121004 claims 3 waived "
      "students, its roll has 2 in the stage on 2026-09-01: check the list against the roll");
}

TEST(PrecisionChecks, SchoolAccountSharedWithPersons) {
  auto f = schoolPayment();
  f.shared_account = std::make_pair(std::string("6222****0128"), int64_t{1});
  const auto d = school(f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "school_account_shared");
  EXPECT_EQ(d[0].evidence,
            "学校 1430121004（第4中学） 的账户 6222****0128 同时登记为 1 名学生（或其监护人）的收款"
            "账户：学校资金不得进入个人账户。请核实后更正学校账户（edupay school account set）或"
            "学生账户。 / The account 6222****0128 of school 1430121004 is also the payee account "
            "of 1 student(s) or guardian(s): a school's money never goes to a person's account; "
            "correct the school's account (edupay school account set) or the student's");
}

TEST(PrecisionChecks, SchoolChecksInOrderForOnePayment) {
  auto f = schoolPayment();
  f.students[0].active_on_reference = false;
  f.waived = 9;
  f.shared_account = std::make_pair(std::string("6222****0128"), int64_t{2});
  const auto d = school(f);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].kind, "school_student_inactive");
  EXPECT_EQ(d[1].kind, "school_over_roll");
  EXPECT_EQ(d[2].kind, "school_account_shared");
}

}  // namespace
}  // namespace edupay::disburse
