#include "common/Money.h"

#include <limits>

#include "common/Error.h"
#include "common/Text.h"

#include <vector>

namespace edupay {

namespace {

constexpr std::string_view kYenSign = "\xC2\xA5";               // U+00A5
constexpr std::string_view kFullWidthYenSign = "\xEF\xBF\xA5";  // U+FFE5

/// `problem` names the catalogue entry `amount.<problem>`; `extra` its other arguments.
[[noreturn]] void fail(std::string_view text, const char* problem,
                       std::vector<MessageArg> extra = {}) {
  extra.push_back(arg("amount", text));
  throw Error(ErrorCode::kInvalidInput, msg(std::string("amount.") + problem, std::move(extra)));
}

// The whole UTF-8 character starting at `pos`, for error messages.
std::string characterAt(std::string_view s, size_t pos) {
  size_t end = pos + 1;
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  return std::string(s.substr(pos, end - pos));
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Magnitude as unsigned so INT64_MIN has a representation and negation cannot overflow.
uint64_t magnitude(int64_t v) {
  return v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

std::string formatYuan(int64_t fen, bool grouped) {
  const uint64_t mag = magnitude(fen);
  std::string whole = std::to_string(mag / 100);
  if (grouped) {
    std::string g;
    const size_t n = whole.size();
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && (n - i) % 3 == 0) g += ',';
      g += whole[i];
    }
    whole = std::move(g);
  }
  const auto cents = static_cast<unsigned>(mag % 100);
  std::string out;
  if (fen < 0) out += '-';
  out += whole;
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}

}  // namespace

Money Money::parseYuan(std::string_view text, bool allow_negative) {
  const std::string s = text::trim(text::toHalfWidth(text));
  if (s.empty()) fail(text, "empty");

  size_t i = 0;
  bool negative = false;
  bool has_sign = false;
  auto takeSign = [&] {
    if (!has_sign && i < s.size() && (s[i] == '-' || s[i] == '+')) {
      negative = s[i] == '-';
      has_sign = true;
      ++i;
    }
  };
  // Both "-¥5" and "¥-5" occur in exported spreadsheets.
  takeSign();
  if (s.compare(i, kYenSign.size(), kYenSign) == 0) {
    i += kYenSign.size();
  } else if (s.compare(i, kFullWidthYenSign.size(), kFullWidthYenSign) == 0) {
    i += kFullWidthYenSign.size();
  }
  while (i < s.size() && s[i] == ' ') ++i;
  takeSign();

  const size_t int_begin = i;
  while (i < s.size() && (isDigit(s[i]) || s[i] == ',')) ++i;
  const std::string_view int_part = std::string_view(s).substr(int_begin, i - int_begin);
  std::string_view frac_part;
  bool has_point = false;
  if (i < s.size() && s[i] == '.') {
    has_point = true;
    const size_t frac_begin = ++i;
    while (i < s.size() && isDigit(s[i])) ++i;
    frac_part = std::string_view(s).substr(frac_begin, i - frac_begin);
  }
  if (i < s.size()) fail(text, "character", {arg("character", characterAt(s, i))});

  std::string digits;
  if (int_part.find(',') != std::string_view::npos) {
    const auto groups = text::split(int_part, ',');
    bool ok = !groups.front().empty() && groups.front().size() <= 3;
    for (size_t g = 1; ok && g < groups.size(); ++g) ok = groups[g].size() == 3;
    if (!ok) fail(text, "separators");
    for (const auto& g : groups) digits += g;
  } else {
    digits = int_part;
  }
  if (digits.empty()) fail(text, "no_integer_part");
  if (has_point && frac_part.empty()) fail(text, "no_fraction");
  if (frac_part.size() > 2) fail(text, "fen");

  digits += frac_part;
  digits.append(2 - frac_part.size(), '0');

  const uint64_t limit =
      negative ? uint64_t{1} << 63 : uint64_t{std::numeric_limits<int64_t>::max()};
  uint64_t mag = 0;
  for (char c : digits) {
    const auto d = static_cast<uint64_t>(c - '0');
    if (mag > (limit - d) / 10) fail(text, "too_large");
    mag = mag * 10 + d;
  }
  // "-0.00" is zero, not a negative amount.
  if (negative && mag != 0 && !allow_negative) {
    fail(text, "negative");
  }
  if (!negative) return Money(static_cast<int64_t>(mag));
  if (mag == limit) return Money(std::numeric_limits<int64_t>::min());
  return Money(-static_cast<int64_t>(mag));
}

std::string Money::toYuan() const { return formatYuan(fen_, false); }

std::string Money::toYuanGrouped() const { return formatYuan(fen_, true); }

Money Money::operator+(Money other) const {
  int64_t r = 0;
  if (__builtin_add_overflow(fen_, other.fen_, &r)) {
    throw Error(ErrorCode::kInvalidInput,
                msg("amount.overflow_add", {arg("a", toYuan()), arg("b", other.toYuan())}));
  }
  return Money(r);
}

Money Money::operator-(Money other) const {
  int64_t r = 0;
  if (__builtin_sub_overflow(fen_, other.fen_, &r)) {
    throw Error(ErrorCode::kInvalidInput,
                msg("amount.overflow_sub", {arg("a", other.toYuan()), arg("b", toYuan())}));
  }
  return Money(r);
}

}  // namespace edupay
