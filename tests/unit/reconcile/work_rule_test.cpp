#include "mapping/work_rule.h"

#include <gtest/gtest.h>

#include "mapping/courses.h"

namespace iesync {
namespace {

using namespace std::chrono;

TimePoint utc(int y, unsigned m, unsigned d, int h, int min) {
  return TimePoint{sys_days{year{y} / month{m} / day{d}}} + hours{h} + minutes{min};
}

// Thursday 26 Nov 2026, period 2 (09:50-10:50 GMT), and Tuesday 6 Oct 2026 (BST).
const LessonSlot kNovLesson{Date::from_ymd(2026, 11, 26), *TimeRange::parse("09:50-10:50")};
const LessonSlot kOctLesson{Date::from_ymd(2026, 10, 6), *TimeRange::parse("09:50-10:50")};

CourseWork work(std::string id, std::optional<TimePoint> due, std::optional<TimePoint> created,
                std::string state = "PUBLISHED") {
  CourseWork w;
  w.course_id = "c1";
  w.id = std::move(id);
  w.title = "Task " + w.id;
  w.state = std::move(state);
  w.link = "https://classroom.google.com/c/c1/a/" + w.id;
  w.due = due;
  w.created = created;
  w.assignee_mode = "ALL_STUDENTS";
  return w;
}

CourseSnapshot course(std::vector<CourseWork> items, bool stale = false) {
  CourseSnapshot c;
  c.course_ref = "d:9X1-Ma";
  c.course_id = "c1";
  c.work = std::move(items);
  c.fetched_at = utc(2026, 11, 26, 9, 0);
  c.stale = stale;
  return c;
}

StudentSubmissions subs(std::vector<std::pair<std::string, std::string>> states) {
  StudentSubmissions s;
  s.course_id = "c1";
  s.email = "pupil@demo.sch.uk";
  s.user_id = "u-pupil";
  s.fetched_at = utc(2026, 11, 26, 9, 0);
  for (auto& [id, st] : states) s.submissions.push_back({"c1", id, "u-pupil", st});
  return s;
}

const WorkConfig kRule{days{3}, minutes{0}};

struct Case {
  const char* name;
  CourseWork item;
  bool counts;
};

TEST(WorkRule, WhichItemsCountForALesson) {
  auto individual_other = work("ind", utc(2026, 11, 26, 15, 0), std::nullopt);
  individual_other.assignee_mode = "INDIVIDUAL_STUDENTS";
  individual_other.individual_students = {"u-someone-else"};
  auto individual_me = individual_other;
  individual_me.individual_students = {"u-someone-else", "u-pupil"};
  auto scheduled_in = work("sched", std::nullopt, utc(2026, 11, 1, 8, 0));
  scheduled_in.scheduled = utc(2026, 11, 25, 16, 0);  // scheduled wins over creation
  auto scheduled_out = work("sched2", std::nullopt, utc(2026, 11, 25, 16, 0));
  scheduled_out.scheduled = utc(2026, 11, 27, 9, 0);  // publishes after the lesson ends

  const Case cases[] = {
      {"due on the day", work("a", utc(2026, 11, 26, 23, 59), std::nullopt), true},
      {"due the next day", work("b", utc(2026, 11, 27, 8, 0), std::nullopt), false},
      {"posted the day before", work("c", std::nullopt, utc(2026, 11, 25, 17, 0)), true},
      {"posted exactly set_before ahead", work("d", std::nullopt, utc(2026, 11, 23, 9, 50)), true},
      {"posted the week before", work("e", std::nullopt, utc(2026, 11, 19, 9, 0)), false},
      {"posted during the lesson", work("f", std::nullopt, utc(2026, 11, 26, 10, 30)), true},
      {"posted after the lesson (set_after 0m)", work("g", std::nullopt, utc(2026, 11, 26, 10, 51)),
       false},
      {"a draft due on the day", work("h", utc(2026, 11, 26, 12, 0), std::nullopt, "DRAFT"), false},
      {"individually assigned to someone else", individual_other, false},
      {"individually assigned including the student", individual_me, true},
      {"scheduled time inside the window", scheduled_in, true},
      {"scheduled time after the window", scheduled_out, false},
  };
  auto tz = TimeZone::london();
  for (const auto& c : cases)
    EXPECT_EQ(counts_for_lesson(c.item, kNovLesson, "u-pupil", kRule, tz), c.counts) << c.name;
}

TEST(WorkRule, DueDateIsComparedInSchoolTimeAcrossBst) {
  auto tz = TimeZone::london();
  // 23:30 UTC on 5 Oct is 00:30 BST on 6 Oct: due on the lesson's day.
  EXPECT_TRUE(counts_for_lesson(work("late", utc(2026, 10, 5, 23, 30), std::nullopt), kOctLesson,
                                "u-pupil", kRule, tz));
  // 23:30 UTC on 6 Oct is already 7 Oct in London.
  EXPECT_FALSE(counts_for_lesson(work("next", utc(2026, 10, 6, 23, 30), std::nullopt), kOctLesson,
                                 "u-pupil", kRule, tz));
  // Posted at 08:55 UTC = 09:55 BST, during the lesson.
  EXPECT_TRUE(counts_for_lesson(work("in", std::nullopt, utc(2026, 10, 6, 8, 55)), kOctLesson,
                                "u-pupil", WorkConfig{minutes{0}, minutes{0}}, tz));
  // Posted at 09:55 UTC = 10:55 BST, after the lesson.
  EXPECT_FALSE(counts_for_lesson(work("out", std::nullopt, utc(2026, 10, 6, 9, 55)), kOctLesson,
                                 "u-pupil", WorkConfig{minutes{0}, minutes{0}}, tz));
}

TEST(WorkRule, StatusFromSubmissions) {
  auto tz = TimeZone::london();
  auto c = course({work("a", utc(2026, 11, 26, 15, 0), std::nullopt),
                   work("b", std::nullopt, utc(2026, 11, 25, 12, 0)),
                   work("old", std::nullopt, utc(2026, 10, 1, 12, 0))});

  auto all_in = subs({{"a", "TURNED_IN"}, {"b", "RETURNED"}, {"old", "NEW"}});
  auto r = assess_work(kNovLesson, &c, &all_in, kRule, tz);
  EXPECT_EQ(r.status, WorkStatus::handed_in);
  ASSERT_EQ(r.items.size(), 2u) << "the old item is outside set_before and must not count";

  auto reclaimed = subs({{"a", "TURNED_IN"}, {"b", "RECLAIMED_BY_STUDENT"}});
  r = assess_work(kNovLesson, &c, &reclaimed, kRule, tz);
  EXPECT_EQ(r.status, WorkStatus::set) << "a reclaimed submission is no longer handed in";
  EXPECT_EQ(r.items[1].state, "RECLAIMED_BY_STUDENT");

  auto none = subs({});
  r = assess_work(kNovLesson, &c, &none, kRule, tz);
  EXPECT_EQ(r.status, WorkStatus::set);
  EXPECT_EQ(r.items[0].state, "NONE");
  EXPECT_EQ(r.items[0].due, "2026-11-26 15:00");

  auto empty = course({work("old", std::nullopt, utc(2026, 10, 1, 12, 0))});
  EXPECT_EQ(assess_work(kNovLesson, &empty, &none, kRule, tz).status, WorkStatus::not_set);
}

TEST(WorkRule, NoCourseUnknownAndStale) {
  auto tz = TimeZone::london();
  auto none = subs({});
  EXPECT_EQ(assess_work(kNovLesson, nullptr, &none, kRule, tz).status, WorkStatus::no_course);

  auto missing = course({});
  missing.course_id.reset();
  EXPECT_EQ(assess_work(kNovLesson, &missing, &none, kRule, tz).status, WorkStatus::no_course);

  auto never = course({});
  never.fetched_at.reset();
  EXPECT_EQ(assess_work(kNovLesson, &never, &none, kRule, tz).status, WorkStatus::unknown);

  auto stale = course({work("a", utc(2026, 11, 26, 15, 0), std::nullopt)}, /*stale=*/true);
  auto in = subs({{"a", "TURNED_IN"}});
  auto r = assess_work(kNovLesson, &stale, &in, kRule, tz);
  EXPECT_EQ(r.status, WorkStatus::unknown);
  ASSERT_TRUE(r.last_known);
  EXPECT_EQ(*r.last_known, WorkStatus::handed_in);
  EXPECT_EQ(r.checked_at, utc(2026, 11, 26, 9, 0));
}

TEST(Courses, OverridesAliasAndIgnore) {
  CoursesConfig cfg;
  cfg.alias = "d:{class_code}";
  cfg.overrides = {{"9X1/Ma", "123456789"}};
  cfg.ignore = {"*/Tu", "*/Reg"};
  EXPECT_EQ(course_ref_for(cfg, "9X1/Ma"), "123456789");
  EXPECT_EQ(course_ref_for(cfg, "10Y2/Sc"), "d:10Y2-Sc");
  EXPECT_EQ(course_ref_for(cfg, "9X/Tu"), std::nullopt);
  EXPECT_TRUE(class_ignored(cfg, "7A/Reg"));
  EXPECT_FALSE(class_ignored(cfg, "7A/Ma"));
  cfg.alias = "d:2026-{class_code}";
  EXPECT_EQ(course_ref_for(cfg, "11B/En1"), "d:2026-11B-En1");
}

}  // namespace
}  // namespace iesync
