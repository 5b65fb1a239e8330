// The school calendar over a whole academic year (2026-09-07..2027-07-23) of the demo school,
// checked day by day against a week table written out by hand below.
#include "mapping/calendar.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace iesync {
namespace {

Date D(const char* iso) {
  return *Date::parse_iso(iso);
}

TimeRange T(const char* s) {
  return *TimeRange::parse(s);
}

// The demo school's calendar, with a realistic year of closures.
CalendarConfig demo_config() {
  CalendarConfig c;
  c.cycle = 2;
  c.first_monday = D("2026-09-07");
  c.day_name = "Day{cycle_day}";
  c.day_aliases = {{"Da10", "Day10"}};
  for (const char* r : {"2026-10-26..2026-10-30",   // October half term
                        "2026-12-21..2027-01-01",   // Christmas
                        "2027-01-04",               // INSET day (a Monday)
                        "2027-02-15..2027-02-19",   // February half term
                        "2027-03-29..2027-04-09",   // Easter
                        "2027-05-03",               // May bank holiday
                        "2027-05-31..2027-06-04"})  // May half term
    c.closed.push_back(*parse_date_range(r));
  c.am = T("08:45-13:10");
  c.pm = T("13:10-15:15");
  c.periods = {{"1", T("08:50-09:50")},
               {"2", T("09:50-10:50")},
               {"3", T("11:10-12:10")},
               {"4", T("12:10-13:10")},
               {"5", T("14:00-15:00")}};
  return c;
}

Calendar build(const CalendarConfig& c) {
  auto r = Calendar::build(c);
  if (!r) ADD_FAILURE() << r.error().to_string();
  return r.value();
}

// Written by hand from a wall calendar: the week letter of every Monday of the year, or '-'
// for a week with no open day (which does not advance the A/B alternation).
const std::map<std::string, char> kWeekOf = {
    {"2026-09-07", 'A'}, {"2026-09-14", 'B'}, {"2026-09-21", 'A'}, {"2026-09-28", 'B'},
    {"2026-10-05", 'A'}, {"2026-10-12", 'B'}, {"2026-10-19", 'A'}, {"2026-10-26", '-'},
    {"2026-11-02", 'B'}, {"2026-11-09", 'A'}, {"2026-11-16", 'B'}, {"2026-11-23", 'A'},
    {"2026-11-30", 'B'}, {"2026-12-07", 'A'}, {"2026-12-14", 'B'}, {"2026-12-21", '-'},
    {"2026-12-28", '-'}, {"2027-01-04", 'A'}, {"2027-01-11", 'B'}, {"2027-01-18", 'A'},
    {"2027-01-25", 'B'}, {"2027-02-01", 'A'}, {"2027-02-08", 'B'}, {"2027-02-15", '-'},
    {"2027-02-22", 'A'}, {"2027-03-01", 'B'}, {"2027-03-08", 'A'}, {"2027-03-15", 'B'},
    {"2027-03-22", 'A'}, {"2027-03-29", '-'}, {"2027-04-05", '-'}, {"2027-04-12", 'B'},
    {"2027-04-19", 'A'}, {"2027-04-26", 'B'}, {"2027-05-03", 'A'}, {"2027-05-10", 'B'},
    {"2027-05-17", 'A'}, {"2027-05-24", 'B'}, {"2027-05-31", '-'}, {"2027-06-07", 'A'},
    {"2027-06-14", 'B'}, {"2027-06-21", 'A'}, {"2027-06-28", 'B'}, {"2027-07-05", 'A'},
    {"2027-07-12", 'B'}, {"2027-07-19", 'A'},
};

// Single closed weekdays inside otherwise open weeks, also by hand.
const std::map<std::string, std::string> kOddClosures = {
    {"2027-01-04", "closed 2027-01-04"},
    {"2027-05-03", "closed 2027-05-03"},
};

TEST(CalendarYear, EveryDateOfTheYearHasTheHandListedWeekAndCycleDay) {
  const Calendar cal = build(demo_config());
  int open_days = 0;
  for (Date d = D("2026-09-07"); d <= D("2027-07-23"); d = d.plus_days(1)) {
    SCOPED_TRACE(d.iso());
    const SchoolDay sd = cal.day(d);
    const int wd = d.weekday();
    const char letter = kWeekOf.at(d.monday().iso());
    if (wd >= 5) {
      EXPECT_FALSE(sd.open);
      EXPECT_EQ(sd.closed_reason, "weekend");
      continue;
    }
    if (letter == '-' || kOddClosures.count(d.iso())) {
      EXPECT_FALSE(sd.open);
      EXPECT_EQ(sd.week, 0);
      EXPECT_EQ(sd.cycle_day, 0);
      EXPECT_EQ(sd.closed_reason.rfind("closed ", 0), 0u) << sd.closed_reason;
      if (kOddClosures.count(d.iso())) {
        EXPECT_EQ(sd.closed_reason, kOddClosures.at(d.iso()));
      }
      continue;
    }
    ++open_days;
    const int expected_cd = (letter - 'A') * 5 + wd + 1;
    EXPECT_TRUE(sd.open);
    EXPECT_TRUE(cal.is_open(d));
    EXPECT_EQ(sd.week_letter, letter);
    EXPECT_EQ(sd.week, letter - 'A' + 1);
    EXPECT_EQ(sd.cycle_day, expected_cd);
    EXPECT_EQ(sd.day_name, "Day" + std::to_string(expected_cd));
  }
  // 46 weeks listed, 7 without an open day: 39 * 5 - 2 single closures.
  EXPECT_EQ(open_days, 193);
  EXPECT_EQ(cal.school_days_between(D("2026-09-06"), D("2027-07-23")), 193);
}

TEST(CalendarYear, ClosedRangeReasonNamesTheRange) {
  const Calendar cal = build(demo_config());
  EXPECT_EQ(cal.day(D("2026-10-28")).closed_reason, "closed 2026-10-26..2026-10-30");
  EXPECT_EQ(cal.day(D("2026-12-31")).closed_reason, "closed 2026-12-21..2027-01-01");
  EXPECT_FALSE(cal.is_open(D("2026-10-28")));
}

TEST(CalendarYear, WeekAfterOctoberHalfTermIsWeekB) {
  const Calendar cal = build(demo_config());
  // Week A before half term; the closed week does not count, so the next week is B.
  EXPECT_EQ(cal.day(D("2026-10-23")).week_letter, 'A');
  EXPECT_EQ(cal.day(D("2026-10-23")).day_name, "Day5");
  EXPECT_EQ(cal.day(D("2026-11-02")).week_letter, 'B');
  EXPECT_EQ(cal.day(D("2026-11-02")).day_name, "Day6");
}

TEST(CalendarYear, DatesBeforeFirstMondayAreClosed) {
  const Calendar cal = build(demo_config());
  const SchoolDay sd = cal.day(D("2026-09-04"));  // a Friday
  EXPECT_FALSE(sd.open);
  EXPECT_NE(sd.closed_reason.find("before the timetable's first Monday"), std::string::npos);
  EXPECT_EQ(cal.day(D("2026-09-07")).day_name, "Day1");
}

TEST(CalendarYear, WeekOverrideSetsTheLetterAndCountingContinuesFromIt) {
  CalendarConfig c = demo_config();
  c.week_overrides = {{D("2026-11-02"), "A"}};
  const Calendar cal = build(c);
  EXPECT_EQ(cal.day(D("2026-10-23")).week_letter, 'A');  // before the override: unchanged
  EXPECT_EQ(cal.day(D("2026-11-02")).week_letter, 'A');
  EXPECT_EQ(cal.day(D("2026-11-06")).cycle_day, 5);
  // Every later week is the opposite of the hand table (the override shifted it by one).
  for (const auto& [monday, letter] : kWeekOf) {
    if (D(monday.c_str()) < D("2026-11-02") || letter == '-') continue;
    SCOPED_TRACE(monday);
    Date tue = D(monday.c_str()).plus_days(1);
    EXPECT_EQ(cal.day(tue).week_letter, letter == 'A' ? 'B' : 'A');
  }
}

TEST(CalendarYear, WeekOverrideByNumberAndSecondOverrideRestarts) {
  CalendarConfig c = demo_config();
  c.week_overrides = {{D("2026-11-02"), "1"}, {D("2027-01-11"), "2"}};
  const Calendar cal = build(c);
  EXPECT_EQ(cal.day(D("2026-11-02")).week, 1);
  EXPECT_EQ(cal.day(D("2026-11-09")).week, 2);
  EXPECT_EQ(cal.day(D("2027-01-05")).week, 2);  // Nov 2: 1 ... Dec 14: 1, Christmas, Jan 4: 2
  // Left alone, Jan 11 would be week 1; the second override makes it 2.
  EXPECT_EQ(cal.day(D("2027-01-11")).week, 2);
  EXPECT_EQ(cal.day(D("2027-01-18")).week, 1);
}

TEST(CalendarYear, BadWeekOverridesAreRejected) {
  CalendarConfig c = demo_config();
  c.week_overrides = {{D("2026-11-03"), "A"}};
  auto r = Calendar::build(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a Monday"), std::string::npos);
  c.week_overrides = {{D("2026-11-02"), "C"}};
  r = Calendar::build(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a week of a 2-week cycle"), std::string::npos);
}

TEST(CalendarNames, DayNumberPattern) {
  const Calendar cal = build(demo_config());
  EXPECT_EQ(cal.cycle_days(), 10);
  for (int cd = 1; cd <= 10; ++cd) {
    EXPECT_EQ(cal.day_name(cd), "Day" + std::to_string(cd));
    EXPECT_EQ(cal.cycle_day_from_name("Day" + std::to_string(cd)), cd);
  }
  // SIMS truncates day names to four characters.
  EXPECT_EQ(cal.cycle_day_from_name("Da10"), 10);
  EXPECT_EQ(cal.cycle_day_from_name("  Day3 "), 3);
  EXPECT_EQ(cal.cycle_day_from_name("day3"), std::nullopt);  // case matters
  EXPECT_EQ(cal.cycle_day_from_name("Day11"), std::nullopt);
  EXPECT_EQ(cal.cycle_day_from_name(""), std::nullopt);
}

TEST(CalendarNames, WeekdayLetterPattern) {
  CalendarConfig c = demo_config();
  c.day_name = "{weekday}{week_letter}";
  c.day_aliases.clear();
  const Calendar cal = build(c);
  const char* expected[] = {"MonA", "TueA", "WedA", "ThuA", "FriA",
                            "MonB", "TueB", "WedB", "ThuB", "FriB"};
  for (int cd = 1; cd <= 10; ++cd) {
    EXPECT_EQ(cal.day_name(cd), expected[cd - 1]);
    EXPECT_EQ(cal.cycle_day_from_name(expected[cd - 1]), cd);
  }
  EXPECT_EQ(cal.day(D("2026-11-03")).day_name, "TueB");
}

TEST(CalendarNames, WeekNumberWeekdayPattern) {
  CalendarConfig c = demo_config();
  c.day_name = "{week_number}{weekday}";
  c.day_aliases.clear();
  const Calendar cal = build(c);
  EXPECT_EQ(cal.day_name(1), "1Mon");
  EXPECT_EQ(cal.day_name(5), "1Fri");
  EXPECT_EQ(cal.day_name(6), "2Mon");
  EXPECT_EQ(cal.day_name(10), "2Fri");
  EXPECT_EQ(cal.cycle_day_from_name("2Tue"), 7);
  EXPECT_EQ(cal.day(D("2026-09-18")).day_name, "2Fri");
}

TEST(CalendarNames, PatternThatRepeatsANameIsRejectedWithAFix) {
  CalendarConfig c = demo_config();
  c.day_name = "{weekday}";
  auto r = Calendar::build(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"Mon\""), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("cycle day 1 and cycle day 6"), std::string::npos);
  EXPECT_NE(r.error().where.find("day_name"), std::string::npos);
  EXPECT_FALSE(r.error().fix.empty());

  c.day_name = "Day{cycle}";
  r = Calendar::build(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unknown placeholder {cycle}"), std::string::npos);
}

TEST(CalendarNames, AliasToUnknownDayIsRejected) {
  CalendarConfig c = demo_config();
  c.day_aliases = {{"Da10", "Day11"}};
  auto r = Calendar::build(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Day11"), std::string::npos);
}

TEST(CalendarNames, FirstMondayMustBeAMonday) {
  CalendarConfig c = demo_config();
  c.first_monday = D("2026-09-08");
  auto r = Calendar::build(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().fix.find("2026-09-07"), std::string::npos);
}

TEST(CalendarSchoolDays, AddSchoolDaysSkipsHalfTermAndClosures) {
  const Calendar cal = build(demo_config());
  EXPECT_EQ(cal.add_school_days(D("2026-10-21"), 1), D("2026-10-22"));
  // Wed 21 Oct + 3: Thu, Fri, (half term, weekend) Mon 2 Nov.
  EXPECT_EQ(cal.add_school_days(D("2026-10-21"), 3), D("2026-11-02"));
  EXPECT_EQ(cal.add_school_days(D("2026-10-23"), 10), D("2026-11-13"));
  // Across Christmas and the INSET Monday: Fri 18 Dec + 1 = Tue 5 Jan.
  EXPECT_EQ(cal.add_school_days(D("2026-12-18"), 1), D("2027-01-05"));
  // From a weekend day.
  EXPECT_EQ(cal.add_school_days(D("2026-10-24"), 1), D("2026-11-02"));
  EXPECT_EQ(cal.add_school_days(D("2026-10-24"), 0), D("2026-10-24"));
  // The bank holiday Monday is skipped.
  EXPECT_EQ(cal.add_school_days(D("2027-04-30"), 1), D("2027-05-04"));
}

TEST(CalendarSchoolDays, SchoolDaysBetweenCountsOpenDaysInHalfOpenRange) {
  const Calendar cal = build(demo_config());
  EXPECT_EQ(cal.school_days_between(D("2026-10-21"), D("2026-11-02")), 3);
  EXPECT_EQ(cal.school_days_between(D("2026-10-21"), D("2026-10-21")), 0);
  EXPECT_EQ(cal.school_days_between(D("2026-11-02"), D("2026-10-21")), 0);
  EXPECT_EQ(cal.school_days_between(D("2026-12-18"), D("2027-01-08")), 4);
  // add_school_days and school_days_between agree.
  for (int n = 1; n <= 40; ++n)
    EXPECT_EQ(cal.school_days_between(D("2026-10-01"), cal.add_school_days(D("2026-10-01"), n)), n);
}

TEST(CalendarPeriods, PeriodsByNameAndSessions) {
  const Calendar cal = build(demo_config());
  EXPECT_EQ(cal.period("1"), T("08:50-09:50"));
  EXPECT_EQ(cal.period("5"), T("14:00-15:00"));
  EXPECT_EQ(cal.period(" 3 "), T("11:10-12:10"));
  EXPECT_EQ(cal.period("6"), std::nullopt);
  EXPECT_EQ(cal.period("AM"), std::nullopt);
  EXPECT_EQ(cal.am(), T("08:45-13:10"));
  EXPECT_EQ(cal.pm(), T("13:10-15:15"));
  EXPECT_EQ(cal.all_day(), T("08:45-15:15"));
  // Period 4 ends when the afternoon starts: it is a morning lesson only.
  EXPECT_TRUE(cal.period("4")->overlaps(cal.am()));
  EXPECT_FALSE(cal.period("4")->overlaps(cal.pm()));
}

TEST(CalendarCycle, OneWeekAndThreeWeekCycles) {
  CalendarConfig c = demo_config();
  c.cycle = 1;
  c.day_aliases.clear();
  Calendar one = build(c);
  EXPECT_EQ(one.day(D("2026-11-02")).cycle_day, 1);
  EXPECT_EQ(one.day(D("2026-11-06")).day_name, "Day5");
  c.cycle = 3;
  c.day_name = "{weekday}{week_letter}";
  Calendar three = build(c);
  EXPECT_EQ(three.day(D("2026-09-21")).day_name, "MonC");
  EXPECT_EQ(three.day(D("2026-09-28")).day_name, "MonA");
  // 7 weeks before half term: A B C A B C A, then B.
  EXPECT_EQ(three.day(D("2026-11-02")).week_letter, 'B');
  c.cycle = 0;
  EXPECT_FALSE(Calendar::build(c));
}

}  // namespace
}  // namespace iesync
