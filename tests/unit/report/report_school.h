// A hand-built small school for the report tests: 20 pupils with stated year, SEN, pupil
// premium and gender, nine IE sessions in the fortnight 12-23 October 2026, a half term
// (26-30 October) inside the return-to-IE windows, and bookings after the range so the
// follow-up can be judged. Every expected figure in the tests is worked out by hand there.
#pragma once

#include <string>
#include <vector>

#include "../reconcile/small_school.h"
#include "mapping/report/report_data.h"

namespace iesync::testing {

//  id   year  SEN  PP  gender  name
//  S01  9     K    Y   F       Alex Able      S11  10  N  N  F
//  S02  9     K    Y   M       Ben Bright     S12  10  N  N  M
//  S03  9     K    Y   F       Cat Cole       S13..S18  10  N  N  F/M alternating
//  S04  9     K    Y   M       Dan Dale       S19  10  ""  N  F
//  S05  9     E    Y   F       Eve East       S20  10  ""  N  X (-> Not recorded)
//  S06  9     N    Y   M       Fred Fable
//  S07  9     N    Y   F  S08 9 N Y M  S09 9 N N F  S10 9 N N M
inline std::vector<Student> report_students() {
  std::vector<Student> v;
  const char* names[][2] = {{"Alex", "Able"}, {"Ben", "Bright"}, {"Cat", "Cole"}, {"Dan", "Dale"},
                            {"Eve", "East"},  {"Fred", "Fable"}, {"Gus", "Gale"}, {"Hal", "Hale"},
                            {"Ivy", "Ince"},  {"Jo", "Jones"},   {"Kit", "Kerr"}, {"Lee", "Lane"},
                            {"Max", "Moss"},  {"Ned", "Nash"},   {"Oli", "Orr"},  {"Pat", "Penn"},
                            {"Quin", "Quay"}, {"Ros", "Rudd"},   {"Sam", "Seth"}, {"Tam", "Tate"}};
  for (int i = 1; i <= 20; ++i) {
    Student s;
    s.id = (i < 10 ? "S0" : "S") + std::to_string(i);
    s.forename = names[i - 1][0];
    s.surname = names[i - 1][1];
    s.year = i <= 10 ? "9" : "10";
    s.sen = i <= 4 ? "K" : i == 5 ? "E" : i <= 18 ? "N" : "";
    s.pupil_premium = i <= 8 ? "Y" : "N";
    s.gender = i == 20 ? "X" : (i % 2 == 1 ? "F" : "M");
    v.push_back(s);
  }
  return v;
}

inline MissedLesson report_lesson(std::string subject, std::string teacher, WorkStatus w) {
  MissedLesson l;
  l.class_code = "9X/" + subject;
  l.time = *TimeRange::parse("09:00-10:00");
  l.subject = std::move(subject);
  l.teacher = std::move(teacher);
  l.work.status = w;
  return l;
}

inline ReportSession report_session(std::string id, std::string student, Date d, BookingStatus st,
                                    std::string reason, std::vector<MissedLesson> lessons,
                                    bool checked = true, std::string problem = "") {
  ReportSession rs;
  rs.session.booking_id = std::move(id);
  rs.session.student_id = std::move(student);
  rs.session.date = d;
  rs.session.window = *TimeRange::parse("08:45-15:15");
  rs.session.status = st;
  rs.session.reason = std::move(reason);
  rs.session.problem = std::move(problem);
  rs.session.lessons = std::move(lessons);
  rs.work_checked = checked;
  return rs;
}

inline Date oct(unsigned d) {
  return Date::from_ymd(2026, 10, d);
}
inline Date nov(unsigned d) {
  return Date::from_ymd(2026, 11, d);
}

// The range is Mon 12 Oct .. Fri 23 Oct 2026; the previous range of the same length (12 days)
// is 30 Sep .. 11 Oct. Horizon: 20 Nov (the last booking).
inline ReportInput report_input() {
  using W = WorkStatus;
  using B = BookingStatus;
  ReportInput in;
  in.school_name = "Hand-built Academy";
  in.range = {oct(12), oct(23)};
  in.horizon = nov(20);
  in.students = report_students();
  in.staff_names = {{"T1", "Mr T One"}, {"T2", "Ms T Two"}};  // T3 has no staff record
  in.reason_meanings = {{"PP", "Physical assault against a pupil"},
                        {"DB", "Persistent or general disruptive behaviour"}};
  auto& s = in.sessions;
  // Previous range.
  s.push_back(report_session("B0", "S01", oct(5), B::attended, "PP",
                             {report_lesson("Ma", "T1", W::handed_in)}));
  // In range: nine sessions.
  s.push_back(
      report_session("B1", "S01", oct(12), B::attended, "PP",
                     {report_lesson("Ma", "T1", W::handed_in), report_lesson("En", "T2", W::set)}));
  s.push_back(report_session("B2", "S01", oct(19), B::booked, "PP",
                             {report_lesson("Ma", "T1", W::not_set)}));
  s.push_back(report_session(
      "B3", "S02", oct(13), B::attended, "DB",
      {report_lesson("Sc", "T3", W::handed_in), report_lesson("Ma", "T1", W::no_course),
       report_lesson("En", "T2", W::unknown)}));
  // Never reconciled by the daemon: its lesson counts as "not checked", whatever it says.
  s.push_back(report_session("B4", "S03", oct(14), B::attended, "DB",
                             {report_lesson("Ma", "T1", W::set)}, false));
  s.push_back(report_session("B5", "S06", oct(15), B::attended, "DB",
                             {report_lesson("En", "T2", W::handed_in)}));
  s.push_back(report_session("B6", "S11", oct(16), B::attended, "DB",
                             {report_lesson("Sc", "T3", W::not_set)}));
  s.push_back(report_session("B7", "S12", oct(22), B::booked, "", {}));
  s.push_back(report_session("B8", "S06", oct(23), B::attended, "DB",
                             {report_lesson("Ma", "T1", W::handed_in)}));
  s.push_back(report_session("B15", "S04", oct(20), B::attended, "DB",
                             {report_lesson("Sc", "T3", W::set)}));
  // In range, not sessions.
  s.push_back(report_session("B9", "S07", oct(20), B::cancelled, "DB",
                             {report_lesson("Ma", "T1", W::not_set)}));
  s.push_back(report_session("B10", "S08", oct(21), B::absent, "DB",
                             {report_lesson("Ma", "T1", W::not_set)}));
  s.push_back(report_session("B11", "S09", oct(14), B::booked, "DB", {}, true,
                             "unknown period \"9\" in booking B11; add it to [calendar.periods]"));
  // After the range: the follow-up.
  s.push_back(report_session("B12", "S01", nov(3), B::booked, "PP", {}));
  s.push_back(report_session("B13", "S03", nov(13), B::booked, "DB", {}));
  s.push_back(report_session("B14", "S11", nov(20), B::booked, "DB", {}));
  return in;
}

}  // namespace iesync::testing

namespace iesync::testing {

// The Impact and Patterns sections (SPEC §10) on the same pupils, with a behaviour feed:
// window 2 school days, behaviour data from Fri 9 Oct, today Tue 3 Nov (so incidents are
// known up to Mon 2 Nov). The half term 26-30 Oct lies inside S11's window after.
//   S04  IE Mon 12 Oct, T1, 08:50   before: 9 Oct, 8 Oct < data start -> no data before
//   S01  IE Tue 13 + Wed 14 Oct (consecutive: one IE), T1, 08:50
//        before 9, 12 Oct: 1 + 1; 13 Oct is an IE day (not counted); after 15, 16 Oct: 1
//        -> 2 vs 1, fewer
//   S02  IE Wed 14 Oct, T1, 08:50   before 12, 13: 1; after 15 (withdrawn), 16: 1 -> same
//   S03  IE Thu 15 Oct, T2, 08:50   before 13, 14: 0; after 16, 19: 2 -> more
//   S06  IE Fri 16 Oct, T2, 08:50   before 14, 15: 1; after 19, 20: 0 -> fewer
//   S11  IE Thu 22 Oct, T3 (no staff record), 14:00   before 20, 21: 3; after 23 Oct,
//        2 Nov: 1 -> fewer
//   S12  IE Fri 23 Oct, no referrer, 07:30   after 2 Nov, 3 Nov = today -> too recent
//   S07  cancelled booking Tue 20 Oct, T1: not IE
inline ReportInput impact_input() {
  ReportInput in;
  in.school_name = "Hand-built Academy";
  in.range = {oct(12), oct(23)};
  in.horizon = oct(23);
  in.students = report_students();
  in.staff_names = {{"T1", "Mr T One"}, {"T2", "Ms T Two"}};
  in.behaviour_applied = true;
  in.behaviour_first = Date::from_ymd(2026, 10, 9);
  in.today = nov(3);
  in.impact_window = 2;
  struct B {
    const char* id;
    const char* student;
    Date date;
    const char* referrer;
    const char* start;
    BookingStatus status;
  };
  const B bookings[] = {{"I1", "S04", oct(12), "T1", "08:50", BookingStatus::attended},
                        {"I2", "S01", oct(13), "T1", "08:50", BookingStatus::attended},
                        {"I3", "S01", oct(14), "T1", "08:50", BookingStatus::attended},
                        {"I4", "S02", oct(14), "T1", "08:50", BookingStatus::attended},
                        {"I5", "S03", oct(15), "T2", "08:50", BookingStatus::attended},
                        {"I6", "S06", oct(16), "T2", "08:50", BookingStatus::attended},
                        {"I7", "S11", oct(22), "T3", "14:00", BookingStatus::attended},
                        {"I8", "S12", oct(23), "", "07:30", BookingStatus::booked},
                        {"I9", "S07", oct(20), "T1", "08:50", BookingStatus::cancelled}};
  for (const auto& b : bookings) {
    Booking bk;
    bk.id = b.id;
    bk.student_id = b.student;
    bk.date = b.date;
    bk.start_spec = b.start;
    bk.end_spec = "15:15";
    bk.status = b.status;
    bk.referred_by = b.referrer;
    in.bookings.push_back(bk);
    auto rs = report_session(b.id, b.student, b.date, b.status, "DB", {});
    rs.session.window = *TimeRange::parse(std::string(b.start) + "-15:15");
    in.sessions.push_back(rs);
  }
  auto incident = [&](const char* student, Date d, std::string status = "") {
    Incident i;
    i.id = "N" + std::to_string(in.incidents.size() + 1);
    i.student_id = student;
    i.date = d;
    i.type = "Defiance";
    i.points = 1;
    i.status = std::move(status);
    in.incidents.push_back(i);
  };
  incident("S01", Date::from_ymd(2026, 10, 9));
  incident("S01", oct(12));
  incident("S01", oct(13));  // on the IE day itself
  incident("S01", oct(15));
  incident("S02", oct(13));
  incident("S02", oct(15), "withdrawn");
  incident("S02", oct(16));
  incident("S03", oct(19));
  incident("S03", oct(19));
  incident("S06", oct(14));
  for (int i = 0; i < 3; ++i) incident("S11", oct(21));
  incident("S11", nov(2));
  return in;
}

}  // namespace iesync::testing
