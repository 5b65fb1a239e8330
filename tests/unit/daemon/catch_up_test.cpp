// A restarted daemon catches up every open school day it missed ([schedule] catch_up), from
// the last day reconciled as today as the store recorded it: the demo school on a real store,
// a daemon stopped on Monday and a new one started on Thursday, on a fake clock.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "daemon/daemon.h"
#include "daemon/runtime.h"
#include "store/cycle_log.h"
#include "store/store_access.h"
#include "tests/support/demo_school.h"
#include "tests/support/fake_env.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A week with no closed day in the demo calendar, in winter (UTC is school time). Later than
// the backdated exports, so they are read.
TimePoint at(unsigned day, int hour) {
  return std::chrono::sys_days{std::chrono::year{2030} / 1 / day} + std::chrono::hours{hour};
}

class CatchUp : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // One daemon process's life: opened as `iesync run` opens it, one pass of cycles, stopped.
  void run_daemon_once(int catch_up, int look_ahead) {
    int rc = 0;
    auto rt = open_runtime((dir / "iesync.toml").string(), /*with_log=*/true, clock, rc);
    ASSERT_TRUE(rt) << rc;
    rt->config.schedule.catch_up = catch_up;
    rt->config.schedule.look_ahead = look_ahead;
    auto read_store = Store::open(rt->config.store.path);
    ASSERT_TRUE(read_store);
    Daemon d(DaemonOptions{}, env, rt->config, std::move(rt->store), std::move(*read_store),
             std::move(rt->log));
    d.do_cycles();
  }

  // The cycles of the store since `since`, as "day kind" in the order they ran.
  std::vector<std::string> cycles_since(TimePoint since) {
    auto store = Store::open(dir / "var/iesync.db");
    EXPECT_TRUE(store);
    std::vector<std::string> out;
    if (!store) return out;
    SQLite::Statement q(StoreAccess::db(**store),
                        "SELECT day, day_kind, result FROM cycles WHERE started_at >= ? "
                        "ORDER BY id");
    q.bind(1, format_utc(since));
    while (q.executeStep()) {
      EXPECT_NE(q.getColumn(2).getString(), "failed");
      out.push_back(q.getColumn(0).getString() + " " + q.getColumn(1).getString());
    }
    return out;
  }

  fs::path dir = test::copy_demo_school("iesync-catch-up");
  FakeClock clock{at(7, 10)};  // Monday
  test::FakeEnv env{clock};
};

TEST_F(CatchUp, ARestartCatchesUpEveryOpenDayMissedSinceTheLastSuccess) {
  run_daemon_once(10, 1);
  EXPECT_EQ(cycles_since(at(7, 0)),
            (std::vector<std::string>{"2030-01-04 catch_up", "2030-01-07 today",
                                      "2030-01-08 look_ahead"}))
      << "a first start catches up the one school day before (Friday)";

  clock.set(at(10, 10));  // down Tuesday and Wednesday; started again on Thursday
  run_daemon_once(10, 1);
  EXPECT_EQ(cycles_since(at(10, 0)),
            (std::vector<std::string>{"2030-01-08 catch_up", "2030-01-09 catch_up",
                                      "2030-01-10 today", "2030-01-11 look_ahead"}))
      << "Tuesday's look-ahead on Monday does not count: its lessons had not happened";

  clock.set(at(10, 11));  // the same day again: nothing left to catch up
  run_daemon_once(10, 0);
  EXPECT_EQ(cycles_since(at(10, 11)), (std::vector<std::string>{"2030-01-10 today"}));
}

TEST_F(CatchUp, AtMostCatchUpDaysTheMostRecentOnes) {
  run_daemon_once(10, 0);
  clock.set(at(17, 10));  // down a week: Tue 8 .. Wed 16 missed (7 school days)
  run_daemon_once(2, 0);
  EXPECT_EQ(
      cycles_since(at(17, 0)),
      (std::vector<std::string>{"2030-01-15 catch_up", "2030-01-16 catch_up", "2030-01-17 today"}));
}

}  // namespace
}  // namespace iesync
