#include "mapping/notify/chase.h"

#include <algorithm>

namespace iesync {

bool live_session(const IeSession& s) {
  return s.problem.empty() &&
         (s.status == BookingStatus::booked || s.status == BookingStatus::attended);
}

ChasePlan select_chase(const ChaseInputs& in, const TimeZone& tz, TimePoint now, Date last_day) {
  const Date today = tz.to_local(now).date;
  std::map<std::string, TeacherChase> by_teacher;
  for (const auto& s : in.sessions) {
    if (!live_session(s) || s.date < today || s.date > last_day) continue;
    auto st = in.students.find(s.student_id);
    for (const auto& l : s.lessons) {
      if (l.work.status != WorkStatus::not_set) continue;
      // Work set once a lesson has begun is too late for it; those are not chased.
      if (tz.to_utc(s.date, l.time.start) <= now) continue;
      ChaseItem item;
      item.id = ChasedLesson{l.teacher, s.date, l.class_code, l.time.start, s.student_id};
      if (in.already_chased.count(item.id)) continue;
      item.student_name = st == in.students.end() ? "Student " + s.student_id
                                                  : st->second.forename + " " + st->second.surname;
      item.reg_group = st == in.students.end() ? std::string() : st->second.reg_group;
      item.time = l.time;
      item.subject = l.subject;
      item.room = l.room;
      if (l.course_id)
        if (auto c = in.course_links.find(*l.course_id); c != in.course_links.end())
          item.course_link = c->second;
      auto& t = by_teacher[l.teacher];
      t.teacher_code = l.teacher;
      t.items.push_back(std::move(item));
    }
  }
  ChasePlan plan;
  for (auto& [code, t] : by_teacher) {
    auto sf = in.staff.find(code);
    t.teacher_name = sf != in.staff.end() && !sf->second.name.empty() ? sf->second.name
                     : code.empty()                                   ? "Teacher not known"
                                                                      : code;
    t.email = sf != in.staff.end() ? sf->second.email : std::string();
    std::sort(t.items.begin(), t.items.end(), [](const ChaseItem& a, const ChaseItem& b) {
      return std::tie(a.id.date, a.time.start, a.student_name, a.id.class_code) <
             std::tie(b.id.date, b.time.start, b.student_name, b.id.class_code);
    });
    (t.email.empty() || code.empty() ? plan.could_not_chase : plan.teachers)
        .push_back(std::move(t));
  }
  return plan;
}

}  // namespace iesync
