// Shared set-up for the MIS import tests: the demo school's captions and calendar as plain
// structs (no config loader), a temp store with an export folder, and fixture paths.
#pragma once

#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/clock.h"
#include "config/config.h"
#include "store/store.h"
#include "store/store_access.h"
#include "tests/support/files.h"

namespace iesync::mis_test {

namespace fs = std::filesystem;

inline fs::path fixtures() {
  return fs::path(IESYNC_SOURCE_DIR) / "tests" / "fixtures" / "mis";
}

using iesync::test::slurp;

inline void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A fixed "now" for the tests: Monday 23 November 2026, 09:00 UTC.
inline TimePoint test_now() {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{9};
}

inline void set_mtime(const fs::path& p, TimePoint t) {
  struct utimbuf tb {};
  tb.actime = tb.modtime = static_cast<time_t>(t.time_since_epoch().count());
  ::utime(p.c_str(), &tb);
}

inline Mapping demo_mapping() {
  Mapping m;
  m.fields[Feed::students] = {
      {"id", "Adno"},      {"forename", "Forename"}, {"surname", "Legal Surname"},
      {"year", "Year"},    {"reg_group", "Reg"},     {"email", "Primary Email"},
      {"upn", "UPN"},      {"sen", "SEN Status"},    {"pupil_premium", "Pupil Premium"},
      {"gender", "Gender"}};
  m.fields[Feed::staff] = {{"code", "Staff Code"}, {"name", "Name"}, {"email", "Email"}};
  m.fields[Feed::memberships] = {{"student_id", "Adno"},
                                 {"class", "Class"},
                                 {"start_date", "Start Date"},
                                 {"end_date", "End Date"}};
  m.fields[Feed::timetable] = {{"class", "ShortName"}, {"day", "DayName"},
                               {"start", "StartTime"}, {"end", "EndTime"},
                               {"room", "Name"},       {"teacher", "Staff Code"}};
  m.fields[Feed::bookings] = {{"id", "Booking ID"},
                              {"student_id", "Adno"},
                              {"date", "Date"},
                              {"start", "Start"},
                              {"end", "End"},
                              {"reason", "Reason"},
                              {"room", "Room"},
                              {"status", "Status"},
                              {"referred_by", "Referred By"},
                              {"incident_id", "Incident ID"}};
  m.fields[Feed::behaviour] = {{"id", "Incident ID"},
                               {"student_id", "Adno"},
                               {"date", "Date"},
                               {"time", "Time"},
                               {"type", "Type"},
                               {"points", "Points"},
                               {"recorded_by", "Recorded By"},
                               {"status", "Status"}};
  m.subjects = {{"Ma", "Mathematics"}, {"Sc", "Science"}, {"Tu", "Tutor time"}};
  auto& c = m.calendar;
  c.cycle = 2;
  c.first_monday = Date::from_ymd(2026, 9, 7);
  c.day_name = "Day{cycle_day}";
  c.day_aliases = {{"Da10", "Day10"}};
  c.am = *TimeRange::parse("08:45-13:10");
  c.pm = *TimeRange::parse("13:10-15:15");
  for (auto [n, r] : {std::pair{"1", "08:50-09:50"},
                      {"2", "09:50-10:50"},
                      {"3", "11:10-12:10"},
                      {"4", "12:10-13:10"},
                      {"5", "14:00-15:00"}})
    c.periods.emplace_back(n, *TimeRange::parse(r));
  return m;
}

inline Config demo_config(const fs::path& export_dir) {
  Config c;
  c.mis.export_dir = export_dir;
  c.mis.format = FeedFormat::xml;
  c.mis.feeds = {{Feed::students, "students.xml"},
                 {Feed::staff, "staff.xml"},
                 {Feed::memberships, "memberships.xml"},
                 {Feed::timetable, "timetable.xml"},
                 {Feed::bookings, "ie-bookings.xml"}};
  c.mapping = demo_mapping();
  c.safety.max_roster_drop = 0.15;
  return c;
}

// A temp store plus an export folder inside it.
struct ImportFixture {
  TempStore tmp;
  fs::path exports = tmp.dir() / "exports";
  FakeClock clock{test_now()};
  ImportFixture() { fs::create_directories(exports); }

  // Writes an export written an hour ago (settled).
  fs::path put(const std::string& name, const std::string& bytes) {
    auto p = exports / name;
    spit(p, bytes);
    set_mtime(p, clock.now() - std::chrono::hours{1});
    return p;
  }
  long long count(const std::string& table) {
    return StoreAccess::db(tmp.store()).execAndGet("SELECT count(*) FROM " + table).getInt64();
  }
};

// A CommandReporter XML report from rows of (element, value).
inline std::string xml_report(
    const std::vector<std::vector<std::pair<std::string, std::string>>>& rows) {
  std::string s = "<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n";
  for (auto& r : rows) {
    s += "  <Record>\n";
    for (auto& [k, v] : r) s += "    <" + k + ">" + v + "</" + k + ">\n";
    s += "  </Record>\n";
  }
  return s + "</SuperStarReport>\n";
}

inline std::string students_xml(int n, int first_id = 1) {
  std::string s = "<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n";
  for (int i = first_id; i < first_id + n; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%06d", i);
    s += std::string("  <Record><Adno>") + id + "</Adno><Forename>F" + std::to_string(i) +
         "</Forename><Legal_x0020_Surname>S" + std::to_string(i) +
         "</Legal_x0020_Surname><Year>Year  9</Year><Reg>9X</Reg></Record>\n";
  }
  return s + "</SuperStarReport>\n";
}

}  // namespace iesync::mis_test
