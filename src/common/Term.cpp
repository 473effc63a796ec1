#include "common/Term.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay {

namespace {

// Years whose terms and their first/last days are all representable as a Date.
constexpr int kMinYear = 1000;
constexpr int kMaxYear = 9998;

Date makeDate(int year, int month, int day) {
  auto d = Date::fromYmd(year, month, day);
  if (!d) {
    throw Error(
        ErrorCode::kInvalidInput,
        msg("date.no_such", {arg("date", std::to_string(year) + "-" + std::to_string(month) + "-" +
                                             std::to_string(day))}));
  }
  return *d;
}

}  // namespace

Term Term::parse(std::string_view text) {
  const std::string s = text::toLower(text::trim(text::toHalfWidth(text)));
  auto bad = [&]() {
    return Error(ErrorCode::kInvalidInput, msg("term.invalid", {arg("term", text)}));
  };
  if (s.size() < 5 || !text::isAllDigits(std::string_view(s).substr(0, 4))) throw bad();
  const int year = std::stoi(s.substr(0, 4));
  const std::string_view rest = std::string_view(s).substr(4);
  Season season;
  if (rest == "-autumn" || rest == "\xE7\xA7\x8B") {  // 秋
    season = Season::kAutumn;
  } else if (rest == "-spring" || rest == "\xE6\x98\xA5") {  // 春
    season = Season::kSpring;
  } else {
    throw bad();
  }
  if (year < kMinYear || year > kMaxYear) throw bad();
  return Term(year, season);
}

Term Term::containing(const Date& d) {
  if (d.month() == 1) return Term(d.year() - 1, Season::kAutumn);
  if (d.month() <= 7) return Term(d.year(), Season::kSpring);
  return Term(d.year(), Season::kAutumn);
}

Date Term::referenceDate(const TermConfig& config) const {
  if (season_ == Season::kSpring) return makeDate(year_, config.spring_month, config.spring_day);
  // An autumn reference date in January belongs to the January at the end of the term.
  const int year = config.autumn_month == 1 ? year_ + 1 : year_;
  return makeDate(year, config.autumn_month, config.autumn_day);
}

Date Term::firstDay() const {
  return season_ == Season::kAutumn ? makeDate(year_, 9, 1) : makeDate(year_, 2, 1);
}

Date Term::lastDay() const {
  return season_ == Season::kAutumn ? makeDate(year_ + 1, 1, 31) : makeDate(year_, 7, 31);
}

Term Term::next() const {
  return season_ == Season::kAutumn ? Term(year_ + 1, Season::kSpring)
                                    : Term(year_, Season::kAutumn);
}

Term Term::previous() const {
  return season_ == Season::kAutumn ? Term(year_, Season::kSpring)
                                    : Term(year_ - 1, Season::kAutumn);
}

std::string Term::str() const {
  return std::to_string(year_) + (season_ == Season::kAutumn ? "-autumn" : "-spring");
}

HolidayCalendar HolidayCalendar::load(const std::string& path) {
  return parse(readFile(path, 1 << 20), path);
}

HolidayCalendar HolidayCalendar::parse(std::string_view content, const std::string& source_name) {
  HolidayCalendar calendar;
  const auto lines = text::split(content, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string line = lines[n];
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = text::trim(line);
    if (line.empty()) continue;
    auto fail = [&](const char* code, const std::string& value) {
      return Error(ErrorCode::kInvalidInput,
                   msg(code, {arg("file", source_name), arg("line", std::to_string(n + 1)),
                              arg("value", value)}));
    };
    const size_t date_end = line.find_first_of(" \t");
    const std::string date_text = line.substr(0, date_end);
    const auto date = Date::parse(date_text);
    if (!date) throw fail("calendar.not_a_date", date_text);
    if (date_end == std::string::npos) throw fail("calendar.no_kind", date_text);
    const std::string after = text::trim(std::string_view(line).substr(date_end));
    const std::string kind = text::toLower(after.substr(0, after.find_first_of(" \t")));
    if (kind == "holiday") {
      if (calendar.workdays_.count(*date) != 0) {
        throw fail("calendar.already_workday", date->str());
      }
      calendar.addHoliday(*date);
    } else if (kind == "workday") {
      if (calendar.holidays_.count(*date) != 0) {
        throw fail("calendar.already_holiday", date->str());
      }
      calendar.addWorkday(*date);
    } else {
      throw fail("calendar.kind", kind);
    }
  }
  return calendar;
}

bool HolidayCalendar::isWorkingDay(const Date& d) const {
  if (workdays_.count(d) != 0) return true;
  if (holidays_.count(d) != 0) return false;
  return d.weekday() < 5;
}

Date HolidayCalendar::addWorkingDays(const Date& from, int n) const {
  if (n < 0) {
    throw Error(ErrorCode::kInternal,
                "cannot add a negative number of working days (" + std::to_string(n) + ")");
  }
  Date d = from;
  for (int left = n; left > 0;) {
    d = d.addDays(1);
    if (isWorkingDay(d)) --left;
  }
  return d;
}

int HolidayCalendar::workingDaysBetween(const Date& from, const Date& to) const {
  int count = 0;
  for (Date d = from.addDays(1); d <= to; d = d.addDays(1)) {
    if (isWorkingDay(d)) ++count;
  }
  return count;
}

}  // namespace edupay
