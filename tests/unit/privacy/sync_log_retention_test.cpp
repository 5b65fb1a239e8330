// sync.log / sync.jsonl: every file private (0640 or tighter) including rotated ones, and
// nothing older than [store] retain kept, driven by a FakeClock.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include "daemon/sync_log.h"
#include "privacy_support.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using privacy_test::mode_of;
using privacy_test::slurp;

TimePoint utc(int y, unsigned mo, unsigned d, int h = 12) {
  return std::chrono::sys_days{std::chrono::year{y} / mo / d} + std::chrono::hours{h};
}

class SyncLogPrivacy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("iesync-log-" + std::to_string(std::random_device{}()));
    old_umask = ::umask(000);  // the loosest: modes must not depend on the caller's umask
  }
  void TearDown() override {
    ::umask(old_umask);
    fs::remove_all(dir);
  }
  std::vector<fs::path> files() {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  static void set_mtime(const fs::path& p, TimePoint t) {
    struct utimbuf u {
      t.time_since_epoch().count(), t.time_since_epoch().count()
    };
    ASSERT_EQ(::utime(p.c_str(), &u), 0);
  }
  static void say(SyncLog& log, const std::string& msg) {
    log.emit(Event{Severity::info, "test", msg, {{"n", msg}}});
  }

  fs::path dir;
  mode_t old_umask = 022;
};

TEST_F(SyncLogPrivacy, LiveAndRotatedFilesAreNotReadableByOthers) {
  FakeClock clock(utc(2026, 11, 23));
  SyncLogOptions o;
  o.dir = dir;
  o.max_file_bytes = 2048;
  o.max_files = 3;
  {
    auto log = SyncLog::open(o, clock);
    ASSERT_TRUE(log) << log.error().to_string();
    for (int i = 0; i < 200; ++i) say(**log, "Line " + std::to_string(i) + std::string(60, '.'));
  }
  auto all = files();
  EXPECT_TRUE(fs::exists(dir / "sync.1.log")) << "the test must make spdlog rotate";
  EXPECT_TRUE(fs::exists(dir / "sync.2.jsonl"));
  EXPECT_GE(all.size(), 6u);
  for (const auto& f : all)
    EXPECT_EQ(mode_of(f) & 027, 0u) << f << " mode " << std::oct << mode_of(f);
}

TEST_F(SyncLogPrivacy, AnExistingLooseLogIsTightenedAtOpen) {
  fs::create_directories(dir);
  std::ofstream(dir / "sync.log") << "2026-11-20T09:00:00Z       old line\n";
  ::chmod((dir / "sync.log").c_str(), 0644);
  FakeClock clock(utc(2026, 11, 23));
  SyncLogOptions o;
  o.dir = dir;
  ASSERT_TRUE(SyncLog::open(o, clock));
  EXPECT_EQ(mode_of(dir / "sync.log"), 0640u);
}

TEST_F(SyncLogPrivacy, SweepRemovesExpiredRotatedFilesAndCutsExpiredLines) {
  fs::create_directories(dir);
  // Rotated files from long ago (by their last write) and one that is partly expired.
  std::ofstream(dir / "sync.3.log") << "2022-01-10T09:00:00Z       Ruby left the room\n";
  std::ofstream(dir / "sync.3.jsonl") << "{\"time\":\"2022-01-10T09:00:00Z\",\"message\":\"x\"}\n";
  set_mtime(dir / "sync.3.log", utc(2022, 1, 10));
  set_mtime(dir / "sync.3.jsonl", utc(2022, 1, 10));
  std::ofstream(dir / "sync.2.log") << "2023-11-01T09:00:00Z       expired line\n"
                                    << "   a continuation of the expired line\n"
                                    << "2026-11-01T09:00:00Z       recent line\n";
  set_mtime(dir / "sync.2.log", utc(2026, 11, 1));
  std::ofstream(dir / "sync.log") << "2023-11-20T09:00:00Z ERROR expired live line\n"
                                  << "2026-11-20T09:00:00Z       kept live line\n";
  std::ofstream(dir / "sync.jsonl") << "{\"time\":\"2023-11-20T09:00:00Z\",\"message\":\"old\"}\n"
                                    << "{\"time\":\"2026-11-20T09:00:00Z\",\"message\":\"new\"}\n";

  FakeClock clock(utc(2026, 11, 23));
  SyncLogOptions o;
  o.dir = dir;
  o.retain = std::chrono::days{3 * 365};  // cutoff 2023-11-24T12:00:00Z
  auto log = SyncLog::open(o, clock);     // open sweeps
  ASSERT_TRUE(log) << log.error().to_string();
  EXPECT_FALSE(fs::exists(dir / "sync.3.log"));
  EXPECT_FALSE(fs::exists(dir / "sync.3.jsonl"));
  EXPECT_EQ(slurp(dir / "sync.2.log"), "2026-11-01T09:00:00Z       recent line\n");
  EXPECT_EQ(slurp(dir / "sync.log"), "2026-11-20T09:00:00Z       kept live line\n");
  EXPECT_EQ(slurp(dir / "sync.jsonl"), "{\"time\":\"2026-11-20T09:00:00Z\",\"message\":\"new\"}\n");

  // Appends after the in-place cut land after the kept lines.
  say(**log, "after the sweep");
  (*log)->flush();
  auto text = slurp(dir / "sync.log");
  EXPECT_EQ(
      text.find(
          "2026-11-20T09:00:00Z       kept live line\n2026-11-23T12:00:00Z       after the sweep"),
      0u)
      << text;
  EXPECT_EQ(text.find('\0'), std::string::npos) << "no hole where the cut lines were";

  // A sweep with nothing expired changes nothing.
  auto s = (*log)->sweep();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->files_removed, 0);
  EXPECT_EQ(s->lines_dropped, 0);
  EXPECT_EQ(slurp(dir / "sync.log"), text);
}

TEST_F(SyncLogPrivacy, ALongRunningLogSweepsItselfFromEmit) {
  FakeClock clock(utc(2026, 11, 23));
  SyncLogOptions o;
  o.dir = dir;
  o.retain = std::chrono::days{30};
  auto log = SyncLog::open(o, clock);
  ASSERT_TRUE(log);
  say(**log, "first day");
  clock.advance(std::chrono::days{20});
  say(**log, "twenty days on");
  (*log)->flush();
  EXPECT_NE(slurp(dir / "sync.log").find("first day"), std::string::npos);
  clock.advance(std::chrono::days{15});  // "first day" is now 35 days old
  say(**log, "thirty-five days on");
  (*log)->flush();
  auto text = slurp(dir / "sync.log");
  EXPECT_EQ(text.find("first day"), std::string::npos) << text;
  EXPECT_NE(text.find("twenty days on"), std::string::npos) << text;
  EXPECT_NE(text.find("thirty-five days on"), std::string::npos) << text;
  EXPECT_EQ(slurp(dir / "sync.jsonl").find("first day"), std::string::npos);
}

TEST_F(SyncLogPrivacy, WithoutRetainNothingIsCut) {
  fs::create_directories(dir);
  std::ofstream(dir / "sync.log") << "2001-01-01T09:00:00Z       very old\n";
  FakeClock clock(utc(2026, 11, 23));
  SyncLogOptions o;
  o.dir = dir;
  auto log = SyncLog::open(o, clock);
  ASSERT_TRUE(log);
  EXPECT_NE(slurp(dir / "sync.log").find("very old"), std::string::npos);
}

}  // namespace
}  // namespace iesync
