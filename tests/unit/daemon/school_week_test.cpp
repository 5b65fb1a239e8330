// A school week of `iesync run`, in-process on a fake clock: the Daemon the service runs, on a
// copy of the demo school, against the Classroom fake over loopback and the file write-back
// target. Its cycles run when the schedule says; on the way come a reload (what SIGHUP does),
// Classroom down for a morning, and a day the service was down. What the school relies on: each
// day's marks and exclusion records land in the MIS import folder exactly once, every day's
// sessions are reconciled (the missed one too), and a Classroom outage shows as "not current"
// and then clears. Time moves only when the test moves it, so the week takes seconds.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "bench/generator/classroom_fixture.h"
#include "bench/generator/school_generator.h"
#include "config/load.h"
#include "daemon/daemon.h"
#include "daemon/schedule.h"
#include "mapping/timezone.h"
#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"
#include "tests/support/demo_school.h"
#include "tests/support/fake_env.h"
#include "tests/support/files.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

using test::slurp;

// The demo's IE week: five bookings each day.
const Date kMonday = Date::from_ymd(2026, 11, 23);

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

// One row of the write-back CSVs: kind,student_id,date,session,class,start,end,code,comment,
// reason,key. Quoted fields (a comment with a comma) are skipped over, not split.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"')
      quoted = !quoted;
    else if (ch == ',' && !quoted)
      out.emplace_back();
    else if (ch != '\r')
      out.back() += ch;
  }
  return out;
}

struct Written {
  std::string file;
  std::string kind;
  std::string date;
};

class SchoolWeek : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::copy_demo_school("iesync-week");
    // The exports were written before the week begins, as far as the fake clock can tell.
    const auto before_week =
        std::chrono::system_clock::now() - std::chrono::sys_seconds(start_of(kMonday));
    for (auto& e : fs::directory_iterator(dir / "exports"))
      test::backdate(e.path(), std::chrono::duration_cast<std::chrono::seconds>(before_week) + 24h);

    // The demo school's own Classroom (its exports come from the same generator and seed).
    gen::Options o;
    fake::FakeOptions fo;
    fo.clock = &clock;  // Google's token checks read the same clock
    fo.page_size = 50;
    fo.public_key_pem = fake::shared_test_key_pair().public_pem;
    classroom = std::make_unique<fake::FakeClassroom>(fo);
    ASSERT_TRUE(
        classroom->load_fixture_json(json::serialize(gen::classroom_fixture(gen::generate(o), o))));
    classroom->start();
    fs::create_directories(dir / "classroom");
    auto account = fake::write_service_account_key(dir / "classroom", classroom->token_uri());
    toml = slurp(dir / "iesync.toml");
    replace("enabled = false", "enabled = true");
    replace("api_base = \"https://classroom.googleapis.com\"",
            "api_base = \"" + classroom->base_url() + "\"");
    replace("token_uri = \"https://oauth2.googleapis.com/token\"",
            "token_uri = \"" + classroom->token_uri() + "\"\nkey_file = \"" +
                account.key_file.string() +
                "\"\nimpersonate = \"iesync-reader@demo.example.sch.uk\"");
    // An hourly schedule, and tomorrow read ahead (not two days): a school day is ten cycles,
    // the week a few seconds.
    replace("interval = \"15m\"", "interval = \"1h\"\nlook_ahead = 1");
    save_config();

    clock.set(tz.to_utc(kMonday.plus_days(-1), TimeOfDay::hm(20, 0)));  // Sunday evening
    auto loaded = load_config(dir / "iesync.toml");
    ASSERT_TRUE(loaded.ok()) << loaded.problems.front().to_string();
    cfg = loaded.config;
    auto store = Store::open(cfg.store.path);
    auto read_store = Store::open(cfg.store.path);
    ASSERT_TRUE(store && read_store);
    SyncLogOptions lo;
    lo.dir = cfg.log.dir;
    auto log = SyncLog::open(lo, clock);
    ASSERT_TRUE(log) << log.error().to_string();
    DaemonOptions opts;
    opts.config_path = dir / "iesync.toml";
    daemon = std::make_unique<Daemon>(opts, env, cfg, std::move(*store), std::move(*read_store),
                                      std::move(*log));
  }

  void TearDown() override {
    daemon.reset();
    if (classroom) classroom->stop();
    fs::remove_all(dir);
  }

  TimePoint start_of(Date d) const { return tz.to_utc(d, TimeOfDay::hm(0, 0)); }

  void replace(const std::string& from, const std::string& to) {
    auto at = toml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    toml.replace(at, from.size(), to);
  }
  void save_config() { std::ofstream(dir / "iesync.toml", std::ios::trunc) << toml; }

  // Runs the cycles the schedule starts from now until `until`, as the daemon's timer would:
  // each at next_cycle_at() after the last. Returns how many ran.
  int run_until(TimePoint until) {
    int n = 0;
    for (;;) {
      TimePoint next = next_cycle_at(cfg.schedule, tz, clock.now(), last_start);
      if (next > until) break;
      if (next > clock.now()) clock.set(next);
      last_start = clock.now();
      daemon->do_cycles();
      ++n;
      // A cycle takes a minute or so at a real school; the next starts on the interval anyway.
      clock.advance(1min);
    }
    clock.set(until);
    return n;
  }
  TimePoint at(Date d, int h, int m = 0) const { return tz.to_utc(d, TimeOfDay::hm(h, m)); }

  json::object plan(Date d) {
    auto p = daemon->plan(d);
    EXPECT_TRUE(p) << p.error().to_string();
    return p ? *p : json::object{};
  }

  // Every work status the plan shows for `d`'s lessons, with how many.
  std::map<std::string, int> work_statuses(Date d, int* with_last_known = nullptr) {
    std::map<std::string, int> out;
    const auto p = plan(d);
    for (const auto& s : p.at("sessions").as_array())
      for (const auto& l : s.at("lessons").as_array()) {
        const auto& w = l.at("work").as_object();
        ++out[str(w.at("status"))];
        if (with_last_known && w.contains("last_known")) ++*with_last_known;
      }
    return out;
  }

  // Every row the write-back has put in the MIS import folder, by send key.
  std::map<std::string, std::vector<Written>> written() {
    std::map<std::string, std::vector<Written>> out;
    for (auto& e : fs::directory_iterator(cfg.writeback.outbox_dir)) {
      const auto name = e.path().filename().string();
      if (name.rfind("iesync-", 0) != 0 || e.path().extension() != ".csv") continue;
      std::istringstream in(slurp(e.path()));
      std::string line;
      std::getline(in, line);  // the header
      while (std::getline(in, line)) {
        if (line.empty() || line == "\r") continue;
        auto f = csv_fields(line);
        EXPECT_EQ(f.size(), 11u) << name << ": " << line;
        if (f.size() != 11) continue;
        out[f[10]].push_back({name, f[0], f[2]});
      }
    }
    return out;
  }

  fs::path dir;
  std::string toml;
  TimeZone tz = TimeZone::london();
  FakeClock clock{TimePoint{}};
  test::FakeEnv env{clock};
  std::unique_ptr<fake::FakeClassroom> classroom;
  Config cfg;
  std::unique_ptr<Daemon> daemon;
  std::optional<TimePoint> last_start;
};

TEST_F(SchoolWeek, MarksOnceEveryDayThroughAReloadAnOutageAndADayDown) {
  const Date tue = kMonday.plus_days(1), wed = kMonday.plus_days(2), thu = kMonday.plus_days(3),
             fri = kMonday.plus_days(4);

  // Monday: the whole school day on the hourly schedule.
  EXPECT_GE(run_until(at(kMonday, 23)), 9);
  EXPECT_EQ(work_statuses(kMonday).count("unknown"), 0u)
      << "Classroom answered all day, so every lesson's work is known";

  // Tuesday: Classroom cannot be reached all morning. Tuesday was read on Monday (the look
  // ahead), so the plan shows that last known state, marked as not current.
  classroom->stop();
  EXPECT_GE(run_until(at(tue, 12, 30)), 5);
  {
    int last_known = 0;
    auto st = work_statuses(tue, &last_known);
    int lessons = 0;
    for (auto& [status, n] : st) lessons += n;
    ASSERT_GT(lessons, 0);
    EXPECT_EQ(st["unknown"] + st["no_course"], lessons)
        << "nothing from Classroom is shown as current while it is down";
    EXPECT_GT(st["unknown"], 0);
    EXPECT_EQ(last_known, st["unknown"])
        << "each lesson Classroom was read for keeps its last known state";
  }
  // Back after lunch: the next cycle reads it again and the dashboard is current.
  classroom->start();
  EXPECT_GE(run_until(at(tue, 14, 30)), 1);
  {
    int last_known = 0;
    auto st = work_statuses(tue, &last_known);
    EXPECT_EQ(st.count("unknown"), 0u);
    EXPECT_EQ(last_known, 0);
  }

  // Tuesday afternoon the IT admin edits the config and reloads (SIGHUP). A broken edit is
  // refused and the service carries on with what it had; the fixed one is taken.
  const std::string good = toml;
  toml += "\n[bogus]\nx = 1\n";
  save_config();
  daemon->reload();
  EXPECT_EQ(daemon->snapshot().interval, 1h) << "a broken config is refused; the old one stays";
  EXPECT_EQ(daemon->snapshot().school_name, "Demo Academy");
  EXPECT_GE(run_until(at(tue, 15, 30)), 1);
  toml = good;
  replace("interval = \"1h\"", "interval = \"2h\"");
  replace("name = \"Demo Academy\"", "name = \"Demo Academy (reloaded)\"");
  save_config();
  daemon->reload();
  EXPECT_EQ(daemon->snapshot().interval, 2h);
  EXPECT_EQ(daemon->snapshot().school_name, "Demo Academy (reloaded)");
  cfg.schedule.interval = 2h;  // the timer the daemon re-armed runs on the new interval
  last_start.reset();
  EXPECT_GE(run_until(at(tue, 23)), 1);

  // Wednesday the server is down all day: no cycle runs. Thursday's first cycle catches
  // Wednesday up before Thursday, then the day goes on as usual.
  clock.set(at(thu, 6));
  last_start.reset();
  EXPECT_GE(run_until(at(thu, 23)), 4);
  EXPECT_GE(run_until(at(fri, 23)), 4);

  auto snap = daemon->snapshot();
  EXPECT_EQ(snap.cycles_by_result["failed"], 0u);
  EXPECT_TRUE(snap.store_fault.empty()) << snap.store_fault;

  // Every day's IE room is reconciled, the missed Wednesday included, and each of its lessons'
  // marks has gone to the MIS.
  auto rows = written();
  for (auto& [key, where] : rows) {
    EXPECT_EQ(where.size(), 1u) << key << " was written " << where.size() << " times, first in "
                                << where.front().file;
  }
  std::map<std::string, int> marks_on, exclusions_on;
  std::set<std::string> files_on;
  for (auto& [key, where] : rows) {
    if (where.front().kind == "lesson_mark") ++marks_on[where.front().date];
    if (where.front().kind == "exclusion") ++exclusions_on[where.front().date];
    files_on.insert(
        where.front().file.substr(7, 8));  // iesync-YYYYMMDD-...: the day it was written
  }
  for (Date d : {kMonday, tue, wed, thu, fri}) {
    SCOPED_TRACE(d.iso());
    auto p = plan(d);
    const auto& sessions = p.at("sessions").as_array();
    EXPECT_EQ(sessions.size(), 5u) << "the day's five bookings";
    int lessons = 0;
    for (const auto& s : sessions) {
      for (const auto& l : s.at("lessons").as_array()) {
        const auto state = str(l.at("mark").at("state"));
        if (str(s.at("status")) == "cancelled" || str(s.at("status")) == "absent") continue;
        ++lessons;
        EXPECT_EQ(state, "sent") << str(s.at("booking_id")) << " " << str(l.at("class"));
      }
    }
    EXPECT_GT(lessons, 0);
    EXPECT_EQ(marks_on[d.iso()], lessons) << "one mark in the MIS per lesson in IE";
    EXPECT_GT(exclusions_on[d.iso()], 0) << "the day's exclusion records";
  }
  const auto ymd = [](Date d) {
    auto s = d.iso();
    return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
  };
  EXPECT_EQ(files_on.count(ymd(wed)), 0u) << "nothing ran on Wednesday";
  EXPECT_EQ(files_on.count(ymd(thu)), 1u);
}

}  // namespace
}  // namespace iesync
