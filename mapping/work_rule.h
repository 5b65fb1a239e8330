// Was work set on Classroom for a missed lesson, and did the student hand it in (SPEC §5)?
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mapping/civil.h"
#include "mapping/classroom.h"
#include "mapping/rules.h"
#include "mapping/timezone.h"

namespace iesync {

enum class WorkStatus { handed_in, set, not_set, no_course, unknown };
const char* work_status_name(WorkStatus s);
std::optional<WorkStatus> work_status_from_name(std::string_view s);

struct WorkItemView {
  std::string id;
  std::string title;
  std::string link;
  // The student's submission state, "NONE" when Classroom has none, or "MATERIAL" for a
  // course work material (nothing to hand in).
  std::string state;
  std::string due;  // local "YYYY-MM-DD HH:MM", empty when no due date
  bool handed_in = false;
};

struct LessonWork {
  WorkStatus status = WorkStatus::not_set;
  // When status is unknown: what the last data we have says, and how old it is.
  std::optional<WorkStatus> last_known;
  std::vector<WorkItemView> items;
  std::optional<TimePoint> checked_at;
  // False when the course's materials could not be read: the status goes by assignments alone.
  bool materials_checked = true;
};

struct LessonSlot {
  Date date;
  TimeRange time;
};

// `course` is null when the class maps to no course (ignored or no mapping); a course whose
// course_id is nullopt is one Classroom does not have. `subs` may be null (student not
// known to Classroom, or not fetched): then nothing counts as handed in.
LessonWork assess_work(const LessonSlot& lesson, const CourseSnapshot* course,
                       const StudentSubmissions* subs, const WorkConfig& rule, const TimeZone& tz);

// The item state shown for a course work material.
inline constexpr const char* kMaterialState = "MATERIAL";

// Whether one course work item or material counts as set for this lesson for this student.
bool counts_for_lesson(const CourseWork& w, const LessonSlot& lesson, const std::string& user_id,
                       const WorkConfig& rule, const TimeZone& tz);

}  // namespace iesync
