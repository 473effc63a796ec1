#include "common/Money.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/Error.h"

namespace edupay {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Returns the message of the Error(kInvalidInput) that parseYuan throws, or "" if none.
std::string parseError(std::string_view text, bool allow_negative = false) {
  try {
    Money::parseYuan(text, allow_negative);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "\"" << text << "\" was accepted";
  return "";
}

TEST(Money, ParsesPlainAmounts) {
  EXPECT_EQ(Money::parseYuan("1234.5").fen(), 123450);
  EXPECT_EQ(Money::parseYuan("1234.50").fen(), 123450);
  EXPECT_EQ(Money::parseYuan("0.05").fen(), 5);
  EXPECT_EQ(Money::parseYuan("12").fen(), 1200);
  EXPECT_EQ(Money::parseYuan("0").fen(), 0);
  EXPECT_EQ(Money::parseYuan("007.10").fen(), 710);
}

TEST(Money, ParsesGroupedAmounts) {
  EXPECT_EQ(Money::parseYuan("1,234.50").fen(), 123450);
  EXPECT_EQ(Money::parseYuan("12,345,678").fen(), 1234567800);
  EXPECT_EQ(Money::parseYuan("999,999.99").fen(), 99999999);
}

TEST(Money, ParsesFullWidthDigitsPointAndComma) {
  // １２３４.５０
  EXPECT_EQ(
      Money::parseYuan("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94.\xEF\xBC\x95\xEF\xBC\x90")
          .fen(),
      123450);
  // １，２３４．５
  EXPECT_EQ(
      Money::parseYuan("\xEF\xBC\x91\xEF\xBC\x8C\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x8E"
                       "\xEF\xBC\x95")
          .fen(),
      123450);
}

TEST(Money, ParsesCurrencySignsAndSurroundingSpaces) {
  EXPECT_EQ(Money::parseYuan("\xC2\xA5"
                             "12.3")
                .fen(),
            1230);  // ¥
  EXPECT_EQ(Money::parseYuan("\xEF\xBF\xA5"
                             "12.3")
                .fen(),
            1230);  // ￥
  EXPECT_EQ(Money::parseYuan("\xEF\xBF\xA5 12").fen(), 1200);
  EXPECT_EQ(Money::parseYuan("  12.30 \t").fen(), 1230);
  EXPECT_EQ(Money::parseYuan("\xE3\x80\x80"
                             "12\xE3\x80\x80")
                .fen(),
            1200);
  EXPECT_EQ(Money::parseYuan("+12").fen(), 1200);
}

TEST(Money, ParsesNegativeAmountsWhenAllowed) {
  EXPECT_EQ(Money::parseYuan("-5", true).fen(), -500);
  EXPECT_EQ(Money::parseYuan("-0.05", true).fen(), -5);
  EXPECT_EQ(Money::parseYuan("-\xC2\xA5"
                             "1,000",
                             true)
                .fen(),
            -100000);
  EXPECT_EQ(Money::parseYuan("\xC2\xA5-1,000", true).fen(), -100000);
}

TEST(Money, TreatsMinusZeroAsZero) { EXPECT_EQ(Money::parseYuan("-0.00").fen(), 0); }

TEST(Money, RejectsEmptyText) {
  EXPECT_NE(parseError("").find("empty"), std::string::npos);
  EXPECT_NE(parseError("   ").find("empty"), std::string::npos);
}

TEST(Money, RejectsMoreThanTwoDecimals) {
  const std::string message = parseError("1.234");
  EXPECT_NE(message.find("more than 2 decimal"), std::string::npos) << message;
  EXPECT_NE(message.find("1.234"), std::string::npos) << message;
}

TEST(Money, RejectsNegativeUnlessAllowed) {
  EXPECT_NE(parseError("-5").find("negative"), std::string::npos);
  EXPECT_NE(parseError("\xC2\xA5-5").find("negative"), std::string::npos);
}

TEST(Money, RejectsBadGrouping) {
  EXPECT_NE(parseError("1,23.00").find("thousands separator"), std::string::npos);
  EXPECT_NE(parseError("1234,567").find("thousands separator"), std::string::npos);
  EXPECT_NE(parseError(",123").find("thousands separator"), std::string::npos);
  EXPECT_NE(parseError("1,234,").find("thousands separator"), std::string::npos);
  EXPECT_NE(parseError("1,,234").find("thousands separator"), std::string::npos);
}

TEST(Money, RejectsOtherCharacters) {
  EXPECT_NE(parseError("12a").find("\"a\""), std::string::npos);
  EXPECT_NE(parseError("1e5").find("\"e\""), std::string::npos);
  EXPECT_NE(parseError("12.3.4").find("unexpected character"), std::string::npos);
  EXPECT_NE(parseError("1 2").find("unexpected character"), std::string::npos);
  EXPECT_NE(parseError("--5", true).find("unexpected character"), std::string::npos);
  EXPECT_NE(parseError("12\xE5\x85\x83").find("\xE5\x85\x83"), std::string::npos);  // 元
}

TEST(Money, RejectsMissingDigitsAroundThePoint) {
  EXPECT_NE(parseError(".5").find("no digits before"), std::string::npos);
  EXPECT_NE(parseError("12.").find("no digits after"), std::string::npos);
  EXPECT_NE(parseError("\xC2\xA5").find("no digits"), std::string::npos);
  EXPECT_NE(parseError("-", true).find("no digits"), std::string::npos);
}

TEST(Money, ParsesTheLargestRepresentableAmounts) {
  EXPECT_EQ(Money::parseYuan("92233720368547758.07").fen(), kMax);
  EXPECT_EQ(Money::parseYuan("-92233720368547758.08", true).fen(), kMin);
}

TEST(Money, RejectsOverflow) {
  EXPECT_NE(parseError("92233720368547758.08").find("too large"), std::string::npos);
  EXPECT_NE(parseError("-92233720368547758.09", true).find("too large"), std::string::npos);
  EXPECT_NE(parseError("99999999999999999999999999").find("too large"), std::string::npos);
  EXPECT_NE(parseError("184467440737095516.16").find("too large"), std::string::npos);
}

TEST(Money, FormatsWithTwoDecimals) {
  EXPECT_EQ(Money::fromFen(123450).toYuan(), "1234.50");
  EXPECT_EQ(Money::fromFen(-5).toYuan(), "-0.05");
  EXPECT_EQ(Money::fromFen(0).toYuan(), "0.00");
  EXPECT_EQ(Money::fromFen(7).toYuan(), "0.07");
  EXPECT_EQ(Money::fromFen(-123456).toYuan(), "-1234.56");
  EXPECT_EQ(Money::fromYuan(12).toYuan(), "12.00");
}

TEST(Money, FormatsTheExtremesWithoutOverflow) {
  EXPECT_EQ(Money::fromFen(kMax).toYuan(), "92233720368547758.07");
  EXPECT_EQ(Money::fromFen(kMin).toYuan(), "-92233720368547758.08");
  EXPECT_EQ(Money::fromFen(kMin).toYuanGrouped(), "-92,233,720,368,547,758.08");
}

TEST(Money, FormatsGroupedForPeople) {
  EXPECT_EQ(Money::fromFen(123450).toYuanGrouped(), "1,234.50");
  EXPECT_EQ(Money::fromFen(12345).toYuanGrouped(), "123.45");
  EXPECT_EQ(Money::fromFen(100000000).toYuanGrouped(), "1,000,000.00");
  EXPECT_EQ(Money::fromFen(-12345678).toYuanGrouped(), "-123,456.78");
  EXPECT_EQ(Money::fromFen(0).toYuanGrouped(), "0.00");
}

TEST(Money, FormattedAmountsParseBack) {
  for (int64_t fen : {int64_t{0}, int64_t{1}, int64_t{99}, int64_t{123456789}, kMax}) {
    EXPECT_EQ(Money::parseYuan(Money::fromFen(fen).toYuan()).fen(), fen);
    EXPECT_EQ(Money::parseYuan(Money::fromFen(fen).toYuanGrouped()).fen(), fen);
  }
  EXPECT_EQ(Money::parseYuan(Money::fromFen(kMin).toYuan(), true).fen(), kMin);
}

TEST(Money, AddsAndSubtracts) {
  Money m = Money::fromFen(100);
  m += Money::fromFen(50);
  EXPECT_EQ(m.fen(), 150);
  m -= Money::fromFen(200);
  EXPECT_EQ(m.fen(), -50);
  EXPECT_EQ((Money::fromYuan(1) + Money::fromFen(1)).fen(), 101);
  EXPECT_EQ((Money::fromYuan(1) - Money::fromFen(1)).fen(), 99);
}

TEST(Money, ThrowsOnArithmeticOverflow) {
  EXPECT_THROW(Money::fromFen(kMax) + Money::fromFen(1), Error);
  EXPECT_THROW(Money::fromFen(kMin) - Money::fromFen(1), Error);
  EXPECT_THROW(Money::fromFen(0) - Money::fromFen(kMin), Error);
  Money m = Money::fromFen(kMax);
  EXPECT_THROW(m += Money::fromFen(1), Error);
  EXPECT_EQ(m.fen(), kMax);
  try {
    (void)(Money::fromFen(kMax) + Money::fromFen(1));
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(Money, ComparesByAmount) {
  EXPECT_LT(Money::fromFen(1), Money::fromFen(2));
  EXPECT_EQ(Money::fromYuan(1), Money::fromFen(100));
  EXPECT_GT(Money::fromFen(0), Money::fromFen(-1));
  EXPECT_EQ(Money().fen(), 0);
}

}  // namespace
}  // namespace edupay
