// A reconciled IE session: one booking, the window it covers, the lessons it misses and
// the work status of each. This is what `plan` shows and what the store keeps for reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mapping/civil.h"
#include "mapping/work_rule.h"

namespace iesync {

enum class BookingStatus { booked, attended, absent, cancelled };
const char* booking_status_name(BookingStatus s);
std::optional<BookingStatus> booking_status_from_name(std::string_view s);

struct MissedLesson {
  std::string class_code;
  TimeRange time;
  std::string subject;  // display name ("Mathematics") when mapped, else the code
  std::string teacher;
  std::string room;
  std::optional<std::string> course_ref;  // nullopt: no course (ignored class or no mapping)
  std::optional<std::string> course_id;   // the Classroom course, once Classroom confirmed it
  LessonWork work;
};

struct IeSession {
  std::string booking_id;
  std::string student_id;
  Date date;
  TimeRange window;
  BookingStatus status = BookingStatus::booked;
  std::string room;
  std::string reason;  // DfE exclusion reason code, after [codes.reasons]
  // Why the booking covers nothing (closed day, unknown student, end not after start);
  // empty for a good session.
  std::string problem;
  std::vector<MissedLesson> lessons;
};

}  // namespace iesync
