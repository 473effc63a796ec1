#include "rules/Engine.h"

#include <gtest/gtest.h>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "security/FieldCipher.h"

namespace edupay::rules {
namespace {

using domain::Category;
using domain::DifficultyLevel;
using domain::Stage;

const Policy& hunan() {
  static const Policy p = loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
  return p;
}

/// Facts of one student, changed a piece at a time: `StudentBuilder().secvoc(2).category(...)`.
class StudentBuilder {
 public:
  StudentBuilder() {
    f_.person_id = 1;
    f_.display = "4301**********0011";
    f_.name = "测试";
    f_.school_id = 7;
    f_.school_code = "1430121001";
    f_.school_region = "430121";
    f_.hukou_region = "430121";
    f_.rural_hukou = true;
    f_.enroll_date = *Date::fromYmd(2024, 9, 1);
    f_.accounts = {{11, domain::AccountKind::kStudentCard, "student"}};
  }
  StudentBuilder& stage(Stage s, int grade) {
    f_.stage = s;
    f_.grade = grade;
    return *this;
  }
  StudentBuilder& preschool(int g) { return stage(Stage::kPreschool, g); }
  StudentBuilder& primary(int g) { return stage(Stage::kPrimary, g); }
  StudentBuilder& junior(int g) { return stage(Stage::kJunior, g); }
  StudentBuilder& senior(int g) { return stage(Stage::kSenior, g); }
  StudentBuilder& secvoc(int g) { return stage(Stage::kSecVoc, g); }
  StudentBuilder& undergrad(int g) { return stage(Stage::kUndergrad, g); }
  StudentBuilder& master(int g) { return stage(Stage::kMaster, g); }
  StudentBuilder& phd(int g) { return stage(Stage::kPhd, g); }
  StudentBuilder& boarding() {
    f_.boarding = true;
    return *this;
  }
  StudentBuilder& agri(const std::string& major = "现代农艺技术") {
    f_.agri_major = true;
    f_.major = major;
    return *this;
  }
  StudentBuilder& major(const std::string& m) {
    f_.major = m;
    return *this;
  }
  StudentBuilder& urban() {
    f_.rural_hukou = false;
    return *this;
  }
  StudentBuilder& category(Category c, const std::string& source = "") {
    f_.statuses.push_back({c, source.empty() ? std::string(domain::rosterSourceOf(c)) : source,
                           "roster", "2020-01-01", ""});
    return *this;
  }
  StudentBuilder& registeredPoor() { return category(Category::kPovertyExited); }
  StudentBuilder& claimed(Category c) {
    f_.statuses.push_back({c, "claimed", "1430121001", "2026-09-01", ""});
    return *this;
  }
  StudentBuilder& difficulty(DifficultyLevel l) {
    f_.difficulty = l;
    return *this;
  }
  StudentBuilder& nominated(const std::string& programme) {
    f_.nominations.insert(programme);
    return *this;
  }
  StudentBuilder& oneCard() {
    f_.accounts.push_back({12, domain::AccountKind::kOneCard, "guardian"});
    return *this;
  }
  StudentBuilder& noAccounts() {
    f_.accounts.clear();
    return *this;
  }
  StudentBuilder& suspended() {
    f_.status = domain::EnrollmentStatus::kSuspended;
    return *this;
  }
  StudentBuilder& hukou(const std::string& region) {
    f_.hukou_region = region;
    return *this;
  }
  StudentBuilder& school(const std::string& region) {
    f_.school_region = region;
    return *this;
  }
  StudentBuilder& enrolled(int y, int m, int d) {
    f_.enroll_date = *Date::fromYmd(y, m, d);
    return *this;
  }
  const StudentFacts& build() const { return f_; }

 private:
  StudentFacts f_;
};

Decision decide(const StudentBuilder& b, const std::string& programme,
                const std::string& term = "2026-autumn") {
  const auto decisions = evaluate(hunan(), Term::parse(term), b.build());
  for (const auto& d : decisions) {
    if (d.programme == programme) return d;
  }
  ADD_FAILURE() << "no decision for " << programme;
  return {};
}

struct Case {
  const char* name;
  StudentBuilder student;
  const char* programme;
  const char* term;
  Status status;
  int64_t fen;
};

std::ostream& operator<<(std::ostream& o, const Case& c) { return o << c.name; }

class EngineTable : public ::testing::TestWithParam<Case> {};

TEST_P(EngineTable, DecidesStatusAndAmount) {
  const Case& c = GetParam();
  const Decision d = decide(c.student, c.programme, c.term);
  EXPECT_EQ(code(d.status), code(c.status)) << d.reason();
  EXPECT_EQ(d.amount.fen(), c.fen) << d.reason();
  EXPECT_EQ(d.central + d.provincial + d.county, d.amount) << "funding shares must add up";
}

/// Every fact of every programme's trace is a catalogue sentence whose English is the stored
/// fact, and which renders in Chinese (the debug build refuses mismatched arguments).
TEST_P(EngineTable, EveryFactIsACatalogueSentenceWhoseEnglishIsTheStoredFact) {
  const Case& c = GetParam();
  for (const auto& d : evaluate(hunan(), Term::parse(c.term), c.student.build())) {
    for (const auto& ch : d.trace) {
      ASSERT_FALSE(ch.message.code().empty()) << d.programme << " " << ch.code;
      EXPECT_EQ(i18n::render(ch.message, Lang::kEn), ch.fact) << ch.message.code();
      EXPECT_FALSE(i18n::render(ch.message, Lang::kZh).empty()) << ch.message.code();
    }
    if (!d.hold_reason.empty()) {
      EXPECT_EQ(i18n::render(d.hold_message, Lang::kEn), d.hold_reason);
    }
  }
}

// One row per programme of POLICY.md with at least one eligible and one ineligible student,
// rate-change terms on both sides, tiers, and the category rules. Amounts are fen per term.
INSTANTIATE_TEST_SUITE_P(
    EveryProgramme, EngineTable,
    ::testing::Values(
        Case{"preschool_aid_difficult",
             StudentBuilder().preschool(2).difficulty(DifficultyLevel::kDifficult), "preschool_aid",
             "2026-autumn", Status::kEligible, 50000},
        Case{"preschool_aid_especially_by_category",
             StudentBuilder().preschool(2).category(Category::kTekun), "preschool_aid",
             "2026-autumn", Status::kEligible, 60000},
        Case{"preschool_aid_no_difficulty", StudentBuilder().preschool(2), "preschool_aid",
             "2026-autumn", Status::kExcluded, 0},
        Case{"final_year_free_from_2025_autumn", StudentBuilder().preschool(3),
             "preschool_final_year_free", "2025-autumn", Status::kEligible, 120000},
        Case{"final_year_free_not_before_2025_autumn", StudentBuilder().preschool(3),
             "preschool_final_year_free", "2025-spring", Status::kNotApplicable, 0},
        Case{"final_year_free_not_middle_year", StudentBuilder().preschool(2),
             "preschool_final_year_free", "2026-autumn", Status::kExcluded, 0},
        Case{"boarding_primary",
             StudentBuilder().primary(3).boarding().difficulty(DifficultyLevel::kGenerally),
             "compulsory_boarding_allowance", "2026-autumn", Status::kEligible, 50000},
        Case{"boarding_junior_by_category",
             StudentBuilder().junior(2).boarding().category(Category::kDibao),
             "compulsory_boarding_allowance", "2026-spring", Status::kEligible, 62500},
        Case{"boarding_day_student",
             StudentBuilder().primary(3).difficulty(DifficultyLevel::kEspecially),
             "compulsory_boarding_allowance", "2026-autumn", Status::kExcluded, 0},
        Case{"nonboarding_registered_poor", StudentBuilder().primary(3).registeredPoor(),
             "compulsory_nonboarding_allowance", "2026-autumn", Status::kEligible, 25000},
        Case{"nonboarding_junior", StudentBuilder().junior(1).category(Category::kDisabledStudent),
             "compulsory_nonboarding_allowance", "2019-autumn", Status::kEligible, 31250},
        Case{"nonboarding_before_2019_autumn", StudentBuilder().primary(3).registeredPoor(),
             "compulsory_nonboarding_allowance", "2019-spring", Status::kNotApplicable, 0},
        Case{"nonboarding_urban_dibao",
             StudentBuilder().primary(3).urban().category(Category::kDibao),
             "compulsory_nonboarding_allowance", "2026-autumn", Status::kExcluded, 0},
        Case{"nonboarding_rural_dibao", StudentBuilder().primary(3).category(Category::kDibao),
             "compulsory_nonboarding_allowance", "2026-autumn", Status::kEligible, 25000},
        Case{"nonboarding_not_for_boarders",
             StudentBuilder().primary(3).boarding().registeredPoor(),
             "compulsory_nonboarding_allowance", "2026-autumn", Status::kExcluded, 0},
        Case{"highschool_waiver_disabled",
             StudentBuilder().senior(1).category(Category::kDisabledStudent),
             "highschool_fee_waiver", "2026-autumn", Status::kEligible, 70000},
        Case{"highschool_waiver_no_category",
             StudentBuilder().senior(1).difficulty(DifficultyLevel::kEspecially),
             "highschool_fee_waiver", "2026-autumn", Status::kExcluded, 0},
        Case{"highschool_grant_2024_autumn_old_rate",
             StudentBuilder().senior(2).difficulty(DifficultyLevel::kEspecially),
             "highschool_national_grant", "2024-autumn", Status::kEligible, 150000},
        Case{"highschool_grant_2025_spring_new_rate",
             StudentBuilder().senior(2).difficulty(DifficultyLevel::kEspecially),
             "highschool_national_grant", "2025-spring", Status::kEligible, 175000},
        Case{"highschool_grant_difficult_tier",
             StudentBuilder().senior(2).difficulty(DifficultyLevel::kDifficult),
             "highschool_national_grant", "2026-autumn", Status::kEligible, 115000},
        Case{"highschool_grant_none", StudentBuilder().senior(2), "highschool_national_grant",
             "2026-autumn", Status::kExcluded, 0},
        Case{"secvoc_waiver_rural", StudentBuilder().secvoc(1), "secvoc_tuition_waiver",
             "2026-autumn", Status::kEligible, 120000},
        Case{"secvoc_waiver_urban_agri", StudentBuilder().secvoc(2).urban().agri(),
             "secvoc_tuition_waiver", "2026-autumn", Status::kEligible, 120000},
        Case{"secvoc_waiver_urban_plain", StudentBuilder().secvoc(2).urban().major("计算机应用"),
             "secvoc_tuition_waiver", "2026-autumn", Status::kExcluded, 0},
        Case{"secvoc_waiver_art_performance", StudentBuilder().secvoc(1).major("舞蹈表演"),
             "secvoc_tuition_waiver", "2026-autumn", Status::kExcluded, 0},
        Case{"secvoc_grant_year3_from_2025_spring", StudentBuilder().secvoc(3).agri(),
             "secvoc_national_grant", "2026-autumn", Status::kEligible, 115000},
        Case{"secvoc_grant_year3_before", StudentBuilder().secvoc(3).agri(),
             "secvoc_national_grant", "2024-autumn", Status::kExcluded, 0},
        Case{"secvoc_grant_year1_2024",
             StudentBuilder().secvoc(1).difficulty(DifficultyLevel::kGenerally),
             "secvoc_national_grant", "2024-autumn", Status::kEligible, 100000},
        Case{"secvoc_grant_neither", StudentBuilder().secvoc(1).major("电子商务"),
             "secvoc_national_grant", "2026-autumn", Status::kExcluded, 0},
        Case{"secvoc_scholarship",
             StudentBuilder().secvoc(2).nominated("secvoc_national_scholarship"),
             "secvoc_national_scholarship", "2026-autumn", Status::kEligible, 600000},
        Case{"secvoc_scholarship_not_in_spring",
             StudentBuilder().secvoc(2).nominated("secvoc_national_scholarship"),
             "secvoc_national_scholarship", "2027-spring", Status::kNotApplicable, 0},
        Case{"secvoc_scholarship_first_year",
             StudentBuilder().secvoc(1).nominated("secvoc_national_scholarship"),
             "secvoc_national_scholarship", "2026-autumn", Status::kExcluded, 0},
        Case{"raindew_registered_poor", StudentBuilder().secvoc(1).registeredPoor().oneCard(),
             "raindew_vocational", "2026-autumn", Status::kEligible, 150000},
        Case{"raindew_monitored_before_2022",
             StudentBuilder().secvoc(1).category(Category::kMonitoredEdge).oneCard(),
             "raindew_vocational", "2021-autumn", Status::kExcluded, 0},
        Case{"raindew_monitored_from_2022",
             StudentBuilder().secvoc(1).category(Category::kMonitoredEdge).oneCard(),
             "raindew_vocational", "2022-spring", Status::kEligible, 150000},
        Case{"raindew_suspended", StudentBuilder().secvoc(1).registeredPoor().oneCard().suspended(),
             "raindew_vocational", "2026-autumn", Status::kExcluded, 0},
        Case{"raindew_dibao_only", StudentBuilder().secvoc(1).category(Category::kDibao).oneCard(),
             "raindew_vocational", "2026-autumn", Status::kExcluded, 0},
        Case{"higher_grant_2024_autumn",
             StudentBuilder().undergrad(2).difficulty(DifficultyLevel::kEspecially),
             "higher_national_grant", "2026-autumn", Status::kEligible, 250000},
        Case{"higher_grant_2024_spring_old_rate",
             StudentBuilder().undergrad(2).difficulty(DifficultyLevel::kDifficult),
             "higher_national_grant", "2024-spring", Status::kEligible, 165000},
        Case{"higher_grant_2019_spring",
             StudentBuilder().undergrad(2).difficulty(DifficultyLevel::kDifficult),
             "higher_national_grant", "2019-spring", Status::kEligible, 165000},
        Case{"higher_grant_2018_autumn",
             StudentBuilder().undergrad(2).difficulty(DifficultyLevel::kDifficult),
             "higher_national_grant", "2018-autumn", Status::kEligible, 150000},
        Case{"higher_grant_no_difficulty", StudentBuilder().undergrad(2), "higher_national_grant",
             "2026-autumn", Status::kExcluded, 0},
        Case{"encouragement_2024",
             StudentBuilder()
                 .undergrad(2)
                 .difficulty(DifficultyLevel::kGenerally)
                 .nominated("higher_encouragement_scholarship"),
             "higher_encouragement_scholarship", "2026-autumn", Status::kEligible, 600000},
        Case{"encouragement_2023",
             StudentBuilder()
                 .undergrad(2)
                 .difficulty(DifficultyLevel::kGenerally)
                 .nominated("higher_encouragement_scholarship"),
             "higher_encouragement_scholarship", "2023-autumn", Status::kEligible, 500000},
        Case{"encouragement_first_year",
             StudentBuilder()
                 .undergrad(1)
                 .difficulty(DifficultyLevel::kGenerally)
                 .nominated("higher_encouragement_scholarship"),
             "higher_encouragement_scholarship", "2026-autumn", Status::kExcluded, 0},
        Case{"national_scholarship_2024",
             StudentBuilder().undergrad(3).nominated("higher_national_scholarship"),
             "higher_national_scholarship", "2026-autumn", Status::kEligible, 1000000},
        Case{"national_scholarship_2023",
             StudentBuilder().undergrad(3).nominated("higher_national_scholarship"),
             "higher_national_scholarship", "2023-autumn", Status::kEligible, 800000},
        Case{"national_scholarship_not_nominated", StudentBuilder().undergrad(3),
             "higher_national_scholarship", "2026-autumn", Status::kExcluded, 0},
        Case{"freshman_in_province",
             StudentBuilder()
                 .undergrad(1)
                 .enrolled(2026, 9, 1)
                 .difficulty(DifficultyLevel::kDifficult),
             "freshman_travel_aid", "2026-autumn", Status::kEligible, 50000},
        Case{"freshman_out_of_province",
             StudentBuilder()
                 .undergrad(1)
                 .enrolled(2026, 9, 1)
                 .school("110108")
                 .difficulty(DifficultyLevel::kDifficult),
             "freshman_travel_aid", "2026-autumn", Status::kEligible, 100000},
        Case{"freshman_second_year",
             StudentBuilder().undergrad(2).difficulty(DifficultyLevel::kDifficult),
             "freshman_travel_aid", "2026-autumn", Status::kExcluded, 0},
        Case{"pg_master", StudentBuilder().master(1), "pg_national_grant", "2026-autumn",
             Status::kEligible, 300000},
        Case{"pg_phd", StudentBuilder().phd(2), "pg_national_grant", "2027-spring",
             Status::kEligible, 750000},
        Case{"pg_not_undergrad", StudentBuilder().undergrad(4), "pg_national_grant", "2026-autumn",
             Status::kNotApplicable, 0},
        Case{"claimed_only_is_held", StudentBuilder().primary(2).claimed(Category::kDibao),
             "compulsory_nonboarding_allowance", "2026-autumn", Status::kHeld, 25000},
        Case{"claim_without_roster_source_counts",
             StudentBuilder().preschool(1).claimed(Category::kMartyrChild), "preschool_aid",
             "2026-autumn", Status::kEligible, 50000},
        Case{"no_account_is_held",
             StudentBuilder().senior(2).difficulty(DifficultyLevel::kDifficult).noAccounts(),
             "highschool_national_grant", "2026-autumn", Status::kHeld, 115000}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Engine, RainDewIsPaidByTheHukouCountyToTheOneCard) {
  const Decision d = decide(StudentBuilder().secvoc(1).registeredPoor().oneCard().hukou("430221"),
                            "raindew_vocational");
  ASSERT_EQ(d.status, Status::kEligible) << d.reason();
  EXPECT_EQ(d.paying_region, "430221");
  EXPECT_EQ(d.payee, Payee::kHouseholdOneCard);
  EXPECT_EQ(d.account_id, 12);
}

TEST(Engine, RainDewWithoutAOneCardIsHeld) {
  const Decision d = decide(StudentBuilder().secvoc(1).registeredPoor(), "raindew_vocational");
  EXPECT_EQ(d.status, Status::kHeld);
  EXPECT_EQ(d.hold_reason, "no payee account on file");
}

TEST(Engine, FeeWaiversArePaidToTheSchoolByTheSchoolCounty) {
  const Decision d = decide(StudentBuilder().secvoc(1).hukou("430221"), "secvoc_tuition_waiver");
  ASSERT_EQ(d.status, Status::kEligible);
  EXPECT_EQ(d.payee, Payee::kSchool);
  EXPECT_EQ(d.account_id, 0);
  EXPECT_EQ(d.paying_region, "430121");
}

TEST(Engine, AClaimedCategoryOnNoRosterIsHeldWithTheReason) {
  const Decision d = decide(StudentBuilder().primary(2).claimed(Category::kDibao),
                            "compulsory_nonboarding_allowance");
  EXPECT_EQ(d.status, Status::kHeld);
  EXPECT_EQ(d.hold_reason, "claimed category not on the official roster");
  EXPECT_NE(d.reason().find("!roster="), std::string::npos) << d.reason();
  EXPECT_NE(i18n::render(d.hold_message, Lang::kZh).find("不在部门比对数据中"), std::string::npos);
}

const Check* findCheck(const Decision& d, const std::string& code) {
  for (const auto& c : d.trace)
    if (c.code == code) return &c;
  return nullptr;
}

TEST(EngineMessages, ARateARosterCategoryAndADayStudentReadInChinese) {
  // The rate with its amounts: yearly and this term's, in yuan, from the term it holds from.
  const Decision rate = decide(StudentBuilder().primary(2).category(Category::kDibao),
                               "compulsory_nonboarding_allowance");
  const Check* r = findCheck(rate, "rate");
  ASSERT_TRUE(r) << rate.reason();
  const std::string rate_zh = i18n::render(r->message, Lang::kZh);
  EXPECT_NE(rate_zh.find("每年 500.00 元，本学期 250.00 元"), std::string::npos) << rate_zh;
  EXPECT_NE(rate_zh.find("秋季学期起"), std::string::npos) << rate_zh;
  EXPECT_NE(r->fact.find("500.00/yr -> 250.00 this term"), std::string::npos) << r->fact;
  // The roster category: 低保, the civil-affairs department's data, since when.
  const Check* cat = findCheck(rate, "category");
  ASSERT_TRUE(cat) << rate.reason();
  EXPECT_EQ(i18n::render(cat->message, Lang::kZh),
            "低保（农村户籍）（民政部门比对数据，自 2020-01-01 起）");
  EXPECT_EQ(cat->fact, "dibao@rural (civil_affairs roster since 2020-01-01)");
  // A day student where the programme wants boarders.
  const Decision day = decide(StudentBuilder().junior(1).difficulty(DifficultyLevel::kDifficult),
                              "compulsory_boarding_allowance");
  const Check* b = findCheck(day, "boarding");
  ASSERT_TRUE(b) << day.reason();
  EXPECT_EQ(b->fact, "day student");
  EXPECT_EQ(i18n::render(b->message, Lang::kZh), "走读生（非寄宿）");
  // The stage in its Chinese word.
  const Check* st = findCheck(day, "stage");
  ASSERT_TRUE(st);
  EXPECT_EQ(i18n::render(st->message, Lang::kZh), "初中阶段");
}

TEST(Engine, NationalScholarshipExcludesEncouragementButBothStackWithTheGrant) {
  const auto b = StudentBuilder()
                     .undergrad(3)
                     .difficulty(DifficultyLevel::kEspecially)
                     .nominated("higher_national_scholarship")
                     .nominated("higher_encouragement_scholarship");
  EXPECT_EQ(decide(b, "higher_national_scholarship").status, Status::kEligible);
  const Decision enc = decide(b, "higher_encouragement_scholarship");
  EXPECT_EQ(enc.status, Status::kExcluded);
  EXPECT_EQ(enc.amount.fen(), 0);
  EXPECT_NE(enc.reason().find("!exclusive="), std::string::npos) << enc.reason();
  EXPECT_EQ(decide(b, "higher_national_grant").status, Status::kEligible);
}

TEST(Engine, RainDewStacksWithEducationAid) {
  const auto b = StudentBuilder().secvoc(1).registeredPoor().oneCard().agri();
  EXPECT_EQ(decide(b, "raindew_vocational").status, Status::kEligible);
  EXPECT_EQ(decide(b, "secvoc_national_grant").status, Status::kEligible);
  EXPECT_EQ(decide(b, "secvoc_tuition_waiver").status, Status::kEligible);
}

TEST(Engine, TheReasonTraceNamesEachCheckAndItsFact) {
  const Decision d =
      decide(StudentBuilder().primary(3).boarding().difficulty(DifficultyLevel::kDifficult),
             "compulsory_boarding_allowance");
  const std::string r = d.reason();
  for (const char* part :
       {"stage=primary", "status=active", "boarding=boarding", "difficulty=assessed difficult",
        "rate=2011-autumn primary: 1000.00/yr -> 500.00 this term", "payee=student_card",
        "region=school county 430121"}) {
    EXPECT_NE(r.find(part), std::string::npos) << part << " missing from: " << r;
  }
}

TEST(Engine, HunanCostSharingSplitsExactly) {
  const Decision d =
      decide(StudentBuilder().junior(1).boarding().difficulty(DifficultyLevel::kGenerally),
             "compulsory_boarding_allowance");
  EXPECT_EQ(d.amount.fen(), 62500);
  EXPECT_EQ(d.central.fen(), 31250);
  EXPECT_EQ(d.provincial.fen(), 18750);
  EXPECT_EQ(d.county.fen(), 12500);
}

TEST(Engine, SplitFundingAlwaysSumsToTheAmount) {
  Funding f;
  f.central = 33;
  f.provincial = 33;
  f.county = 34;
  for (int64_t fen : {1, 2, 99, 100, 31250, 33333, 1234567}) {
    Money c, p, k;
    splitFunding(Money::fromFen(fen), f, c, p, k);
    EXPECT_EQ((c + p + k).fen(), fen);
    EXPECT_GE(k.fen(), 0);
  }
}

TEST(Engine, ANationalPolicyWithoutLocalRatesReportsAProblem) {
  const Policy national =
      loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/cn-national.json");
  std::vector<EvaluationProblem> problems;
  const auto ds = evaluate(
      national, Term::parse("2026-autumn"),
      StudentBuilder().preschool(2).difficulty(DifficultyLevel::kDifficult).build(), &problems);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].programme, "preschool_aid");
  EXPECT_EQ(problems[0].code, "no_local_rate");
}

TEST(Engine, PerTermAmountsOfAnOddFenYearSumToTheYear) {
  // 625.01 yuan a year: autumn takes the odd fen.
  Policy p = hunan();
  for (auto& prog : p.programmes) {
    if (prog.code == "pg_national_grant")
      prog.periods.front().yearly["master"] = Money::fromFen(62501);
  }
  const auto autumn = evaluate(p, Term::parse("2026-autumn"), StudentBuilder().master(1).build());
  const auto spring = evaluate(p, Term::parse("2027-spring"), StudentBuilder().master(1).build());
  Money a, s;
  for (const auto& d : autumn) a += d.programme == "pg_national_grant" ? d.amount : Money();
  for (const auto& d : spring) s += d.programme == "pg_national_grant" ? d.amount : Money();
  EXPECT_EQ(a.fen(), 31251);
  EXPECT_EQ(s.fen(), 31250);
}

// The bulk run builds no sentences; what it stores beside each reason are the sentences of the
// decision's explanation, made once per distinct reason: the same as explaining the student.
TEST(Engine, TheRunStoresTheSentencesOfTheExplanation) {
  const Term term = Term::parse("2026-autumn");
  const auto student =
      StudentBuilder().primary(3).boarding().difficulty(DifficultyLevel::kNone).build();
  const auto run = evaluate(hunan(), term, student, nullptr, TraceMode::kRun);
  const auto explained = evaluate(hunan(), term, student);
  TraceSentences sentences(hunan(), term);
  int stored = 0;
  for (const auto& d : run) {
    if (d.status == Status::kNotApplicable) continue;
    for (const auto& c : d.trace) EXPECT_TRUE(c.message.empty()) << c.code;
    const std::string reason = d.reason();
    const std::string text = sentences.of(student, d, reason).json;
    const std::string key = sentences.of(student, d, reason).sha256;
    ASSERT_FALSE(text.empty()) << d.programme;
    EXPECT_EQ(key, security::sha256Hex(text));
    for (const auto& e : explained) {
      if (e.programme == d.programme) EXPECT_EQ(text, e.storedTrace()) << d.programme;
    }
    EXPECT_EQ(sentences.of(student, d, reason).json, text);  // the second time from the memo
    ++stored;
  }
  ASSERT_GT(stored, 0);
}

TEST(Engine, AStoredReasonReadsInEitherLanguage) {
  const Decision d =
      decide(StudentBuilder().primary(3).boarding().difficulty(DifficultyLevel::kNone),
             "compulsory_boarding_allowance");
  ASSERT_EQ(d.status, Status::kExcluded);
  const auto checks = storedChecks(d.reason(), d.storedTrace());
  ASSERT_EQ(checks.size(), d.trace.size());
  bool failed = false;
  for (size_t i = 0; i < checks.size(); ++i) {
    EXPECT_EQ(checks[i].code, d.trace[i].code);
    EXPECT_EQ(checks[i].ok, d.trace[i].ok);
    // The English of the stored sentence is the reason line's fact, word for word.
    EXPECT_EQ(checks[i].fact, d.trace[i].fact);
    if (checks[i].code == "difficulty") {
      failed = true;
      EXPECT_FALSE(checks[i].ok);
      EXPECT_EQ(i18n::render(checks[i].message, Lang::kZh), "认定为不困难");
    }
    if (checks[i].code == "stage")
      EXPECT_EQ(i18n::render(checks[i].message, Lang::kZh), "小学阶段");
  }
  EXPECT_TRUE(failed) << d.reason();
}

TEST(Engine, AReasonStoredWithoutSentencesIsReadFromItsLine) {
  const auto checks = storedChecks("stage=primary; !boarding=day student", "");
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].code, "stage");
  EXPECT_TRUE(checks[0].ok);
  EXPECT_FALSE(checks[1].ok);
  EXPECT_EQ(checks[1].fact, "day student");
  EXPECT_EQ(i18n::render(checks[1].message, Lang::kZh), "day student");  // a literal
  // Not a stored trace (damaged, or written by hand): the line still reads.
  EXPECT_EQ(storedChecks("!boarding=day student", "[{\"check\":").size(), 1u);
  // A sentence kept by a release whose pattern took other arguments reads as the line's fact.
  const auto old_kept =
      storedChecks("!grade=3 (programme: 1-9)",
                   "[{\"check\":\"grade\",\"message\":{\"args\":[{\"en\":\"3\",\"name\":\"year\","
                   "\"zh\":\"3\"}],\"code\":\"rules.fact.grade\"},\"ok\":false}]");
  ASSERT_EQ(old_kept.size(), 1u);
  EXPECT_EQ(old_kept[0].fact, "3 (programme: 1-9)");
  EXPECT_EQ(i18n::render(old_kept[0].message, Lang::kZh), "3 (programme: 1-9)");
}

TEST(Engine, HoldReasonsAreSentences) {
  const auto revoked = holdMessageOf(
      "identification 12 revoked: false information found by spot check 3 (认定信息虚假，已撤销)");
  ASSERT_TRUE(revoked);
  EXPECT_EQ(i18n::render(*revoked, Lang::kZh),
            "认定记录 12 经抽查（抽查 3）发现信息虚假，已撤销；暂停发放");
  ASSERT_TRUE(holdMessageOf("no payee account on file"));
  EXPECT_FALSE(holdMessageOf("something else"));
}

}  // namespace
}  // namespace edupay::rules
