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

}  // namespace edupay::text
