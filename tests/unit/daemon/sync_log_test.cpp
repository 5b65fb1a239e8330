// sync.log is for the behaviour lead: problems and one summary per cycle, not "nothing
// changed" every few minutes; sync.jsonl keeps every event for machines.
#include "daemon/sync_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "tests/support/files.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;

using test::slurp;

class SyncLogText : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("iesync-synclog-" + std::to_string(std::random_device{}()));
  }
  void TearDown() override { fs::remove_all(dir); }
  void write_events(const std::string& level) {
    FakeClock clock(TimePoint{std::chrono::seconds{1795420800}});
    SyncLogOptions o;
    o.dir = dir;
    o.level = level;
    auto log = SyncLog::open(o, clock);
    ASSERT_TRUE(log) << log.error().to_string();
    (*log)->emit(Event{Severity::info, "feed.unchanged", "students.xml is unchanged", {}});
    (*log)->emit(Event{Severity::warning, "booking.problem", "Booking IE1 for Ada covers no lessons", {{"booking_id", "IE1"}}});
    (*log)->emit(Event{Severity::info, "cycle.done", "Cycle for 2026-11-23: 1 student(s)", {}});
    (*log)->flush();
  }
  fs::path dir;
};

TEST_F(SyncLogText, RoutineUnchangedExportsStayOutOfThePlainLog) {
  write_events("info");
  auto text = slurp(dir / "sync.log");
  EXPECT_EQ(text.find("is unchanged"), std::string::npos) << text;
  EXPECT_NE(text.find("WARN  Booking IE1 for Ada covers no lessons"), std::string::npos) << text;
  EXPECT_NE(text.find("Cycle for 2026-11-23"), std::string::npos) << text;
  auto json = slurp(dir / "sync.jsonl");
  EXPECT_NE(json.find("\"kind\":\"feed.unchanged\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"booking_id\":\"IE1\""), std::string::npos) << json;
}

TEST_F(SyncLogText, DebugLevelShowsEverything) {
  write_events("debug");
  EXPECT_NE(slurp(dir / "sync.log").find("students.xml is unchanged"), std::string::npos);
}

TEST_F(SyncLogText, WarnLevelKeepsOnlyProblems) {
  write_events("warn");
  auto text = slurp(dir / "sync.log");
  EXPECT_NE(text.find("covers no lessons"), std::string::npos);
  EXPECT_EQ(text.find("Cycle for"), std::string::npos) << text;
}

}  // namespace
}  // namespace iesync
