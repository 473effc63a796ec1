#include "registry/RollValidator.h"

#include <gtest/gtest.h>

#include "common/BankAccountNumber.h"
#include "common/Catalogue.h"
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
    auto r = validator_.validate(header, b.row(), 7, issues);
    // Every sentence renders in both languages (a debug build throws on a missing argument).
    for (const auto& i : issues) {
      EXPECT_FALSE(i.text(Lang::kZh).empty()) << i.message.code();
      EXPECT_FALSE(i.text(Lang::kEn).empty()) << i.message.code();
      EXPECT_FALSE(i.column_zh.empty()) << i.column;
    }
    return r;
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
  ASSERT_TRUE(r.has_value()) << (issues.empty() ? "" : issues[0].text(Lang::kEn));
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
  ASSERT_TRUE(r.has_value()) << issues[0].text(Lang::kEn);
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

/// The reason of the first issue of `column`, in `lang`.
std::string reasonOf(const std::vector<Issue>& issues, const std::string& column, Lang lang) {
  for (const auto& i : issues) {
    if (i.column == column) return i.text(lang);
  }
  return "(no issue of " + column + ")";
}

TEST_F(RollValidatorTest, TheKeyRowProblemsReadInChineseAndInEnglish) {
  // A wrong check character: which one it should be, and to compare every digit.
  std::string wrong = makeId("43012120120405123");
  const char expected = wrong[17];
  wrong[17] = expected == '1' ? '2' : '1';
  (void)check(RowBuilder().set("resident_id", wrong));
  const std::string zh = reasonOf(issues, "resident_id", Lang::kZh);
  EXPECT_NE(zh.find(std::string("校验位应为 ") + expected + "，实际为 " + wrong[17]),
            std::string::npos)
      << zh;
  EXPECT_NE(zh.find("请逐位核对证件原件"), std::string::npos) << zh;
  EXPECT_NE(reasonOf(issues, "resident_id", Lang::kEn)
                .find(std::string("check character should be ") + expected + ", not " + wrong[17]),
            std::string::npos);
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].message.code(), "id.check_char");
  EXPECT_EQ(issues[0].column_zh, "身份证号");

  // A date that is not a real date.
  (void)check(RowBuilder().set("birth_date", "2012-02-30"));
  EXPECT_NE(reasonOf(issues, "birth_date", Lang::kZh).find("不是有效日期"), std::string::npos)
      << reasonOf(issues, "birth_date", Lang::kZh);
  EXPECT_NE(reasonOf(issues, "birth_date", Lang::kEn).find("is not a real date"),
            std::string::npos);

  // A date in the future.
  (void)check(RowBuilder().set("enroll_date", "2027-09-01"));
  EXPECT_NE(reasonOf(issues, "enroll_date", Lang::kZh).find("晚于 2026-10-08，日期不能在将来"),
            std::string::npos)
      << reasonOf(issues, "enroll_date", Lang::kZh);
  EXPECT_EQ(reasonOf(issues, "enroll_date", Lang::kEn), "is in the future (after 2026-10-08)");

  // A stage and a sex, in words of the reader's language.
  (void)check(RowBuilder().set("sex", "F"));
  EXPECT_NE(reasonOf(issues, "sex", Lang::kZh).find("（男）"), std::string::npos);
  EXPECT_NE(reasonOf(issues, "sex", Lang::kEn).find("which says male;"), std::string::npos);
  (void)check(RowBuilder().set("grade", "5"));
  EXPECT_NE(reasonOf(issues, "grade", Lang::kZh).find("超出初中的年级范围 1-4"), std::string::npos)
      << reasonOf(issues, "grade", Lang::kZh);
  EXPECT_EQ(reasonOf(issues, "grade", Lang::kEn), "is outside junior grades 1-4");
  (void)check(RowBuilder().set("stage", "college"));
  EXPECT_NE(reasonOf(issues, "stage", Lang::kZh).find("学前、小学、初中"), std::string::npos)
      << reasonOf(issues, "stage", Lang::kZh);
  EXPECT_EQ(reasonOf(issues, "stage", Lang::kEn), "must be one of: " + domain::stageCodes());
}

TEST(RollValidator, EveryReasonAnIdentifierParserGivesHasASentence) {
  const Date today = *Date::fromYmd(2026, 10, 8);
  const std::vector<std::string> ids = {
      "",
      "4.30121E+17",
      "ABC123",
      "43012120120405123Y",
      "4301212012040512A3",
      "ABC1234567890X1",
      "ABC991234567890",
      "18012120120405123" + std::string(1, ResidentId::checkCharacter("18012120120405123")),
      "43012118800405123" + std::string(1, ResidentId::checkCharacter("43012118800405123")),
      "43012120120230123" + std::string(1, ResidentId::checkCharacter("43012120120230123")),
      "43012120300405123" + std::string(1, ResidentId::checkCharacter("43012120300405123")),
      "83012120120405123" + std::string(1, ResidentId::checkCharacter("83012120120405123")),
      "43012120120405 23" + std::string(1, ResidentId::checkCharacter("43012120120405023")),
      "４3012120120405123",
  };
  // Each parser gives its reason as a catalogue message whose English is the string it gives.
  for (const auto& id : ids) {
    std::string why;
    Message m;
    if (ResidentId::parse(id, m, today)) continue;
    (void)ResidentId::parse(id, &why, today);
    EXPECT_FALSE(m.isLiteral()) << why;
    EXPECT_EQ(i18n::render(m, Lang::kEn), why);
    EXPECT_FALSE(i18n::render(m, Lang::kZh).empty());
  }
  for (const std::string sno : {"X123", "G123", "GABCDEFGHIJKLMNOPQR"}) {
    std::string why;
    Message m;
    if (StudentNumber::parse(sno, m)) continue;
    (void)StudentNumber::parse(sno, &why);
    EXPECT_FALSE(m.isLiteral()) << why;
    EXPECT_EQ(i18n::render(m, Lang::kEn), why);
  }
  for (const std::string acct : {"6222-ABCD", "6222中", "123", ""}) {
    std::string why;
    Message m;
    if (BankAccountNumber::parse(acct, m)) continue;
    (void)BankAccountNumber::parse(acct, &why);
    EXPECT_FALSE(m.isLiteral()) << why;
    EXPECT_EQ(i18n::render(m, Lang::kEn), why);
  }
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
  EXPECT_NE(issues[0].text(Lang::kEn).find("implausible"), std::string::npos)
      << issues[0].text(Lang::kEn);
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
  ASSERT_TRUE(r.has_value()) << (issues.empty() ? "" : issues[0].text(Lang::kEn));
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
  ASSERT_TRUE(a.has_value()) << (issues.empty() ? "" : issues[0].text(Lang::kEn));
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
    // A missing required column, in Chinese.
    const std::string zh = i18n::render(e.message(), Lang::kZh);
    EXPECT_NE(zh.find("r.csv 第 1 行：表头不是学籍名册的表头"), std::string::npos) << zh;
    EXPECT_NE(zh.find("缺少以下列：性别、出生日期"), std::string::npos) << zh;
    EXPECT_NE(zh.find("`nmae`"), std::string::npos) << zh;
  }
  try {
    (void)RollHeader::parse({"name", "sex", "birth_date"}, "r.csv", 3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resident_id or student_no"), std::string::npos)
        << e.what();
    EXPECT_NE(i18n::render(e.message(), Lang::kZh).find("身份证号或学籍号"), std::string::npos);
    EXPECT_EQ(i18n::render(e.message(), Lang::kZh).find("无法识别"), std::string::npos);
  }
  try {
    (void)RollHeader::parse({"name", "姓名"}, "r.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(i18n::render(e.message(), Lang::kZh).find("“姓名”列出现了两次"), std::string::npos);
  }
  EXPECT_THROW((void)RollHeader::parse({"name", "姓名"}, "r.csv"), Error);
}

}  // namespace
}  // namespace edupay::registry
