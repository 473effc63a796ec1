#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/Date.h"

namespace edupay {

/// Where each term's reference date falls (the date whose facts eligibility uses).
struct TermConfig {
  int autumn_month = 9;  ///< autumn reference date: Sep 1 by default
  int autumn_day = 1;
  int spring_month = 3;  ///< spring reference date: Mar 1 by default
  int spring_day = 1;
};

/// An academic term: `2026-autumn` (Sep-Jan) or `2027-spring` (Feb-Jul). The academic year
/// 2026-27 is `2026-autumn` + `2027-spring`.
class Term {
 public:
  enum class Season { kSpring, kAutumn };

  Term() = default;  ///< 1970-autumn, a placeholder until assigned

  /// Accepts `2026-autumn`, `2026-spring` (also `2026秋`, `2026春`, case-insensitive).
  /// Throws Error(kInvalidInput) otherwise.
  static Term parse(std::string_view text);
  /// The term a date falls in: Feb-Jul spring, Aug-Dec autumn, Jan the previous autumn.
  static Term containing(const Date& d);

  int year() const { return year_; }
  Season season() const { return season_; }
  /// First calendar year of the academic year: 2026 for both 2026-autumn and 2027-spring.
  int academicYear() const { return season_ == Season::kAutumn ? year_ : year_ - 1; }
  Date referenceDate(const TermConfig& config = {}) const;
  Date firstDay() const;  ///< Sep 1 or Feb 1
  Date lastDay() const;   ///< Jan 31 (next year) or Jul 31
  Term next() const;
  Term previous() const;
  std::string str() const;  ///< `2026-autumn`

  auto operator<=>(const Term&) const = default;

 private:
  Term(int y, Season s) : year_(y), season_(s) {}
  int year_ = 1970;
  Season season_ = Season::kAutumn;
};

/// Working days: Monday-Friday, minus public holidays, plus make-up working days (调休) that fall
/// on weekends. Loaded from a calendar file with one entry per line:
///   `2026-10-01 holiday  National Day`   or   `2026-09-27 workday  make-up day`
/// `#` starts a comment; blank lines are ignored.
class HolidayCalendar {
 public:
  HolidayCalendar() = default;
  /// Throws Error(kInvalidInput) naming the file, line and what is wrong.
  static HolidayCalendar load(const std::string& path);
  static HolidayCalendar parse(std::string_view content, const std::string& source_name);

  void addHoliday(const Date& d) { holidays_.insert(d); }
  void addWorkday(const Date& d) { workdays_.insert(d); }
  bool isWorkingDay(const Date& d) const;
  /// The date `n` working days after `from` (n >= 0; `from` itself is not counted).
  Date addWorkingDays(const Date& from, int n) const;
  /// Working days in (from, to].
  int workingDaysBetween(const Date& from, const Date& to) const;

 private:
  std::set<Date> holidays_;
  std::set<Date> workdays_;
};

}  // namespace edupay
