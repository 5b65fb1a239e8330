// Rules of the loader that the broken-config folders do not pin down one line at a time:
// all problems collected in order, what is allowed, defaults, secrets that pass.
#include <gtest/gtest.h>

#include "config/dfe_codes.h"
#include "config/load.h"
#include "config/suggest.h"
#include "config_test_support.h"
#include "tests/support/files.h"

namespace iesync {
namespace {

using namespace testing_config;

// The minimal valid config in a scratch folder, patched per test.
class MinimalConfig : public ::testing::Test {
 protected:
  void SetUp() override { dir_.copy_from(source_dir() / "tests/configs/minimal"); }

  void replace(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = slurp(file);
    auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    dir_.write(file, text);
  }
  void append(const std::string& file, const std::string& more) {
    dir_.write(file, slurp(file) + more);
  }
  std::string slurp(const std::string& file) { return test::slurp(dir_.path() / file); }
  LoadedConfig load(const LoadOptions& opts = {}) {
    InDir in(dir_.path());
    return load_config("iesync.toml", opts);
  }
  std::vector<std::string> lines(const LoadedConfig& l) {
    std::vector<std::string> out;
    for (const auto& p : l.problems) out.push_back(p.to_string());
    return out;
  }

  ScratchDir dir_;
};

TEST_F(MinimalConfig, LoadsAndKeepsDefaults) {
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_EQ(l.config.store.path, "/var/lib/iesync/iesync.db");
  EXPECT_EQ(l.config.log.dir, "/var/log/iesync");
  EXPECT_EQ(l.config.schedule.interval, std::chrono::minutes{15});
  EXPECT_EQ(l.config.status.host, "127.0.0.1");
  EXPECT_EQ(l.config.mapping.codes.may_overwrite, (std::vector<std::string>{"", "-", "N"}));
  EXPECT_EQ(l.config.mapping.work.set_before, std::chrono::days{3});
}

TEST_F(MinimalConfig, CollectsEveryProblemInFileOrderAcrossBothFiles) {
  append("iesync.toml", "\n[schedule]\ninterval = \"15 minutes\"\ndays = [\"Mon\", \"Sunday\"]\n");
  replace("iesync.toml", "name = \"Test School\"", "name = \"Test School\"\ntimezone = \"Mars\"");
  replace("mapping.toml", "lesson = \"/\"", "lesson = \"H\"");
  replace("mapping.toml", "cycle = 2", "cycle = 9");
  auto l = load();
  auto got = lines(l);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].rfind("iesync.toml:3:12: [school] timezone", 0), 0u) << got[0];
  EXPECT_EQ(got[1].rfind("iesync.toml:19:12: [schedule] interval", 0), 0u) << got[1];
  EXPECT_EQ(got[2].rfind("iesync.toml:20:16: [schedule] days: \"Sunday\"", 0), 0u) << got[2];
  EXPECT_EQ(got[3].rfind("mapping.toml:29:9: [calendar] cycle", 0), 0u) << got[3];
  EXPECT_EQ(got[4].rfind("mapping.toml:40:10: [codes] lesson: H", 0), 0u) << got[4];
}

TEST_F(MinimalConfig, MappingMessagesNameTheMappingPathJoinedToTheConfigFolder) {
  fs::create_directories(dir_.path() / "conf/maps");
  fs::rename(dir_.path() / "mapping.toml", dir_.path() / "conf/maps/mapping.toml");
  fs::rename(dir_.path() / "iesync.toml", dir_.path() / "conf/iesync.toml");
  replace("conf/iesync.toml", "mapping = \"mapping.toml\"",
          "mapping = \"./maps/../maps/mapping.toml\"");
  replace("conf/maps/mapping.toml", "lesson = \"/\"", "lesson = \"E\"");
  InDir in(dir_.path());
  auto l = load_config("conf/iesync.toml");
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_EQ(l.problems[0].where, "conf/maps/mapping.toml:40:10");
  EXPECT_EQ(l.config.mapping.source, fs::current_path() / "conf/maps/mapping.toml");
}

TEST_F(MinimalConfig, OverlappingPeriodsAreAllowed) {
  // A registration slot inside period 1: bookings only use period names for start/end.
  replace("mapping.toml", "\"1\" = \"08:50-09:50\"",
          "\"1\" = \"08:50-09:50\"\n\"Reg\" = \"08:45-09:00\"\n\"2\" = \"09:50-10:50\"");
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  const auto& p = l.config.mapping.calendar.periods;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].first, "1");
  EXPECT_EQ(p[1].first, "Reg");
  EXPECT_EQ(p[2].first, "2");
}

TEST_F(MinimalConfig, PeriodNamedLikeABookingKeywordIsRefused) {
  replace("mapping.toml", "\"1\" = \"08:50-09:50\"", "AM = \"08:50-09:50\"");
  auto l = load();
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_NE(l.problems[0].message.find("reserved"), std::string::npos);
}

TEST_F(MinimalConfig, Ipv6LoopbackNeedsNoToken) {
  append("iesync.toml", "\n[status]\nlisten = \"[::1]:8471\"\n");
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_EQ(l.config.status.host, "::1");
  EXPECT_EQ(l.config.status.port, 8471);
}

TEST_F(MinimalConfig, BareIpv6AndBadPortsAreRefused) {
  for (const char* bad : {"::1:8470", "127.0.0.1:0", "127.0.0.1:70000", "[::1]8470", ":8470"}) {
    MinimalConfig::SetUp();
    append("iesync.toml", std::string("\n[status]\nlisten = \"") + bad + "\"\n");
    auto l = load();
    ASSERT_EQ(l.problems.size(), 1u) << bad;
    EXPECT_NE(l.problems[0].message.find("is not HOST:PORT"), std::string::npos) << bad;
  }
}

TEST_F(MinimalConfig, NonLoopbackWithAPrivateTokenIsAccepted) {
  append("iesync.toml", "\n[status]\nlisten = \"0.0.0.0:8470\"\ntoken_file = \"status-token\"\n");
  dir_.make_secret("status-token", 0600);
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_EQ(l.config.status.token_file, (dir_.path() / "status-token").lexically_normal());
  EXPECT_FALSE(l.config.status.loopback_only());
}

TEST_F(MinimalConfig, WondeTargetNeedsAPrivateTokenFile) {
  replace("iesync.toml", "target = \"file\"\noutbox_dir = \"outbox\"",
          "target = \"wonde\"\nschool_id = \"A1930499544\"\ntoken_file = \"wonde-token\"\n"
          "api_base = \"http://127.0.0.1:9999/v1.0\"");
  std::string secret = dir_.make_secret("wonde-token", 0600);
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_EQ(l.config.writeback.target, WritebackTarget::wonde);
  EXPECT_EQ(l.config.writeback.api_base, "http://127.0.0.1:9999/v1.0");

  ::chmod((dir_.path() / "wonde-token").c_str(), 0604);
  l = load();
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_EQ(l.problems[0].to_string(),
            "iesync.toml:16:14: wonde-token can be read by other users (mode 0604); "
            "run: chmod 600 wonde-token");
  EXPECT_EQ(l.problems[0].to_string().find(secret), std::string::npos);

  // Tests that build configs by hand can skip the secret checks.
  LoadOptions no_secrets;
  no_secrets.check_secrets = false;
  EXPECT_TRUE(load(no_secrets).ok());
}

TEST_F(MinimalConfig, EnabledClassroomNeedsKeyFileAndImpersonate) {
  append("iesync.toml",
         "\n[classroom]\nenabled = true\nkey_file = \"key.json\"\n"
         "impersonate = \"reader@example.sch.uk\"\n");
  dir_.make_secret("key.json", 0400);
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_TRUE(l.config.classroom.enabled);
  EXPECT_EQ(l.config.classroom.impersonate, "reader@example.sch.uk");
}

TEST_F(MinimalConfig, DisabledClassroomDoesNotCheckTheKeyFile) {
  append("iesync.toml", "\n[classroom]\nenabled = false\nkey_file = \"absent.json\"\n");
  EXPECT_TRUE(load().ok());
}

TEST_F(MinimalConfig, WeekLettersAndNumbersAndSessionRegisters) {
  replace("mapping.toml", "am = \"08:45-12:20\"",
          "week_overrides = { \"2026-11-02\" = \"A\", \"2026-11-09\" = \"2\" }\n"
          "am = \"08:45-12:20\"");
  append("mapping.toml",
         "write_session_marks = true\nam_register = \"08:45\"\npm_register = \"13:05\"\n");
  auto l = load();
  auto got = lines(l);
  // 13:05 is before pm starts (13:10), so the PM session mark could never fall due.
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(
      got[0].rfind("mapping.toml:46:15: [codes] pm_register 13:05 is outside [calendar] pm", 0), 0u)
      << got[0];
  EXPECT_EQ(l.config.mapping.calendar.week_overrides.at(Date::from_ymd(2026, 11, 9)), "2");
}

TEST_F(MinimalConfig, DayNamePatternsThatNameEveryCycleDay) {
  for (const char* ok : {"{weekday}{week_letter}", "{week_number}{weekday}", "D{cycle_day}"}) {
    MinimalConfig::SetUp();
    replace("mapping.toml", "day_name = \"Day{cycle_day}\"",
            std::string("day_name = \"") + ok + "\"");
    auto l = load();
    EXPECT_TRUE(l.ok()) << ok << ": " << (l.ok() ? "" : lines(l).front());
  }
  // With a one-week cycle the weekday alone names every day.
  MinimalConfig::SetUp();
  replace("mapping.toml", "day_name = \"Day{cycle_day}\"", "day_name = \"{weekday}\"");
  replace("mapping.toml", "cycle = 2", "cycle = 1");
  EXPECT_TRUE(load().ok());
}

TEST_F(MinimalConfig, FirstMondayMayBeAQuotedDate) {
  replace("mapping.toml", "first_monday = 2026-09-07", "first_monday = \"2026-09-14\"");
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_EQ(l.config.mapping.calendar.first_monday, Date::from_ymd(2026, 9, 14));
}

TEST_F(MinimalConfig, WithdrawnCodesMayStillBeOverwritten) {
  // Existing MIS marks can predate August 2024.
  append("mapping.toml", "may_overwrite = [\"\", \"-\", \"N\", \"H\"]\n");
  auto l = load();
  ASSERT_TRUE(l.ok()) << lines(l).front();
  EXPECT_EQ(l.config.mapping.codes.may_overwrite.back(), "H");
}

TEST(DfeCodes, TablesMatchTheReference) {
  ASSERT_NE(find_attendance_code("J1"), nullptr);
  EXPECT_TRUE(attendance_code_in_force(*find_attendance_code("J1")));
  EXPECT_TRUE(attendance_code_in_force(*find_attendance_code("\\")));
  for (const char* gone : {"H", "J", "Y", "F"}) {
    ASSERT_NE(find_attendance_code(gone), nullptr) << gone;
    EXPECT_FALSE(attendance_code_in_force(*find_attendance_code(gone))) << gone;
    EXPECT_FALSE(find_attendance_code(gone)->replacement.empty()) << gone;
  }
  EXPECT_FALSE(attendance_code_in_force(*find_attendance_code("-")));
  EXPECT_EQ(find_attendance_code("Q9"), nullptr);
  EXPECT_EQ(attendance_codes().size(), 39u);

  int current = 0;
  for (const auto& r : exclusion_reasons()) current += exclusion_reason_current(r);
  EXPECT_EQ(current, 16);
  EXPECT_TRUE(exclusion_reason_current(*find_exclusion_reason("LG")));
  EXPECT_FALSE(exclusion_reason_current(*find_exclusion_reason("OT")));
  EXPECT_FALSE(exclusion_reason_current(*find_exclusion_reason("TB")));
}

TEST(Suggest, NearestKey) {
  EXPECT_EQ(edit_distance("lesosn", "lesson"), 1);
  EXPECT_EQ(nearest("lesosn", {"lesson", "session_am", "session_pm"}), "lesson");
  EXPECT_EQ(nearest("intervall", {"interval", "school_hours", "days"}), "interval");
  EXPECT_EQ(nearest("pupils", {"students", "staff", "memberships"}), std::nullopt);
}

}  // namespace
}  // namespace iesync
