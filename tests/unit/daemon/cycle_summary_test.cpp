// The one-line cycle summary that sync.log, the terminal and the cycle log show.
#include "daemon/cycle_summary.h"

#include <gtest/gtest.h>

namespace iesync {
namespace {

IeSession session(const std::string& student, std::vector<WorkStatus> lessons,
                  std::string problem = {}) {
  IeSession s;
  s.booking_id = "B-" + student;
  s.student_id = student;
  s.problem = std::move(problem);
  for (auto w : lessons) {
    MissedLesson l;
    l.work.status = w;
    s.lessons.push_back(l);
  }
  return s;
}

CycleReport report() {
  CycleReport r;
  r.date = Date::from_ymd(2026, 11, 23);
  r.sessions = {session("001", {WorkStatus::handed_in, WorkStatus::set, WorkStatus::not_set}),
                session("001", {WorkStatus::no_course}),  // a second booking, same student
                session("002", {WorkStatus::unknown}),
                session("003", {WorkStatus::set}, "the day is closed")};
  r.queued = 5;
  r.sent = 4;
  return r;
}

TEST(CycleSummary, CountsStudentsLessonsAndWorkAndWhatWasSent) {
  EXPECT_EQ(format_cycle_summary(report(), false),
            "Cycle for 2026-11-23: 2 student(s) in IE missing 5 lesson(s) (1 handed in, 1 set, "
            "1 not set, 1 no course, 1 unknown); 5 mark(s) queued, 4 sent.");
}

TEST(CycleSummary, ADryRunSaysWhatWouldBeQueuedAndSendsNothing) {
  EXPECT_EQ(format_cycle_summary(report(), true),
            "Dry run for 2026-11-23: 2 student(s) in IE missing 5 lesson(s) (1 handed in, 1 set, "
            "1 not set, 1 no course, 1 unknown); 5 mark(s) would be queued.");
}

TEST(CycleSummary, NamesEachKindOfTroubleOnlyWhenThereIsSome) {
  auto r = report();
  r.conflicts = 1;
  r.in_doubt = 2;
  r.problems = 1;
  r.import.record_errors = 3;
  r.classroom_stale = true;
  EXPECT_EQ(format_cycle_summary(r, false),
            "Cycle for 2026-11-23: 2 student(s) in IE missing 5 lesson(s) (1 handed in, 1 set, "
            "1 not set, 1 no course, 1 unknown); 5 mark(s) queued, 4 sent, 1 conflict(s), 2 in "
            "doubt (read back next cycle); 1 booking problem(s); 3 record error(s) in the "
            "exports; Classroom data is not current.");
}

}  // namespace
}  // namespace iesync
