// The budget file's refusals, as the county officer reads them in Chinese and English.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "disburse/Batches.h"

namespace edupay::disburse {
namespace {

std::string writeFile(const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("edupay-budget-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << content;
  return path.string();
}

TEST(BudgetFile, EveryBadLineIsNamedInBothLanguages) {
  security::User officer;
  officer.name = "officer1";
  officer.role = security::Role::kBureauOfficer;
  officer.scope = "430121";
  const std::string file = writeFile(
      "programme,region,fiscal_year,source,allocated\n"
      "compulsory_nonboarding_allowance,430121,2026,central,1000.00\n"
      "compulsory_nonboarding_allowance,430122,2026,city,1000.00\n"
      "compulsory_nonboarding_allowance,430121,26,county,1000.00\n");
  try {
    (void)readBudgetFile(officer, file);
    ADD_FAILURE() << "a bad budget file was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    const std::string en = i18n::render(e.message(), Lang::kEn);
    EXPECT_EQ(en, "the budget file is refused; nothing was imported:\n  " + file +
                      ": line 3: region 430122 is outside officer1's scope\n  " + file +
                      ": line 3: source must be central, provincial or county\n  " + file +
                      ": line 4: fiscal_year must be a year");
    const std::string zh = i18n::render(e.message(), Lang::kZh);
    EXPECT_NE(zh.find("预算指标文件未通过检查，未导入任何内容"), std::string::npos) << zh;
    EXPECT_NE(zh.find(file + "：第 3 行 地区 430122 不在 officer1 的管辖范围内"), std::string::npos)
        << zh;
    EXPECT_NE(zh.find(file + "：第 4 行 年度（fiscal_year）应为四位年份"), std::string::npos) << zh;
  }
  std::filesystem::remove(file);
}

TEST(BudgetFile, AProgrammeNotInThePolicyIsRefusedNotAllocatedToNothing) {
  security::User officer;
  officer.name = "officer1";
  officer.role = security::Role::kBureauOfficer;
  officer.scope = "430181";
  const std::string file = writeFile(
      "programme,region,fiscal_year,source,allocated\n"
      "highschool_national_grant,430181,2026,central,1000.00\n"
      "highschool_grant,430181,2026,central,100.00\n");
  const std::set<std::string> in_force = {"highschool_national_grant", "preschool_aid"};
  try {
    (void)readBudgetFile(officer, file, in_force);
    ADD_FAILURE() << "a misspelt programme was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    const std::string zh = i18n::render(e.message(), Lang::kZh);
    EXPECT_NE(zh.find("第 3 行 资助项目“highschool_grant”不在现行政策中"), std::string::npos) << zh;
    EXPECT_EQ(zh.find("第 2 行"), std::string::npos) << zh;
  }
  // Without a policy to check against (none active yet) the file is read as before.
  EXPECT_EQ(readBudgetFile(officer, file).size(), 2u);
  std::filesystem::remove(file);
}

TEST(BudgetFile, ABatchShortOfBudgetSaysByHowMuchInChinese) {
  Batch b;
  b.id = 12;
  b.programme = "compulsory_nonboarding_allowance";
  b.paying_region = "430121";
  const Message m = budgetShort(b, "central", 2026, Money::fromFen(10000), Money::fromFen(62500));
  EXPECT_EQ(i18n::render(m, Lang::kEn),
            "the budget for the central funds of compulsory_nonboarding_allowance in 430121 for "
            "2026 is short by 525.00 yuan (100.00 left, 625.00 needed)");
  EXPECT_NE(i18n::render(m, Lang::kZh).find("2026 年度县区 430121 "), std::string::npos);
  EXPECT_NE(i18n::render(budgetMissing(b, "county", 2026), Lang::kZh).find("县级资金下达预算指标"),
            std::string::npos)
      << i18n::render(budgetMissing(b, "county", 2026), Lang::kZh);
  EXPECT_NE(i18n::render(budgetBooksDisagree(b, "provincial", 2026, Money::fromFen(100)), Lang::kZh)
                .find("账目不一致"),
            std::string::npos);
}

}  // namespace
}  // namespace edupay::disburse
