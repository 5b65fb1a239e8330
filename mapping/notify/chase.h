// Who to chase (SPEC §9), as pure logic: from the reconciled sessions of today and the next
// school day, the lessons from now to the end of the next school day that a live IE session
// covers (booked or attended: never cancelled or absent) and whose work is `not_set`, not
// chased before, grouped per teacher. A teacher the staff export gives no email for cannot be
// emailed and is listed for the digest instead.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "mapping/civil.h"
#include "mapping/school.h"
#include "mapping/session.h"
#include "mapping/timezone.h"

namespace iesync {

// One lesson of one pupil a teacher is chased for: the identity "chased once" is about.
struct ChasedLesson {
  std::string teacher;  // staff code
  Date date;
  std::string class_code;
  TimeOfDay start;
  std::string student_id;
  friend auto operator<=>(const ChasedLesson&, const ChasedLesson&) = default;
  friend bool operator==(const ChasedLesson&, const ChasedLesson&) = default;
};

// What a chase email says about one lesson: only what the teacher needs to set the work.
// Deliberately no reason, no behaviour detail, no booking status.
struct ChaseItem {
  ChasedLesson id;
  std::string student_name;
  std::string reg_group;
  TimeRange time;
  std::string subject;
  std::string room;
  std::string course_link;  // the Classroom course's own link, empty when not known
};

struct TeacherChase {
  std::string teacher_code;
  std::string teacher_name;      // from the staff export; the code when unnamed
  std::string email;             // empty: could not chase
  std::vector<ChaseItem> items;  // by date, time, pupil
};

struct ChasePlan {
  std::vector<TeacherChase> teachers;         // with an email, by code
  std::vector<TeacherChase> could_not_chase;  // no email (or no teacher) in the staff export
  bool empty() const { return teachers.empty() && could_not_chase.empty(); }
};

struct ChaseInputs {
  std::vector<IeSession> sessions;          // today's and the next school day's, as reconciled
  std::map<std::string, Student> students;  // by id
  std::map<std::string, Staff> staff;       // by code
  std::map<std::string, std::string> course_links;  // course id -> Classroom link
  std::set<ChasedLesson> already_chased;
};

// Lessons that start after `now` and on or before `last_day` (the next school day).
ChasePlan select_chase(const ChaseInputs& in, const TimeZone& tz, TimePoint now, Date last_day);

// A booking that puts a pupil in the room: booked or attended. Cancelled and absent bookings
// are never chased and never counted.
bool live_session(const IeSession& s);

}  // namespace iesync
