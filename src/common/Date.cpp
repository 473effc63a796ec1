#include "common/Date.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "common/Error.h"
#include "common/Text.h"

namespace edupay {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int digitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Reads 1 or 2 digits at `pos`; returns -1 when there are none or more than 2.
int readSmallNumber(std::string_view s, size_t& pos) {
  const size_t start = pos;
  while (pos < s.size() && isDigit(s[pos])) ++pos;
  const size_t len = pos - start;
  if (len < 1 || len > 2) return -1;
  return digitsValue(s.substr(start, len));
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool Date::isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int Date::daysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && isLeapYear(year)) return 29;
  return kDays[month - 1];
}

std::optional<Date> Date::fromYmd(int year, int month, int day) {
  // Four-digit years only, so str() and parse() round-trip.
  if (year < 1 || year > 9999) return std::nullopt;
  if (month < 1 || month > 12) return std::nullopt;
  if (day < 1 || day > daysInMonth(year, month)) return std::nullopt;
  return Date(year, month, day);
}

std::optional<Date> Date::parse(std::string_view text) {
  if (text.size() == 8 && std::all_of(text.begin(), text.end(), isDigit)) {
    return fromYmd(digitsValue(text.substr(0, 4)), digitsValue(text.substr(4, 2)),
                   digitsValue(text.substr(6, 2)));
  }
  if (text.size() < 8) return std::nullopt;
  for (size_t i = 0; i < 4; ++i) {
    if (!isDigit(text[i])) return std::nullopt;
  }
  const char sep = text[4];
  if (sep != '-' && sep != '/' && sep != '.') return std::nullopt;
  size_t pos = 5;
  const int month = readSmallNumber(text, pos);
  if (month < 0 || pos >= text.size() || text[pos] != sep) return std::nullopt;
  ++pos;
  const int day = readSmallNumber(text, pos);
  if (day < 0 || pos != text.size()) return std::nullopt;
  return fromYmd(digitsValue(text.substr(0, 4)), month, day);
}

std::optional<Date> Date::parseLenient(std::string_view input, bool year_month) {
  std::string t = text::cleanCode(input);
  // 2025年9月1日 -> 2025-9-1; 2025年9月 -> 2025-9
  const std::string_view nian = "\xE5\xB9\xB4", yue = "\xE6\x9C\x88", ri = "\xE6\x97\xA5";
  if (t.find(nian) != std::string::npos) {
    std::string u;
    for (size_t i = 0; i < t.size();) {
      if (t.compare(i, 3, nian) == 0 || t.compare(i, 3, yue) == 0) {
        u += '-';
        i += 3;
      } else if (t.compare(i, 3, ri) == 0) {
        i += 3;
      } else if (t[i] == ' ') {
        ++i;
      } else {
        u += t[i++];
      }
    }
    if (!u.empty() && u.back() == '-') u.pop_back();
    t = u;
  }
  // A date-time with a midnight time, as spreadsheets export a date cell.
  for (const char* midnight : {" 00:00:00", " 0:00:00", " 00:00", " 0:00", "T00:00:00"}) {
    const std::string_view m(midnight);
    if (t.size() > m.size() && t.compare(t.size() - m.size(), m.size(), m) == 0) {
      t.resize(t.size() - m.size());
      break;
    }
  }
  if (auto d = parse(t)) return d;
  if (!year_month) return std::nullopt;
  if (t.size() == 6 && std::all_of(t.begin(), t.end(), isDigit)) {
    return fromYmd(digitsValue(t.substr(0, 4)), digitsValue(t.substr(4, 2)), 1);
  }
  if (t.size() < 6 || t.size() > 7) return std::nullopt;
  for (size_t i = 0; i < 4; ++i) {
    if (!isDigit(t[i])) return std::nullopt;
  }
  if (t[4] != '-' && t[4] != '/' && t[4] != '.') return std::nullopt;
  const std::string_view month = std::string_view(t).substr(5);
  if (!std::all_of(month.begin(), month.end(), isDigit)) return std::nullopt;
  return fromYmd(digitsValue(t.substr(0, 4)), digitsValue(month), 1);
}

// Days-from-civil and civil-from-days follow Howard Hinnant's public-domain algorithms, which are
// exact for the whole proleptic Gregorian calendar without loops or tables.
int64_t Date::daysSinceEpoch() const {
  const int64_t y = static_cast<int64_t>(year_) - (month_ <= 2 ? 1 : 0);
  const int64_t era = floorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month_ + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day_ - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::fromDays(int64_t days_since_epoch) {
  const int64_t z = days_since_epoch + 719468;
  const int64_t era = floorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Date(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
}

Date Date::today() {
  const char* fixed = std::getenv("EDUPAY_TODAY");
  // An empty value counts as unset so `EDUPAY_TODAY= cmd` switches the override off.
  if (fixed != nullptr && *fixed != '\0') {
    const std::string_view text(fixed);
    std::optional<Date> d;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') d = parse(text);
    if (!d) {
      throw Error(ErrorCode::kInvalidInput,
                  msg("common.today.invalid", {arg("value", std::string(text))}));
    }
    return *d;
  }
  constexpr int64_t kChinaOffsetSeconds = 8 * 3600;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  return fromDays(floorDiv(now + kChinaOffsetSeconds, 86400));
}

int Date::weekday() const {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  const int64_t w = (daysSinceEpoch() + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

int Date::yearsSince(const Date& birth) const {
  int years = year_ - birth.year_;
  if (month_ < birth.month_ || (month_ == birth.month_ && day_ < birth.day_)) --years;
  return years;
}

std::string Date::str() const {
  // Hot in bulk paths (every trace and row carries dates): no printf.
  if (year_ < 0 || year_ > 9999) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year_, month_, day_);
    return buf;
  }
  std::string out(10, '-');
  out[0] = static_cast<char>('0' + year_ / 1000);
  out[1] = static_cast<char>('0' + year_ / 100 % 10);
  out[2] = static_cast<char>('0' + year_ / 10 % 10);
  out[3] = static_cast<char>('0' + year_ % 10);
  out[5] = static_cast<char>('0' + month_ / 10);
  out[6] = static_cast<char>('0' + month_ % 10);
  out[8] = static_cast<char>('0' + day_ / 10);
  out[9] = static_cast<char>('0' + day_ % 10);
  return out;
}

}  // namespace edupay
