// `iesync sync` and `iesync plan` end to end: the real binary on a copy of the demo school.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/demo_school.h"
#include "tests/support/shell.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;

test::ShellResult run(const std::string& args) {
  return test::shell(std::string(IESYNC_BINARY) + " " + args + " 2>&1");
}

class SyncCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::copy_demo_school("iesync-sync");
    config = (dir / "iesync.toml").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<fs::path> drop_files() {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(dir / "var/mis-imports"))
      if (e.path().extension() == ".csv") out.push_back(e.path());
    return out;
  }

  fs::path dir;
  std::string config;
};

TEST_F(SyncCommand, DryRunChangesNothingThenARealRunWritesMarksOnce) {
  auto dry = run("sync --dry-run --date 2026-11-23 --config " + config);
  EXPECT_EQ(dry.code, 0) << dry.out;
  EXPECT_NE(dry.out.find("would queue lesson_mark"), std::string::npos) << dry.out;
  EXPECT_TRUE(drop_files().empty()) << "a dry run writes no write-back file";
  auto plan_after_dry = run("plan --json --date 2026-11-23 --config " + config);
  ASSERT_EQ(plan_after_dry.code, 0) << plan_after_dry.out;
  EXPECT_TRUE(boost::json::parse(plan_after_dry.out).at("sessions").as_array().empty())
      << "a dry run stores no sessions";

  auto real = run("sync --date 2026-11-23 --config " + config);
  EXPECT_EQ(real.code, 0) << real.out;
  auto files = drop_files();
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0]);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "kind,student_id,date,session,class,start,end,code,comment,reason,key\r")
      << "RFC 4180 lines end in CRLF";
  std::stringstream rest;
  rest << in.rdbuf();
  EXPECT_NE(rest.str().find("lesson_mark,"), std::string::npos);

  // Plan reads the store: every lesson of a booked/attended session has its mark sent.
  auto plan = run("plan --json --date 2026-11-23 --config " + config);
  ASSERT_EQ(plan.code, 0) << plan.out;
  auto doc = boost::json::parse(plan.out).as_object();
  EXPECT_EQ(doc.at("date").as_string(), "2026-11-23");
  auto& sessions = doc.at("sessions").as_array();
  ASSERT_FALSE(sessions.empty());
  int lessons = 0;
  for (auto& s : sessions) {
    auto& so = s.as_object();
    for (const char* k :
         {"booking_id", "student", "start", "end", "status", "room", "reason", "lessons"})
      EXPECT_TRUE(so.contains(k)) << k;
    for (auto& l : so.at("lessons").as_array()) {
      ++lessons;
      auto& lo = l.as_object();
      for (const char* k :
           {"class", "subject", "teacher", "room", "start", "end", "course_id", "work", "mark"})
        EXPECT_TRUE(lo.contains(k)) << k;
      auto status = so.at("status").as_string();
      auto state = lo.at("mark").as_object().at("state").as_string();
      if (status == "booked" || status == "attended") {
        EXPECT_EQ(state, "sent") << plan.out;
      }
    }
  }
  EXPECT_EQ(doc.at("summary").as_object().at("lessons").as_int64(), lessons);

  // Unchanged exports and nothing new due: a second run writes no second file.
  auto again = run("sync --date 2026-11-23 --config " + config);
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(drop_files().size(), 1u) << "the same facts are never written twice";
}

TEST_F(SyncCommand, InvalidConfigExitsTwo) {
  std::ofstream(dir / "iesync.toml", std::ios::app) << "\n[bogus]\nx = 1\n";
  auto r = run("sync --config " + config);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("iesync.toml:"), std::string::npos) << r.out;
}

TEST_F(SyncCommand, PlanForAnEmptyDaySaysSo) {
  auto r = run("plan --date 2026-12-25 --config " + config);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("No IE sessions are booked for this day."), std::string::npos) << r.out;
}

}  // namespace
}  // namespace iesync
