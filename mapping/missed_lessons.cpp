#include "mapping/missed_lessons.h"

#include <algorithm>

#include "mapping/courses.h"

namespace iesync {

namespace {

Result<TimeOfDay> resolve(const std::string& spec, bool is_start, const Calendar& cal,
                          const Booking& b) {
  if (auto t = TimeOfDay::parse(spec)) return *t;
  if (auto p = cal.period(spec)) return is_start ? p->start : p->end;
  return make_error("booking " + b.id,
                    std::string("the ") + (is_start ? "start" : "end") + " \"" + spec +
                        "\" is neither a time (HH:MM) nor a period in [calendar.periods]",
                    "correct the booking in the MIS, or add the period to mapping.toml");
}

}  // namespace

Result<TimeRange> booking_window(const Booking& b, const Calendar& cal) {
  if (b.start_spec == "AM") return cal.am();
  if (b.start_spec == "PM") return cal.pm();
  if (b.start_spec == "ALL") return cal.all_day();
  auto start = resolve(b.start_spec, true, cal, b);
  if (!start) return start.error();
  auto end = resolve(b.end_spec, false, cal, b);
  if (!end) return end.error();
  if (!(*start < *end)) {
    return make_error("booking " + b.id,
                      "ends at " + end->str() + ", not after its start " + start->str(),
                      "correct the booking's times in the MIS");
  }
  return TimeRange{*start, *end};
}

std::string reason_code(const std::string& reason, const CodesConfig& codes) {
  if (auto it = codes.reasons.find(reason); it != codes.reasons.end()) return it->second;
  return reason;
}

IeSession build_session(const Booking& b, const Student* student, const Calendar& cal,
                        std::span<const Membership> memberships,
                        std::span<const Lesson> day_lessons, const Mapping& mapping) {
  IeSession s;
  s.booking_id = b.id;
  s.student_id = b.student_id;
  s.date = b.date;
  s.status = b.status;
  s.room = b.room;
  s.reason = reason_code(b.reason, mapping.codes);

  auto window = booking_window(b, cal);
  if (window) s.window = *window;
  if (!student) {
    s.problem = "student " + b.student_id +
                " is not in the students export; check the admission number on the booking";
    return s;
  }
  auto day = cal.day(b.date);
  if (!day.open) {
    s.problem =
        b.date.iso() + " is not a school day (" + day.closed_reason + "); check the booking's date";
    return s;
  }
  if (!window) {
    s.problem = window.error().message + "; " + window.error().fix;
    return s;
  }
  for (const auto& l : day_lessons) {
    if (l.cycle_day != day.cycle_day || !l.time.overlaps(s.window)) continue;
    bool member = std::any_of(memberships.begin(), memberships.end(), [&](const Membership& m) {
      return m.class_code == l.class_code && m.on(b.date);
    });
    if (!member) continue;
    MissedLesson m;
    m.class_code = l.class_code;
    m.time = l.time;
    m.subject = l.subject;
    m.teacher = l.teacher;
    m.room = l.room;
    m.course_ref = course_ref_for(mapping.courses, l.class_code);
    m.work.status = m.course_ref ? WorkStatus::unknown : WorkStatus::no_course;
    s.lessons.push_back(std::move(m));
  }
  std::sort(s.lessons.begin(), s.lessons.end(), [](const MissedLesson& a, const MissedLesson& b) {
    return a.time.start < b.time.start ||
           (a.time.start == b.time.start && a.class_code < b.class_code);
  });
  return s;
}

}  // namespace iesync
