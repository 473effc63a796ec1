#include "common/BankAccountNumber.h"

#include <gtest/gtest.h>

namespace edupay {
namespace {

std::string whyRejected(std::string_view text) {
  std::string why;
  EXPECT_FALSE(BankAccountNumber::parse(text, &why).has_value()) << text << " was accepted";
  return why;
}

TEST(BankAccountNumber, AcceptsPlainDigits) {
  const auto n = BankAccountNumber::parse("6222021234567891234");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->str(), "6222021234567891234");
}

TEST(BankAccountNumber, StripsSpacesAndDashes) {
  EXPECT_EQ(BankAccountNumber::parse(" 6222 0212 3456 7891 234 ")->str(), "6222021234567891234");
  EXPECT_EQ(BankAccountNumber::parse("6222-0212-3456-7891")->str(), "6222021234567891");
  // Ideographic spaces and a full-width hyphen.
  EXPECT_EQ(BankAccountNumber::parse("6222\xE3\x80\x80"
                                     "0212\xEF\xBC\x8D"
                                     "3456")
                ->str(),
            "622202123456");
}

TEST(BankAccountNumber, ConvertsFullWidthDigits) {
  // ６２２２０２１２
  EXPECT_EQ(BankAccountNumber::parse("\xEF\xBC\x96\xEF\xBC\x92\xEF\xBC\x92\xEF\xBC\x92"
                                     "\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x91\xEF\xBC\x92")
                ->str(),
            "62220212");
}

TEST(BankAccountNumber, AcceptsEightToThirtyDigits) {
  EXPECT_TRUE(BankAccountNumber::parse(std::string(8, '1')).has_value());
  EXPECT_TRUE(BankAccountNumber::parse(std::string(30, '1')).has_value());
}

TEST(BankAccountNumber, RejectsTooFewOrTooManyDigits) {
  EXPECT_EQ(whyRejected("1234567"), "must have 8 to 30 digits, got 7");
  EXPECT_EQ(whyRejected(std::string(31, '1')), "must have 8 to 30 digits, got 31");
  EXPECT_EQ(whyRejected("1234 - 567"), "must have 8 to 30 digits, got 7");
}

TEST(BankAccountNumber, RejectsEmptyText) {
  EXPECT_EQ(whyRejected(""), "is empty");
  EXPECT_EQ(whyRejected(" - "), "is empty");
}

TEST(BankAccountNumber, RejectsOtherCharactersWithoutEchoingTheNumber) {
  const std::string why = whyRejected("62220212345678A1234");
  EXPECT_EQ(why, "may contain only digits, spaces and dashes; found 'A'");
  EXPECT_EQ(whyRejected("6222.0212.3456"), "may contain only digits, spaces and dashes; found '.'");
  EXPECT_EQ(whyRejected("6222\xE5\xBC\xA0"
                        "02123456"),
            "may contain only digits, spaces and dashes; found a non-ASCII character");
}

TEST(BankAccountNumber, ParseWithoutWhyStillRejects) {
  EXPECT_FALSE(BankAccountNumber::parse("12").has_value());
}

TEST(BankAccountNumber, LuhnIsOnlyAQuery) {
  const auto good = BankAccountNumber::parse("4111111111111111");
  ASSERT_TRUE(good.has_value());
  EXPECT_TRUE(good->luhnValid());
  const auto bad = BankAccountNumber::parse("4111111111111112");
  ASSERT_TRUE(bad.has_value());  // accepted despite the Luhn failure
  EXPECT_FALSE(bad->luhnValid());
}

TEST(BankAccountNumber, LuhnChecksKnownNumbers) {
  EXPECT_TRUE(BankAccountNumber::luhn("79927398713"));
  EXPECT_FALSE(BankAccountNumber::luhn("79927398710"));
  EXPECT_TRUE(BankAccountNumber::luhn("6222021234567894"));  // even length
  EXPECT_TRUE(BankAccountNumber::luhn("0"));
  EXPECT_FALSE(BankAccountNumber::luhn(""));
  EXPECT_FALSE(BankAccountNumber::luhn("12a4"));
}

TEST(BankAccountNumber, MasksWithFourStarsWhateverTheLength) {
  EXPECT_EQ(BankAccountNumber::parse("6222021234567891234")->masked(), "6222****1234");
  EXPECT_EQ(BankAccountNumber::parse("622202123456")->masked(), "6222****3456");
  EXPECT_EQ(BankAccountNumber::parse(std::string(30, '9'))->masked(), "9999****9999");
}

TEST(BankAccountNumber, MaskingShortNumbersStillHidesDigits) {
  EXPECT_EQ(BankAccountNumber::parse("12345678")->masked(), "12****78");
  EXPECT_EQ(BankAccountNumber::parse("1234567890")->masked(), "123****890");
}

TEST(BankAccountNumber, ComparesByDigits) {
  EXPECT_EQ(*BankAccountNumber::parse("6222 0212 3456"), *BankAccountNumber::parse("622202123456"));
}

}  // namespace
}  // namespace edupay
