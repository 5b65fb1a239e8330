#include "store/mis_rows.h"

#include <stdexcept>

namespace iesync {

namespace {

// Each feed's table for the diff apply: columns in the order the rows below are built, the
// key's columns first.
const TableSpec kStudentsTable{"students",
                               {"id", "forename", "surname", "year", "reg_group", "email", "upn",
                                "sen", "pupil_premium", "gender"},
                               1};
const TableSpec kStaffTable{"staff", {"code", "name", "email"}, 1};
const TableSpec kMembershipsTable{
    "memberships", {"student_id", "class_code", "start_date", "end_date"}, 3};
// A lesson has no key of its own (the same class can meet twice in a period slot in some
// timetables): it is known by all its values.
const TableSpec kLessonsTable{
    "lessons",
    {"class_code", "cycle_day", "day_name", "start_time", "end_time", "room", "teacher", "subject"},
    0};
const TableSpec kBookingsTable{"bookings",
                               {"id", "student_id", "date", "start_spec", "end_spec", "reason",
                                "room", "status", "referred_by", "incident_id"},
                               1};
const TableSpec kIncidentsTable{
    "behaviour_incidents",
    {"id", "student_id", "date", "time", "type", "points", "recorded_by", "status"},
    1};

void opt_date(RowImage& r, const std::optional<Date>& d) {
  if (d)
    r.text(d->iso());
  else
    r.null();
}

}  // namespace

const TableSpec& table_of(Feed f) {
  switch (f) {
    case Feed::students:
      return kStudentsTable;
    case Feed::staff:
      return kStaffTable;
    case Feed::memberships:
      return kMembershipsTable;
    case Feed::timetable:
      return kLessonsTable;
    case Feed::bookings:
      return kBookingsTable;
    case Feed::behaviour:
      return kIncidentsTable;
  }
  throw std::logic_error("no table for this feed");
}

void row_of(const Student& s, RowImage& r) {
  r.text(s.id);
  r.text(s.forename);
  r.text(s.surname);
  r.text(s.year);
  r.opt_text(s.reg_group);
  r.opt_text(s.email);
  r.opt_text(s.upn);
  r.opt_text(s.sen);
  r.opt_text(s.pupil_premium);
  r.opt_text(s.gender);
}

void row_of(const Staff& s, RowImage& r) {
  r.text(s.code);
  r.text(s.name);
  r.opt_text(s.email);
}

void row_of(const Membership& m, RowImage& r) {
  r.text(m.student_id);
  r.text(m.class_code);
  opt_date(r, m.start_date);
  opt_date(r, m.end_date);
}

void row_of(const Lesson& l, RowImage& r) {
  r.text(l.class_code);
  r.integer(l.cycle_day);
  r.text(l.day_name);
  r.text(l.time.start.str());
  r.text(l.time.end.str());
  r.opt_text(l.room);
  r.opt_text(l.teacher);
  r.opt_text(l.subject);
}

void row_of(const Booking& b, RowImage& r) {
  r.text(b.id);
  r.text(b.student_id);
  r.text(b.date.iso());
  r.text(b.start_spec);
  r.text(b.end_spec);
  r.opt_text(b.reason);
  r.opt_text(b.room);
  r.text(booking_status_name(b.status));
  r.opt_text(b.referred_by);
  r.opt_text(b.incident_id);
}

void row_of(const Incident& i, RowImage& r) {
  r.text(i.id);
  r.text(i.student_id);
  r.text(i.date.iso());
  r.opt_text(i.time);
  r.opt_text(i.type);
  r.integer(i.points);
  r.opt_text(i.recorded_by);
  r.opt_text(i.status);
}

}  // namespace iesync
