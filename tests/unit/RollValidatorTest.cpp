#include "registry/RollValidator.h"

#include <gtest/gtest.h>

#include "common/Error.h"

namespace edupay::registry {
namespace {

std::string makeId(const std::string& first17) {
  return first17 + ResidentId::checkCharacter(first17);
}

/// A valid row for a junior-secondary student; tests change one field at a time.
class RowBuilder {
 public:
  RowBuilder() {
    v_ = {
        {"resident_id", makeId("43012120120405123")},
        {"name", "刘洋"},
        {"sex", "M"},
        {"birth_date", "2012-04-05"},
        {"school_code", "1430121001"},
        {"stage", "junior"},
        {"grade", "2"},
        {"enroll_date", "2025-09-01"},
        {"status", "active"},
        {"household_id", "H1"},
        {"guardian_name", "刘父"},
        {"guardian_id", makeId("43012119800101231")},
        {"claimed_categories", "dibao;orphan"},
        {"bank_account", "6222 0212 3456 7890 128"},
        {"bank_code", "102551000011"},
        {"account_holder", "刘洋"},
    };
  }
  RowBuilder& set(const std::string& k, const std::string& v) {
    for (auto& [key, value] : v_) {
      if (key == k) {
        value = v;
        return *this;
      }
    }
    v_.emplace_back(k, v);
    return *this;
  }
  std::vector<std::string> header() const {
    std::vector<std::string> h;
    for (const auto& kv : v_) h.push_back(kv.first);
    return h;
  }
  std::vector<std::string> row() const {
    std::vector<std::string> r;
    for (const auto& kv : v_) r.push_back(kv.second);
    return r;
  }

 private:
  std::vector<std::pair<std::string, std::string>> v_;
};

class RollValidatorTest : public ::testing::Test {
 protected:
  RollValidatorTest()
      : cipher_(key()),
        validator_(cipher_, {{"1430121001", {{domain::Stage::kJunior, domain::Stage::kPrimary}}}},
                   *Date::fromYmd(2026, 10, 8)) {}
  static security::FieldCipher key() {
    std::array<uint8_t, security::FieldCipher::kKeyBytes> k{};
    k.fill(3);
    return security::FieldCipher(k);
  }
  std::optional<RollRecord> check(const RowBuilder& b) {
    issues.clear();
    const auto header = RollHeader::parse(b.header(), "roll.csv");
    return validator_.validate(header, b.row(), 7, issues);
  }
  /// The first error's column, or "" when the row is valid.
  std::string firstErrorColumn(const RowBuilder& b) {
    auto r = check(b);
    for (const auto& i : issues) {
      if (!i.warning) return i.column;
    }
    return r ? "" : "?";
  }

  security::FieldCipher cipher_;
  RollValidator validator_;
  std::vector<Issue> issues;
};

TEST_F(RollValidatorTest, AcceptsAValidRowAndProtectsIdentifiers) {
  auto r = check(RowBuilder());
  ASSERT_TRUE(r.has_value()) << (issues.empty() ? "" : issues[0].reason);
  EXPECT_EQ(r->line, 7);
  EXPECT_EQ(r->grade, 2);
  EXPECT_EQ(r->claimed_categories.size(), 2u);
  ASSERT_TRUE(r->resident_id.has_value());
  EXPECT_EQ(r->resident_id->mask.substr(0, 4), "4301");
  EXPECT_EQ(r->resident_id->mask.find("2012"), std::string::npos);
  EXPECT_EQ(cipher_.decrypt("resident_id", r->resident_id->enc), makeId("43012120120405123"));
  EXPECT_EQ(r->account->mask, "6222****0128");
}

TEST_F(RollValidatorTest, AcceptsChineseCodesAndFullWidthDigits) {
  auto r = check(
      RowBuilder().set("sex", "男").set("stage", "初中").set("grade", "２").set("status", "在读"));
  ASSERT_TRUE(r.has_value()) << issues[0].reason;
  EXPECT_EQ(r->grade, 2);
}

TEST_F(RollValidatorTest, RejectsEachBadFieldNamingTheColumn) {
  std::string wrong_check = makeId("43012120120405123");
  wrong_check[17] = wrong_check[17] == '1' ? '2' : '1';
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("resident_id", wrong_check)), "resident_id");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("sex", "F")), "sex");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("sex", "X")), "sex");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("birth_date", "2012-04-06")), "birth_date");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("birth_date", "2012-02-30")), "birth_date");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("school_code", "1430121999")), "school_code");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("school_code", "12")), "school_code");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("stage", "senior")), "stage");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("stage", "college")), "stage");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("grade", "5")), "grade");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("grade", "two")), "grade");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("enroll_date", "2027-09-01")), "enroll_date");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("enroll_date", "2010-09-01")), "enroll_date");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("status", "left")), "status");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("status_date", "2024-01-01")), "status_date");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("boarding", "sometimes")), "boarding");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("claimed_categories", "dibao;rich")),
            "claimed_categories");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("household_id", "")), "household_id");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("guardian_id", "123")), "guardian_id");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("guardian_name", "")), "guardian_name");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("bank_account", "6222-ABCD")), "bank_account");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("bank_account", "1234567")), "bank_account");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("bank_code", "10255")), "bank_code");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("account_holder", "")), "account_holder");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("account_kind", "wallet")), "account_kind");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("hukou_region", "999999")), "hukou_region");
  EXPECT_EQ(firstErrorColumn(RowBuilder().set("difficulty_level", "very")), "difficulty_level");
}

TEST_F(RollValidatorTest, ReportsEveryProblemOfARowNotJustTheFirst) {
  (void)check(RowBuilder().set("sex", "X").set("grade", "9").set("boarding", "?"));
  int errors = 0;
  for (const auto& i : issues) errors += i.warning ? 0 : 1;
  EXPECT_GE(errors, 3);
}

TEST_F(RollValidatorTest, AnImplausibleAgeForTheStageIsAnError) {
  const std::string adult = makeId("43012119900405123");
  auto r = check(RowBuilder().set("resident_id", adult).set("birth_date", "1990-04-05"));
  EXPECT_FALSE(r.has_value());
  ASSERT_FALSE(issues.empty());
  EXPECT_NE(issues[0].reason.find("implausible"), std::string::npos) << issues[0].reason;
}

TEST_F(RollValidatorTest, LuhnFailureAndAStrangeHolderAreOnlyWarnings) {
  auto r = check(
      RowBuilder().set("bank_account", "6222021234567890127").set("account_holder", "路人甲"));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_TRUE(issues[0].warning);
  EXPECT_TRUE(issues[1].warning);
  EXPECT_FALSE(r->account_luhn_ok);
}

TEST_F(RollValidatorTest, MasksSensitiveValuesInIssues) {
  std::string wrong = makeId("43012120120405123");
  wrong[17] = wrong[17] == '1' ? '2' : '1';
  (void)check(RowBuilder().set("resident_id", wrong).set("bank_account", "6222-ABCD-1234-5678"));
  for (const auto& i : issues) {
    EXPECT_EQ(i.value.find("201204"), std::string::npos) << i.value;
    EXPECT_EQ(i.value.find("ABCD-1234"), std::string::npos) << i.value;
  }
}

TEST_F(RollValidatorTest, AStudentNumberAloneIdentifiesAStudent) {
  // A J (temporary) number: the child is known by the number.
  RowBuilder b;
  b.set("resident_id", "").set("student_no", "J" + makeId("43012120120405123"));
  auto r = check(b);
  ASSERT_TRUE(r.has_value()) << (issues.empty() ? "" : issues[0].reason);
  EXPECT_FALSE(r->resident_id.has_value());
  EXPECT_EQ(r->student_no.front(), 'J');
}

TEST_F(RollValidatorTest, AGStudentNumberIsTheResidentIdOfTheSameChild) {
  // The national student number is G + the resident ID: a roll giving only the G number and one
  // giving only the ID name one child (field cases c13a / c13b).
  const std::string id = makeId("43012120120405123");
  RowBuilder by_number;
  by_number.set("resident_id", "").set("student_no", "G" + id);
  auto a = check(by_number);
  ASSERT_TRUE(a.has_value()) << (issues.empty() ? "" : issues[0].reason);
  RowBuilder by_id;
  by_id.set("resident_id", id).set("student_no", "");
  auto b = check(by_id);
  ASSERT_TRUE(b.has_value());
  ASSERT_TRUE(a->resident_id.has_value());
  EXPECT_EQ(a->resident_id->hash, b->resident_id->hash);
  EXPECT_EQ(a->derived_student_no, "G" + id);
  // The G number holds the ID in clear: it is not kept beside the encrypted ID.
  EXPECT_TRUE(a->student_no.empty());
}

TEST(RollHeader, AcceptsChineseHeadersInAnyOrder) {
  const auto h = RollHeader::parse({"学籍状态", "姓名", "身份证号", "性别", "出生日期",
                                    "学校标识码", "学段", "年级", "入学日期"},
                                   "roll.csv");
  EXPECT_EQ(h.index(RollColumn::kName), 1u);
  EXPECT_EQ(h.index(RollColumn::kResidentId), 2u);
  EXPECT_FALSE(h.index(RollColumn::kMajor).has_value());
}

TEST(RollHeader, RefusesMissingUnknownAndDuplicateColumnsNamingThem) {
  try {
    (void)RollHeader::parse({"resident_id", "name", "nmae"}, "r.csv");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("r.csv: line 1"), std::string::npos) << m;
    EXPECT_NE(m.find("sex"), std::string::npos) << m;
    EXPECT_NE(m.find("`nmae`"), std::string::npos) << m;
  }
  EXPECT_THROW((void)RollHeader::parse({"name", "姓名"}, "r.csv"), Error);
}

}  // namespace
}  // namespace edupay::registry
