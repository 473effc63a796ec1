#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edupay {

/// A proleptic Gregorian calendar date (no time, no zone). Value type; always valid once built
/// through parse()/fromYmd().
class Date {
 public:
  Date() = default;  ///< 1970-01-01

  /// Accepts `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD` and `YYYYMMDD` (single-digit month/day
  /// allowed with separators). Returns nullopt for anything else or an impossible date
  /// (2023-02-29).
  static std::optional<Date> parse(std::string_view text);
  /// parse(), and also the forms people type and spreadsheets write: `2025年9月1日` (spaces
  /// allowed), `2025-09-01 00:00:00` (a midnight time is dropped) and, when `year_month` is set
  /// (for a month such as 入学年月), `202509`, `2025.09`, `2025-9`, `2025/09`, `2025年9月` as the
  /// first of that month. Full-width digits are folded first.
  static std::optional<Date> parseLenient(std::string_view text, bool year_month = false);
  /// nullopt when the triple is not a real date.
  static std::optional<Date> fromYmd(int year, int month, int day);
  static Date fromDays(int64_t days_since_epoch);
  /// Today in China Standard Time (UTC+8), or EDUPAY_TODAY (YYYY-MM-DD) when set, so runs are
  /// reproducible.
  static Date today();

  int year() const { return year_; }
  int month() const { return month_; }
  int day() const { return day_; }
  int64_t daysSinceEpoch() const;
  /// 0 = Monday ... 6 = Sunday.
  int weekday() const;
  Date addDays(int64_t n) const { return fromDays(daysSinceEpoch() + n); }
  /// Whole years from `birth` to this date (age on this date).
  int yearsSince(const Date& birth) const;
  std::string str() const;  ///< YYYY-MM-DD

  static bool isLeapYear(int year);
  static int daysInMonth(int year, int month);

  auto operator<=>(const Date&) const = default;

 private:
  Date(int y, int m, int d) : year_(y), month_(m), day_(d) {}
  int year_ = 1970;
  int month_ = 1;
  int day_ = 1;
};

}  // namespace edupay
