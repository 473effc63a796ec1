#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edupay::text {

/// Strips ASCII white space and U+3000 (ideographic space) from both ends.
std::string trim(std::string_view s);
/// Maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII and U+3000 to a space; leaves every
/// other character (including CJK) untouched. Input and output are UTF-8.
std::string toHalfWidth(std::string_view s);
std::string toLower(std::string_view s);  ///< ASCII only
std::string toUpper(std::string_view s);  ///< ASCII only
std::vector<std::string> split(std::string_view s, char sep);
bool isAllDigits(std::string_view s);
/// True when `s` is well-formed UTF-8.
bool isValidUtf8(std::string_view s);
/// The characters of UTF-8 text, each a view into `s` (a malformed byte is a character of its own).
std::vector<std::string_view> characters(std::string_view s);
/// The code point of one UTF-8 character (U+FFFD when it is malformed).
char32_t codePoint(std::string_view utf8_char);
/// `U+2B5AF`, `U+0009`: at least four upper-case hex digits.
std::string codePointLabel(char32_t cp);
/// `𫖯 (U+2B5AF), (U+0009)`: characters with their code points, for people to act on (a control
/// character by its code point only).
std::string describeCharacters(const std::vector<std::string>& characters);
/// At most `max_chars` characters of `s`, never cutting a character in two.
std::string cutUtf8(std::string_view s, size_t max_chars);

}  // namespace edupay::text
