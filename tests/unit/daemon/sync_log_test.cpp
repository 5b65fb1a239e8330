// sync.log is for the behaviour lead: problems and one summary per cycle, not "nothing
// changed" every few minutes; sync.jsonl keeps every event for machines.
#include "daemon/sync_log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
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
    (*log)->emit(Event{Severity::warning,
                       "booking.problem",
                       "Booking IE1 for Ada covers no lessons",
                       {{"booking_id", "IE1"}}});
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

// An export's cell reaches sync.log inside a message: it must not drive the terminal that
// shows the log, nor start a line of its own that reads like iesync's.
TEST_F(SyncLogText, ControlsFromAnExportAreEscapedAndNeverStartALine) {
  const std::string esc_adno = "X99\x1b[2J\x1b]0;pwned\x07";
  const std::string forged_adno = "X98\n2026-12-04T10:00:00Z ERROR   forged line";
  const std::string c1_and_bad_utf8 =
      "Zo\xc3\xab \xc2\x9b"
      "31m \xff\xfe";
  {
    FakeClock clock(TimePoint{std::chrono::seconds{1795420800}});
    SyncLogOptions o;
    o.dir = dir;
    auto log = SyncLog::open(o, clock);
    ASSERT_TRUE(log) << log.error().to_string();
    (*log)->emit(
        Event{Severity::warning,
              "feed.record_skipped",
              "memberships.csv:record 2: student " + esc_adno + " is not in the students export",
              {{"record", "2"}}});
    (*log)->emit(
        Event{Severity::warning,
              "feed.record_skipped",
              "ie-bookings.csv:record 2: student " + forged_adno + " is not in the students export",
              {{"student", forged_adno}}});
    (*log)->emit(Event{Severity::error,
                       "writeback.failed",
                       "the MIS answered: " + c1_and_bad_utf8,
                       {{"body", c1_and_bad_utf8}}});
    (*log)->flush();
  }
  auto text = slurp(dir / "sync.log");
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    EXPECT_TRUE(b == '\n' || (b >= 0x20 && b != 0x7f)) << "raw control byte " << int(b) << " in:\n"
                                                       << text;
  }
  EXPECT_NE(text.find(R"(student X99\x1b[2J\x1b]0;pwned\x07 is not)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(student X98\x0a2026-12-04T10:00:00Z ERROR   forged line is not)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Zo\xc3\xab \\u009b31m \\xff\\xfe"), std::string::npos)
      << "C1 and bytes that are not UTF-8 are escaped, good UTF-8 kept: " << text;
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    EXPECT_TRUE(line.starts_with("2026-11-23T08:00:00Z "))
        << "a line iesync did not write: " << line;
  }
  EXPECT_EQ(n, 3) << text;

  // sync.jsonl keeps the exact value where JSON can (its own escapes), and stays valid JSON.
  std::istringstream json_lines(slurp(dir / "sync.jsonl"));
  std::vector<boost::json::object> docs;
  while (std::getline(json_lines, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    docs.push_back(v.as_object());
  }
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[1].at("student").as_string(), forged_adno);
  EXPECT_NE(std::string(docs[0].at("message").as_string()).find(esc_adno), std::string::npos);
  EXPECT_EQ(docs[2].at("body").as_string(), "Zo\xc3\xab \\u009b31m \\xff\\xfe")
      << "a value that is not UTF-8 is shown escaped rather than making the line invalid JSON";
}

}  // namespace
}  // namespace iesync
