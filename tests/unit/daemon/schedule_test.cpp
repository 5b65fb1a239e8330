#include "daemon/schedule.h"

#include <gtest/gtest.h>

namespace iesync {
namespace {

using namespace std::chrono_literals;

class ScheduleTest : public ::testing::Test {
 protected:
  ScheduleConfig s;  // defaults: 15m, 07:30-17:00, Mon-Fri
  TimeZone tz = TimeZone::london();
  TimePoint at(int y, unsigned m, unsigned d, int h, int min) {
    return tz.to_utc(Date::from_ymd(y, m, d), TimeOfDay::hm(h, min));
  }
};

TEST_F(ScheduleTest, FirstCycleInSchoolHoursStartsAtOnce) {
  auto now = at(2026, 11, 23, 9, 3);  // a Monday
  EXPECT_EQ(next_cycle_at(s, tz, now, std::nullopt), now);
}

TEST_F(ScheduleTest, NextCycleIsOneIntervalAfterTheLastStart) {
  auto start = at(2026, 11, 23, 9, 0);
  EXPECT_EQ(next_cycle_at(s, tz, at(2026, 11, 23, 9, 2), start), at(2026, 11, 23, 9, 15));
}

TEST_F(ScheduleTest, AnOverrunningCycleIsFollowedAtOnceNotTwice) {
  auto start = at(2026, 11, 23, 9, 0);
  auto now = at(2026, 11, 23, 9, 40);  // the cycle took 40 minutes
  EXPECT_EQ(next_cycle_at(s, tz, now, start), now);
}

TEST_F(ScheduleTest, AfterHoursWaitsForTheNextSchoolMorning) {
  auto start = at(2026, 11, 23, 16, 50);
  EXPECT_EQ(next_cycle_at(s, tz, at(2026, 11, 23, 16, 55), start), at(2026, 11, 24, 7, 30));
}

TEST_F(ScheduleTest, FridayEveningWaitsForMonday) {
  EXPECT_EQ(next_cycle_at(s, tz, at(2026, 11, 27, 18, 0), std::nullopt), at(2026, 11, 30, 7, 30));
  EXPECT_FALSE(in_school_hours(s, tz, at(2026, 11, 28, 10, 0)));  // Saturday
}

TEST_F(ScheduleTest, BeforeOpeningWaitsUntilOpeningTheSameDay) {
  EXPECT_EQ(next_cycle_at(s, tz, at(2026, 11, 24, 6, 0), std::nullopt), at(2026, 11, 24, 7, 30));
}

TEST_F(ScheduleTest, SchoolHoursEndIsExclusive) {
  EXPECT_TRUE(in_school_hours(s, tz, at(2026, 11, 23, 16, 59)));
  EXPECT_FALSE(in_school_hours(s, tz, at(2026, 11, 23, 17, 0)));
  EXPECT_TRUE(in_school_hours(s, tz, at(2026, 11, 23, 7, 30)));
}

TEST_F(ScheduleTest, OpeningFollowsBritishSummerTime) {
  // 07:30 in June is 06:30 UTC; in December 07:30 UTC.
  auto june = next_cycle_at(s, tz, at(2027, 6, 7, 5, 0), std::nullopt);
  EXPECT_EQ(format_utc(june), "2027-06-07T06:30:00Z");
  auto dec = next_cycle_at(s, tz, at(2026, 12, 7, 5, 0), std::nullopt);
  EXPECT_EQ(format_utc(dec), "2026-12-07T07:30:00Z");
}

TEST_F(ScheduleTest, OnlyTheConfiguredDaysRun) {
  s.days = {2};  // Wednesdays only
  EXPECT_EQ(next_cycle_at(s, tz, at(2026, 11, 23, 10, 0), std::nullopt), at(2026, 11, 25, 7, 30));
}

TEST_F(ScheduleTest, AWholeWeekOfCyclesStaysInsideSchoolHours) {
  s.interval = 20min;
  auto now = at(2026, 11, 23, 0, 0);
  std::optional<TimePoint> last;
  int cycles = 0;
  while (now < at(2026, 11, 30, 0, 0)) {
    auto next = next_cycle_at(s, tz, now, last);
    ASSERT_GE(next, now);
    if (next >= at(2026, 11, 30, 0, 0)) break;
    EXPECT_TRUE(in_school_hours(s, tz, next)) << format_utc(next);
    last = next;
    now = next + 1min;  // each cycle takes a minute
    ++cycles;
  }
  // 07:30-17:00 is 9.5 hours: 29 starts a day (07:30 ... 16:50), five days.
  EXPECT_EQ(cycles, 5 * 29);
}

}  // namespace
}  // namespace iesync
