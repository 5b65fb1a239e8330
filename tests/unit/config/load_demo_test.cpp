// The bundled demo config loads into the values the demo school relies on.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/load.h"
#include "config_test_support.h"
#include "connectors/mis/feed_mapper.h"
#include "connectors/mis/xml_reader.h"
#include "mapping/calendar.h"

namespace iesync {
namespace {

using namespace testing_config;

class DemoConfig : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new LoadedConfig(load_config(source_dir() / "examples/demo/iesync.toml"));
  }
  static void TearDownTestSuite() { delete loaded_; }
  const Config& c() { return loaded_->config; }
  static LoadedConfig* loaded_;
};
LoadedConfig* DemoConfig::loaded_ = nullptr;

TEST_F(DemoConfig, LoadsWithoutProblems) {
  for (const auto& p : loaded_->problems) ADD_FAILURE() << p.to_string();
  EXPECT_TRUE(loaded_->ok());
}

TEST_F(DemoConfig, PathsResolveAgainstTheConfigFolder) {
  const fs::path demo = (source_dir() / "examples/demo").lexically_normal();
  EXPECT_EQ(c().source, demo / "iesync.toml");
  EXPECT_EQ(c().school.mapping, demo / "mapping.toml");
  EXPECT_EQ(c().mapping.source, demo / "mapping.toml");
  EXPECT_EQ(c().store.path, demo / "var/iesync.db");
  EXPECT_EQ(c().mis.export_dir, demo / "exports");
  EXPECT_EQ(c().writeback.outbox_dir, demo / "var/mis-imports");
  EXPECT_EQ(c().log.dir, demo / "var/log");
}

TEST_F(DemoConfig, IesyncTomlValues) {
  EXPECT_EQ(c().school.name, "Demo Academy");
  EXPECT_EQ(c().school.timezone, "Europe/London");
  EXPECT_EQ(c().store.retain, std::chrono::seconds{std::chrono::days{3 * 365}});
  EXPECT_EQ(c().mis.format, FeedFormat::xml);
  EXPECT_EQ(c().mis.encoding, FeedEncoding::utf8);
  ASSERT_EQ(c().mis.feeds.size(), 6u);
  EXPECT_EQ(c().mis.feeds.at(Feed::behaviour), "behaviour.xml");
  EXPECT_EQ(c().impact.windows, (std::vector<int>{10, 20}));
  EXPECT_EQ(c().impact.sen_repeat_ie, (ImpactThreshold{2, 30}));
  EXPECT_EQ(c().mis.feeds.at(Feed::students), "students.xml");
  EXPECT_EQ(c().mis.feeds.at(Feed::bookings), "ie-bookings.xml");
  EXPECT_FALSE(c().classroom.enabled);
  EXPECT_EQ(c().writeback.target, WritebackTarget::file);
  EXPECT_EQ(c().schedule.interval, std::chrono::minutes{15});
  EXPECT_EQ(c().schedule.school_hours, (TimeRange{TimeOfDay::hm(7, 30), TimeOfDay::hm(17, 0)}));
  EXPECT_EQ(c().schedule.days, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(c().status.host, "127.0.0.1");
  EXPECT_EQ(c().status.port, 8470);
  EXPECT_TRUE(c().status.token_file.empty());
  EXPECT_EQ(c().log.level, "info");
  EXPECT_DOUBLE_EQ(c().safety.max_roster_drop, 0.15);
}

TEST_F(DemoConfig, FieldCaptionsAreTheDemoExportCaptions) {
  const auto& f = c().mapping.fields;
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f.at(Feed::behaviour).at("recorded_by"), "Recorded By");
  EXPECT_EQ(f.at(Feed::students).at("surname"), "Legal Surname");
  EXPECT_EQ(f.at(Feed::students).at("pupil_premium"), "Pupil Premium");
  EXPECT_EQ(f.at(Feed::students).size(), 10u);
  EXPECT_EQ(f.at(Feed::staff).at("code"), "Staff Code");
  EXPECT_EQ(f.at(Feed::memberships).at("end_date"), "End Date");
  EXPECT_EQ(f.at(Feed::timetable).at("day"), "DayName");
  EXPECT_EQ(f.at(Feed::timetable).at("teacher"), "Staff Code");
  EXPECT_EQ(f.at(Feed::bookings).at("id"), "Booking ID");
  EXPECT_EQ(f.at(Feed::bookings).size(), 8u);
}

TEST_F(DemoConfig, Calendar) {
  const auto& cal = c().mapping.calendar;
  EXPECT_EQ(cal.cycle, 2);
  EXPECT_EQ(cal.first_monday, Date::from_ymd(2026, 9, 7));
  EXPECT_EQ(cal.day_name, "Day{cycle_day}");
  EXPECT_EQ(cal.day_aliases, (std::map<std::string, std::string>{{"Da10", "Day10"}}));
  ASSERT_EQ(cal.closed.size(), 5u);  // sorted by first date
  EXPECT_EQ(cal.closed[0], (DateRange{Date::from_ymd(2026, 10, 26), Date::from_ymd(2026, 10, 30)}));
  EXPECT_EQ(cal.closed[1], (DateRange{Date::from_ymd(2026, 12, 21), Date::from_ymd(2027, 1, 1)}));
  EXPECT_EQ(cal.closed[2], (DateRange{Date::from_ymd(2027, 1, 4), Date::from_ymd(2027, 1, 4)}));
  EXPECT_EQ(cal.closed[4], (DateRange{Date::from_ymd(2027, 3, 29), Date::from_ymd(2027, 4, 9)}));
  EXPECT_EQ(cal.am, (TimeRange{TimeOfDay::hm(8, 45), TimeOfDay::hm(13, 10)}));
  EXPECT_EQ(cal.pm, (TimeRange{TimeOfDay::hm(13, 10), TimeOfDay::hm(15, 15)}));
  ASSERT_EQ(cal.periods.size(), 5u);  // in file order
  EXPECT_EQ(cal.periods[0].first, "1");
  EXPECT_EQ(cal.periods[0].second, (TimeRange{TimeOfDay::hm(8, 50), TimeOfDay::hm(9, 50)}));
  EXPECT_EQ(cal.periods[4].first, "5");
  EXPECT_EQ(cal.periods[4].second, (TimeRange{TimeOfDay::hm(14, 0), TimeOfDay::hm(15, 0)}));
}

TEST_F(DemoConfig, SubjectsCoursesWorkAndCodes) {
  const auto& m = c().mapping;
  EXPECT_EQ(m.subjects.at("Ma"), "Mathematics");
  EXPECT_EQ(m.subjects.at("Tu"), "Tutor time");
  EXPECT_GE(m.subjects.size(), 13u);
  EXPECT_EQ(m.courses.alias, "d:{class_code}");
  EXPECT_EQ(m.courses.ignore, (std::vector<std::string>{"*/Tu", "*/Reg"}));
  EXPECT_EQ(m.work.set_before, std::chrono::days{3});
  EXPECT_EQ(m.work.set_after, std::chrono::seconds{0});
  EXPECT_EQ(m.codes.lesson, "/");
  EXPECT_EQ(m.codes.session_am, "/");
  EXPECT_EQ(m.codes.session_pm, "\\");
  EXPECT_FALSE(m.codes.write_session_marks);
  EXPECT_EQ(m.codes.am_register, TimeOfDay::hm(8, 45));
  EXPECT_EQ(m.codes.pm_register, TimeOfDay::hm(14, 0));
  EXPECT_EQ(m.codes.may_overwrite, (std::vector<std::string>{"", "-", "N"}));
  EXPECT_EQ(m.codes.reasons.at("Disruption"), "DB");
  EXPECT_EQ(m.codes.reasons.at("Verbal abuse"), "VA");
}

// The dashboard and reports show subject names, so every subject the demo timetable teaches
// must be named in [subjects], not shown as a bare code.
TEST_F(DemoConfig, EverySubjectOfTheDemoTimetableIsNamed) {
  std::ifstream in(c().mis.export_dir / c().mis.feeds.at(Feed::timetable), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto table = read_xml_feed(bytes.str(), "timetable.xml");
  ASSERT_TRUE(table) << table.error().to_string();
  auto cal = Calendar::build(c().mapping.calendar);
  ASSERT_TRUE(cal) << cal.error().to_string();
  auto lessons =
      map_timetable(*table, c().mapping.fields.at(Feed::timetable), *cal, c().mapping.subjects);
  ASSERT_TRUE(lessons) << lessons.error().to_string();
  ASSERT_FALSE(lessons->items.empty());
  std::set<std::string> unnamed;
  for (const auto& l : lessons->items)
    if (!c().mapping.subjects.contains(subject_code(l.class_code, c().mapping.subjects)))
      unnamed.insert(l.class_code);
  EXPECT_TRUE(unnamed.empty()) << "e.g. " << *unnamed.begin();
}

}  // namespace
}  // namespace iesync
