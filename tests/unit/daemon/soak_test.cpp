// Soak: many cycles in one process, as `iesync run` does for months, against the Classroom
// fake over loopback and a real store, with a fast clock. Memory and open descriptors must
// stay flat. The unit suite runs a short soak; `ctest -L long` runs 10,000 cycles
// (IESYNC_SOAK_CYCLES).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/generator/classroom_fixture.h"
#include "bench/generator/school_generator.h"
#include "config/load.h"
#include "daemon/cycle.h"
#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"
#include "tests/support/demo_school.h"
#include "tests/support/fake_env.h"
#include "tests/support/files.h"
#include "tests/support/sanitizer.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;

using test::slurp;

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

int open_fds() {
  int n = 0;
  for (auto it = fs::directory_iterator("/proc/self/fd"); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

// Counts events and keeps none: a sink that remembered them would itself grow.
class CountingSink final : public EventSink {
 public:
  void emit(const Event& e) override {
    if (e.severity != Severity::info) ++problems;
    last = e.message;
  }
  long problems = 0;
  std::string last;
};

TEST(Soak, ThousandsOfCyclesKeepMemoryAndDescriptorsFlat) {
  const char* env = std::getenv("IESYNC_SOAK_CYCLES");
  const int cycles = env ? std::atoi(env) : 60;

  fs::path dir = test::copy_demo_school("iesync-soak");

  // The demo school's own Classroom (the demo exports come from the same generator and seed).
  gen::Options o;
  FakeClock clock(SystemClock().now());  // Google's token checks read the same fast clock
  fake::FakeOptions fo;
  fo.clock = &clock;
  fo.page_size = 50;
  fo.public_key_pem = fake::shared_test_key_pair().public_pem;
  fake::FakeClassroom classroom(fo);
  ASSERT_TRUE(classroom.load_fixture_json(
      boost::json::serialize(gen::classroom_fixture(gen::generate(o), o))));
  classroom.start();
  fs::create_directories(dir / "classroom");
  auto account = fake::write_service_account_key(dir / "classroom", classroom.token_uri());
  std::string toml = slurp(dir / "iesync.toml");
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = toml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    toml.replace(at, from.size(), to);
  };
  replace("enabled = false", "enabled = true");
  replace("api_base = \"https://classroom.googleapis.com\"",
          "api_base = \"" + classroom.base_url() + "\"");
  replace("token_uri = \"https://oauth2.googleapis.com/token\"",
          "token_uri = \"" + classroom.token_uri() + "\"\nkey_file = \"" +
              account.key_file.string() +
              "\"\nimpersonate = \"iesync-reader@demo.example.sch.uk\"");
  std::ofstream(dir / "iesync.toml", std::ios::trunc) << toml;

  auto loaded = load_config(dir / "iesync.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.problems.front().to_string();
  auto store = Store::open(loaded.config.store.path);
  ASSERT_TRUE(store);

  CountingSink events;
  test::FakeEnv fake_env(clock);
  ClassroomMetrics metrics;
  CycleDeps deps;
  deps.classroom_metrics = &metrics;
  deps.sleep = [](std::chrono::milliseconds) {};  // retry waits take no time on this clock
  CycleOptions opts;
  opts.date = Date::from_ymd(2026, 11, 23);  // the demo's IE day: Classroom is asked every cycle

  long warm_rss = 0;
  int warm_fds = 0;
  const int warm_at = std::max(10, cycles / 10);
  for (int i = 1; i <= cycles; ++i) {
    auto r = run_cycle(loaded.config, **store, events, fake_env, opts, deps);
    ASSERT_NE(r.exit_code, 3) << "cycle " << i << ": " << r.summary;
    clock.advance(std::chrono::minutes(15));
    classroom.clear_requests();  // the fake's own request log would grow ~6 KiB a cycle
    if (i == warm_at) {
      warm_rss = rss_kib();
      warm_fds = open_fds();
    }
  }
  long end_rss = rss_kib();
  int end_fds = open_fds();
  EXPECT_EQ(events.problems, 0) << events.last;
  EXPECT_GT(metrics.requests("courseWork.list"), static_cast<std::uint64_t>(cycles - 1))
      << "Classroom was asked every cycle";
  // The fake's server thread may still be closing the last connection when we count; a leak
  // of one a cycle would show as dozens.
  EXPECT_LE(end_fds, warm_fds + 2) << "descriptors leak: " << warm_fds << " after " << warm_at
                                   << " cycles, " << end_fds << " after " << cycles;
  // Allocator noise and SQLite's page cache settle well within this; a leak of a few KiB a
  // cycle over 10,000 cycles would not.
  // AddressSanitizer holds freed memory in quarantine (256 MB by default), so RSS climbs for
  // reasons that are not ours; there LeakSanitizer checks for leaks at exit instead.
  if (!test::kUnderAddressSanitizer) {
    EXPECT_LE(end_rss - warm_rss, 16 * 1024)
        << "RSS grew from " << warm_rss << " KiB to " << end_rss << " KiB over "
        << (cycles - warm_at) << " cycles";
  }
  RecordProperty("rss_warm_kib", std::to_string(warm_rss));
  RecordProperty("rss_end_kib", std::to_string(end_rss));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace iesync
