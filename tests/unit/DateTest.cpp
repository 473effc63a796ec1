#include "common/Date.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "common/Error.h"

namespace edupay {
namespace {

Date ymd(int y, int m, int d) { return *Date::fromYmd(y, m, d); }

// Sets EDUPAY_TODAY for one test and restores the previous state afterwards.
class ScopedToday {
 public:
  explicit ScopedToday(const char* value) {
    if (const char* old = std::getenv("EDUPAY_TODAY")) old_ = old;
    if (value != nullptr) {
      ::setenv("EDUPAY_TODAY", value, 1);
    } else {
      ::unsetenv("EDUPAY_TODAY");
    }
  }
  ~ScopedToday() {
    if (old_) {
      ::setenv("EDUPAY_TODAY", old_->c_str(), 1);
    } else {
      ::unsetenv("EDUPAY_TODAY");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(Date, DefaultIsEpoch) {
  EXPECT_EQ(Date().str(), "1970-01-01");
  EXPECT_EQ(Date().daysSinceEpoch(), 0);
}

TEST(Date, ParsesAllSupportedForms) {
  EXPECT_EQ(Date::parse("2026-09-01"), ymd(2026, 9, 1));
  EXPECT_EQ(Date::parse("2026/09/01"), ymd(2026, 9, 1));
  EXPECT_EQ(Date::parse("2026.09.01"), ymd(2026, 9, 1));
  EXPECT_EQ(Date::parse("20260901"), ymd(2026, 9, 1));
  EXPECT_EQ(Date::parse("2026-9-1"), ymd(2026, 9, 1));
  EXPECT_EQ(Date::parse("2026/9/15"), ymd(2026, 9, 15));
  EXPECT_EQ(Date::parse("2026.12.3"), ymd(2026, 12, 3));
}

TEST(Date, RejectsMalformedText) {
  for (const char* text :
       {"", "2026", "2026-09", "2026-09-01 ", " 2026-09-01", "2026-09/01", "2026_09_01", "26-09-01",
        "2026-009-01", "2026-09-001", "2026--01", "2026-09-", "202609011", "2026090", "2026-0a-01",
        "abcdefgh", "2026-09-01T00:00"}) {
    EXPECT_FALSE(Date::parse(text).has_value()) << text;
  }
}

TEST(Date, RejectsImpossibleDates) {
  EXPECT_FALSE(Date::parse("2023-02-29").has_value());
  EXPECT_FALSE(Date::parse("2026-04-31").has_value());
  EXPECT_FALSE(Date::parse("2026-13-01").has_value());
  EXPECT_FALSE(Date::parse("2026-00-10").has_value());
  EXPECT_FALSE(Date::parse("2026-01-00").has_value());
  EXPECT_FALSE(Date::parse("20230229").has_value());
  EXPECT_FALSE(Date::parse("0000-01-01").has_value());
}

TEST(Date, AcceptsLeapDays) {
  EXPECT_TRUE(Date::parse("2024-02-29").has_value());
  EXPECT_TRUE(Date::parse("2000-02-29").has_value());
  EXPECT_FALSE(Date::parse("1900-02-29").has_value());
}

TEST(Date, FromYmdValidates) {
  EXPECT_TRUE(Date::fromYmd(2026, 12, 31).has_value());
  EXPECT_FALSE(Date::fromYmd(2026, 2, 29).has_value());
  EXPECT_FALSE(Date::fromYmd(2026, 0, 1).has_value());
  EXPECT_FALSE(Date::fromYmd(2026, 1, 32).has_value());
  EXPECT_FALSE(Date::fromYmd(10000, 1, 1).has_value());
  EXPECT_FALSE(Date::fromYmd(0, 1, 1).has_value());
}

TEST(Date, LeapYearRules) {
  EXPECT_TRUE(Date::isLeapYear(2024));
  EXPECT_TRUE(Date::isLeapYear(2000));
  EXPECT_FALSE(Date::isLeapYear(1900));
  EXPECT_FALSE(Date::isLeapYear(2026));
  EXPECT_EQ(Date::daysInMonth(2024, 2), 29);
  EXPECT_EQ(Date::daysInMonth(2026, 2), 28);
  EXPECT_EQ(Date::daysInMonth(2026, 4), 30);
  EXPECT_EQ(Date::daysInMonth(2026, 12), 31);
}

TEST(Date, CountsDaysSinceEpoch) {
  EXPECT_EQ(ymd(1970, 1, 2).daysSinceEpoch(), 1);
  EXPECT_EQ(ymd(1969, 12, 31).daysSinceEpoch(), -1);
  EXPECT_EQ(ymd(2000, 3, 1).daysSinceEpoch(), 11017);
  EXPECT_EQ(ymd(2026, 9, 1).daysSinceEpoch(), 20697);
  EXPECT_EQ(ymd(1900, 1, 1).daysSinceEpoch(), -25567);
}

TEST(Date, RoundTripsThroughDays) {
  for (int64_t days = -719162; days <= 2932896; days += 997) {
    const Date d = Date::fromDays(days);
    EXPECT_EQ(d.daysSinceEpoch(), days);
    EXPECT_EQ(Date::fromYmd(d.year(), d.month(), d.day()), d);
  }
}

TEST(Date, AddsDaysAcrossMonthsAndYears) {
  EXPECT_EQ(ymd(2024, 2, 28).addDays(1), ymd(2024, 2, 29));
  EXPECT_EQ(ymd(2026, 2, 28).addDays(1), ymd(2026, 3, 1));
  EXPECT_EQ(ymd(2026, 12, 31).addDays(1), ymd(2027, 1, 1));
  EXPECT_EQ(ymd(2027, 1, 1).addDays(-1), ymd(2026, 12, 31));
  EXPECT_EQ(ymd(2026, 1, 1).addDays(365), ymd(2027, 1, 1));
}

TEST(Date, ComputesWeekdayWithMondayZero) {
  EXPECT_EQ(ymd(1970, 1, 1).weekday(), 3);    // Thursday
  EXPECT_EQ(ymd(2026, 9, 1).weekday(), 1);    // Tuesday
  EXPECT_EQ(ymd(2026, 10, 4).weekday(), 6);   // Sunday
  EXPECT_EQ(ymd(2026, 10, 5).weekday(), 0);   // Monday
  EXPECT_EQ(ymd(1969, 12, 29).weekday(), 0);  // Monday before the epoch
}

TEST(Date, ComputesAgeInWholeYears) {
  const Date birth = ymd(2010, 9, 1);
  EXPECT_EQ(ymd(2026, 8, 31).yearsSince(birth), 15);
  EXPECT_EQ(ymd(2026, 9, 1).yearsSince(birth), 16);
  EXPECT_EQ(ymd(2026, 12, 31).yearsSince(birth), 16);
  EXPECT_EQ(birth.yearsSince(birth), 0);
}

TEST(Date, LeapDayBirthdayCountsFromMarchFirstInCommonYears) {
  const Date birth = ymd(2008, 2, 29);
  EXPECT_EQ(ymd(2026, 2, 28).yearsSince(birth), 17);
  EXPECT_EQ(ymd(2026, 3, 1).yearsSince(birth), 18);
  EXPECT_EQ(ymd(2028, 2, 29).yearsSince(birth), 20);
}

TEST(Date, FormatsAsIsoDate) {
  EXPECT_EQ(ymd(2026, 9, 1).str(), "2026-09-01");
  EXPECT_EQ(ymd(1, 1, 1).str(), "0001-01-01");
}

TEST(Date, OrdersChronologically) {
  EXPECT_LT(ymd(2026, 1, 31), ymd(2026, 2, 1));
  EXPECT_LT(ymd(2025, 12, 31), ymd(2026, 1, 1));
  EXPECT_EQ(ymd(2026, 1, 1), *Date::parse("20260101"));
}

TEST(Date, TodayHonoursEdupayToday) {
  ScopedToday today("2026-09-01");
  EXPECT_EQ(Date::today(), ymd(2026, 9, 1));
}

TEST(Date, TodayRejectsMalformedEdupayToday) {
  for (const char* bad : {"2026-02-30", "tomorrow", "2026/09/01", "20260901"}) {
    ScopedToday today(bad);
    try {
      Date::today();
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(e.what()).find("EDUPAY_TODAY"), std::string::npos);
    }
  }
}

TEST(Date, TodayUsesChinaStandardTimeWhenUnset) {
  ScopedToday today(nullptr);
  const int64_t before = static_cast<int64_t>(std::time(nullptr)) + 8 * 3600;
  const Date d = Date::today();
  const int64_t after = static_cast<int64_t>(std::time(nullptr)) + 8 * 3600;
  EXPECT_GE(d.daysSinceEpoch(), before / 86400);
  EXPECT_LE(d.daysSinceEpoch(), after / 86400);
}

TEST(Date, TodayTreatsEmptyEdupayTodayAsUnset) {
  ScopedToday today("");
  EXPECT_NO_THROW(Date::today());
}

}  // namespace
}  // namespace edupay
