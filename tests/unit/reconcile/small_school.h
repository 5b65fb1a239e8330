// A hand-made small school for reconcile tests: two-week timetable, a half term, three
// students, a handful of classes. Every expectation in the tests is worked out by hand.
#pragma once

#include "mapping/calendar.h"
#include "mapping/rules.h"
#include "mapping/school.h"

namespace iesync::testing {

inline Mapping small_school_mapping() {
  Mapping m;
  auto& c = m.calendar;
  c.cycle = 2;
  c.first_monday = Date::from_ymd(2026, 9, 7);
  c.day_name = "Day{cycle_day}";
  c.day_aliases = {{"Da10", "Day10"}};
  c.closed = {{Date::from_ymd(2026, 10, 26), Date::from_ymd(2026, 10, 30)}};
  c.am = *TimeRange::parse("08:45-13:10");
  c.pm = *TimeRange::parse("13:10-15:15");
  c.periods = {{"1", *TimeRange::parse("08:50-09:50")},
               {"2", *TimeRange::parse("09:50-10:50")},
               {"3", *TimeRange::parse("11:10-12:10")},
               {"4", *TimeRange::parse("12:10-13:10")},
               {"5", *TimeRange::parse("14:00-15:00")}};
  m.courses.alias = "d:{class_code}";
  m.courses.overrides = {{"9X1/Ma", "111"}};
  m.courses.ignore = {"*/Tu"};
  m.codes.reasons = {{"Fighting", "PP"}};
  return m;
}

inline Lesson lesson(std::string cls, int cycle_day, const char* range, std::string teacher,
                     std::string subject) {
  Lesson l;
  l.class_code = std::move(cls);
  l.cycle_day = cycle_day;
  l.day_name = "Day" + std::to_string(cycle_day);
  l.time = *TimeRange::parse(range);
  l.teacher = std::move(teacher);
  l.subject = std::move(subject);
  l.room = "R1";
  return l;
}

inline Booking booking(std::string id, std::string student, Date d, std::string start,
                       std::string end, BookingStatus st = BookingStatus::booked) {
  Booking b;
  b.id = std::move(id);
  b.student_id = std::move(student);
  b.date = d;
  b.start_spec = std::move(start);
  b.end_spec = std::move(end);
  b.reason = "Fighting";
  b.room = "Focus Room";
  b.status = st;
  return b;
}

}  // namespace iesync::testing
