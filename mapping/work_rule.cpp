#include "mapping/work_rule.h"

#include <algorithm>
#include <array>

namespace iesync {

namespace {

constexpr std::array<const char*, 5> kNames = {"handed_in", "set", "not_set", "no_course",
                                               "unknown"};

bool assigned_to(const CourseWork& w, const std::string& user_id) {
  if (w.assignee_mode.empty() || w.assignee_mode == "ALL_STUDENTS") return true;
  if (w.assignee_mode != "INDIVIDUAL_STUDENTS") return false;
  return !user_id.empty() && std::find(w.individual_students.begin(), w.individual_students.end(),
                                       user_id) != w.individual_students.end();
}

std::string local_text(TimePoint t, const TimeZone& tz) {
  auto l = tz.to_local(t);
  return l.date.iso() + " " + l.time.str();
}

}  // namespace

const char* work_status_name(WorkStatus s) {
  return kNames[static_cast<size_t>(s)];
}

std::optional<WorkStatus> work_status_from_name(std::string_view s) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (s == kNames[i]) return static_cast<WorkStatus>(i);
  return std::nullopt;
}

bool counts_for_lesson(const CourseWork& w, const LessonSlot& lesson, const std::string& user_id,
                       const WorkConfig& rule, const TimeZone& tz) {
  if (w.state != "PUBLISHED" || !assigned_to(w, user_id)) return false;
  if (w.due && tz.to_local(*w.due).date == lesson.date) return true;
  auto posted = w.scheduled ? w.scheduled : w.created;
  if (!posted) return false;
  auto from = tz.to_utc(lesson.date, lesson.time.start) - rule.set_before;
  auto to = tz.to_utc(lesson.date, lesson.time.end) + rule.set_after;
  return from <= *posted && *posted <= to;
}

LessonWork assess_work(const LessonSlot& lesson, const CourseSnapshot* course,
                       const StudentSubmissions* subs, const WorkConfig& rule, const TimeZone& tz) {
  LessonWork out;
  if (!course) {
    out.status = WorkStatus::no_course;
    return out;
  }
  out.checked_at = course->fetched_at;
  if (!course->fetched_at) {  // never reached Classroom for this course
    out.status = WorkStatus::unknown;
    return out;
  }
  if (!course->course_id) {
    out.status = course->stale ? WorkStatus::unknown : WorkStatus::no_course;
    if (course->stale) out.last_known = WorkStatus::no_course;
    return out;
  }
  const std::string user_id = subs ? subs->user_id : std::string();
  size_t assignments = 0, handed_in = 0;
  for (const auto& w : course->work) {
    if (!counts_for_lesson(w, lesson, user_id, rule, tz)) continue;
    WorkItemView item{w.id, w.title, w.link, "NONE", w.due ? local_text(*w.due, tz) : "", false};
    if (subs) {
      for (const auto& s : subs->submissions) {
        if (s.coursework_id != w.id) continue;
        item.state = s.state;
        item.handed_in = s.state == "TURNED_IN" || s.state == "RETURNED";
      }
    }
    ++assignments;
    handed_in += item.handed_in ? 1 : 0;
    out.items.push_back(std::move(item));
  }
  // A material is set work with nothing to hand in: it makes a lesson `set` on its own, and
  // never holds back `handed_in` when every assignment is in.
  for (const auto& m : course->materials) {
    if (!counts_for_lesson(m, lesson, user_id, rule, tz)) continue;
    out.items.push_back(WorkItemView{m.id, m.title, m.link, kMaterialState, "", false});
  }
  out.materials_checked = course->materials_checked;
  WorkStatus computed = out.items.empty()                             ? WorkStatus::not_set
                        : assignments > 0 && handed_in == assignments ? WorkStatus::handed_in
                                                                      : WorkStatus::set;
  bool stale = course->stale || (subs && subs->stale);
  if (subs && subs->fetched_at && (!out.checked_at || *subs->fetched_at < *out.checked_at))
    out.checked_at = subs->fetched_at;
  if (stale) {
    out.status = WorkStatus::unknown;
    out.last_known = computed;
  } else {
    out.status = computed;
  }
  return out;
}

}  // namespace iesync
