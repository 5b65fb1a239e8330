#include "daemon/cycle_summary.h"

#include <map>
#include <set>

#include "mapping/notify/chase.h"

namespace iesync {

std::string format_cycle_summary(const CycleReport& r, bool dry_run) {
  int lessons_total = 0;
  std::map<WorkStatus, int> by_status;
  std::set<std::string> students;
  for (const auto& s : r.sessions) {
    if (!live_session(s)) continue;  // cancelled and absent bookings are never counted
    students.insert(s.student_id);
    for (const auto& l : s.lessons) {
      ++lessons_total;
      ++by_status[l.work.status];
    }
  }
  auto n = [](auto v) { return std::to_string(v); };
  std::string out = std::string(dry_run ? "Dry run for " : "Cycle for ") + r.date.iso() + ": " +
                    n(students.size()) + " student(s) in IE missing " + n(lessons_total) +
                    " lesson(s) (" + n(by_status[WorkStatus::handed_in]) + " handed in, " +
                    n(by_status[WorkStatus::set]) + " set, " + n(by_status[WorkStatus::not_set]) +
                    " not set, " + n(by_status[WorkStatus::no_course]) + " no course, " +
                    n(by_status[WorkStatus::unknown]) + " unknown); " + n(r.queued);
  out += dry_run ? " mark(s) would be queued" : " mark(s) queued, " + n(r.sent) + " sent";
  if (r.conflicts) out += ", " + n(r.conflicts) + " conflict(s)";
  if (r.in_doubt) out += ", " + n(r.in_doubt) + " in doubt (read back next cycle)";
  if (r.problems) out += "; " + n(r.problems) + " booking problem(s)";
  if (r.import.record_errors)
    out += "; " + n(r.import.record_errors) + " record error(s) in the exports";
  if (r.classroom_stale) out += "; Classroom data is not current";
  return out + ".";
}

}  // namespace iesync
