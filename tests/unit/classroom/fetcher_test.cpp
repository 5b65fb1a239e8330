#include <algorithm>

#include "mapping/timezone.h"
#include "tests/unit/classroom/classroom_env.h"

namespace iesync {
namespace {

using namespace testing_classroom;
using namespace std::chrono;

// The day: every IE student misses one lesson of each of their courses, the courses asked
// for by alias as the class mapping produces them.
std::vector<CourseRequest> whole_school_day() {
  std::vector<CourseRequest> reqs;
  for (std::string c : {"c1", "c2", "c3", "c4", "c5"}) {
    CourseRequest r{alias_of(c), {}};
    for (const auto& s : school_students())
      if (std::count(s.courses.begin(), s.courses.end(), c)) r.student_emails.push_back(s.email);
    reqs.push_back(r);
  }
  return reqs;
}

size_t pairs(const std::vector<CourseRequest>& reqs) {
  size_t n = 0;
  for (auto& r : reqs) n += r.student_emails.size();
  return n;
}

struct FetchEnv : Env {
  TempStore store;
  ClassroomCache cache{store.store()};
  std::unique_ptr<ClassroomFetcher> fetcher;
  explicit FetchEnv(int page_size = 100) : Env(page_size) { refetcher(); }
  void refetcher() {
    fetcher = std::make_unique<ClassroomFetcher>(*client, cache, clock, TimeZone::london());
  }
};

const CourseSnapshot& course(const ClassroomDay& d, const std::string& ref) {
  for (auto& c : d.courses)
    if (c.course_ref == ref) return c;
  throw std::runtime_error("no course " + ref);
}

// Minimum requests for a day, with pages big enough for one page per list:
//   1 token + C courses.get + C courseWork.list + C courseWorkMaterials.list
//   + P studentSubmissions.list + U userProfiles.get, where P = sum over courses of their IE
//   students and U = the IE students whose user id is not in the store yet (every one on the first
//   day, none after).
TEST(ClassroomFetcher, AsksForTheMinimumAndCachesUserIds) {
  FetchEnv env;
  auto reqs = whole_school_day();
  ASSERT_EQ(reqs.size(), 5u);
  ASSERT_EQ(pairs(reqs), 9u);  // 3 students: 3 + 2 + 4 courses
  CollectingSink events;
  auto day = env.fetcher->fetch(reqs, events);
  EXPECT_FALSE(day.stale);
  EXPECT_EQ(day.courses.size(), 5u);
  EXPECT_EQ(day.submissions.size(), 9u);
  EXPECT_EQ(env.fake->count("token"), 1u);
  EXPECT_EQ(env.fake->count("courses.get"), 5u);
  EXPECT_EQ(env.fake->count("courseWork.list"), 5u);
  EXPECT_EQ(env.fake->count("courseWorkMaterials.list"), 5u);
  EXPECT_EQ(env.fake->count("studentSubmissions.list"), 9u);
  EXPECT_EQ(env.fake->count("userProfiles.get"), 3u);
  EXPECT_EQ(env.fake->count(), 1u + 5 + 5 + 5 + 9 + 3);
  EXPECT_EQ(env.metrics.requests(), 1u + 5 + 5 + 5 + 9 + 3);
  EXPECT_TRUE(events.events().empty());

  // Next cycle, as a restarted daemon: new token, user ids from the store.
  env.fake->clear_requests();
  env.connect();
  env.refetcher();
  env.fetcher->fetch(reqs, events);
  EXPECT_EQ(env.fake->count("userProfiles.get"), 0u);
  EXPECT_EQ(env.fake->count(), 1u + 5 + 5 + 5 + 9 + 0);
}

// The daemon's pass over three days (a catch-up day, today, tomorrow), each day's cycle with its
// own connector as run_cycle makes it, sharing the pass: each course and each (course,
// student) is asked for once over the pass, however many of the days need it.
TEST(ClassroomFetcher, APassOverThreeDaysReadsEachCourseOnce) {
  FetchEnv env(100);
  const auto& st = school_students();
  // Ada misses Maths and English every day; Ben misses Maths on day 2; Cat History on day 3.
  const std::vector<std::vector<CourseRequest>> days = {
      {{"d:9X1-Ma", {st[0].email}}, {"d:9X1-En", {st[0].email}}},
      {{"d:9X1-Ma", {st[0].email, st[1].email}}, {"d:9X1-En", {st[0].email}}},
      {{"d:9X1-Ma", {st[0].email}}, {"d:9X1-En", {st[0].email}}, {"d:9X2-Hi", {st[2].email}}},
  };
  ClassroomPass pass;
  CollectingSink events;
  std::vector<ClassroomDay> got;
  for (const auto& reqs : days) {
    env.connect();
    env.refetcher();
    got.push_back(env.fetcher->fetch(reqs, events, &pass));
    env.clock.advance(minutes{1});
  }
  EXPECT_EQ(env.fake->count("courses.get"), 3u) << "Maths, English, History once each";
  EXPECT_EQ(env.fake->count("courseWork.list"), 3u);
  EXPECT_EQ(env.fake->count("courseWorkMaterials.list"), 3u);
  EXPECT_EQ(env.fake->count("studentSubmissions.list"), 4u)
      << "Ada in Maths and English, Ben in Maths, Cat in History";
  EXPECT_EQ(env.fake->count("userProfiles.get"), 3u);
  EXPECT_TRUE(events.events().empty());
  // Every day still gets all it asked for.
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].submissions.size(), 3u);
  EXPECT_EQ(course(got[2], "d:9X2-Hi").course_id, "c4");
  EXPECT_EQ(course(got[2], "d:9X1-Ma").work.size(), 3u);
  EXPECT_FALSE(got[2].stale);

  // Without a pass, the same three days read Maths three times: what the pass saves.
  env.fake->clear_requests();
  for (const auto& reqs : days) env.fetcher->fetch(reqs, events);
  EXPECT_EQ(env.fake->count("courseWork.list"), 7u);
}

TEST(ClassroomFetcher, APassKeepsNoCopyShownBecauseGoogleWasDown) {
  ClassroomPass pass;
  CourseSnapshot cached;
  cached.course_ref = "d:9X1-Ma";
  cached.stale = true;
  pass.put_course(cached);
  EXPECT_EQ(pass.course("d:9X1-Ma"), nullptr) << "a later day asks Google again";
  cached.stale = false;
  pass.put_course(cached);
  EXPECT_NE(pass.course("d:9X1-Ma"), nullptr);
}

TEST(ClassroomFetcher, ResultsCarryCourseWorkAndEachStudentsSubmissions) {
  FetchEnv env(2);  // small pages: paging inside the fetch
  CollectingSink events;
  auto day = env.fetcher->fetch(whole_school_day(), events);
  auto& maths = course(day, "d:9X1-Ma");
  EXPECT_EQ(maths.course_id, "c1");
  EXPECT_EQ(maths.name, "Course c1");
  EXPECT_EQ(maths.work.size(), 3u);  // the draft is not asked for
  EXPECT_EQ(maths.fetched_at, env.clock.now());
  for (auto& s : day.submissions) {
    EXPECT_FALSE(s.stale);
    EXPECT_EQ(s.submissions.size(), 3u);
    EXPECT_FALSE(s.user_id.empty());
    auto turned_in = std::count_if(s.submissions.begin(), s.submissions.end(),
                                   [](auto& x) { return x.state == "TURNED_IN"; });
    EXPECT_EQ(turned_in, 1);
  }
}

TEST(ClassroomFetcher, DueTimeLateOnABstDateFallsOnTheNextSchoolDay) {
  FetchEnv env;
  CollectingSink events;
  auto day = env.fetcher->fetch({{"c1", {}}}, events);
  auto& work = course(day, "c1").work;
  auto w1 = std::find_if(work.begin(), work.end(), [](auto& w) { return w.id == "c1-w1"; });
  ASSERT_NE(w1, work.end());
  ASSERT_TRUE(w1->due);
  auto local = TimeZone::london().to_local(*w1->due);
  EXPECT_EQ(local.date, Date::from_ymd(2026, 6, 16));  // 2026-06-15 23:30 UTC = 00:30 BST
  EXPECT_EQ(local.time, TimeOfDay::hm(0, 30));
  // The same UTC time in winter stays on its date.
  EXPECT_EQ(TimeZone::london().to_local(utc(2026, 11, 23, 23, 30)).date,
            Date::from_ymd(2026, 11, 23));
}

TEST(ClassroomFetcher, A404CourseIsNoCourseAndIsCachedAsSuch) {
  FetchEnv env;
  CollectingSink events;
  auto day = env.fetcher->fetch({{"d:9Z9-Xx", {school_students()[0].email}}}, events);
  ASSERT_EQ(day.courses.size(), 1u);
  EXPECT_FALSE(day.courses[0].course_id);
  EXPECT_TRUE(day.courses[0].fetched_at);
  EXPECT_TRUE(day.submissions.empty());  // nothing asked about a course that is not there
  EXPECT_EQ(env.fake->count("studentSubmissions.list"), 0u);
  EXPECT_TRUE(events.has_kind("classroom.no_course"));
  auto cached = env.cache.course("d:9Z9-Xx");
  ASSERT_TRUE(cached && *cached);
  EXPECT_FALSE((*cached)->course_id);
  EXPECT_TRUE((*cached)->fetched_at);
}

TEST(ClassroomFetcher, StoppedClassroomFallsBackToTheLastKnownCopyAndSaysSo) {
  FetchEnv env;
  CollectingSink events;
  auto reqs = whole_school_day();
  reqs.push_back({"d:9Z9-Xx", {}});
  auto first = env.fetcher->fetch(reqs, events);  // at 09:15 school time
  ASSERT_FALSE(first.stale);

  env.fake->stop();
  env.clock.advance(hours{2});
  env.tokens->invalidate();  // a new cycle needs a token: the token endpoint is down too
  CollectingSink later;
  auto second = env.fetcher->fetch(reqs, later);
  EXPECT_TRUE(second.stale);
  ASSERT_EQ(second.courses.size(), first.courses.size());
  for (size_t i = 0; i < first.courses.size(); ++i) {
    EXPECT_TRUE(second.courses[i].stale);
    EXPECT_EQ(second.courses[i].course_id, first.courses[i].course_id);
    EXPECT_EQ(second.courses[i].fetched_at, first.courses[i].fetched_at);
    EXPECT_EQ(second.courses[i].work.size(), first.courses[i].work.size());
  }
  ASSERT_EQ(second.submissions.size(), first.submissions.size());
  for (size_t i = 0; i < first.submissions.size(); ++i) {
    EXPECT_TRUE(second.submissions[i].stale);
    EXPECT_EQ(second.submissions[i].email, first.submissions[i].email);
    EXPECT_EQ(second.submissions[i].submissions.size(), first.submissions[i].submissions.size());
  }
  auto w = std::find_if(second.courses[0].work.begin(), second.courses[0].work.end(),
                        [](auto& x) { return x.id == "c1-w1"; });
  ASSERT_NE(w, second.courses[0].work.end());
  EXPECT_EQ(w->due, utc(2026, 6, 15, 23, 30));  // times survive the store

  auto evs = later.events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, "classroom.unreachable");
  EXPECT_EQ(evs[0].severity, Severity::warning);
  EXPECT_NE(evs[0].message.find("Google Classroom could not be reached ("), std::string::npos);
  EXPECT_NE(evs[0].message.find("showing work as of 09:15"), std::string::npos) << evs[0].message;
  // Once Google is found unreachable, the rest of the day is not retried call by call.
  EXPECT_LE(env.sleeps.size(), 4u);
}

TEST(ClassroomFetcher, NeverFetchedCoursesAreStaleWithNoCopy) {
  FetchEnv env;
  env.fake->stop();
  CollectingSink events;
  auto day = env.fetcher->fetch(whole_school_day(), events);
  EXPECT_TRUE(day.stale);
  for (auto& c : day.courses) {
    EXPECT_TRUE(c.stale);
    EXPECT_FALSE(c.fetched_at);
  }
  ASSERT_TRUE(events.has_kind("classroom.unreachable"));
  EXPECT_NE(events.events()[0].message.find("no earlier copy is stored"), std::string::npos);
}

TEST(ClassroomFetcher, RefusedServiceAccountFallsBackWithTheFixInTheEvent) {
  FetchEnv env;
  CollectingSink events;
  env.fetcher->fetch(whole_school_day(), events);
  env.connect("left-the-school@school.example");
  env.refetcher();
  CollectingSink later;
  auto day = env.fetcher->fetch(whole_school_day(), later);
  EXPECT_TRUE(day.stale);
  auto evs = later.events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(evs[0].message.find("Google refused the service account"), std::string::npos);
  EXPECT_NE(evs[0].message.find("domain-wide delegation"), std::string::npos);
  EXPECT_NE(evs[0].message.find("showing work as of 09:15"), std::string::npos);
  EXPECT_EQ(env.fake->count("token"), 2u);  // one refused grant; no API call after it
}

TEST(ClassroomFetcher, UnknownStudentIsReportedOnceAndSkipped) {
  FetchEnv env;
  CollectingSink events;
  std::string ghost = "ghost@pupils.school.example";
  auto day = env.fetcher->fetch({{"c1", {ghost}}, {"c2", {ghost}}}, events);
  EXPECT_TRUE(day.submissions.empty());
  EXPECT_FALSE(day.stale);
  EXPECT_EQ(env.fake->count("userProfiles.get"), 1u);
  auto evs = events.events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, "classroom.unknown_user");
  EXPECT_NE(evs[0].message.find(ghost), std::string::npos);
}

}  // namespace
}  // namespace iesync
