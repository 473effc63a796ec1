#include "rules/Policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Error.h"

namespace edupay::rules {
namespace {

const std::string kPolicies = std::string(EDUPAY_SOURCE_DIR) + "/policies/";

/// Writes a variant of the national file with `edit` applied to its text, and returns the
/// error message loading it gives (empty when it loads).
std::string refusal(const std::string& from, const std::string& to,
                    const std::string& file = "cn-national.json") {
  std::string text = readFile(kPolicies + file);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "fixture text not found: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  const auto dir =
      std::filesystem::temp_directory_path() / ("edupay_policy_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kPolicies + "cn-national.json", dir / "cn-national.json",
                             std::filesystem::copy_options::overwrite_existing);
  const std::string path = (dir / file).string();
  std::ofstream(path) << text;
  try {
    (void)loadPolicyFile(path);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(Policy, TheShippedFilesLoad) {
  const Policy national = loadPolicyFile(kPolicies + "cn-national.json");
  EXPECT_EQ(national.programmes.size(), 15u);
  const Policy hunan = loadPolicyFile(kPolicies + "hunan.json");
  EXPECT_EQ(hunan.name, "hunan");
  EXPECT_EQ(hunan.programmes.size(), 15u);
  EXPECT_EQ(hunan.sha256.size(), 64u);
  EXPECT_NE(hunan.sha256, national.sha256);
}

TEST(Policy, TheProvinceLayersItsValuesOnTheNationalFile) {
  const Policy national = loadPolicyFile(kPolicies + "cn-national.json");
  const Policy hunan = loadPolicyFile(kPolicies + "hunan.json");
  const Term t = Term::parse("2026-autumn");
  EXPECT_EQ(national.find("preschool_aid")->periodFor(t), nullptr);
  ASSERT_NE(hunan.find("preschool_aid")->periodFor(t), nullptr);
  EXPECT_EQ(hunan.find("preschool_aid")->periodFor(t)->yearly.at("difficult").fen(), 100000);
  EXPECT_EQ(hunan.find("compulsory_boarding_allowance")->fundingFor(t)->county, 20);
  EXPECT_EQ(national.find("compulsory_boarding_allowance")->fundingFor(t)->county, 0);
  // Inherited untouched.
  EXPECT_EQ(hunan.find("higher_national_scholarship")->periodFor(t)->yearly.at("").fen(), 1000000);
  EXPECT_FALSE(hunan.holidays.isWorkingDay(*Date::fromYmd(2026, 10, 1)));
}

TEST(Policy, LoadingIsDeterministic) {
  EXPECT_EQ(loadPolicyFile(kPolicies + "hunan.json").sha256,
            loadPolicyFile(kPolicies + "hunan.json").sha256);
  const Policy p = loadPolicyFile(kPolicies + "hunan.json");
  EXPECT_EQ(parsePolicy(p.resolved_json, "stored").sha256, p.sha256);
}

TEST(Policy, RefusesOverlappingRatePeriodsWithThePath) {
  const std::string m = refusal(R"("from": "2025-spring",
          "amount": {
            "especially": 3500)",
                                R"("from": "2024-autumn",
          "amount": {
            "especially": 3500)");
  EXPECT_NE(m.find("/programmes/5(highschool_national_grant)/periods/1"), std::string::npos) << m;
  EXPECT_NE(m.find("overlaps"), std::string::npos) << m;
}

TEST(Policy, RefusesSharesNotSummingTo100) {
  const std::string m = refusal(R"("central": 50,
            "provincial": 50,
            "county": 0)",
                                R"("central": 50,
            "provincial": 40,
            "county": 0)");
  EXPECT_NE(m.find("/funding/0/shares: shares sum to 90%, not 100%"), std::string::npos) << m;
}

TEST(Policy, RefusesAnUnknownCategory) {
  const std::string m = refusal(R"("dibao@rural",)", R"("dibao@rural", "rich",)");
  EXPECT_NE(m.find("/categories/any_of/"), std::string::npos) << m;
}

TEST(Policy, RefusesAnAmountTableMissingATier) {
  const std::string m = refusal(R"("especially": 5000,)", "");
  EXPECT_NE(m.find("no amount for `especially`"), std::string::npos) << m;
}

TEST(Policy, RefusesAmountsWithMoreThanTwoDecimals) {
  const std::string m = refusal(R"("amount": 6000,)", R"("amount": 6000.005,)");
  EXPECT_NE(m.find("more than 2 decimal places"), std::string::npos) << m;
}

TEST(Policy, RefusesAnOverrideOfAnUnknownProgramme) {
  const std::string m =
      refusal(R"("preschool_final_year_free": {)", R"("no_such_programme": {)", "hunan.json");
  EXPECT_NE(m.find("/overrides/no_such_programme"), std::string::npos) << m;
}

TEST(Policy, RefusesMalformedJsonNamingTheFile) {
  const std::string m = refusal(R"("policy_version": 1,)", R"("policy_version": 1,,)");
  EXPECT_NE(m.find("not valid JSON"), std::string::npos) << m;
  EXPECT_NE(m.find("cn-national.json"), std::string::npos) << m;
}

TEST(Policy, RefusesAPeriodEndingBeforeItStarts) {
  const std::string m = refusal(R"("to": "2018-autumn",)", R"("to": "2009-autumn",)");
  EXPECT_NE(m.find("ends (2009-autumn) before it starts"), std::string::npos) << m;
}

TEST(Policy, DiffNamesWhatChanged) {
  const Policy national = loadPolicyFile(kPolicies + "cn-national.json");
  const Policy hunan = loadPolicyFile(kPolicies + "hunan.json");
  const auto diff = diffPolicies(national, hunan);
  bool preschool = false;
  for (const auto& l : diff)
    preschool = preschool || i18n::render(l, Lang::kEn).find("~ preschool_aid.periods: ") == 0;
  EXPECT_TRUE(preschool);
  // In Chinese the programme reads by its name, the changed field and values as written.
  bool named = false;
  for (const auto& l : diff)
    named = named || i18n::render(l, Lang::kZh).find("学前教育") != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_TRUE(diffPolicies(hunan, hunan).empty());
}

}  // namespace
}  // namespace edupay::rules
