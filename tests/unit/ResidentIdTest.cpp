#include "common/ResidentId.h"

#include <gtest/gtest.h>

#include "common/Error.h"

namespace edupay {
namespace {

const Date kToday = *Date::fromYmd(2026, 9, 1);

// Completes 17 digits with the correct check character.
std::string withCheck(const std::string& first17) {
  return first17 + ResidentId::checkCharacter(first17);
}

std::string whyRejected(std::string_view text, const Date& today = kToday) {
  std::string why;
  const auto id = ResidentId::parse(text, &why, today);
  EXPECT_FALSE(id.has_value()) << text << " was accepted";
  EXPECT_FALSE(why.empty());
  return why;
}

TEST(ResidentId, ComputesCheckCharacter) {
  EXPECT_EQ(ResidentId::checkCharacter("11010519491231002"), 'X');
  EXPECT_EQ(ResidentId::checkCharacter("43312420050315123"), '7');
  EXPECT_EQ(ResidentId::checkCharacter("32010219000101001"), 'X');
  EXPECT_EQ(ResidentId::checkCharacter("51010819991231004"), '2');
}

TEST(ResidentId, AcceptsValidId) {
  const auto id = ResidentId::parse("11010519491231002X", nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->str(), "11010519491231002X");
  EXPECT_EQ(id->birthDate(), *Date::fromYmd(1949, 12, 31));
  EXPECT_EQ(id->sex(), Sex::kFemale);
  EXPECT_EQ(id->regionCode(), "110105");
}

TEST(ResidentId, NormalisesLowerCaseX) {
  const auto id = ResidentId::parse("11010519491231002x", nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->str(), "11010519491231002X");
}

TEST(ResidentId, ToleratesFullWidthDigitsAndSurroundingSpaces) {
  // １１０１０５１９４９１２３１００２ｘ with an ideographic space in front.
  const std::string full =
      "\xE3\x80\x80\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x95"
      "\xEF\xBC\x91\xEF\xBC\x99\xEF\xBC\x94\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
      "\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x92\xEF\xBD\x98 ";
  const auto id = ResidentId::parse(full, nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->str(), "11010519491231002X");
}

TEST(ResidentId, OddSequenceDigitMeansMale) {
  const auto id = ResidentId::parse(withCheck("43312419800101123"), nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->sex(), Sex::kMale);
  const auto female = ResidentId::parse(withCheck("43312419800101124"), nullptr, kToday);
  ASSERT_TRUE(female.has_value());
  EXPECT_EQ(female->sex(), Sex::kFemale);
}

TEST(ResidentId, ConvertsLegacyFifteenDigitId) {
  const auto id = ResidentId::parse("110105491231002", nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->str(), "11010519491231002X");
  EXPECT_EQ(id->birthDate(), *Date::fromYmd(1949, 12, 31));
  EXPECT_EQ(id->sex(), Sex::kFemale);
}

TEST(ResidentId, AcceptsLeapDayBirthDate) {
  const auto id = ResidentId::parse(withCheck("44030620080229001"), nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->birthDate(), *Date::fromYmd(2008, 2, 29));
}

TEST(ResidentId, AcceptsBirthOnTodayAndInYear1900) {
  EXPECT_TRUE(ResidentId::parse(withCheck("11010520260901001"), nullptr, kToday).has_value());
  EXPECT_TRUE(ResidentId::parse(withCheck("32010219000101001"), nullptr, kToday).has_value());
}

TEST(ResidentId, AcceptsEveryProvinceLevelPrefix) {
  for (int code : {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
                   43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}) {
    EXPECT_TRUE(ResidentId::isProvinceCode(code)) << code;
    const std::string id = withCheck(std::to_string(code) + "010519491231002");
    EXPECT_TRUE(ResidentId::parse(id, nullptr, kToday).has_value()) << code;
  }
  for (int code : {0, 10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 70, 72, 80, 83, 91, 99}) {
    EXPECT_FALSE(ResidentId::isProvinceCode(code)) << code;
  }
}

TEST(ResidentId, RejectsWrongCheckCharacter) {
  EXPECT_EQ(whyRejected("433124200503151233"),
            std::string("check character should be 7, not 3") + kCheckAdvice);
  EXPECT_EQ(whyRejected("110105194912310021"),
            std::string("check character should be X, not 1") + kCheckAdvice);
}

TEST(ResidentId, RejectsWrongLength) {
  EXPECT_EQ(whyRejected("11010519491231002"),
            "must be 18 characters (or 15 for a legacy ID), got 17");
  EXPECT_EQ(whyRejected("11010519491231002X0"),
            "must be 18 characters (or 15 for a legacy ID), got 19");
  EXPECT_EQ(whyRejected("\xEF\xBC\x91\xEF\xBC\x91"),
            "must be 18 characters (or 15 for a legacy ID), got 2");
}

TEST(ResidentId, RejectsEmptyText) { EXPECT_EQ(whyRejected("  "), "is empty"); }

TEST(ResidentId, RejectsNonDigitCharacters) {
  EXPECT_EQ(whyRejected("1101A519491231002X"), "character 5 must be a digit");
  EXPECT_EQ(whyRejected("11010519491231002Y"), "the last character must be a digit or X");
  EXPECT_EQ(whyRejected("110105X91231002"), "character 7 must be a digit");
  EXPECT_EQ(whyRejected("11010549123100X"), "character 15 must be a digit");
  EXPECT_EQ(whyRejected("1101\xE5\xBC\xA0"
                        "519491231002X"),
            "character 5 must be a digit");
}

TEST(ResidentId, RejectsImpossibleBirthDate) {
  EXPECT_EQ(whyRejected(withCheck("11010520230230002")), "birth date 20230230 is not a real date");
  EXPECT_EQ(whyRejected(withCheck("11010520100229002")), "birth date 20100229 is not a real date");
  EXPECT_EQ(whyRejected(withCheck("11010519491301002")), "birth date 19491301 is not a real date");
  EXPECT_EQ(whyRejected("110105490230002"), "birth date 19490230 is not a real date");
}

TEST(ResidentId, RejectsBirthDateAfterToday) {
  const std::string why = whyRejected(withCheck("11010520260902001"));
  EXPECT_NE(why.find("birth date 20260902 is after today"), std::string::npos) << why;
}

TEST(ResidentId, RejectsBirthYearBefore1900) {
  EXPECT_EQ(whyRejected(withCheck("11010518991231002")), "birth year 1899 is before 1900");
}

TEST(ResidentId, RejectsUnknownRegionPrefix) {
  EXPECT_EQ(whyRejected(withCheck("99010519491231002")),
            "region prefix 99 is not a province-level code");
  EXPECT_EQ(whyRejected(withCheck("10010519491231002")),
            "region prefix 10 is not a province-level code");
}

TEST(ResidentId, ParseWithoutWhyStillRejects) {
  EXPECT_FALSE(ResidentId::parse("433124200503151233", nullptr, kToday).has_value());
}

TEST(ResidentId, ParseOrThrowThrowsInvalidInputWithoutTheId) {
  try {
    ResidentId::parseOrThrow("433124200503151233", kToday);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    const std::string message = e.what();
    EXPECT_NE(message.find("check character should be 7, not 3"), std::string::npos);
    EXPECT_EQ(message.find("433124200503151233"), std::string::npos);
  }
  EXPECT_EQ(ResidentId::parseOrThrow("11010519491231002X", kToday).str(), "11010519491231002X");
}

TEST(ResidentId, UsesEdupayTodayByDefault) {
  const std::string born_2026_09_02 = withCheck("11010520260902001");
  ::setenv("EDUPAY_TODAY", "2026-09-01", 1);
  EXPECT_FALSE(ResidentId::parse(born_2026_09_02).has_value());
  ::setenv("EDUPAY_TODAY", "2026-09-02", 1);
  EXPECT_TRUE(ResidentId::parse(born_2026_09_02).has_value());
  ::unsetenv("EDUPAY_TODAY");
}

TEST(ResidentId, MasksAllButFirstAndLastFour) {
  const auto id = ResidentId::parse(withCheck("43312420050315123"), nullptr, kToday);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->masked(), "4331**********1237");
  EXPECT_EQ(ResidentId::parse("11010519491231002X", nullptr, kToday)->masked(),
            "1101**********002X");
}

TEST(ResidentId, ComparesByNumber) {
  EXPECT_EQ(ResidentId::parseOrThrow("110105491231002", kToday),
            ResidentId::parseOrThrow("11010519491231002x", kToday));
}

TEST(StudentNumber, AcceptsGjlPrefixes) {
  for (const char* n : {"G43312420050315123X", "J433124200503151230", "L433124200503151237"}) {
    const auto sn = StudentNumber::parse(n);
    ASSERT_TRUE(sn.has_value()) << n;
    EXPECT_EQ(sn->str(), n);
  }
}

TEST(StudentNumber, UpperCasesPrefixAndX) {
  const auto sn = StudentNumber::parse(" g43312420050315123x ");
  ASSERT_TRUE(sn.has_value());
  EXPECT_EQ(sn->str(), "G43312420050315123X");
}

TEST(StudentNumber, RejectsUnknownPrefix) {
  std::string why;
  EXPECT_FALSE(StudentNumber::parse("A43312420050315123X", &why).has_value());
  EXPECT_EQ(why, "must start with G, J or L");
  EXPECT_FALSE(StudentNumber::parse("433124200503151237", &why).has_value());
  EXPECT_EQ(why, "must start with G, J or L");
}

TEST(StudentNumber, RejectsWrongLength) {
  std::string why;
  EXPECT_FALSE(StudentNumber::parse("G43312420050315123", &why).has_value());
  EXPECT_EQ(why, "must be a letter followed by 18 characters, got 17");
  EXPECT_FALSE(StudentNumber::parse("G43312420050315123X1", &why).has_value());
  EXPECT_EQ(why, "must be a letter followed by 18 characters, got 19");
}

TEST(StudentNumber, RejectsNonDigits) {
  std::string why;
  EXPECT_FALSE(StudentNumber::parse("G4331242005031512X3", &why).has_value());
  EXPECT_EQ(why, "character 18 must be a digit");
  EXPECT_FALSE(StudentNumber::parse("G43312420050315123Y", &why).has_value());
  EXPECT_EQ(why, "the last character must be a digit or X");
  EXPECT_FALSE(StudentNumber::parse("", &why).has_value());
  EXPECT_EQ(why, "is empty");
}

TEST(StudentNumber, MasksAllButFirstAndLastFour) {
  EXPECT_EQ(StudentNumber::parse("G43312420050315123X")->masked(), "G433***********123X");
}

TEST(MaskMiddle, KeepsHeadAndTail) {
  EXPECT_EQ(maskMiddle("abcdefghij", 2, 3), "ab*****hij");
  EXPECT_EQ(maskMiddle("abcdef", 0, 2), "****ef");
  EXPECT_EQ(maskMiddle("abcdef", 2, 0), "ab****");
}

TEST(MaskMiddle, CountsCodePointsNotBytes) {
  // 欧阳小明: four characters, twelve bytes.
  EXPECT_EQ(maskMiddle("\xE6\xAC\xA7\xE9\x98\xB3\xE5\xB0\x8F\xE6\x98\x8E", 1, 1),
            "\xE6\xAC\xA7**\xE6\x98\x8E");
}

TEST(MaskMiddle, ShortStringsBecomeAllStars) {
  EXPECT_EQ(maskMiddle("abcd", 2, 2), "****");
  EXPECT_EQ(maskMiddle("abc", 2, 2), "***");
  EXPECT_EQ(maskMiddle("\xE5\xBC\xA0\xE4\xB8\x89", 1, 1), "**");  // 张三
  EXPECT_EQ(maskMiddle("", 1, 1), "");
}

}  // namespace
}  // namespace edupay
