#include "mapping/civil.h"

#include <gtest/gtest.h>

#include "mapping/timezone.h"

namespace iesync {
namespace {

TEST(Date, ParsesTheThreeFeedForms) {
  auto want = Date::from_ymd(2026, 11, 23);
  EXPECT_EQ(Date::parse_feed("2026-11-23"), want);
  EXPECT_EQ(Date::parse_feed("2026-11-23T00:00:00"), want);
  EXPECT_EQ(Date::parse_feed("23/11/2026"), want);
  EXPECT_FALSE(Date::parse_feed("2026-02-30"));
  EXPECT_FALSE(Date::parse_feed("11/23/2026"));
  EXPECT_FALSE(Date::parse_feed(""));
}

TEST(Date, WeekdayAndMonday) {
  auto d = Date::from_ymd(2026, 11, 26);  // a Thursday
  EXPECT_EQ(d.weekday(), 3);
  EXPECT_EQ(d.monday(), Date::from_ymd(2026, 11, 23));
  EXPECT_EQ(d.iso(), "2026-11-26");
}

TEST(TimeOfDay, AcceptsFeedFormsAndRejectsNonsense) {
  EXPECT_EQ(TimeOfDay::parse("9:05"), TimeOfDay::hm(9, 5));
  EXPECT_EQ(TimeOfDay::parse("09:05"), TimeOfDay::hm(9, 5));
  EXPECT_EQ(TimeOfDay::parse("09:05:00"), TimeOfDay::hm(9, 5));
  EXPECT_FALSE(TimeOfDay::parse("9:5"));
  EXPECT_FALSE(TimeOfDay::parse("25:00"));
  EXPECT_FALSE(TimeOfDay::parse("12:60"));
  EXPECT_FALSE(TimeOfDay::parse("noon"));
  EXPECT_EQ(TimeOfDay::hm(8, 5).str(), "08:05");
}

TEST(TimeRange, AdjacentLessonsDoNotOverlap) {
  auto window = *TimeRange::parse("09:50-10:50");
  EXPECT_FALSE(window.overlaps(*TimeRange::parse("08:50-09:50")));
  EXPECT_TRUE(window.overlaps(*TimeRange::parse("08:50-09:51")));
  EXPECT_TRUE(window.overlaps(*TimeRange::parse("10:49-11:10")));
}

TEST(Duration, Units) {
  EXPECT_EQ(parse_duration("15m"), std::chrono::minutes(15));
  EXPECT_EQ(parse_duration("3d"), std::chrono::days(3));
  EXPECT_EQ(parse_duration("3y"), std::chrono::days(3 * 365));
  EXPECT_EQ(parse_duration("0m"), std::chrono::seconds(0));
  EXPECT_FALSE(parse_duration("15"));
  EXPECT_FALSE(parse_duration("m"));
  EXPECT_FALSE(parse_duration("1.5h"));
  EXPECT_EQ(parse_percent("15%"), 0.15);
  EXPECT_FALSE(parse_percent("150%"));
}

TEST(DateRange, SingleDayAndRange) {
  auto r = parse_date_range("2026-10-26..2026-10-30");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(Date::from_ymd(2026, 10, 28)));
  EXPECT_FALSE(r->contains(Date::from_ymd(2026, 10, 31)));
  auto one = parse_date_range("2027-01-04");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->first, one->last);
}

TEST(TimeZone, LondonSwitchesAtOneUtcOnLastSundays) {
  auto tz = TimeZone::london();
  using namespace std::chrono;
  // 2026: BST starts 29 March 01:00 UTC, ends 25 October 01:00 UTC.
  auto before = TimePoint{sys_days{2026y / March / 29}} + 59min;
  auto after = TimePoint{sys_days{2026y / March / 29}} + 1h;
  EXPECT_EQ(tz.offset_at(before), 0);
  EXPECT_EQ(tz.offset_at(after), 3600);
  auto end = TimePoint{sys_days{2026y / October / 25}} + 1h;
  EXPECT_EQ(tz.offset_at(end - 1s), 3600);
  EXPECT_EQ(tz.offset_at(end), 0);
  // A due time of 23:30 UTC on 1 Oct is 00:30 on 2 Oct in London.
  auto local = tz.to_local(TimePoint{sys_days{2026y / October / 1}} + 23h + 30min);
  EXPECT_EQ(local.date, Date::from_ymd(2026, 10, 2));
  EXPECT_EQ(local.time, TimeOfDay::hm(0, 30));
  // And back.
  EXPECT_EQ(tz.to_utc(Date::from_ymd(2026, 10, 2), TimeOfDay::hm(0, 30)),
            TimePoint{sys_days{2026y / October / 1}} + 23h + 30min);
  EXPECT_EQ(tz.to_utc(Date::from_ymd(2026, 12, 1), TimeOfDay::hm(9, 0)),
            TimePoint{sys_days{2026y / December / 1}} + 9h);
}

}  // namespace
}  // namespace iesync
