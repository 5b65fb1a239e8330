// The behaviour lead's page as HTML text: what it says, what it escapes, who it says to chase.
#include "daemon/status/dashboard.h"

#include <gtest/gtest.h>

#include "daemon/status/actions.h"
#include "tests/unit/status/status_fixtures.h"

namespace iesync {
namespace {

using namespace statustest;

bool has(const std::string& html, const std::string& s) {
  return html.find(s) != std::string::npos;
}

// The text of the element with this id, up to its closing tag.
std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::string section(const std::string& html, const std::string& id, const std::string& close) {
  auto b = html.find("id=\"" + id + "\"");
  if (b == std::string::npos) return {};
  auto e = html.find(close, b);
  return html.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

TEST(StatusDashboard, PageBasics) {
  auto html = render_dashboard(busy_plan(), day(), healthy_snapshot());
  EXPECT_TRUE(html.starts_with("<!doctype html>"));
  EXPECT_TRUE(has(html, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(has(html, "<title>IE room, Monday 23 November - Northfield Test Academy</title>"));
  EXPECT_TRUE(has(html, "Monday 23 November 2026"));
  EXPECT_EQ(occurrences(html, "<script"), 1u) << "the buttons' script, and no other";
  EXPECT_TRUE(has(html, dashboard_actions_script()));
}

// The buttons reach the POST endpoints with the token (the script asks for it); the dashboard
// sign-in alone cannot. "Chase now" only when [notify] is on.
TEST(StatusDashboard, SyncNowAndChaseNowButtons) {
  auto s = healthy_snapshot();
  auto html = render_dashboard(busy_plan(), day(), s);
  auto actions = section(html, "actions", "</p>");
  EXPECT_TRUE(has(actions,
                  "<button type=\"button\" id=\"sync-now\" data-post=\"/api/v1/sync\">"
                  "Sync now</button>"))
      << actions;
  EXPECT_FALSE(has(actions, "chase-now")) << "notify is off";
  s.notify_enabled = true;
  html = render_dashboard(busy_plan(), day(), s);
  actions = section(html, "actions", "</p>");
  EXPECT_TRUE(has(actions,
                  "<button type=\"button\" id=\"chase-now\" data-post=\"/api/v1/chase\">"
                  "Chase now</button>"))
      << actions;
  EXPECT_TRUE(has(actions, "id=\"action-result\" role=\"status\""));
  const auto script = dashboard_actions_script();
  for (const char* part :
       {"'Authorization': 'Bearer ' + t", "sessionStorage.setItem('iesync-token'", "window.prompt(",
        "method: 'POST'", "r.status === 401"})
    EXPECT_TRUE(has(script, part)) << part;
}

TEST(StatusDashboard, HeaderSaysLastSyncInSchoolTimeAndHealth) {
  auto s = healthy_snapshot();
  auto html = render_dashboard(busy_plan(), day(), s);
  auto health = section(html, "health", "</p>");
  EXPECT_TRUE(has(health, "Healthy")) << health;
  EXPECT_TRUE(has(health, "last sync 10:26, 4 minutes ago")) << health;
  EXPECT_TRUE(has(health, "next sync 10:41")) << health;

  // British Summer Time: 09:26 UTC on 1 June is 10:26 at school.
  s.now =
      std::chrono::sys_days{std::chrono::year{2026} / 6 / 1} + std::chrono::minutes{9 * 60 + 30};
  s.today = Date::from_ymd(2026, 6, 1);
  s.last_success = s.now - std::chrono::hours{2};
  s.next_cycle.reset();
  health = section(render_dashboard(empty_plan(s.today), s.today, s), "health", "</p>");
  EXPECT_TRUE(has(health, "Not healthy")) << health;
  EXPECT_TRUE(has(health, "last sync 08:30, 2 hours ago")) << health;

  s.last_success.reset();
  s.warnings = {"students export held: <40% fewer>"};
  html = render_dashboard(empty_plan(s.today), s.today, s);
  EXPECT_TRUE(has(section(html, "health", "</p>"), "no successful sync since iesync started"));
  EXPECT_TRUE(has(section(html, "warnings", "</ul>"), "students export held: &lt;40% fewer&gt;"));
}

// A held roster drop leaves the page on the old list: the behaviour lead sees that, and the
// command the IT admin runs, not just a line in sync.log.
TEST(StatusDashboard, AHeldExportIsANoticeWithItsCommandAndTheHeaderSaysDegraded) {
  auto s = healthy_snapshot();
  s.held_exports = {
      {"students", "the new export has 610 students, 50% fewer than the 1,220 in use"}};
  s.warnings = {held_export_warning(s.held_exports[0]),
                "2 write-back(s) failed; see `iesync outbox list`"};
  auto html = render_dashboard(busy_plan(), day(), s);
  auto health = section(html, "health", "</p>");
  EXPECT_TRUE(has(health, "Degraded")) << health;
  EXPECT_FALSE(has(health, "Healthy")) << health;
  auto held = section(html, "held", "</section>");
  EXPECT_TRUE(
      has(held,
          "The new <strong>students</strong> export was not applied: the new export has 610 "
          "students, 50% fewer than the 1,220 in use."))
      << held;
  EXPECT_TRUE(has(held, "<code>iesync sync --accept-drop</code>")) << held;
  auto warnings = section(html, "warnings", "</ul>");
  EXPECT_TRUE(has(warnings, "write-back(s) failed")) << warnings;
  EXPECT_FALSE(has(warnings, "held")) << "the notice is not said twice: " << warnings;

  s.held_exports.clear();
  s.warnings.clear();
  html = render_dashboard(busy_plan(), day(), s);
  EXPECT_FALSE(has(html, "id=\"held\"")) << "gone once applied or replaced";
  EXPECT_TRUE(has(section(html, "health", "</p>"), "Healthy"));
}

TEST(StatusDashboard, HostileStudentNameIsEscapedEverywhere) {
  auto html = render_dashboard(busy_plan(), day(), healthy_snapshot());
  EXPECT_EQ(occurrences(html, "<script"), 1u) << "the buttons' script alone";
  EXPECT_FALSE(has(html, "O'Neil"));
  EXPECT_TRUE(has(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Neil &amp; Co"));
  // A javascript: link from Classroom is shown as text, never as a link.
  EXPECT_FALSE(has(html, "javascript:"));
  EXPECT_TRUE(has(html, "Bad link: not handed in"));
}

TEST(StatusDashboard, LessonsShowWorkAndMarksInWords) {
  auto html = render_dashboard(busy_plan(), day(), healthy_snapshot());
  auto students = section(html, "students", "</section>");
  EXPECT_TRUE(has(students, "Sam Carter"));
  EXPECT_TRUE(has(students, "Year 9 &middot; reg 9X &middot; Focus Room &middot; reason DB"));
  EXPECT_TRUE(has(students,
                  "<td>09:50\xe2\x80\x93"
                  "10:50</td><td>9X1/En</td><td>English</td><td>Hale, Priya (PHA)</td>"));
  EXPECT_TRUE(has(students, "Handed in"));
  EXPECT_TRUE(has(
      students,
      "<a href=\"https://classroom.google.com/c/AAA/a/BBB/details\">Poetry essay</a>: handed in"));
  EXPECT_TRUE(has(students, "Set, not handed in"));
  EXPECT_TRUE(has(students, "Castles</a>: not handed in, due 2026-11-23 15:00"));
  EXPECT_TRUE(has(students, ">Not set"));
  EXPECT_TRUE(has(students, "No Classroom course"));
  EXPECT_TRUE(has(
      students, "Unknown (Classroom not reached; last known: Set, not handed in, checked 10:26)"));
  EXPECT_TRUE(has(students, "&quot;/&quot; confirmed by the MIS"));
  EXPECT_TRUE(has(students, "Will write &quot;/&quot; when the lesson starts"));
  EXPECT_TRUE(has(students, "not written: the MIS already holds another mark"));
  EXPECT_TRUE(
      has(section(html, "summary", "</p>"), "2 students in IE, 7 lessons missed: 1 handed in"));
  // A cancelled booking is listed apart, greyed, after everyone in the room.
  EXPECT_FALSE(has(students, "Pat Moved"));
  auto apart = section(html, "apart", "</section>");
  EXPECT_TRUE(has(apart, "Pat Moved"));
  EXPECT_TRUE(has(apart, "Cancelled"));
  EXPECT_GT(html.find("id=\"apart\""), html.find("id=\"students\""));
}

TEST(StatusDashboard, AChasedLessonSaysWhen) {
  auto plan = busy_plan();
  auto& lesson =
      plan.at("sessions").as_array()[0].as_object().at("lessons").as_array()[0].as_object();
  lesson["chased_at"] = "2026-11-23T07:45:00Z";  // 07:45 in London in November
  auto html = render_dashboard(plan, day(), healthy_snapshot());
  EXPECT_TRUE(has(section(html, "students", "</section>"), "chased 07:45"));
}

// A material is shown with its link and nothing to hand in; a lesson whose materials could
// not be read says so beside its status.
TEST(StatusDashboard, MaterialsAndUncheckedMaterialsAreSaidInWords) {
  auto plan = busy_plan();
  auto& sam = plan["sessions"].as_array()[0].as_object()["lessons"].as_array();
  auto& science = sam[2].as_object()["work"].as_object();
  science["status"] = "set";
  science["items"] =
      json::array{json::object{{"id", "m1"},
                               {"title", "Forces reading"},
                               {"link", "https://classroom.google.com/c/AAA/m/DDD/details"},
                               {"state", "MATERIAL"},
                               {"due", nullptr}}};
  sam[0].as_object()["work"].as_object()["materials_checked"] = false;
  auto html = render_dashboard(plan, day(), healthy_snapshot());
  auto students = section(html, "students", "</section>");
  EXPECT_TRUE(has(students,
                  "<a href=\"https://classroom.google.com/c/AAA/m/DDD/details\">Forces "
                  "reading</a>: material, nothing to hand in</li>"))
      << students;
  EXPECT_TRUE(has(students, "Not set (Classroom materials could not be checked"));
  // Set by a material: Okafor's 11:10 lesson with Sam is no longer one to chase.
  auto chase = section(html, "chase", "</section>");
  EXPECT_FALSE(has(chase, "9X1/Sc")) << chase;
  EXPECT_TRUE(has(chase, "9Y2/Sc")) << chase;
}

TEST(StatusDashboard, ChaseListIsFutureNotSetLessonsGroupedByTeacher) {
  auto html = render_dashboard(busy_plan(), day(), healthy_snapshot());  // now 10:30
  auto chase = section(html, "chase", "</section>");
  ASSERT_FALSE(chase.empty());
  // Okafor has two future not-set lessons (both students at 11:10), under one heading.
  auto okafor = chase.find("<h3>Okafor, Bea (BOK)</h3>");
  ASSERT_NE(okafor, std::string::npos) << chase;
  EXPECT_EQ(chase.find("Okafor, Bea (BOK)", okafor + 10), std::string::npos) << chase;
  EXPECT_TRUE(has(chase,
                  "11:10\xe2\x80\x93"
                  "12:10 &middot; 9X1/Sc Science &middot; Sam Carter (9X)"));
  EXPECT_TRUE(has(chase, "9Y2/Sc Science &middot; &lt;script&gt;"));
  // Turner's 08:50 lesson had started (not chased); his 13:10 lesson has work set.
  EXPECT_FALSE(has(chase, "Turner")) << chase;
  // A cancelled booking is not in the room: nobody to chase for it.
  EXPECT_FALSE(has(chase, "Nash")) << chase;
  EXPECT_FALSE(has(chase, "Pat Moved")) << chase;

  // At 11:10 the Science lessons have started: nobody left to chase.
  auto s = healthy_snapshot();
  s.now = at(11, 10);
  chase = section(render_dashboard(busy_plan(), day(), s), "chase", "</section>");
  EXPECT_FALSE(has(chase, "Okafor")) << chase;
  EXPECT_TRUE(has(chase, "Nobody")) << chase;

  // The day before, everything is still to come, including Turner's 08:50 lesson.
  s.now = at(10, 30) - std::chrono::hours{24};
  chase = section(render_dashboard(busy_plan(), day(), s), "chase", "</section>");
  EXPECT_TRUE(has(chase, "<h3>Turner, George (GTU)</h3><ul><li>08:50")) << chase;
}

TEST(StatusDashboard, EmptyDaySaysNoOneIsBooked) {
  auto html = render_dashboard(empty_plan(day()), day(), healthy_snapshot());
  EXPECT_TRUE(has(html, "No one is booked into IE on Monday 23 November")) << html;
  EXPECT_FALSE(has(html, "id=\"chase\""));
}

TEST(StatusDashboard, DatePickerAndSchoolDayLinks) {
  auto html = render_dashboard(busy_plan(), day(), healthy_snapshot());
  EXPECT_TRUE(has(html, "<form method=\"get\" action=\"/\">"));
  EXPECT_TRUE(has(html, "<input type=\"date\" id=\"date\" name=\"date\" value=\"2026-11-23\""));
  EXPECT_TRUE(has(html, "<button type=\"submit\">"));
  // Monday: the previous school day is Friday, the next Tuesday.
  EXPECT_TRUE(has(html, "href=\"/?date=2026-11-20\""));
  EXPECT_TRUE(has(html, "href=\"/?date=2026-11-24\""));
  EXPECT_FALSE(has(html, ">Today</a>"));  // already today
  auto friday = Date::from_ymd(2026, 11, 27);
  html = render_dashboard(empty_plan(friday), friday, healthy_snapshot());
  EXPECT_TRUE(has(html, "href=\"/?date=2026-11-30\""));  // the following Monday
  EXPECT_TRUE(has(html, ">Today</a>"));
}

TEST(StatusDashboard, SchoolDayLinksStepOverHolidaysInTheCalendar) {
  CalendarConfig cc;
  cc.first_monday = Date::from_ymd(2026, 9, 7);
  // Christmas holiday from Monday 21 December to Friday 1 January; an INSET day on 4 January.
  cc.closed = {{Date::from_ymd(2026, 12, 21), Date::from_ymd(2027, 1, 1)},
               {Date::from_ymd(2027, 1, 4), Date::from_ymd(2027, 1, 4)}};
  auto cal = Calendar::build(cc);
  ASSERT_TRUE(cal);
  auto s = healthy_snapshot();
  s.calendar = std::make_shared<const Calendar>(*cal);
  auto last_day = Date::from_ymd(2026, 12, 18);
  auto html = render_dashboard(empty_plan(last_day), last_day, s);
  EXPECT_TRUE(has(html, "href=\"/?date=2027-01-05\" rel=\"next\""))
      << "the first day back, not the holiday";
  EXPECT_TRUE(has(html, "href=\"/?date=2026-12-17\" rel=\"prev\""));
  auto first_back = Date::from_ymd(2027, 1, 5);
  html = render_dashboard(empty_plan(first_back), first_back, s);
  EXPECT_TRUE(has(html, "href=\"/?date=2026-12-18\" rel=\"prev\"")) << "the last day of term";
}

TEST(StatusDashboard, ErrorPageSaysWhy) {
  auto html = render_dashboard_error(day(), healthy_snapshot(),
                                     make_error("iesync.db", "database <locked>", ""));
  EXPECT_TRUE(has(html, "could not be read: iesync.db: database &lt;locked&gt;")) << html;
  EXPECT_TRUE(has(html, "<input type=\"date\""));
}

}  // namespace
}  // namespace iesync
