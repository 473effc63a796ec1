#include "common/Text.h"

#include <gtest/gtest.h>

namespace edupay::text {
namespace {

TEST(Text, TrimStripsAsciiWhitespaceAndIdeographicSpace) {
  EXPECT_EQ(trim("  abc\t\r\n"), "abc");
  EXPECT_EQ(trim("\xE3\x80\x80 abc \xE3\x80\x80"), "abc");
  EXPECT_EQ(trim("a b"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \xE3\x80\x80 "), "");
}

TEST(Text, TrimKeepsCjkCharactersAtTheEdges) {
  // 张 (E5 BC A0) shares no byte pattern with U+3000 and must survive.
  EXPECT_EQ(trim(" \xE5\xBC\xA0 "), "\xE5\xBC\xA0");
}

TEST(Text, ToHalfWidthMapsFullWidthAsciiVariants) {
  EXPECT_EQ(toHalfWidth("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"), "123");  // １２３
  EXPECT_EQ(toHalfWidth("\xEF\xBC\xA1\xEF\xBD\x9A"), "Az");               // Ａｚ
  EXPECT_EQ(toHalfWidth("\xEF\xBC\x81"), "!");                            // U+FF01
  EXPECT_EQ(toHalfWidth("\xEF\xBD\x9E"), "~");                            // U+FF5E
  EXPECT_EQ(toHalfWidth("\xEF\xBC\x8C\xEF\xBC\x8E"), ",.");               // ，．
  EXPECT_EQ(toHalfWidth("a\xE3\x80\x80"
                        "b"),
            "a b");
}

TEST(Text, ToHalfWidthLeavesOtherCharactersAlone) {
  const std::string cjk = "\xE5\xBC\xA0\xE4\xB8\x89";  // 张三
  EXPECT_EQ(toHalfWidth(cjk), cjk);
  EXPECT_EQ(toHalfWidth("\xEF\xBF\xA5"), "\xEF\xBF\xA5");  // ￥ U+FFE5 is outside the range
  EXPECT_EQ(toHalfWidth("\xEF\xBD\x9F"), "\xEF\xBD\x9F");  // U+FF5F is outside the range
  EXPECT_EQ(toHalfWidth("\xEF\xBC"), "\xEF\xBC");          // truncated input passes through
}

TEST(Text, CaseConversionIsAsciiOnly) {
  EXPECT_EQ(toLower("AbC-XYZ"), "abc-xyz");
  EXPECT_EQ(toUpper("abc-xyz"), "ABC-XYZ");
  EXPECT_EQ(toUpper("\xE5\xBC\xA0x"), "\xE5\xBC\xA0X");
}

TEST(Text, SplitKeepsEmptyParts) {
  EXPECT_EQ(split("a,b,c", ','), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split(",a,", ','), (std::vector<std::string>{"", "a", ""}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(split("abc", ','), (std::vector<std::string>{"abc"}));
}

TEST(Text, IsAllDigitsRequiresAtLeastOneDigit) {
  EXPECT_TRUE(isAllDigits("0123456789"));
  EXPECT_FALSE(isAllDigits(""));
  EXPECT_FALSE(isAllDigits("12a"));
  EXPECT_FALSE(isAllDigits("\xEF\xBC\x91"));  // full-width 1
}

TEST(Text, IsValidUtf8AcceptsWellFormedText) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("\xE5\xBC\xA0\xE4\xB8\x89"));
  EXPECT_TRUE(isValidUtf8("\xC2\xA5"));
  EXPECT_TRUE(isValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(isValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(Text, IsValidUtf8RejectsMalformedText) {
  EXPECT_FALSE(isValidUtf8("\xD5\xC5\xC8\xFD"));  // 张三 in GBK
  EXPECT_FALSE(isValidUtf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xE5\xBC"));          // truncated
  EXPECT_FALSE(isValidUtf8("\xFF"));
}

TEST(Text, CharactersSplitUtf8AndKeepMalformedBytesApart) {
  EXPECT_EQ(characters("a张\xF0\xAB\x96\xAF"),
            (std::vector<std::string_view>{"a", "张", "\xF0\xAB\x96\xAF"}));
  EXPECT_EQ(characters("\xE5\xBCx"), (std::vector<std::string_view>{"\xE5", "\xBC", "x"}));
  EXPECT_TRUE(characters("").empty());
}

TEST(Text, CodePointsAreLabelledTheUnicodeWay) {
  EXPECT_EQ(codePointLabel(codePoint("\xF0\xAB\x96\xAF")), "U+2B5AF");
  EXPECT_EQ(codePointLabel(codePoint("\t")), "U+0009");
  EXPECT_EQ(codePointLabel(codePoint("张")), "U+5F20");
  EXPECT_EQ(codePoint("\xBC"), U'\xFFFD');
}

TEST(Text, CutUtf8NeverSplitsACharacter) {
  EXPECT_EQ(cutUtf8("张三李四", 2), "张三");
  EXPECT_EQ(cutUtf8("ab", 5), "ab");
}

}  // namespace
}  // namespace edupay::text
