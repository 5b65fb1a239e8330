// Text from an export, shown back: the real binary on a copy of the demo school. A cell can
// hold terminal control sequences or a newline followed by something that reads like a log
// line; neither may reach sync.log, the terminal or sync.jsonl as anything but text.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/demo_school.h"
#include "tests/support/files.h"
#include "tests/support/shell.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using test::slurp;

const std::string kEscAdno = "X99\x1b[2J\x1b]0;pwned\x07";
const std::string kForgedAdno = "X98\n2026-12-04T10:00:00Z ERROR   forged line";

test::ShellResult run(const std::string& args) {
  return test::shell(std::string(IESYNC_BINARY) + " " + args + " 2>&1");
}

// The raw bytes a terminal would act on: C0 other than TAB and LF, DEL, and C1 (UTF-8 C2 80..9F).
std::string raw_controls(const std::string& text) {
  std::string found;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    const bool c1 = b == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if ((b < 0x20 && b != '\t' && b != '\n') || b == 0x7F || c1) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%02x", b);
      found += std::string(hex) + "@" + std::to_string(i) + " ";
    }
  }
  return found;
}

// A CSV cell, quoted so a newline stays inside it (RFC 4180).
std::string cell(const std::string& v) {
  return "\"" + v + "\"";
}

class HostileText : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::copy_demo_school("iesync-hostile");
    config = (dir / "iesync.toml").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  // The demo school as CSV exports: two students and one lesson, with a membership and a
  // booking for hostile admission numbers the students export does not have, so the
  // importer reports each record, naming the value where it can.
  void use_csv_exports() {
    std::string cfg = slurp(dir / "iesync.toml");
    const auto from = cfg.find("[mis]"), to = cfg.find("[classroom]");
    ASSERT_NE(from, std::string::npos);
    ASSERT_NE(to, std::string::npos);
    cfg.replace(from, to - from,
                "[mis]\nexport_dir = \"exports\"\nformat = \"csv\"\nencoding = \"utf-8\"\n"
                "feeds.students = \"students.csv\"\nfeeds.staff = \"staff.csv\"\n"
                "feeds.memberships = \"memberships.csv\"\nfeeds.timetable = \"timetable.csv\"\n"
                "feeds.bookings = \"ie-bookings.csv\"\n\n");
    std::ofstream(dir / "iesync.toml") << cfg;
    for (auto& e : fs::directory_iterator(dir / "exports")) fs::remove(e.path());
    write(
        "students.csv",
        "Adno,Forename,Legal Surname,Year,Reg,Primary Email,UPN,SEN Status,Pupil Premium,Gender\r\n"
        "001001,Ada,Lovelace,Year  9,9X,,,N,N,F\r\n"
        "001002,Alan,Turing,Year 10,10Y,,,N,N,M\r\n");
    write("staff.csv", "Staff Code,Name,Email\r\nGTU,\"Turner, George\",\r\n");
    write("timetable.csv",
          "ShortName,DayName,StartTime,EndTime,Name,Staff "
          "Code\r\n9X1/Ma,Day1,09:50,10:50,M1,GTU\r\n");
    write("memberships.csv",
          "Adno,Class,Start Date,End Date\r\n"
          "001001,9X1/Ma,2026-09-07,\r\n" +
              cell(kEscAdno) + ",9X1/Ma,2026-09-07,\r\n");
    write("ie-bookings.csv",
          "Booking ID,Adno,Date,Start,End,Reason,Room,Status\r\n"
          "IE000001,001001,2026-11-23,2,3,VA,IE1,booked\r\n"
          "IE000002," +
              cell(kForgedAdno) + ",2026-11-23,2,3,VA,IE1,booked\r\n");
  }

  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir / "exports" / name, std::ios::binary) << bytes;
    test::backdate(dir / "exports" / name);
  }

  fs::path dir;
  std::string config;
};

TEST_F(HostileText, ExportCellsReachSyncLogEscapedAndForgeNoLine) {
  use_csv_exports();
  auto dry = run("sync --dry-run --date 2026-11-23 --config " + config);
  EXPECT_EQ(raw_controls(dry.out), "") << "sync --dry-run prints the events to the terminal:\n"
                                       << dry.out;
  EXPECT_EQ(dry.out.find("\nforged line"), std::string::npos) << dry.out;

  auto r = run("sync --date 2026-11-23 --config " + config);
  EXPECT_EQ(raw_controls(r.out), "") << r.out;

  const auto text = slurp(dir / "var/log/sync.log");
  ASSERT_FALSE(text.empty()) << r.out;
  EXPECT_EQ(raw_controls(text), "") << text;
  static const std::regex ours(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (     |WARN |ERROR) .*)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(std::regex_match(line, ours)) << "a line iesync did not write: " << line;
    EXPECT_FALSE(line.starts_with("2026-12-04T10:00:00Z")) << "a forged line: " << line;
  }
  // The newline is a line break CSV allows inside a quoted cell, so the record is read and
  // its problem quotes the value.
  EXPECT_NE(text.find(R"(X98\x0a2026-12-04T10:00:00Z ERROR   forged line)"), std::string::npos)
      << text;
  // Whether the importer quotes a value holding ESC or refuses it before, it is never raw.
  if (text.find("X99") != std::string::npos) {
    EXPECT_NE(text.find(R"(X99\x1b[2J\x1b]0;pwned\x07)"), std::string::npos) << text;
  }

  std::istringstream json_lines(slurp(dir / "var/log/sync.jsonl"));
  int n = 0;
  bool forged_kept_exactly = false;
  while (std::getline(json_lines, line)) {
    ++n;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    auto message = std::string(v.at("message").as_string());
    if (message.find(kForgedAdno) != std::string::npos) forged_kept_exactly = true;
  }
  EXPECT_GT(n, 0);
  EXPECT_TRUE(forged_kept_exactly) << "sync.jsonl keeps the value exact, in JSON's own escapes";
}

// What a terminal shows from the store: plan, status and outbox list. The store is edited
// directly, so this holds whichever export (or remote answer) a value came from.
TEST_F(HostileText, PlanStatusAndOutboxShowStoredTextEscaped) {
  auto r = run("sync --date 2026-11-23 --config " + config);
  ASSERT_EQ(r.code, 0) << r.out;
  {
    SQLite::Database db((dir / "var/iesync.db").string(), SQLite::OPEN_READWRITE);
    SQLite::Statement name(db, "UPDATE students SET forename = ?, surname = ? WHERE id = '001038'");
    name.bind(1, "Eve\x1b[2J\x1b]0;pwned\x07");
    name.bind(2,
              "Smith\n  forged lesson row \xc2\x9b"
              "31m");
    ASSERT_EQ(name.exec(), 1);
    SQLite::Statement err(
        db, "UPDATE outbox SET last_error = ? WHERE id = (SELECT MIN(id) FROM outbox)");
    err.bind(1, "the MIS said \x1b[31mno\x1b[0m\r\nX-Forged: yes");
    ASSERT_EQ(err.exec(), 1);
    SQLite::Statement sum(db,
                          "UPDATE cycles SET summary = ? WHERE id = (SELECT MAX(id) FROM cycles)");
    sum.bind(1, "Cycle \x1b]0;pwned\x07 done");
    ASSERT_EQ(sum.exec(), 1);
  }

  auto plan = run("plan --date 2026-11-23 --config " + config);
  ASSERT_EQ(plan.code, 0) << plan.out;
  EXPECT_EQ(raw_controls(plan.out), "") << plan.out;
  EXPECT_NE(plan.out.find(R"(Eve\x1b[2J\x1b]0;pwned\x07 Smith\x0a  forged lesson row \u009b31m)"),
            std::string::npos)
      << plan.out;
  auto json = run("plan --json --date 2026-11-23 --config " + config);
  ASSERT_EQ(json.code, 0);
  EXPECT_NO_THROW(boost::json::parse(json.out)) << "plan --json is JSON, escaped its own way";

  auto outbox = run("outbox list --config " + config);
  ASSERT_EQ(outbox.code, 0) << outbox.out;
  EXPECT_EQ(raw_controls(outbox.out), "") << outbox.out;
  EXPECT_NE(outbox.out.find(R"(the MIS said \x1b[31mno\x1b[0m\x0d\x0aX-Forged: yes)"),
            std::string::npos)
      << outbox.out;

  auto status = run("status --config " + config);
  EXPECT_EQ(raw_controls(status.out), "") << status.out;
  EXPECT_NE(status.out.find(R"(Cycle \x1b]0;pwned\x07 done)"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace iesync
