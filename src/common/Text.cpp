#include "common/Text.h"

#include <algorithm>

namespace edupay::text {

std::string escapeMarkup(std::string_view s, std::string_view apostrophe) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += apostrophe;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escapeHtml(std::string_view s) { return escapeMarkup(s, "&#39;"); }

namespace {

bool isAsciiSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";

/// Decodes the UTF-8 sequence at `i` (advancing it); a byte that starts no valid sequence is
/// returned as itself (0x80..0xFF) so nothing is lost.
char32_t nextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = b0 < 0x80           ? 1
               : (b0 >> 5) == 0x6  ? 2
               : (b0 >> 4) == 0xE  ? 3
               : (b0 >> 3) == 0x1E ? 4
                                   : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return b0;
  }
  char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

bool isInvisible(char32_t c) {
  return (c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF || c == 0x00AD ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool isNoBreakSpace(char32_t c) { return c == 0x00A0 || c == 0x2007 || c == 0x202F; }

bool isMiddleDotVariant(char32_t c) {
  return c == 0x2022 || c == 0x2027 || c == 0x2219 || c == 0x22C5 || c == 0x2E31 || c == 0x0387 ||
         c == 0x30FB || c == 0xFF65 || c == 0x2024;
}

}  // namespace

std::string cleanField(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t c = nextCodePoint(s, i);
    if (isInvisible(c)) continue;
    if (isNoBreakSpace(c)) {
      out += ' ';
      continue;
    }
    out.append(s.substr(start, i - start));
  }
  out = trim(out);
  if (!out.empty() && out[0] == '\'') out = trim(std::string_view(out).substr(1));
  return out;
}

std::string cleanCode(std::string_view s) { return trim(toHalfWidth(cleanField(s))); }

std::string normaliseName(std::string_view s) {
  const std::string clean = cleanField(s);
  std::vector<std::pair<char32_t, std::string_view>> cps;
  for (size_t i = 0; i < clean.size();) {
    const size_t start = i;
    const char32_t c = nextCodePoint(clean, i);
    cps.emplace_back(c, std::string_view(clean).substr(start, i - start));
  }
  std::string out;
  out.reserve(clean.size());
  for (size_t k = 0; k < cps.size(); ++k) {
    const char32_t c = cps[k].first;
    const bool between_non_ascii =
        k > 0 && k + 1 < cps.size() && cps[k - 1].first >= 0x80 && cps[k + 1].first >= 0x80;
    if (isMiddleDotVariant(c) || ((c == '.' || c == 0xFF0E) && between_non_ascii)) {
      out += "\xC2\xB7";
    } else if (c == ' ' || c == 0x3000) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out.append(cps[k].second);
    }
  }
  return trim(out);
}

std::string trim(std::string_view s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end) {
    if (isAsciiSpace(static_cast<unsigned char>(s[begin]))) {
      ++begin;
    } else if (s.substr(begin, 3) == kIdeographicSpace) {
      begin += 3;
    } else {
      break;
    }
  }
  while (end > begin) {
    if (isAsciiSpace(static_cast<unsigned char>(s[end - 1]))) {
      --end;
    } else if (end - begin >= 3 && s.substr(end - 3, 3) == kIdeographicSpace) {
      end -= 3;
    } else {
      break;
    }
  }
  return std::string(s.substr(begin, end - begin));
}

std::string toHalfWidth(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 == 0xEF && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      // U+FF01..U+FF3F is EF BC 81..BF and U+FF40..U+FF5E is EF BD 80..9E.
      if ((b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) || (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E)) {
        const int code_point = 0xFF00 + ((b1 - 0xBC) << 6) + (b2 - 0x80);
        out += static_cast<char>(code_point - 0xFEE0);
        i += 3;
        continue;
      }
    }
    if (s.substr(i, 3) == kIdeographicSpace) {
      out += ' ';
      i += 3;
      continue;
    }
    out += s[i];
    ++i;
  }
  return out;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string toUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.emplace_back(s.substr(start));
      return parts;
    }
    parts.emplace_back(s.substr(start, at - start));
    start = at + 1;
  }
}

std::string zeroPad(int64_t v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

bool isAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    // The allowed range of the second byte excludes overlong forms, surrogates (ED A0..BF) and
    // code points above U+10FFFF.
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (n - i < len) return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

namespace {

/// Length of the UTF-8 sequence starting with `b0`, or 1 for a byte that cannot start one.
size_t sequenceLength(unsigned char b0) {
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) return 2;
  if ((b0 & 0xF0) == 0xE0) return 3;
  if ((b0 & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = sequenceLength(static_cast<unsigned char>(s[i]));
    if (i + n > s.size()) n = 1;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        n = 1;
        break;
      }
    }
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

char32_t codePoint(std::string_view c) {
  constexpr char32_t kReplacement = 0xFFFD;
  if (c.empty()) return kReplacement;
  const auto b0 = static_cast<unsigned char>(c[0]);
  const size_t n = sequenceLength(b0);
  if (n != c.size()) return kReplacement;
  if (n == 1) return b0 < 0x80 ? char32_t{b0} : kReplacement;
  char32_t cp = b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(c[k]);
    if ((b & 0xC0) != 0x80) return kReplacement;
    cp = (cp << 6) | (b & 0x3F);
  }
  return cp;
}

std::string codePointLabel(char32_t cp) {
  static const char* digits = "0123456789ABCDEF";
  std::string hex;
  for (char32_t v = cp; v != 0; v >>= 4) hex.insert(hex.begin(), digits[v & 15]);
  while (hex.size() < 4) hex.insert(hex.begin(), '0');
  return "U+" + hex;
}

std::string describeCharacters(const std::vector<std::string>& characters) {
  std::string out;
  for (const auto& ch : characters) {
    const char32_t cp = codePoint(ch);
    const bool printable = cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && cp != 0xFFFD;
    if (!out.empty()) out += ", ";
    if (printable) out += ch + " ";
    out += "(" + codePointLabel(cp) + ")";
  }
  return out;
}

std::string cutUtf8(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return std::string(s.substr(0, i));
      ++chars;
    }
  }
  return std::string(s);
}

std::optional<char32_t> controlCharacter(std::string_view field, bool tab_allowed) {
  for (size_t i = 0; i < field.size(); ++i) {
    const auto b = static_cast<unsigned char>(field[i]);
    if (b < 0x20 && !(b == '\t' && tab_allowed)) return char32_t{b};
    if (b == 0x7F) return char32_t{0x7F};
    // C1 controls are C2 80..C2 9F; U+FFFD is EF BF BD.
    if (b == 0xC2 && i + 1 < field.size()) {
      const auto b1 = static_cast<unsigned char>(field[i + 1]);
      if (b1 >= 0x80 && b1 <= 0x9F) return char32_t{b1};
    }
    if (field.substr(i, 3) == "\xEF\xBF\xBD") return char32_t{0xFFFD};
    // Surrogates (ED A0..BF) are not UTF-8; text that carries one was never decoded properly.
    if (b == 0xED && i + 1 < field.size() && static_cast<unsigned char>(field[i + 1]) >= 0xA0)
      return char32_t{0xD800};
  }
  return std::nullopt;
}

bool startsLikeFormula(std::string_view field) {
  return !field.empty() && std::string_view("=+-@\t\r").find(field[0]) != std::string_view::npos;
}

std::string neutraliseFormula(std::string_view field) {
  if (!startsLikeFormula(field)) return std::string(field);
  // A signed decimal number is data, not a formula: -12.50 stays a number.
  std::string_view rest = field.substr(1);
  const bool number = (field[0] == '-' || field[0] == '+') && !rest.empty() &&
                      rest.find_first_not_of("0123456789.") == std::string_view::npos &&
                      std::count(rest.begin(), rest.end(), '.') <= 1 && rest.front() != '.' &&
                      rest.back() != '.';
  if (number) return std::string(field);
  return "'" + std::string(field);
}

size_t countCharacters(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace edupay::text
