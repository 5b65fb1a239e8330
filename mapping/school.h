// What the MIS feeds say about the school (SPEC §3), as plain values: the students, staff,
// class memberships, timetabled lessons and IE bookings. The MIS importer fills these from
// the exports; reconcile and reports read them back from the store. No I/O here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mapping/civil.h"
#include "mapping/session.h"  // BookingStatus

namespace iesync {

// Optional text fields are empty when the export leaves them out.
struct Student {
  std::string id;  // admission number, as exported: "001042" keeps its zeros
  std::string forename;
  std::string surname;
  std::string year;  // "Year  9" in the export -> "9"
  std::string reg_group;
  std::string email;
  std::string upn;
  std::string sen;            // "N", "K" (SEN support), "E" (EHC plan)
  std::string pupil_premium;  // "Y" / "N"
  std::string gender;         // "M" / "F"
};

struct Staff {
  std::string code;
  std::string name;
  std::string email;
};

struct Membership {
  std::string student_id;
  std::string class_code;          // "9X1/Ma"
  std::optional<Date> start_date;  // inclusive; none = open
  std::optional<Date> end_date;    // inclusive; none = open

  bool on(Date d) const {
    return (!start_date || *start_date <= d) && (!end_date || d <= *end_date);
  }
};

struct Lesson {
  std::string class_code;
  int cycle_day = 0;     // 1..(5 * cycle)
  std::string day_name;  // as exported, e.g. "Da10"
  TimeRange time;
  std::string room;
  std::string teacher;
  std::string subject;  // the name from mapping [subjects], else the code ("Ma")
};

struct Booking {
  std::string id;
  std::string student_id;
  Date date;
  // Kept as the MIS wrote them (times normalised to HH:MM): "09:50", a period name from
  // [calendar.periods], or "AM"/"PM"/"ALL" as start, in which case end is empty.
  std::string start_spec;
  std::string end_spec;
  std::string reason;
  std::string room;
  BookingStatus status = BookingStatus::booked;
  std::string referred_by;  // staff code of who referred the pupil (SPEC §10 patterns)
  std::string incident_id;  // the behaviour incident that led to the booking
};

}  // namespace iesync
