// Work posted as a Classroom material counts as set (SPEC §5): read from the local fake over
// loopback by the real client and fetcher, then judged by the work rule as a cycle judges it.
#include <algorithm>

#include "mapping/timezone.h"
#include "mapping/work_rule.h"
#include "store/session_store.h"
#include "tests/unit/classroom/classroom_env.h"

namespace iesync {
namespace {

using namespace testing_classroom;
using namespace std::chrono;

const char* kAda = "ada.example@pupils.school.example";  // user 1001
const char* kBen = "ben.example@pupils.school.example";  // user 1002

// Tuesday 16 June 2026, period 2: 09:50-10:50 BST (08:50-09:50 UTC).
const LessonSlot kLesson{Date::from_ymd(2026, 6, 16), *TimeRange::parse("09:50-10:50")};
const WorkConfig kRule{days{3}, minutes{0}};

json::object material(const std::string& course, const std::string& id,
                      const std::string& state = "PUBLISHED",
                      const std::string& posted = "2026-06-15T17:05:00Z") {
  json::object m{
      {"courseId", course},
      {"id", id},
      {"title", "Reading pack " + id},
      {"state", state},
      {"creationTime", posted},
      {"updateTime", posted},
      {"assigneeMode", "ALL_STUDENTS"},
      {"materials", json::array{json::object{
                        {"link", json::object{{"url", "https://www.example.org/" + id}}}}}}};
  if (state == "PUBLISHED")
    m["alternateLink"] = "https://classroom.google.com/c/" + course + "/m/" + id + "/details";
  return m;
}

// An assignment due on the lesson's day.
json::object assignment(const std::string& course, const std::string& id) {
  return json::object{{"courseId", course},
                      {"id", id},
                      {"title", "Worksheet " + id},
                      {"state", "PUBLISHED"},
                      {"alternateLink", "https://classroom.google.com/c/" + course + "/a/" + id},
                      {"creationTime", "2026-06-15T16:00:00Z"},
                      {"updateTime", "2026-06-15T16:00:00Z"},
                      {"dueDate", json::object{{"year", 2026}, {"month", 6}, {"day", 16}}},
                      {"dueTime", json::object{{"hours", 15}}},
                      {"workType", "ASSIGNMENT"},
                      {"assigneeMode", "ALL_STUDENTS"}};
}

json::object submission(const std::string& course, const std::string& work, const std::string& user,
                        const std::string& state) {
  return json::object{{"courseId", course},       {"courseWorkId", work},
                      {"id", "s-" + work + user}, {"userId", user},
                      {"state", state},           {"updateTime", "2026-06-16T07:30:00Z"}};
}

// Two courses (c1 "d:9X1-Ma", c2 "d:9X1-En"), both with Ada (1001) and Ben (1002), and the
// given work.
std::string fixture(json::array materials, json::array work = {}, json::array subs = {}) {
  json::array courses, students;
  for (std::string c : {"c1", "c2"}) {
    courses.push_back(json::object{{"id", c},
                                   {"name", "Course " + c},
                                   {"courseState", "ACTIVE"},
                                   {"alternateLink", "https://classroom.google.com/c/" + c},
                                   {"aliases", json::array{json::object{{"alias", alias_of(c)}}}}});
    for (auto [id, email] : {std::pair{"1001", kAda}, std::pair{"1002", kBen}})
      students.push_back(
          json::object{{"courseId", c},
                       {"userId", id},
                       {"profile", json::object{{"id", id}, {"emailAddress", email}}}});
  }
  return json::serialize(json::object{{"courses", courses},
                                      {"students", students},
                                      {"courseWork", work},
                                      {"courseWorkMaterial", materials},
                                      {"studentSubmissions", subs}});
}

fake::FakeOptions options(std::vector<std::string> allowed_scopes = {}) {
  fake::FakeOptions fo;
  fo.page_size = 1;  // every list pages
  fo.public_key_pem = fake::shared_test_key_pair().public_pem;
  fo.impersonate = kImpersonate;
  fo.allowed_scopes = std::move(allowed_scopes);
  return fo;
}

struct MaterialsEnv {
  TempDir dir;
  FakeClock clock{utc(2026, 6, 16, 7, 0)};  // 08:00 in school, before the lesson
  std::unique_ptr<fake::FakeClassroom> fake;
  fake::TestServiceAccount account;
  Sleeper sleeper = [](milliseconds) {};
  std::unique_ptr<HttpClient> http = make_curl_client(HttpOptions{});
  std::unique_ptr<ServiceAccountTokens> tokens;
  std::unique_ptr<ClassroomClient> client;
  TempStore store;
  ClassroomCache cache{store.store()};
  std::unique_ptr<ClassroomFetcher> fetcher;

  explicit MaterialsEnv(const std::string& fixture_json, fake::FakeOptions fo = options()) {
    fo.clock = &clock;
    fake = std::make_unique<fake::FakeClassroom>(fo);
    auto loaded = fake->load_fixture_json(fixture_json);
    if (!loaded) throw ErrorException(loaded.error());
    fake->start();
    account = fake::write_service_account_key(dir.path(), fake->token_uri());
    auto key = load_service_account_key(account.key_file);
    if (!key) throw ErrorException(key.error());
    tokens = std::make_unique<ServiceAccountTokens>(*http, *key, kImpersonate, fake->token_uri(),
                                                    clock, RetryPolicy{}, sleeper);
    ClassroomClientOptions co;
    co.api_base = fake->base_url();
    client = std::make_unique<ClassroomClient>(*http, *tokens, co, sleeper);
    fetcher = std::make_unique<ClassroomFetcher>(*client, cache, clock, TimeZone::london());
  }

  ClassroomDay fetch(EventSink& events) {
    return fetcher->fetch({{"d:9X1-Ma", {kAda, kBen}}, {"d:9X1-En", {kAda, kBen}}}, events);
  }

  // The lesson's work for one student in one course, as the cycle assesses it.
  static LessonWork work(const ClassroomDay& day, const std::string& course_ref,
                         const std::string& email) {
    const CourseSnapshot* course = nullptr;
    for (const auto& c : day.courses)
      if (c.course_ref == course_ref) course = &c;
    if (!course) throw std::runtime_error("no course " + course_ref);
    const StudentSubmissions* subs = nullptr;
    for (const auto& s : day.submissions)
      if (s.email == email && course->course_id && s.course_id == *course->course_id) subs = &s;
    return assess_work(kLesson, course, subs, kRule, TimeZone::london());
  }
};

TEST(ClassroomMaterials, AMaterialForTheWholeClassMakesTheLessonSet) {
  MaterialsEnv env(fixture(
      {material("c1", "m1"), material("c1", "m-old", "PUBLISHED", "2026-06-08T17:00:00Z")}));
  CollectingSink events;
  auto day = env.fetch(events);
  EXPECT_TRUE(events.events().empty());
  auto w = MaterialsEnv::work(day, "d:9X1-Ma", kAda);
  EXPECT_EQ(w.status, WorkStatus::set);
  EXPECT_TRUE(w.materials_checked);
  ASSERT_EQ(w.items.size(), 1u);  // the one posted a week before is not for this lesson
  EXPECT_EQ(w.items[0].id, "m1");
  EXPECT_EQ(w.items[0].state, "MATERIAL");
  EXPECT_EQ(w.items[0].title, "Reading pack m1");
  EXPECT_EQ(w.items[0].link, "https://classroom.google.com/c/c1/m/m1/details");
  EXPECT_FALSE(w.items[0].handed_in);
  // The other course has nothing: still not set.
  EXPECT_EQ(MaterialsEnv::work(day, "d:9X1-En", kAda).status, WorkStatus::not_set);

  // One list per course, paged, PUBLISHED only and a partial response.
  size_t material_calls = 0;
  for (const auto& r : env.fake->requests()) {
    if (r.method != "courseWorkMaterials.list") continue;
    ++material_calls;
    EXPECT_EQ(r.status, 200) << r.target;
    EXPECT_NE(r.target.find("courseWorkMaterialStates=PUBLISHED"), std::string::npos) << r.target;
    EXPECT_NE(r.target.find("fields="), std::string::npos) << r.target;
  }
  EXPECT_EQ(material_calls, 3u);  // c1: two pages of one; c2: one empty page
}

TEST(ClassroomMaterials, AMaterialForAnotherPupilDoesNotCount) {
  auto for_ben = material("c1", "m1");
  for_ben["assigneeMode"] = "INDIVIDUAL_STUDENTS";
  for_ben["individualStudentsOptions"] = json::object{{"studentIds", json::array{"1002"}}};
  MaterialsEnv env(fixture({for_ben}));
  CollectingSink events;
  auto day = env.fetch(events);
  EXPECT_EQ(MaterialsEnv::work(day, "d:9X1-Ma", kAda).status, WorkStatus::not_set);
  auto ben = MaterialsEnv::work(day, "d:9X1-Ma", kBen);
  EXPECT_EQ(ben.status, WorkStatus::set);
  ASSERT_EQ(ben.items.size(), 1u);
  EXPECT_EQ(ben.items[0].state, "MATERIAL");
}

TEST(ClassroomMaterials, ADraftMaterialDoesNotCount) {
  MaterialsEnv env(fixture({material("c1", "m-draft", "DRAFT")}));
  CollectingSink events;
  auto day = env.fetch(events);
  auto w = MaterialsEnv::work(day, "d:9X1-Ma", kAda);
  EXPECT_EQ(w.status, WorkStatus::not_set);
  EXPECT_TRUE(w.items.empty());
  EXPECT_TRUE(w.materials_checked);
}

TEST(ClassroomMaterials, AHandedInAssignmentWithAMaterialIsHandedIn) {
  MaterialsEnv env(fixture(
      {material("c1", "m1")}, {assignment("c1", "w1")},
      {submission("c1", "w1", "1001", "TURNED_IN"), submission("c1", "w1", "1002", "CREATED")}));
  CollectingSink events;
  auto day = env.fetch(events);
  auto ada = MaterialsEnv::work(day, "d:9X1-Ma", kAda);
  EXPECT_EQ(ada.status, WorkStatus::handed_in);  // the material has nothing to hand in
  ASSERT_EQ(ada.items.size(), 2u);
  EXPECT_EQ(ada.items[0].state, "TURNED_IN");
  EXPECT_EQ(ada.items[1].state, "MATERIAL");
  EXPECT_EQ(MaterialsEnv::work(day, "d:9X1-Ma", kBen).status, WorkStatus::set);
}

// An admin whose domain-wide delegation entry predates materials: the grant with every scope
// is refused, so iesync asks again without the materials scope; Google then answers the
// materials list 403 "insufficient authentication scopes". The log names the scope and where
// to add it; lessons go by their assignments and say materials were not checked.
TEST(ClassroomMaterials, AMissingScopeLeavesMaterialsUncheckedAndTheRestAsBefore) {
  std::vector<std::string> allowed;
  for (const auto& s : fake::default_allowed_scopes())
    if (s != kMaterialsScope) allowed.push_back(s);
  MaterialsEnv env(fixture({material("c1", "m1"), material("c2", "m2")}, {assignment("c1", "w1")},
                           {submission("c1", "w1", "1001", "CREATED")}),
                   options(allowed));
  CollectingSink events;
  auto day = env.fetch(events);
  EXPECT_FALSE(day.stale);

  auto maths = MaterialsEnv::work(day, "d:9X1-Ma", kAda);
  EXPECT_EQ(maths.status, WorkStatus::set);  // from the assignment
  EXPECT_FALSE(maths.materials_checked);
  ASSERT_EQ(maths.items.size(), 1u);
  EXPECT_EQ(maths.items[0].state, "CREATED");
  auto english = MaterialsEnv::work(day, "d:9X1-En", kAda);
  EXPECT_EQ(english.status, WorkStatus::not_set);  // never unknown for a missing scope
  EXPECT_FALSE(english.materials_checked);

  EXPECT_EQ(env.fake->count("token"), 2u);  // every scope refused, then the rest granted
  EXPECT_EQ(env.fake->count("courseWorkMaterials.list"), 1u);  // not asked again this cycle
  for (const auto& r : env.fake->requests())
    if (r.method == "courseWorkMaterials.list") {
      EXPECT_EQ(r.status, 403);
    }
  EXPECT_EQ(env.fake->count("courseWork.list"), 2u);
  EXPECT_EQ(env.fake->count("studentSubmissions.list"), 4u);

  auto evs = events.events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, "classroom.materials_scope");
  EXPECT_EQ(evs[0].severity, Severity::warning);
  const auto& msg = evs[0].message;
  EXPECT_NE(msg.find("insufficient authentication scopes"), std::string::npos) << msg;
  EXPECT_NE(msg.find(kMaterialsScope), std::string::npos) << msg;
  EXPECT_NE(msg.find("Manage Domain Wide Delegation"), std::string::npos) << msg;

  // What the plan and the dashboard read back from the store says so too.
  IeSession s;
  s.booking_id = "IE1";
  s.student_id = "1001";
  s.date = kLesson.date;
  s.window = kLesson.time;
  MissedLesson l;
  l.class_code = "9X1/En";
  l.time = kLesson.time;
  l.work = english;
  s.lessons.push_back(l);
  SessionStore sessions(env.store.store());
  ASSERT_TRUE(sessions.save_day(kLesson.date, {s}, env.clock.now()));
  auto back = sessions.load_day(kLesson.date);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_FALSE((*back)[0].lessons.at(0).work.materials_checked);
  EXPECT_EQ((*back)[0].lessons.at(0).work.status, WorkStatus::not_set);
}

// Google gone: the cached materials still count, as the last known status.
TEST(ClassroomMaterials, MaterialsSurviveInTheCacheWhenClassroomIsUnreachable) {
  MaterialsEnv env(fixture({material("c1", "m1")}));
  CollectingSink events;
  env.fetch(events);
  env.fake->stop();
  env.tokens->invalidate();
  CollectingSink later;
  auto day = env.fetch(later);
  EXPECT_TRUE(day.stale);
  auto w = MaterialsEnv::work(day, "d:9X1-Ma", kAda);
  EXPECT_EQ(w.status, WorkStatus::unknown);
  EXPECT_EQ(w.last_known, WorkStatus::set);
  ASSERT_EQ(w.items.size(), 1u);
  EXPECT_EQ(w.items[0].state, "MATERIAL");
  EXPECT_EQ(w.items[0].link, "https://classroom.google.com/c/c1/m/m1/details");
}

}  // namespace
}  // namespace iesync
