// The store query and `iesync report` end to end: a temp config and store filled through the
// real MisStore/SessionStore, the built binary run on it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "config/load.h"
#include "mapping/calendar.h"
#include "store/impact_store.h"
#include "store/mis_store.h"
#include "store/report_query.h"
#include "store/session_store.h"
#include "tests/support/files.h"
#include "tests/support/shell.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;

using test::slurp;

test::ShellResult run(const std::string& args) {
  return test::shell(std::string(IESYNC_BINARY) + " " + args + " 2>&1");
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

Date d(unsigned m, unsigned day) {
  return Date::from_ymd(2026, m, day);
}

// Six pupils, one Maths lesson a day at 08:50-09:50 for 9A/Ma (every cycle day), three
// bookings in 12-16 Oct 2026:
//   R1  S1 Mon 12 Oct 08:50-09:50 booked     never reconciled: worked out from the MIS tables
//   R2  S2 Tue 13 Oct 08:50-09:50 attended   reconciled, Maths work handed in
//   R3  S3 Wed 14 Oct                        reconciled as booked, since cancelled in the MIS
//   R5  S4 reconciled on Thu 15 Oct, since moved by the MIS to Fri 16 Oct: counts on the 16th
//   R4  S1 Fri 20 Nov                        after the range: the follow-up horizon
class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("iesync-report-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    fs::copy(fs::path(IESYNC_SOURCE_DIR) / "tests/configs/minimal", dir,
             fs::copy_options::recursive);
    std::ofstream(dir / "iesync.toml", std::ios::app) << "\n[store]\npath = \"iesync.db\"\n";
    config = (dir / "iesync.toml").string();
    auto loaded = load_config(config);
    ASSERT_TRUE(loaded.ok()) << (loaded.problems.empty() ? "" : loaded.problems[0].to_string());
    cfg = loaded.config;
    auto cal = Calendar::build(cfg.mapping.calendar);
    ASSERT_TRUE(cal);
    auto store = Store::open(cfg.store.path);
    ASSERT_TRUE(store);
    MisStore mis(**store);
    AppliedFeed a{"test", "hash", "2026-10-01T00:00:00Z"};
    std::vector<Student> students;
    for (int i = 1; i <= 6; ++i) {
      Student s;
      s.id = "S" + std::to_string(i);
      s.forename = "Test";
      s.surname = "Pupil" + std::to_string(i);
      s.year = "9";
      s.gender = i % 2 ? "F" : "M";
      students.push_back(s);
    }
    ASSERT_TRUE(mis.replace_students(students, a));
    ASSERT_TRUE(mis.replace_staff({Staff{"TMA", "Ms Maths", ""}}, a));
    std::vector<Membership> ms;
    for (auto& s : students) ms.push_back(Membership{s.id, "9A/Ma", std::nullopt, std::nullopt});
    ASSERT_TRUE(mis.replace_memberships(ms, a));
    std::vector<Lesson> lessons;
    for (int cd = 1; cd <= cal->cycle_days(); ++cd) {
      Lesson l;
      l.class_code = "9A/Ma";
      l.cycle_day = cd;
      l.day_name = cal->day_name(cd);
      l.time = *TimeRange::parse("08:50-09:50");
      l.teacher = "TMA";
      l.subject = "Mathematics";
      lessons.push_back(l);
    }
    ASSERT_TRUE(mis.replace_lessons(lessons, a));
    auto booking = [](std::string id, std::string st, Date dt, BookingStatus status) {
      Booking b;
      b.id = std::move(id);
      b.student_id = std::move(st);
      b.date = dt;
      b.start_spec = "08:50";
      b.end_spec = "09:50";
      b.reason = "DB";
      b.status = status;
      return b;
    };
    ASSERT_TRUE(mis.replace_bookings({booking("R1", "S1", d(10, 12), BookingStatus::booked),
                                      booking("R2", "S2", d(10, 13), BookingStatus::attended),
                                      booking("R3", "S3", d(10, 14), BookingStatus::cancelled),
                                      booking("R5", "S4", d(10, 16), BookingStatus::attended),
                                      booking("R4", "S1", d(11, 20), BookingStatus::booked)},
                                     a));
    SessionStore sessions(**store);
    auto session = [&](std::string id, std::string st, Date dt, BookingStatus status,
                       WorkStatus w) {
      IeSession s;
      s.booking_id = std::move(id);
      s.student_id = std::move(st);
      s.date = dt;
      s.window = *TimeRange::parse("08:50-09:50");
      s.status = status;
      s.reason = "DB";
      MissedLesson l;
      l.class_code = "9A/Ma";
      l.time = s.window;
      l.subject = "Mathematics";
      l.teacher = "TMA";
      l.work.status = w;
      s.lessons.push_back(l);
      return s;
    };
    TimePoint now{};
    ASSERT_TRUE(sessions.save_day(
        d(10, 13), {session("R2", "S2", d(10, 13), BookingStatus::attended, WorkStatus::handed_in)},
        now));
    ASSERT_TRUE(sessions.save_day(
        d(10, 14), {session("R3", "S3", d(10, 14), BookingStatus::booked, WorkStatus::not_set)},
        now));
    ASSERT_TRUE(sessions.save_day(
        d(10, 15), {session("R5", "S4", d(10, 15), BookingStatus::attended, WorkStatus::handed_in)},
        now));
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path dir;
  std::string config;
  Config cfg;
};

TEST_F(ReportCommand, QueryUsesReconciledDaysAndWorksOutTheRest) {
  auto store = Store::open(cfg.store.path);
  ASSERT_TRUE(store);
  auto cal = *Calendar::build(cfg.mapping.calendar);
  auto in = load_report_input(**store, cfg, cal, {d(10, 12), d(10, 16)});
  ASSERT_TRUE(in) << in.error().to_string();
  EXPECT_EQ(in->students.size(), 6u);
  EXPECT_EQ(in->staff_names.at("TMA"), "Ms Maths");
  EXPECT_EQ(in->reason_meanings.at("DB"), "Persistent or general disruptive behaviour");
  EXPECT_EQ(in->horizon, d(11, 20)) << "the last booking in the store";
  ASSERT_EQ(in->sessions.size(), 5u);
  std::map<std::string, const ReportSession*> by;
  for (auto& s : in->sessions) by[s.session.booking_id] = &s;
  ASSERT_TRUE(by.count("R1"));
  EXPECT_FALSE(by["R1"]->work_checked);
  ASSERT_EQ(by["R1"]->session.lessons.size(), 1u) << "the Maths lesson, found from the timetable";
  EXPECT_EQ(by["R1"]->session.lessons[0].class_code, "9A/Ma");
  EXPECT_TRUE(by["R2"]->work_checked);
  EXPECT_EQ(by["R2"]->session.lessons[0].work.status, WorkStatus::handed_in);
  EXPECT_EQ(by["R3"]->session.status, BookingStatus::cancelled) << "the MIS's latest status wins";
  EXPECT_EQ(by["R5"]->session.date, d(10, 16)) << "a moved booking counts on its new date";
  EXPECT_FALSE(by["R5"]->work_checked);

  auto data = build_report(*in, cal);
  EXPECT_EQ(data.totals.sessions, 3);  // R1, R2, R5 (R3 cancelled; R4 after the range)
  EXPECT_EQ(data.totals.lessons, 3);
  EXPECT_EQ(data.not_sessions_absent_cancelled, 1);
  EXPECT_EQ(data.unchecked_sessions, 2);  // R1, R5
  ASSERT_EQ(data.work_by_subject.size(), 1u);
  EXPECT_EQ(data.work_by_subject[0].handed_in, 1);
  EXPECT_EQ(data.work_by_subject[0].not_checked, 2);
  // R1 (12 Oct) -> R4 (20 Nov) is far more than 20 school days: judged, not a return.
  EXPECT_EQ(data.returns[0].judged, 3);
  EXPECT_EQ(data.returns[0].returned, 0);
}

TEST_F(ReportCommand, QueryReadsBookingsAndTheBehaviourFeedOnceApplied) {
  auto store = Store::open(cfg.store.path);
  ASSERT_TRUE(store);
  auto cal = *Calendar::build(cfg.mapping.calendar);
  auto in = load_report_input(**store, cfg, cal, {d(10, 12), d(10, 16)});
  ASSERT_TRUE(in) << in.error().to_string();
  EXPECT_EQ(in->bookings.size(), 5u) << "every booking, for referrers and IE days";
  EXPECT_FALSE(in->behaviour_applied);
  EXPECT_TRUE(in->incidents.empty());
  EXPECT_EQ(in->impact_window, cfg.impact.windows.front());

  Incident i;
  i.id = "N1";
  i.student_id = "S1";
  i.date = d(10, 5);
  i.type = "Defiance";
  i.points = 2;
  ASSERT_TRUE(ImpactStore(**store).replace_incidents(
      {i}, AppliedFeed{"behaviour.csv", "hash", "2026-10-20T00:00:00Z"}));
  in = load_report_input(**store, cfg, cal, {d(10, 12), d(10, 16)});
  ASSERT_TRUE(in) << in.error().to_string();
  EXPECT_TRUE(in->behaviour_applied);
  ASSERT_EQ(in->incidents.size(), 1u) << "an incident before the range: windows reach back";
  EXPECT_EQ(in->behaviour_first, d(10, 5));
}

TEST_F(ReportCommand, HtmlToStdoutAndToAPrivateFile) {
  auto r = run("report --from 2026-10-12 --to 2026-10-16 --config " + config);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "<!DOCTYPE html>"));
  EXPECT_TRUE(has(r.out, "Test School"));
  EXPECT_TRUE(has(r.out, "were on days iesync did not reconcile")) << "R1's work was not checked";
  EXPECT_FALSE(has(r.out, "Pupil1")) << "three pupils once each: no repeat list, groups hidden";

  auto out = dir / "report.html";
  r = run("report --from 2026-10-12 --to 2026-10-16 --anonymise --out " + out.string() +
          " --config " + config);
  ASSERT_EQ(r.code, 0) << r.out;
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_TRUE(has(slurp(out), "Anonymised for governors"));
  for (auto& e : fs::directory_iterator(dir))
    EXPECT_FALSE(has(e.path().filename().string(), ".tmp-")) << "no temp file left behind";
}

TEST_F(ReportCommand, CsvFolderOfTables) {
  auto out = dir / "tables";
  auto r = run("report --from 2026-10-12 --to 2026-10-16 --format csv --out " + out.string() +
               " --config " + config);
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* n :
       {"summary.csv", "by_group.csv", "repeat_students.csv", "return_to_ie.csv", "reasons.csv",
        "work_by_subject.csv", "work_by_teacher.csv", "comparison.csv"}) {
    struct stat st {};
    ASSERT_EQ(::stat((out / n).c_str(), &st), 0) << n;
    EXPECT_EQ(st.st_mode & 0777, 0640u) << n;
  }
  EXPECT_TRUE(has(slurp(out / "work_by_subject.csv"), "Mathematics,3,1,1,0,0,2,100.0,100.0\r\n"));
  EXPECT_TRUE(has(slurp(out / "work_by_teacher.csv"), "Ms Maths (TMA),3,"));
}

TEST_F(ReportCommand, EmptyRangeSaysSo) {
  auto r = run("report --from 2026-12-01 --to 2026-12-04 --config " + config);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(has(
      r.out,
      "No internal exclusion sessions were recorded between 1 December 2026 and 4 December 2026."));
}

TEST_F(ReportCommand, BadArgumentsExitTwoNamingTheFlag) {
  auto r = run("report --from 2026-13-01 --to 2026-12-04 --config " + config);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.out, "--from 2026-13-01: not a date; write it as YYYY-MM-DD")) << r.out;
  r = run("report --to 2026-12-04 --config " + config);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.out, "--from is required")) << r.out;
  r = run("report --from 2026-12-05 --to 2026-12-04 --config " + config);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.out, "--from 2026-12-05 is after --to 2026-12-04")) << r.out;
  r = run("report --from 2026-12-01 --to 2026-12-04 --format pdf --config " + config);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.out, "--format pdf: unknown format; use --format html")) << r.out;
  r = run("report --from 2026-12-01 --to 2026-12-04 --format csv --config " + config);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.out, "name a folder for them with --out")) << r.out;
}

}  // namespace
}  // namespace iesync
