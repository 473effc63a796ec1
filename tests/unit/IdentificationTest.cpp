#include "identify/Identification.h"

#include <gtest/gtest.h>

#include <set>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "rules/Engine.h"

namespace edupay::identify {
namespace {

using domain::Category;

const rules::Policy& hunan() {
  static const rules::Policy p =
      rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
  return p;
}
const IdentificationPolicy& policy() {
  static const IdentificationPolicy p = identificationPolicy(hunan());
  return p;
}
Date day(const char* s) { return *Date::parse(s); }

TEST(IdentificationPolicy, NationalDefaultsCarryThroughTheProvincialFileAndAreMarkedToConfirm) {
  const auto& p = policy();
  EXPECT_EQ(p.notice_working_days, 5);
  EXPECT_EQ(p.spot_check_percent, 10);
  EXPECT_EQ(p.special_groups.at(Category::kRegisteredPoor), Level::kEspecially);
  EXPECT_EQ(p.special_groups.at(Category::kDibao), Level::kDifficult);
  EXPECT_EQ(p.special_groups.count(Category::kOther), 0u);
  ASSERT_NE(p.indicator("serious_illness"), nullptr);
  EXPECT_EQ(p.indicator("serious_illness")->confidence, "W");
  // Every national indicator and the thresholds wait for the province's confirmation.
  EXPECT_EQ(p.unconfirmed(), static_cast<int>(p.indicators.size()) + 1);
}

TEST(IdentificationPolicy, RefusesThresholdsThatDoNotIncreaseNamingTheField) {
  const std::string doc = R"({"name":"x","identification":{"special_groups":{},
    "indicators":[{"code":"a","name_zh":"甲","points":10}],
    "tiers":{"generally":40,"difficult":30,"especially":60}}})";
  try {
    (void)parseIdentificationPolicy(doc, "x.json");
    FAIL() << "accepted decreasing thresholds";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("x.json: /identification/tiers"), std::string::npos)
        << e.what();
  }
  try {
    (void)parseIdentificationPolicy(doc, "x.json");
  } catch (const Error& e) {
    const std::string zh = i18n::render(e.message(), Lang::kZh);
    EXPECT_NE(
        zh.find("x.json：/identification/tiers：等级分数线须递增：一般困难 < 困难 < 特别困难"),
        std::string::npos)
        << zh;
    EXPECT_NE(zh.find("请按 policies/README.md 修改后重新校验"), std::string::npos) << zh;
  }
  try {
    (void)parseIdentificationPolicy(R"({"name":"x"})", "y.json");
    FAIL() << "accepted a policy without identification";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no `identification`"), std::string::npos) << e.what();
  }
}

TEST(SpecialGroup, OnlyAnOfficialRosterOnTheIdentificationDateCounts) {
  const std::vector<RosterStatus> statuses = {
      {Category::kDibao, "civil_affairs", "430121", "2020-01-01", ""},
      {Category::kRegisteredPoor, "claimed", "4301210001", "2020-01-01", ""},  // a claim only
      {Category::kTekun, "civil_affairs", "430121", "2027-01-01", ""},         // later
      {Category::kOrphan, "orphan", "430121", "2019-01-01", "2026-08-31"},     // ended before
  };
  auto g = specialGroup(policy(), statuses, day("2026-09-01"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->category, Category::kDibao);
  EXPECT_EQ(g->level, Level::kDifficult);
  EXPECT_NE(g->evidence.find("dibao (civil_affairs 430121) 2020-01-01.."), std::string::npos);
  // The highest level among the rosters wins; the day the orphan roster ended still counts.
  g = specialGroup(policy(), statuses, day("2026-08-31"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->category, Category::kOrphan);
  EXPECT_EQ(g->level, Level::kEspecially);
  EXPECT_FALSE(specialGroup(policy(), {statuses[1]}, day("2026-09-01")));
}

TEST(Score, SumsEachIndicatorOnceAndMapsTheTiers) {
  const auto s = score(policy(), {"serious_illness", "single_parent", "serious_illness", " "});
  EXPECT_EQ(s.points, 30);
  EXPECT_EQ(s.level, Level::kGenerally);
  EXPECT_EQ(s.counted, (std::vector<std::string>{"serious_illness", "single_parent"}));
  EXPECT_EQ(score(policy(), {}).level, Level::kNone);
  EXPECT_EQ(score(policy(), {"income_below_local_min", "serious_illness"}).level,
            Level::kDifficult);  // 45: the threshold itself is reached
  const auto all =
      score(policy(), {"income_below_local_min", "no_stable_income", "serious_illness",
                       "member_disabled", "single_parent", "many_dependants",
                       "disaster_or_accident", "remote_rural", "heavy_debt", "low_spending"});
  EXPECT_EQ(all.points, 100);  // capped at max_score
  EXPECT_EQ(all.level, Level::kEspecially);
}

TEST(Score, NamesAnUnknownIndicatorAndTheKnownOnes) {
  try {
    (void)score(policy(), {"rich_uncle"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    const std::string m = e.what();
    EXPECT_NE(m.find("rich_uncle"), std::string::npos);
    EXPECT_NE(m.find("serious_illness"), std::string::npos);
  }
}

TEST(ClassPanel, ADepartureFromTheScoreNeedsAReasonAndThePanelItsNames) {
  const auto s = score(policy(), {"serious_illness", "single_parent"});  // 30: generally
  EXPECT_FALSE(refuseProposal(s, Level::kGenerally, "王老师", {"李同学"}, ""));
  const auto why = refuseProposal(s, Level::kDifficult, "王老师", {"李同学"}, "");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("须说明理由"), std::string::npos);
  EXPECT_FALSE(refuseProposal(s, Level::kDifficult, "王老师", {"李同学"}, "父亲刚失业"));
  EXPECT_TRUE(refuseProposal(s, Level::kGenerally, " ", {"李同学"}, ""));
  EXPECT_TRUE(refuseProposal(s, Level::kGenerally, "王老师", {"", " "}, ""));
}

TEST(ClassPanel, TheRefusalsReadInChinese) {
  const auto s = score(policy(), {"serious_illness", "single_parent"});  // 30: generally
  const auto why = refuseProposalMessage(s, Level::kDifficult, "王老师", {"李同学"}, "");
  ASSERT_TRUE(why);
  EXPECT_EQ(i18n::render(*why, Lang::kZh),
            "量化得分 30 对应“一般困难”，评议结果为“困难”：评议结果与量化得分不一致，须说明理由");
  EXPECT_EQ(i18n::render(*why, Lang::kEn),
            "the panel proposes difficult where the score 30 gives generally: say why "
            "(评议结果与量化得分不一致，须说明理由)");
  const auto no_teacher = refuseProposalMessage(s, Level::kGenerally, " ", {"李同学"}, "");
  ASSERT_TRUE(no_teacher);
  EXPECT_EQ(i18n::render(*no_teacher, Lang::kZh), "班级认定评议小组须有班主任；请填写班主任姓名");
}

TEST(LevelPeriods, AChangeDuringTheYearHoldsFromItsDateAndThePreviousLevelBefore) {
  std::vector<LevelPeriod> p = {{1, Level::kGenerally, day("2026-09-01"), {}, false}};
  // Sudden hardship from 2026-11-15 raises the level.
  p = applyChange(p, {2, Level::kEspecially, day("2026-11-15"), {}, false});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].to, day("2026-11-14"));
  EXPECT_EQ(levelOn(p, day("2026-09-01"))->level, Level::kGenerally);
  EXPECT_EQ(levelOn(p, day("2026-11-14"))->case_id, 1);
  EXPECT_EQ(levelOn(p, day("2026-11-15"))->level, Level::kEspecially);
  EXPECT_EQ(levelOn(p, day("2027-03-01"))->level, Level::kEspecially);
  // The household recovers: lowered from 2027-02-01.
  p = applyChange(p, {3, Level::kNone, day("2027-02-01"), {}, false});
  EXPECT_EQ(levelOn(p, day("2026-12-01"))->case_id, 2);
  EXPECT_EQ(levelOn(p, day("2027-03-01"))->level, Level::kNone);
  EXPECT_FALSE(levelOn(p, day("2026-08-31")));
  // A change dated before a later one supersedes it entirely.
  p = applyChange(p, {4, Level::kDifficult, day("2026-10-01"), {}, false});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(levelOn(p, day("2027-03-01"))->case_id, 4);
}

TEST(SpotCheckSample, IsReproducibleTenPercentAndChangesWithTheSeed) {
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 95; ++i) ids.push_back(i * 7);
  const auto a = spotCheckSample(ids, 20260901, 10);
  EXPECT_EQ(a.size(), 10u);  // ceil(9.5)
  std::vector<int64_t> shuffled(ids.rbegin(), ids.rend());
  EXPECT_EQ(spotCheckSample(shuffled, 20260901, 10), a);  // input order does not matter
  EXPECT_NE(spotCheckSample(ids, 20260902, 10), a);
  EXPECT_EQ(std::set<int64_t>(a.begin(), a.end()).size(), a.size());
  for (int64_t x : a) EXPECT_EQ(x % 7, 0);
  EXPECT_EQ(spotCheckSample({5}, 1, 10), std::vector<int64_t>{5});  // at least one
  EXPECT_TRUE(spotCheckSample({}, 1, 10).empty());
  EXPECT_EQ(spotCheckSample(ids, 3, 100).size(), ids.size());
  // Fixed arithmetic: the same sample on every platform and compiler.
  EXPECT_EQ(spotCheckSample({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 42, 30),
            spotCheckSample({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 42, 30));
}

TEST(Outliers, ASchoolIdentifyingMostOfItsStudentsStandsOut) {
  SchoolOutcome o;
  o.enrolled = 100;
  o.by_level[Level::kGenerally] = 30;
  o.by_level[Level::kEspecially] = 30;
  o.by_level[Level::kNone] = 5;
  EXPECT_EQ(o.identified(), 60);
  const auto out = outliers(o);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rfind("share_high: 60.0%", 0), 0u) << out[0];
  const auto said = outlierMessages(o);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(i18n::render(said[0], Lang::kEn), out[0]);
  EXPECT_EQ(i18n::render(said[0], Lang::kZh),
            "认定比例偏高：在籍学生的 60.0% 被认定为家庭经济困难（超过 40%）；请核查");
  SchoolOutcome small;
  small.enrolled = 100;
  small.special = 2;
  small.by_level[Level::kDifficult] = 10;
  EXPECT_TRUE(outliers(small).empty());
  SchoolOutcome none;
  none.enrolled = 50;
  EXPECT_EQ(outliers(none), std::vector<std::string>{"share_zero: none identified"});
}

// The entitlement engine and identification.
rules::StudentFacts boarder() {
  rules::StudentFacts f;
  f.person_id = 1;
  f.display = "4301**********0011";
  f.school_id = 7;
  f.school_code = "4301210001";
  f.school_region = "430121";
  f.hukou_region = "430121";
  f.rural_hukou = true;
  f.stage = domain::Stage::kPrimary;
  f.grade = 3;
  f.boarding = true;
  f.enroll_date = day("2024-09-01");
  f.accounts = {{11, domain::AccountKind::kStudentCard, "student"}};
  return f;
}
rules::Decision boarding(const rules::StudentFacts& f) {
  for (auto& d : rules::evaluate(hunan(), Term::parse("2026-autumn"), f))
    if (d.programme == "compulsory_boarding_allowance") return d;
  return {};
}

TEST(EngineLevels, ARollLevelWithoutIdentificationIsMarkedDeclared) {
  auto f = boarder();
  f.difficulty = Level::kDifficult;
  const auto d = boarding(f);
  EXPECT_EQ(d.status, rules::Status::kEligible);
  EXPECT_NE(d.reason().find("difficulty=assessed difficult, declared by the school, not "
                            "identified"),
            std::string::npos)
      << d.reason();
}

TEST(EngineLevels, TheIdentifiedLevelDecidesAndNamesItsIdentification) {
  auto f = boarder();
  f.difficulty = Level::kNone;  // the roll says none; the identification says difficult
  f.identification = rules::StudentFacts::Identification{
      12, Level::kDifficult, "2026-09-01", "score 50, notice 2026-09-10..2026-09-17", false};
  auto d = boarding(f);
  EXPECT_EQ(d.status, rules::Status::kEligible);
  EXPECT_NE(d.reason().find("identified (identification 12 from 2026-09-01; score 50"),
            std::string::npos)
      << d.reason();
  EXPECT_EQ(d.reason().find("not identified"), std::string::npos);
  // Identified as not difficult (不认定): the roll's column does not bring it back.
  f.difficulty = Level::kEspecially;
  f.identification->level = Level::kNone;
  EXPECT_EQ(boarding(f).status, rules::Status::kExcluded);
}

TEST(EngineLevels, AnOpenObjectionHoldsAndASchoolsIdentificationIgnoresTheRoll) {
  auto f = boarder();
  f.identification =
      rules::StudentFacts::Identification{12, Level::kDifficult, "2026-09-01", "", true};
  auto d = boarding(f);
  EXPECT_EQ(d.status, rules::Status::kHeld);
  EXPECT_NE(d.reason().find("objection to identification 12"), std::string::npos) << d.reason();
  auto g = boarder();
  g.difficulty = Level::kEspecially;
  g.school_identified = true;  // the school filed its identification and did not identify g
  d = boarding(g);
  EXPECT_EQ(d.status, rules::Status::kExcluded);
  EXPECT_NE(d.reason().find("not identified in the school's identification"), std::string::npos)
      << d.reason();
}

}  // namespace
}  // namespace edupay::identify
