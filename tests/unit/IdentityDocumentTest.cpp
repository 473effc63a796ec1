// Every legal identity document a student or guardian may carry, generated over many values:
// each valid one is accepted in every form people type it, and normalises to one number; each
// mutation is refused with a reason.
#include <gtest/gtest.h>

#include <random>

#include "common/Catalogue.h"
#include "common/ResidentId.h"
#include "common/Text.h"

namespace edupay {
namespace {

const Date kToday = *Date::fromYmd(2026, 11, 29);

std::string withCheck(const std::string& first17) {
  return first17 + ResidentId::checkCharacter(first17);
}

std::string digits(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

std::string birth(std::mt19937& rng, int from_year, int to_year) {
  for (;;) {
    const int y = from_year + static_cast<int>(rng() % static_cast<unsigned>(to_year - from_year));
    const int m = 1 + static_cast<int>(rng() % 12), d = 1 + static_cast<int>(rng() % 31);
    if (auto date = Date::fromYmd(y, m, d)) {
      std::string s = date->str();
      return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
    }
  }
}

/// The forms a valid number arrives in from rolls, forms and spreadsheets.
std::vector<std::string> typedForms(const std::string& id) {
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string full_width;  // every ASCII character as its full-width form
  for (char c : id) {
    const char32_t cp = 0xFF00 + static_cast<char32_t>(c - 0x20);
    full_width += static_cast<char>(0xE0 | (cp >> 12));
    full_width += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    full_width += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return {id,
          lower,
          full_width,
          " " + id + "\t",
          "'" + id,                                         // Excel's text marker
          "\xEF\xBB\xBF" + id,                              // a byte order mark
          id.substr(0, 6) + "\xE2\x80\x8B" + id.substr(6),  // a zero-width space inside
          "\xC2\xA0" + id + "\xE3\x80\x80"};                // no-break and ideographic spaces
}

void expectEveryFormAccepted(const std::string& id, IdDocument document) {
  for (const auto& form : typedForms(id)) {
    std::string why;
    const auto parsed = ResidentId::parse(form, &why, kToday);
    ASSERT_TRUE(parsed.has_value()) << form << ": " << why;
    EXPECT_EQ(parsed->str(), text::toUpper(id)) << form;
    EXPECT_EQ(parsed->document(), document) << form;
  }
}

TEST(IdentityDocuments, MainlandIdsOfEveryProvinceAndTheir15DigitForms) {
  std::mt19937 rng(20261129);
  const int provinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
                           42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71};
  for (int i = 0; i < 400; ++i) {
    const std::string region = std::to_string(provinces[i % 32]) + digits(rng, 4);
    const std::string id = withCheck(region + birth(rng, 1950, 2024) + digits(rng, 3));
    expectEveryFormAccepted(id, IdDocument::kResidentId);
    const auto parsed = ResidentId::parse(id, nullptr, kToday);
    EXPECT_EQ(parsed->studentNumber(), "G" + id);
    EXPECT_EQ(parsed->birthDate()->str().substr(0, 4), id.substr(6, 4));
    EXPECT_EQ(*parsed->sex(), (id[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale);
    // The same person's 15-digit legacy number, where the birth year is 19YY.
    if (id.compare(6, 2, "19") == 0) {
      const std::string legacy = id.substr(0, 6) + id.substr(8, 9);
      const auto old = ResidentId::parse(legacy, nullptr, kToday);
      ASSERT_TRUE(old.has_value()) << legacy;
      EXPECT_EQ(old->str(), id);
    }
    // A wrong check character, a region that is no province, a date that does not exist.
    std::string bad = id;
    bad[17] = bad[17] == '0' ? '1' : '0';
    EXPECT_FALSE(ResidentId::parse(bad, nullptr, kToday).has_value()) << bad;
    EXPECT_FALSE(
        ResidentId::parse(withCheck("99" + id.substr(2, 15)), nullptr, kToday).has_value());
    EXPECT_FALSE(
        ResidentId::parse(withCheck(id.substr(0, 10) + "13" + id.substr(12, 5)), nullptr, kToday)
            .has_value());
  }
}

TEST(IdentityDocuments, HongKongMacaoAndTaiwanResidencePermits) {
  std::mt19937 rng(81);
  for (const char* region : {"810000", "820000", "830000"}) {
    for (int i = 0; i < 100; ++i) {
      const std::string id = withCheck(region + birth(rng, 1950, 2024) + digits(rng, 3));
      expectEveryFormAccepted(id, IdDocument::kHmtPermit);
      const auto p = ResidentId::parse(id, nullptr, kToday);
      EXPECT_EQ(p->birthDate()->str().substr(0, 4), id.substr(6, 4));
    }
  }
  // Field case c01: 830000 was refused as "not a province-level code".
  const auto tw = ResidentId::parse("830000201005120024", nullptr, kToday);
  ASSERT_TRUE(tw.has_value());
  EXPECT_EQ(tw->document(), IdDocument::kHmtPermit);
  EXPECT_EQ(*tw->sex(), Sex::kFemale);
  EXPECT_EQ(tw->birthDate()->str(), "2010-05-12");
  // 83 is no province: a mainland-looking number there is refused, naming the permit's form.
  std::string why;
  EXPECT_FALSE(ResidentId::parse(withCheck("83010220100512002"), &why, kToday).has_value());
  EXPECT_NE(why.find("830000"), std::string::npos) << why;
}

TEST(IdentityDocuments, ForeignersPermanentResidenceIdsOfBothForms) {
  std::mt19937 rng(9);
  for (int i = 0; i < 200; ++i) {
    // 2023 form: 9, issuing province, ISO 3166 numeric nationality, birth date, sequence, check.
    const std::string id = withCheck("9" + std::string(i % 2 ? "43" : "11") + digits(rng, 3) +
                                     birth(rng, 1950, 2024) + digits(rng, 3));
    expectEveryFormAccepted(id, IdDocument::kForeignPerm);
    std::string bad = id;
    bad[17] = bad[17] == '0' ? '1' : '0';
    EXPECT_FALSE(ResidentId::parse(bad, nullptr, kToday).has_value()) << bad;
  }
  // Field case c02: a girl born 2010-09-08.
  const auto anna = ResidentId::parse("943840201009080026", nullptr, kToday);
  ASSERT_TRUE(anna.has_value());
  EXPECT_EQ(anna->document(), IdDocument::kForeignPerm);
  EXPECT_EQ(anna->birthDate()->str(), "2010-09-08");
  EXPECT_EQ(*anna->sex(), Sex::kFemale);

  // 2017 form: three letters and twelve digits; it carries no birth date or sex this system can
  // trust, so none is derived.
  for (const char* nation : {"USA", "GBR", "KOR", "DEU"}) {
    const std::string id = std::string(nation) + "43" + digits(rng, 10);
    expectEveryFormAccepted(id, IdDocument::kForeignPerm2017);
    const auto p = ResidentId::parse(id, nullptr, kToday);
    EXPECT_FALSE(p->birthDate().has_value());
    EXPECT_FALSE(p->sex().has_value());
  }
  EXPECT_TRUE(ResidentId::parse("USA438502030015", nullptr, kToday).has_value());
  EXPECT_FALSE(ResidentId::parse("USA4385020300X5", nullptr, kToday).has_value());
  EXPECT_FALSE(ResidentId::parse("USA998502030015", nullptr, kToday).has_value());
}

TEST(IdentityDocuments, AnIdExcelTurnedIntoANumberIsNamedAsSuch) {
  for (const char* form : {"4.30121E+17", "4.30181201006181E+17", "4.3e17", "430181201006181000"}) {
    std::string why;
    EXPECT_FALSE(ResidentId::parse(form, &why, kToday).has_value()) << form;
    EXPECT_NE(why.find("Excel"), std::string::npos) << form << ": " << why;
    Message reason;
    EXPECT_FALSE(ResidentId::parse(form, reason, kToday).has_value()) << form;
    const std::string zh = i18n::render(reason, Lang::kZh);
    EXPECT_NE(zh.find("请把该列设为文本格式后重新导出"), std::string::npos) << zh;
  }
  EXPECT_TRUE(looksLikeExcelNumber("6.2104E+18"));
  EXPECT_FALSE(looksLikeExcelNumber("430181201006181215"));
  EXPECT_FALSE(looksLikeExcelNumber("E1234567"));
}

TEST(IdentityDocuments, AGStudentNumberHoldsTheResidentId) {
  const auto sno = StudentNumber::parse("G430181201006181215");
  ASSERT_TRUE(sno.has_value());
  const auto rid = sno->residentId(kToday);
  ASSERT_TRUE(rid.has_value());
  EXPECT_EQ(rid->str(), "430181201006181215");
  EXPECT_FALSE(StudentNumber::parse("J430181201006181215")->residentId(kToday).has_value());
  // A G number of a foreigner's permanent-residence ID (field case c02b).
  const auto foreign = StudentNumber::parse("G943840201009080026")->residentId(kToday);
  ASSERT_TRUE(foreign.has_value());
  EXPECT_EQ(foreign->document(), IdDocument::kForeignPerm);
}

TEST(TextNormalisation, CleanFieldRemovesWhatPeoplePasteWithoutSeeing) {
  EXPECT_EQ(text::cleanField("\xEF\xBB\xBF 张\xE2\x80\x8B三\xE2\x80\x8D "), "张三");
  EXPECT_EQ(text::cleanField("'430181201006181215"), "430181201006181215");
  EXPECT_EQ(text::cleanField("\xC2\xA0Maria\xC2\xA0Smith\xE2\x80\xAF"), "Maria Smith");
  EXPECT_EQ(text::cleanField("\xE2\x80\xAE"
                             "abc\xE2\x80\xAC"),
            "abc");                                 // bidi override
  EXPECT_EQ(text::cleanField("１２３"), "１２３");  // folding is cleanCode's
  EXPECT_EQ(text::cleanCode("１２３ＡＢ"), "123AB");
}

TEST(TextNormalisation, EveryMiddleDotVariantIsOneName) {
  const std::string canonical = "阿依古丽·买买提";
  for (const char* dot :
       {"\xE2\x80\xA2", "\xE3\x83\xBB", "\xEF\xBD\xA5", "\xE2\x80\xA7", "\xC2\xB7", "\xE2\x88\x99",
        "\xE2\x8B\x85", "\xE2\xB8\xB1", "\xCE\x87", "\xEF\xBC\x8E", "."}) {
    EXPECT_EQ(text::normaliseName(std::string("阿依古丽") + dot + "买买提"), canonical) << dot;
  }
  EXPECT_EQ(text::normaliseName(" 热依拉・艾力\xE2\x80\x8B"), "热依拉·艾力");
  // A full stop in a Latin name stays; spaces fold to one.
  EXPECT_EQ(text::normaliseName("John  Q. Smith"), "John Q. Smith");
  EXPECT_EQ(text::normaliseName("王𫖯"), "王𫖯");
}

TEST(LenientDates, TheFormsRollsAndSpreadsheetsUse) {
  const auto sep1 = *Date::fromYmd(2025, 9, 1);
  for (const char* s :
       {"2025-09-01", "2025/9/1", "2025.9.1", "20250901", "2025年9月1日", "2025 年 9 月 1 日",
        "２０２５年９月１日", "2025-09-01 00:00:00", "2025/9/1 0:00"}) {
    EXPECT_EQ(Date::parseLenient(s), sep1) << s;
  }
  for (const char* s : {"202509", "2025.09", "2025-9", "2025/09", "2025年9月"}) {
    EXPECT_FALSE(Date::parseLenient(s).has_value()) << s;  // a month is not a day...
    EXPECT_EQ(Date::parseLenient(s, true), sep1) << s;     // ...except for 入学年月
  }
  for (const char* s : {"2025-13-01", "2025年2月30日", "202513", "9/1/2025", "2025-09-01 08:30"}) {
    EXPECT_FALSE(Date::parseLenient(s, true).has_value()) << s;
  }
}

}  // namespace
}  // namespace edupay
