// [schedule] catch_up and look_ahead: the days each cycle reconciles.
#include "mapping/reconcile_days.h"

#include <gtest/gtest.h>

namespace iesync {
namespace {

Calendar calendar() {
  CalendarConfig c;
  c.first_monday = Date::from_ymd(2026, 9, 7);
  c.closed = {
      DateRange{Date::from_ymd(2026, 11, 30), Date::from_ymd(2026, 11, 30)}};  // INSET Monday
  return *Calendar::build(c);
}

Date dec(int d) {
  return Date::from_ymd(2026, 12, unsigned(d));
}
Date nov(int d) {
  return Date::from_ymd(2026, 11, unsigned(d));
}

TEST(ReconcileDays, TodayThenTheNextSchoolDays) {
  // Friday 4 December: today, then Monday and Tuesday (the weekend skipped).
  auto days = days_to_reconcile(calendar(), dec(4), dec(4), 10, 2);
  EXPECT_EQ(days, (std::vector<Date>{dec(4), dec(7), dec(8)}));
}

TEST(ReconcileDays, CatchesUpOldestFirstOverClosedDays) {
  // Last reconciled Thursday 26 November; down until Wednesday 2 December. Friday 27, then
  // Tuesday 1 (Monday 30 was an INSET day, the weekend is skipped), then today and tomorrow.
  auto days = days_to_reconcile(calendar(), dec(2), nov(26), 10, 1);
  EXPECT_EQ(days, (std::vector<Date>{nov(27), dec(1), dec(2), dec(3)}));
}

TEST(ReconcileDays, AtMostCatchUpOfTheMostRecentDays) {
  auto days = days_to_reconcile(calendar(), dec(2), nov(16), 3, 0);
  EXPECT_EQ(days, (std::vector<Date>{nov(26), nov(27), dec(1), dec(2)}));
  EXPECT_EQ(days_to_reconcile(calendar(), dec(2), nov(16), 0, 0), (std::vector<Date>{dec(2)}));
}

TEST(ReconcileDays, AFreshStartCatchesUpThePreviousSchoolDayOnly) {
  auto days = days_to_reconcile(calendar(), dec(1), std::nullopt, 10, 0);
  EXPECT_EQ(days, (std::vector<Date>{nov(27), dec(1)}));
}

}  // namespace
}  // namespace iesync
