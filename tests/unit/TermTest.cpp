#include "common/Term.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "common/Error.h"

namespace edupay {
namespace {

Date ymd(int y, int m, int d) { return *Date::fromYmd(y, m, d); }

std::string parseTermError(std::string_view text) {
  try {
    Term::parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "\"" << text << "\" was accepted";
  return "";
}

TEST(Term, ParsesCanonicalForm) {
  const Term autumn = Term::parse("2026-autumn");
  EXPECT_EQ(autumn.year(), 2026);
  EXPECT_EQ(autumn.season(), Term::Season::kAutumn);
  const Term spring = Term::parse("2027-spring");
  EXPECT_EQ(spring.year(), 2027);
  EXPECT_EQ(spring.season(), Term::Season::kSpring);
}

TEST(Term, ParsesChineseSeasonsAndAnyCase) {
  EXPECT_EQ(Term::parse("2026\xE7\xA7\x8B"), Term::parse("2026-autumn"));  // 2026秋
  EXPECT_EQ(Term::parse("2027\xE6\x98\xA5"), Term::parse("2027-spring"));  // 2027春
  EXPECT_EQ(Term::parse("2026-Autumn"), Term::parse("2026-autumn"));
  EXPECT_EQ(Term::parse("2027-SPRING"), Term::parse("2027-spring"));
  EXPECT_EQ(Term::parse(" 2026-autumn "), Term::parse("2026-autumn"));
}

TEST(Term, RejectsMalformedTextNamingTheExpectedForm) {
  for (const char* bad :
       {"", "2026", "2026-fall", "2026 autumn", "autumn-2026", "26-autumn", "2026-autumnx",
        "20266-autumn", "2026\xE5\x86\xAC", "abcd-spring", "0999-spring"}) {
    const std::string message = parseTermError(bad);
    EXPECT_NE(message.find("YYYY-autumn"), std::string::npos) << message;
    EXPECT_NE(message.find("\"" + std::string(bad) + "\""), std::string::npos) << message;
  }
}

TEST(Term, FormatsCanonically) {
  EXPECT_EQ(Term::parse("2026\xE7\xA7\x8B").str(), "2026-autumn");
  EXPECT_EQ(Term::parse("2027-Spring").str(), "2027-spring");
}

TEST(Term, AcademicYearStartsWithAutumn) {
  EXPECT_EQ(Term::parse("2026-autumn").academicYear(), 2026);
  EXPECT_EQ(Term::parse("2027-spring").academicYear(), 2026);
}

TEST(Term, FindsTermContainingDate) {
  EXPECT_EQ(Term::containing(ymd(2027, 1, 15)).str(), "2026-autumn");
  EXPECT_EQ(Term::containing(ymd(2027, 1, 31)).str(), "2026-autumn");
  EXPECT_EQ(Term::containing(ymd(2027, 2, 1)).str(), "2027-spring");
  EXPECT_EQ(Term::containing(ymd(2027, 7, 31)).str(), "2027-spring");
  EXPECT_EQ(Term::containing(ymd(2027, 8, 1)).str(), "2027-autumn");
  EXPECT_EQ(Term::containing(ymd(2026, 9, 1)).str(), "2026-autumn");
  EXPECT_EQ(Term::containing(ymd(2026, 12, 31)).str(), "2026-autumn");
}

TEST(Term, HasFirstAndLastDays) {
  const Term autumn = Term::parse("2026-autumn");
  EXPECT_EQ(autumn.firstDay(), ymd(2026, 9, 1));
  EXPECT_EQ(autumn.lastDay(), ymd(2027, 1, 31));
  const Term spring = Term::parse("2027-spring");
  EXPECT_EQ(spring.firstDay(), ymd(2027, 2, 1));
  EXPECT_EQ(spring.lastDay(), ymd(2027, 7, 31));
}

TEST(Term, ReferenceDateDefaultsToSeptemberAndMarchFirst) {
  EXPECT_EQ(Term::parse("2026-autumn").referenceDate(), ymd(2026, 9, 1));
  EXPECT_EQ(Term::parse("2027-spring").referenceDate(), ymd(2027, 3, 1));
}

TEST(Term, ReferenceDateFollowsConfig) {
  TermConfig config;
  config.autumn_month = 10;
  config.autumn_day = 15;
  config.spring_month = 2;
  config.spring_day = 20;
  EXPECT_EQ(Term::parse("2026-autumn").referenceDate(config), ymd(2026, 10, 15));
  EXPECT_EQ(Term::parse("2027-spring").referenceDate(config), ymd(2027, 2, 20));
}

TEST(Term, JanuaryAutumnReferenceDateFallsInTheNextYear) {
  TermConfig config;
  config.autumn_month = 1;
  config.autumn_day = 10;
  EXPECT_EQ(Term::parse("2026-autumn").referenceDate(config), ymd(2027, 1, 10));
}

TEST(Term, RejectsImpossibleReferenceDateConfig) {
  TermConfig config;
  config.spring_month = 2;
  config.spring_day = 30;
  EXPECT_THROW(Term::parse("2027-spring").referenceDate(config), Error);
}

TEST(Term, StepsForwardAndBackward) {
  const Term autumn = Term::parse("2026-autumn");
  EXPECT_EQ(autumn.next().str(), "2027-spring");
  EXPECT_EQ(autumn.next().next().str(), "2027-autumn");
  EXPECT_EQ(autumn.previous().str(), "2026-spring");
  EXPECT_EQ(autumn.previous().previous().str(), "2025-autumn");
  EXPECT_EQ(autumn.next().previous(), autumn);
}

TEST(Term, OrdersChronologically) {
  EXPECT_LT(Term::parse("2026-spring"), Term::parse("2026-autumn"));
  EXPECT_LT(Term::parse("2026-autumn"), Term::parse("2027-spring"));
  EXPECT_LT(Term::parse("2025-autumn"), Term::parse("2026-spring"));
}

constexpr const char* kCalendar2026 =
    "# National Day 2026\n"
    "2026-09-27 workday make-up day\n"
    "\n"
    "2026-10-01 holiday National Day\n"
    "2026-10-02 holiday\n"
    "2026-10-03 holiday\n"
    "2026-10-04 holiday\n"
    "2026-10-05 HOLIDAY\n"
    "2026-10-06\tholiday\r\n"
    "  2026-10-07   holiday   # last day\n"
    "2026-10-10 workday\n";

TEST(HolidayCalendar, WeekendsAreNonWorkingByDefault) {
  const HolidayCalendar empty;
  EXPECT_TRUE(empty.isWorkingDay(ymd(2026, 9, 25)));   // Friday
  EXPECT_FALSE(empty.isWorkingDay(ymd(2026, 9, 26)));  // Saturday
  EXPECT_FALSE(empty.isWorkingDay(ymd(2026, 9, 27)));  // Sunday
  EXPECT_TRUE(empty.isWorkingDay(ymd(2026, 9, 28)));   // Monday
}

TEST(HolidayCalendar, HolidaysAreNonWorkingAndMakeUpDaysAreWorking) {
  const auto cal = HolidayCalendar::parse(kCalendar2026, "holidays.txt");
  EXPECT_TRUE(cal.isWorkingDay(ymd(2026, 9, 27)));   // make-up Sunday
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 9, 26)));  // ordinary Saturday
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 10, 1)));  // Thursday holiday
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 10, 5)));  // upper-case kind
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 10, 6)));  // tab and CRLF
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 10, 7)));  // trailing comment
  EXPECT_TRUE(cal.isWorkingDay(ymd(2026, 10, 8)));
  EXPECT_TRUE(cal.isWorkingDay(ymd(2026, 10, 10)));   // make-up Saturday
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 10, 11)));  // Sunday
}

TEST(HolidayCalendar, AddsWorkingDaysSkippingHolidays) {
  const auto cal = HolidayCalendar::parse(kCalendar2026, "holidays.txt");
  EXPECT_EQ(cal.addWorkingDays(ymd(2026, 9, 30), 0), ymd(2026, 9, 30));
  EXPECT_EQ(cal.addWorkingDays(ymd(2026, 9, 30), 1), ymd(2026, 10, 8));
  EXPECT_EQ(cal.addWorkingDays(ymd(2026, 9, 30), 3), ymd(2026, 10, 10));
  EXPECT_EQ(cal.addWorkingDays(ymd(2026, 9, 25), 1), ymd(2026, 9, 27));
  EXPECT_EQ(HolidayCalendar().addWorkingDays(ymd(2026, 9, 25), 1), ymd(2026, 9, 28));
}

TEST(HolidayCalendar, RejectsNegativeWorkingDays) {
  EXPECT_THROW(HolidayCalendar().addWorkingDays(ymd(2026, 9, 25), -1), Error);
}

TEST(HolidayCalendar, CountsWorkingDaysInHalfOpenRange) {
  const auto cal = HolidayCalendar::parse(kCalendar2026, "holidays.txt");
  EXPECT_EQ(cal.workingDaysBetween(ymd(2026, 9, 25), ymd(2026, 10, 11)), 7);
  EXPECT_EQ(cal.workingDaysBetween(ymd(2026, 9, 30), ymd(2026, 10, 7)), 0);
  EXPECT_EQ(cal.workingDaysBetween(ymd(2026, 10, 8), ymd(2026, 10, 8)), 0);
  EXPECT_EQ(cal.workingDaysBetween(ymd(2026, 10, 7), ymd(2026, 10, 8)), 1);
  EXPECT_EQ(cal.workingDaysBetween(ymd(2026, 10, 11), ymd(2026, 10, 1)), 0);
}

TEST(HolidayCalendar, ProgrammaticEntriesWork) {
  HolidayCalendar cal;
  cal.addHoliday(ymd(2026, 9, 28));
  cal.addWorkday(ymd(2026, 9, 26));
  EXPECT_FALSE(cal.isWorkingDay(ymd(2026, 9, 28)));
  EXPECT_TRUE(cal.isWorkingDay(ymd(2026, 9, 26)));
}

std::string calendarError(std::string_view content) {
  try {
    HolidayCalendar::parse(content, "cal.txt");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << content;
  return "";
}

TEST(HolidayCalendar, RejectsBadDateNamingSourceAndLine) {
  const std::string message = calendarError("# header\n2026-10-01 holiday\n2026-13-01 holiday\n");
  EXPECT_NE(message.find("cal.txt:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("\"2026-13-01\" is not a date"), std::string::npos) << message;
}

TEST(HolidayCalendar, RejectsUnknownKind) {
  const std::string message = calendarError("2026-10-01 vacation National Day\n");
  EXPECT_NE(message.find("cal.txt:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("\"vacation\" must be holiday or workday"), std::string::npos) << message;
}

TEST(HolidayCalendar, RejectsMissingKind) {
  const std::string message = calendarError("\n\n2026-10-01\n");
  EXPECT_NE(message.find("cal.txt:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("missing holiday/workday"), std::string::npos) << message;
}

TEST(HolidayCalendar, RejectsDateListedAsBothKinds) {
  const std::string message = calendarError("2026-10-01 holiday\n2026-10-01 workday\n");
  EXPECT_NE(message.find("cal.txt:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("already listed as a holiday"), std::string::npos) << message;
}

TEST(HolidayCalendar, AcceptsEmptyContentAndCommentsOnly) {
  EXPECT_NO_THROW(HolidayCalendar::parse("", "cal.txt"));
  EXPECT_NO_THROW(HolidayCalendar::parse("# nothing\n   \n\t# still nothing", "cal.txt"));
}

TEST(HolidayCalendar, LoadsFileAndNamesItInErrors) {
  char dir_template[] = "/tmp/edupay-term-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string good = dir + "/good.txt";
  const std::string bad = dir + "/bad.txt";
  std::ofstream(good) << kCalendar2026;
  std::ofstream(bad) << "2026-10-01 holiday\nnot-a-date holiday\n";

  EXPECT_FALSE(HolidayCalendar::load(good).isWorkingDay(ymd(2026, 10, 1)));
  try {
    HolidayCalendar::load(bad);
    ADD_FAILURE() << "bad calendar accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad + ":2:"), std::string::npos) << e.what();
  }
  try {
    HolidayCalendar::load(dir + "/missing.txt");
    ADD_FAILURE() << "missing calendar accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos) << e.what();
  }
  std::remove(good.c_str());
  std::remove(bad.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace edupay
