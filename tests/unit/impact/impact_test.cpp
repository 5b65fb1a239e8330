// The impact of IE (SPEC §10) as pure logic, on a small hand-built school: exact counts over
// a half-term inside a window, an IE in the data's first week, consecutive IE days, an
// incident on the IE day itself and a withdrawn incident; the review flags and "back in
// mainstream".
#include "mapping/impact.h"

#include <gtest/gtest.h>

namespace iesync {
namespace {

Date D(const char* iso) {
  return *Date::parse_iso(iso);
}

// Terms from Monday 7 September 2026; half-term 26-30 October is closed.
Calendar calendar() {
  CalendarConfig c;
  c.cycle = 2;
  c.first_monday = D("2026-09-07");
  c.closed = {DateRange{D("2026-10-26"), D("2026-10-30")}};
  return Calendar::build(c).value();
}

Booking booking(const std::string& id, const char* date,
                BookingStatus status = BookingStatus::attended) {
  Booking b;
  b.id = id;
  b.student_id = "001001";
  b.date = D(date);
  b.start_spec = "ALL";
  b.status = status;
  return b;
}

Incident incident(const std::string& id, const char* date, int points,
                  const std::string& status = "") {
  Incident i;
  i.id = id;
  i.student_id = "001001";
  i.date = D(date);
  i.type = "Defiance";
  i.points = points;
  i.status = status;
  return i;
}

const Date kToday = D("2026-11-23");  // a Monday
const Coverage kCoverage{D("2026-09-07"), kToday};

std::vector<IeSpell> spells(const std::vector<Booking>& b, Date today = kToday) {
  auto cal = calendar();
  return ie_spells(ie_days(b, cal, today), cal);
}

TEST(ImpactWindows, HalfTermInsideTheWindowIsSkippedAndTheIeDayItselfIsNotCounted) {
  auto cal = calendar();
  auto s = spells({booking("IE1", "2026-11-02")});  // the Monday after half-term
  ASSERT_EQ(s.size(), 1u);
  std::vector<Incident> in = {
      incident("i1", "2026-10-09", 1),               // 11th school day before: outside 10
      incident("i2", "2026-10-12", 2),               // 10th school day before
      incident("i3", "2026-10-23", 1),               // the last school day before
      incident("i4", "2026-10-27", 5),               // half-term: not a school day
      incident("i5", "2026-11-02", 4),               // the IE day itself: neither side
      incident("i6", "2026-11-05", 3, "withdrawn"),  // withdrawn: never counted
      incident("i7", "2026-11-10", 3),               // after
      incident("i8", "2026-11-17", 1),               // 11th school day after: outside 10
  };
  auto w10 = compare_window(s[0], 10, in, cal, kCoverage);
  EXPECT_EQ(w10.before.from, D("2026-10-12"));
  EXPECT_EQ(w10.before.to, D("2026-10-23"));
  EXPECT_EQ(w10.before.school_days, 10);
  EXPECT_EQ(w10.before.incidents, 2);
  EXPECT_EQ(w10.before.points, 3);
  EXPECT_FALSE(w10.before.cut_short);
  EXPECT_EQ(w10.after.from, D("2026-11-03"));
  EXPECT_EQ(w10.after.to, D("2026-11-16"));
  EXPECT_EQ(w10.after.incidents, 1);
  EXPECT_EQ(w10.after.points, 3);
  EXPECT_FALSE(w10.after.cut_short);
  EXPECT_TRUE(w10.comparable());

  // 20 school days after 2 November run past today (23 November): cut short at the 20th.
  auto w20 = compare_window(s[0], 20, in, cal, kCoverage);
  EXPECT_EQ(w20.before.from, D("2026-09-28"));
  EXPECT_EQ(w20.before.incidents, 3);
  EXPECT_EQ(w20.before.points, 4);
  EXPECT_FALSE(w20.before.cut_short);
  EXPECT_TRUE(w20.after.cut_short);
  EXPECT_EQ(w20.after.school_days, 14);
  EXPECT_EQ(w20.after.to, D("2026-11-20"));  // today is not yet known
  EXPECT_EQ(w20.after.incidents, 2);
  EXPECT_FALSE(w20.comparable());
}

TEST(ImpactWindows, AnIeInTheFirstWeekOfTheDataHasItsBeforeWindowCutShort) {
  auto cal = calendar();
  auto s = spells({booking("IE1", "2026-09-09")});
  auto w = compare_window(s[0], 10, {incident("i1", "2026-09-07", 2)}, cal, kCoverage);
  EXPECT_TRUE(w.before.cut_short);
  EXPECT_EQ(w.before.school_days, 2);
  EXPECT_EQ(w.before.from, D("2026-09-07"));
  EXPECT_EQ(w.before.to, D("2026-09-08"));
  EXPECT_EQ(w.before.incidents, 1);
  EXPECT_FALSE(w.after.cut_short);
  EXPECT_FALSE(w.comparable());

  // On the data's first day there is no school day before at all.
  auto first = spells({booking("IE2", "2026-09-07")});
  auto w0 = compare_window(first[0], 10, {}, cal, kCoverage);
  EXPECT_TRUE(w0.before.cut_short);
  EXPECT_EQ(w0.before.school_days, 0);
  EXPECT_FALSE(w0.before.from.has_value());
}

TEST(ImpactSpells, ConsecutiveSchoolDaysAreOneIeAcrossAWeekend) {
  auto cal = calendar();
  auto s = spells({booking("IE1", "2026-11-12"), booking("IE2", "2026-11-13"),
                   booking("IE3", "2026-11-16"), booking("IE4", "2026-11-18")});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].first, D("2026-11-12"));
  EXPECT_EQ(s[0].last, D("2026-11-16"));
  EXPECT_EQ(s[0].days.size(), 3u);
  EXPECT_EQ(s[1].first, D("2026-11-18"));
  // The windows are the spell's: before its first day, after its last.
  auto w = compare_window(s[0], 10, {incident("i1", "2026-11-13", 2)}, cal, kCoverage);
  EXPECT_EQ(w.before.to, D("2026-11-11"));
  EXPECT_EQ(w.after.from, D("2026-11-17"));
  EXPECT_EQ(w.before.incidents + w.after.incidents, 0);  // an incident inside the IE
  EXPECT_TRUE(w.after.cut_short);
  EXPECT_EQ(w.after.school_days, 4);  // 17-20 November; today is not counted
}

TEST(ImpactSpells, AHalfTermBetweenTwoIeDaysDoesNotSplitThem) {
  auto s = spells({booking("IE1", "2026-10-23"), booking("IE2", "2026-11-02")});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].last, D("2026-11-02"));
}

TEST(ImpactSpells, CancelledAbsentFutureAndClosedDayBookingsAreNotIeDays) {
  auto cal = calendar();
  auto d = ie_days({booking("A", "2026-11-02", BookingStatus::cancelled),
                    booking("B", "2026-11-03", BookingStatus::absent),
                    booking("C", "2026-11-24", BookingStatus::booked),  // after today
                    booking("D", "2026-10-27"),                         // half-term
                    booking("E", "2026-11-04", BookingStatus::booked),
                    booking("F", "2026-11-04")},  // same day as E
                   cal, kToday);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].date, D("2026-11-04"));
  EXPECT_EQ(d[0].booking_id, "E");                  // both start ALL: the first by id names the day
  EXPECT_EQ(d[0].status, BookingStatus::attended);  // attended when any booking was
}

TEST(ImpactFlags, RepeatIeCountsSeparateIesWithinTheWindow) {
  auto cal = calendar();
  ImpactConfig cfg;  // repeat 3 within 30; SEN 2 within 30
  // Three separate IEs, and a run of three days that is one IE.
  auto three =
      spells({booking("1", "2026-11-02"), booking("2", "2026-11-09"), booking("3", "2026-11-16")});
  auto flags = review_flags(three, {}, false, cfg, cal, kToday);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::repeat_ie);
  EXPECT_EQ(flags[0].since, D("2026-11-16"));
  EXPECT_EQ(flags[0].count, 3);
  EXPECT_NE(flags[0].advice.find("pastoral review"), std::string::npos);

  auto run =
      spells({booking("1", "2026-11-16"), booking("2", "2026-11-17"), booking("3", "2026-11-18")});
  EXPECT_TRUE(review_flags(run, {}, false, cfg, cal, kToday).empty());
}

TEST(ImpactFlags, APupilWithSenIsFlaggedSoonerAndTheAdviceNamesTheSenco) {
  auto cal = calendar();
  ImpactConfig cfg;
  auto two = spells({booking("1", "2026-11-02"), booking("2", "2026-11-16")});
  EXPECT_TRUE(review_flags(two, {}, false, cfg, cal, kToday).empty());
  auto flags = review_flags(two, {}, true, cfg, cal, kToday);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::sen_repeat_ie);
  EXPECT_EQ(flags[0].since, D("2026-11-16"));
  EXPECT_NE(flags[0].advice.find("SENCO"), std::string::npos);
  EXPECT_TRUE(has_sen("K"));
  EXPECT_TRUE(has_sen("E"));
  EXPECT_TRUE(has_sen("EHC Plan"));
  EXPECT_FALSE(has_sen("N"));
  EXPECT_FALSE(has_sen(""));
}

TEST(ImpactFlags, RepeatIeOutsideTheWindowIsNoLongerOpen) {
  auto cal = calendar();
  ImpactConfig cfg;
  cfg.repeat_ie = {3, 10};
  auto three =
      spells({booking("1", "2026-09-14"), booking("2", "2026-09-16"), booking("3", "2026-09-18")});
  EXPECT_TRUE(review_flags(three, {}, false, cfg, cal, kToday).empty());
  EXPECT_EQ(review_flags(three, {}, false, cfg, cal, D("2026-09-18")).size(), 1u);
}

TEST(ImpactFlags, IncidentsAfterReturnCountOnlyCountedIncidentsSinceTheReturn) {
  auto cal = calendar();
  ImpactConfig cfg;  // 2 within 10
  auto s = spells({booking("1", "2026-11-12")});
  std::vector<Incident> in = {incident("a", "2026-11-12", 1),  // the IE day: not after return
                              incident("b", "2026-11-16", 1),
                              incident("c", "2026-11-17", 1, "deleted")};
  EXPECT_TRUE(review_flags(s, in, false, cfg, cal, kToday).empty());
  in.push_back(incident("d", "2026-11-19", 2));
  auto flags = review_flags(s, in, false, cfg, cal, kToday);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::incidents_after_return);
  EXPECT_EQ(flags[0].since, D("2026-11-19"));
  EXPECT_EQ(flags[0].count, 2);
}

TEST(ImpactReturn, BackInMainstreamWithinTenSchoolDaysWithIncidentsAndANewBooking) {
  auto cal = calendar();
  std::vector<Booking> b = {booking("1", "2026-11-12"), booking("2", "2026-11-13")};
  auto s = spells(b);
  auto r = back_in_mainstream(s, b, {incident("x", "2026-11-13", 1)}, cal, kToday);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last_ie, D("2026-11-13"));
  EXPECT_EQ(r->returned, D("2026-11-16"));
  EXPECT_EQ(r->school_days_since, 5);
  EXPECT_EQ(r->incidents_since, 0);  // the incident was on an IE day
  EXPECT_FALSE(r->next_booking);
  EXPECT_FALSE(r->flagged());

  b.push_back(booking("3", "2026-11-26", BookingStatus::booked));
  r = back_in_mainstream(s, b, {incident("y", "2026-11-23", 1)}, cal, kToday);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->incidents_since, 1);  // today counts here
  EXPECT_EQ(r->next_booking, D("2026-11-26"));
  EXPECT_TRUE(r->flagged());

  // More than 10 school days ago; in IE today; back only after a holiday.
  EXPECT_FALSE(back_in_mainstream(spells({booking("1", "2026-11-02")}), {}, {}, cal, kToday));
  EXPECT_FALSE(back_in_mainstream(spells({booking("1", "2026-11-23")}), {}, {}, cal, kToday));
  EXPECT_FALSE(back_in_mainstream(spells({booking("1", "2026-10-23")}, D("2026-10-28")), {}, {},
                                  cal, D("2026-10-28")));
}

}  // namespace
}  // namespace iesync
