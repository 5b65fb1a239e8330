// The demo school's Google Classroom (bench/generator/classroom_fixture.h): reproducible, in
// step with the timetable and rosters it was made from, varied enough that the dashboard shows
// every work status, and, served by the local fake, read by the real iesync into exactly those
// statuses.
#include <gtest/gtest.h>

#ifndef IESYNC_HAVE_GENERATOR

TEST(ClassroomFixture, NotLinked) {
  GTEST_SKIP()
      << "iesync_generator is not linked into iesync_tests; see bench/generator/CMakeLists.txt";
}

#else

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "bench/generator/classroom_fixture.h"
#include "bench/generator/school_generator.h"
#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"
#include "tests/support/demo_school.h"
#include "tests/support/files.h"
#include "tests/support/shell.h"

namespace iesync::gen {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The committed demo school (examples/demo/exports is generate() of these).
Options demo_options() {
  Options o;
  o.students = 150;
  o.seed = 1;
  o.start = *Date::parse_iso("2026-11-23");
  return o;
}

std::string str(const json::value& o, const char* key) {
  return std::string(o.as_object().at(key).as_string());
}

TEST(ClassroomFixture, SameSeedSameFixtureOtherSeedOther) {
  Options o = demo_options();
  const School school = generate(o);
  const std::string a = json::serialize(classroom_fixture(school, o));
  EXPECT_EQ(a, json::serialize(classroom_fixture(generate(o), o)));
  o.seed = 2;
  EXPECT_NE(a, json::serialize(classroom_fixture(generate(o), o)));
  // Small enough to commit to a demo folder or read at start-up without noticing.
  EXPECT_LT(a.size(), 1'500'000u) << "the 150-student fixture has grown to " << a.size()
                                  << " bytes";
}

TEST(ClassroomFixture, CoursesRostersAndSubmissionsMatchTheSchool) {
  const Options o = demo_options();
  const School school = generate(o);
  const json::object fx = classroom_fixture(school, o);

  std::set<std::string> classes;
  for (const auto& l : school.lessons)
    if (!l.class_code.empty()) classes.insert(l.class_code);
  std::map<std::string, std::string> email_of;
  for (const auto& s : school.students) email_of[s.id] = s.email;
  const Date monday = o.start.monday();
  std::map<std::string, std::set<std::string> > members;  // class -> Adnos in the booking week
  for (const auto& m : school.memberships)
    if (m.start <= monday.plus_days(4) && (!m.end || *m.end >= monday))
      members[m.class_code].insert(m.student_id);

  // Courses: one alias each, "d:" + class code with "/" -> "-", for a subject class.
  std::map<std::string, std::string> class_of_course;
  std::set<std::string> with_course;
  for (const auto& c : fx.at("courses").as_array()) {
    EXPECT_EQ(str(c, "courseState"), "ACTIVE");
    const auto& aliases = c.at("aliases").as_array();
    ASSERT_EQ(aliases.size(), 1u);
    std::string alias = str(aliases[0], "alias");
    ASSERT_EQ(alias.rfind("d:", 0), 0u) << alias;
    std::string code = alias.substr(2);
    for (char& ch : code)
      if (ch == '-') ch = '/';
    EXPECT_TRUE(classes.count(code)) << alias << " is not a class in the timetable";
    EXPECT_EQ(code.find("/Tu"), std::string::npos) << "tutor groups have no course: " << alias;
    EXPECT_EQ(str(c, "name").substr(0, code.find('/') + 1), code.substr(0, code.find('/')) + " ");
    class_of_course[str(c, "id")] = code;
    with_course.insert(code);
  }
  size_t subject_classes = 0;
  for (const auto& c : classes)
    if (c.find("/Tu") == std::string::npos) ++subject_classes;
  EXPECT_LT(with_course.size(), subject_classes)
      << "some classes must show \"No Classroom course\"";
  EXPECT_GT(with_course.size(), subject_classes * 3 / 4) << "most classes have a course";

  // Rosters: exactly the week's members, with the email iesync looks them up by.
  std::map<std::string, std::set<std::string> > roster;  // course id -> user ids
  for (const auto& s : fx.at("students").as_array()) {
    const std::string course = str(s, "courseId"), user = str(s, "userId");
    ASSERT_TRUE(class_of_course.count(course)) << course;
    ASSERT_EQ(user.rfind("u", 0), 0u);
    const std::string adno = user.substr(1);
    EXPECT_EQ(str(s.at("profile"), "emailAddress"), email_of.at(adno));
    EXPECT_EQ(str(s.at("profile"), "id"), user);
    roster[course].insert(user);
  }
  for (const auto& [course, code] : class_of_course) {
    std::set<std::string> expected;
    for (const auto& adno : members[code]) expected.insert("u" + adno);
    EXPECT_EQ(roster[course], expected) << code;
  }

  // Work: published, for everyone, due on a weekday of the booking week at 15:00 UTC.
  std::map<std::string, std::string> course_of_work;
  std::map<std::string, std::set<int> > days_with_work;  // course -> weekday offsets
  for (const auto& w : fx.at("courseWork").as_array()) {
    EXPECT_EQ(str(w, "state"), "PUBLISHED");
    EXPECT_EQ(str(w, "assigneeMode"), "ALL_STUDENTS");
    EXPECT_FALSE(str(w, "title").empty());
    EXPECT_EQ(str(w, "alternateLink").rfind("https://classroom.google.com/c/", 0), 0u);
    const auto& due = w.at("dueDate").as_object();
    const Date d =
        Date::from_ymd(due.at("year").to_number<int>(), due.at("month").to_number<unsigned>(),
                       due.at("day").to_number<unsigned>());
    const int offset = days_between(monday, d);
    EXPECT_TRUE(offset >= 0 && offset < 5) << d.iso();
    EXPECT_EQ(w.at("dueTime").at("hours").to_number<int>(), 15);
    EXPECT_EQ(str(w, "creationTime").substr(0, 10), d.plus_days(-1).iso());
    course_of_work[str(w, "id")] = str(w, "courseId");
    days_with_work[str(w, "courseId")].insert(offset);
  }
  size_t course_days = class_of_course.size() * 5, work_days = 0;
  for (auto& [c, days] : days_with_work) work_days += days.size();
  EXPECT_GT(work_days, course_days * 25 / 100) << "most classes set some work in the week";
  EXPECT_LT(work_days, course_days * 55 / 100) << "some days have no work";

  // Materials: for the whole class, posted the evening before a weekday of the week, some
  // alone on their day and some beside an assignment, a few still drafts (no link, as Google
  // fills alternateLink only for a published item).
  int alone = 0, beside = 0, drafts = 0;
  for (const auto& m : fx.at("courseWorkMaterial").as_array()) {
    ASSERT_TRUE(class_of_course.count(str(m, "courseId")));
    EXPECT_EQ(str(m, "assigneeMode"), "ALL_STUDENTS");
    const Date posted = *Date::parse_iso(str(m, "creationTime").substr(0, 10));
    const int offset = days_between(monday, posted.plus_days(1));
    EXPECT_TRUE(offset >= 0 && offset < 5) << posted.iso();
    const bool published = str(m, "state") == "PUBLISHED";
    EXPECT_TRUE(published || str(m, "state") == "DRAFT");
    EXPECT_EQ(m.as_object().contains("alternateLink"), published);
    if (published) {
      EXPECT_EQ(str(m, "alternateLink")
                    .rfind("https://classroom.google.com/c/" + str(m, "courseId") + "/m/", 0),
                0u);
    }
    drafts += published ? 0 : 1;
    (days_with_work[str(m, "courseId")].count(offset) ? beside : alone) += 1;
  }
  EXPECT_GT(alone, 0);
  EXPECT_GT(beside, 0);
  EXPECT_GT(drafts, 0);

  // Submissions: one per (item, roster member), a mix of states.
  std::map<std::string, int> states;
  std::set<std::pair<std::string, std::string> > seen;
  for (const auto& s : fx.at("studentSubmissions").as_array()) {
    const std::string work = str(s, "courseWorkId"), user = str(s, "userId");
    ASSERT_TRUE(course_of_work.count(work));
    EXPECT_EQ(str(s, "courseId"), course_of_work[work]);
    EXPECT_TRUE(roster[course_of_work[work]].count(user)) << user << " is not in the course";
    EXPECT_TRUE(seen.insert({work, user}).second) << "two submissions for " << work << " " << user;
    ++states[str(s, "state")];
  }
  size_t expected_subs = 0;
  for (const auto& [w, c] : course_of_work) expected_subs += roster[c].size();
  EXPECT_EQ(seen.size(), expected_subs);
  const double total = double(seen.size());
  EXPECT_GT(states["CREATED"] / total, 0.3);
  EXPECT_GT((states["TURNED_IN"] + states["RETURNED"]) / total, 0.3);
  EXPECT_GT(states["RETURNED"], 0);
}

// ---- End to end: the fixture on the fake, read by the real iesync ---------------------------

using iesync::test::slurp;

test::ShellResult run(const std::string& args) {
  return test::shell(std::string(IESYNC_BINARY) + " " + args + " 2>&1");
}

void replace_line(std::string& text, const std::string& starts_with, const std::string& with) {
  const auto at = text.find("\n" + starts_with);
  ASSERT_NE(at, std::string::npos) << starts_with;
  const auto end = text.find('\n', at + 1);
  text.replace(at + 1, end - at - 1, with);
}

TEST(ClassroomFixture, DemoWeekOnTheFakeShowsEveryWorkStatus) {
  const Options o = demo_options();
  const fs::path dir = test::copy_demo_school("iesync-classroom-fixture");
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{dir};
  fs::create_directories(dir / "var/log");
  fs::permissions(dir / "var",
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);

  const std::string impersonate = "iesync-reader@demo.example.sch.uk";
  fake::FakeOptions fo;
  fo.page_size = 50;  // paging is the client tests' business; keep this one quick
  fo.public_key_pem = fake::shared_test_key_pair().public_pem;
  fo.impersonate = impersonate;
  fake::FakeClassroom classroom(fo);
  ASSERT_TRUE(classroom.load_fixture_json(json::serialize(classroom_fixture(generate(o), o))));
  classroom.start();
  fs::create_directories(dir / "classroom");
  const auto account = fake::write_service_account_key(dir / "classroom", classroom.token_uri());

  std::string toml = slurp(dir / "iesync.toml");
  replace_line(toml, "enabled = false", "enabled = true");
  replace_line(toml, "api_base = \"https://classroom",
               "api_base = \"" + classroom.base_url() + "\"");
  replace_line(toml, "token_uri = ",
               "token_uri = \"" + classroom.token_uri() + "\"\nkey_file = \"" +
                   account.key_file.string() + "\"\nimpersonate = \"" + impersonate + "\"");
  std::ofstream(dir / "iesync.toml", std::ios::binary | std::ios::trunc) << toml;
  const std::string config = (dir / "iesync.toml").string();

  // Wednesday: work set on Monday and Tuesday can count too (set_before = 3d), and Monday's
  // bookings are the first of the week, so between them every status shows up.
  std::map<std::string, int> statuses;
  int linked_items = 0;
  for (const char* date : {"2026-11-23", "2026-11-25"}) {
    auto sync = run("sync --date " + std::string(date) + " --config " + config);
    ASSERT_EQ(sync.code, 0) << sync.out;
    auto plan = run("plan --json --date " + std::string(date) + " --config " + config);
    ASSERT_EQ(plan.code, 0) << plan.out;
    const auto doc = json::parse(plan.out);
    for (const auto& s : doc.at("sessions").as_array())
      for (const auto& l : s.at("lessons").as_array()) {
        const auto& work = l.at("work").as_object();
        ++statuses[str(work, "status")];
        for (const auto& item : work.at("items").as_array())
          if (str(item, "link").rfind("https://classroom.google.com/c/", 0) == 0) ++linked_items;
      }
  }
  for (const char* s : {"handed_in", "set", "not_set", "no_course"})
    EXPECT_GT(statuses[s], 0) << s << " never appears; got handed_in " << statuses["handed_in"]
                              << ", set " << statuses["set"] << ", not_set " << statuses["not_set"]
                              << ", no_course " << statuses["no_course"] << ", unknown "
                              << statuses["unknown"];
  EXPECT_EQ(statuses["unknown"], 0) << "Classroom was reachable throughout";
  EXPECT_GT(linked_items, 0);
  EXPECT_GT(classroom.count("studentSubmissions.list"), 0u);
  classroom.stop();
}

}  // namespace
}  // namespace iesync::gen

#endif
