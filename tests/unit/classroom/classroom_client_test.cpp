#include "tests/unit/classroom/classroom_env.h"

namespace iesync {
namespace {

using namespace testing_classroom;
using namespace std::chrono;
using fake::Fault;
using fake::FaultKind;

std::vector<std::string> ids(const std::vector<CourseWork>& w) {
  std::vector<std::string> out;
  for (auto& x : w) out.push_back(x.id);
  return out;
}

const std::vector<std::string> kC1Published = {"c1-w3", "c1-w2", "c1-w1"};  // updateTime desc

TEST(ClassroomClient, CourseByAliasIsPercentEncodedAndFound) {
  Env env;
  auto c = env.client->get_course("d:9X1-Ma");
  ASSERT_TRUE(c) << c.error().error.to_string();
  EXPECT_EQ(c->id, "c1");
  EXPECT_EQ(c->name, "Course c1");
  EXPECT_EQ(c->link, "https://classroom.google.com/c/c1");
  auto reqs = env.fake->requests();
  ASSERT_EQ(reqs.back().method, "courses.get");
  EXPECT_EQ(reqs.back().target, "/v1/courses/d%3A9X1-Ma?fields=id%2Cname%2CalternateLink");
}

TEST(ClassroomClient, UnknownCourseIsNotFound) {
  Env env;
  auto c = env.client->get_course("d:10Z9-Xx");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ApiFailureKind::not_found);
  EXPECT_EQ(c.error().status, 404);
  EXPECT_NE(c.error().error.message.find("404 NOT_FOUND: Requested entity was not found."),
            std::string::npos);
  EXPECT_EQ(env.sleeps.size(), 0u);  // a 404 is an answer, not retried
}

TEST(ClassroomClient, CourseWorkIsReadAcrossPagesPublishedOnlyNewestFirst) {
  Env env(/*page_size=*/2);
  auto w = env.client->list_course_work("c1");
  ASSERT_TRUE(w) << w.error().error.to_string();
  EXPECT_EQ(ids(*w), kC1Published);
  EXPECT_EQ(env.fake->count("courseWork.list"), 2u);  // 3 items, pages of 2
  for (auto& r : env.fake->requests())
    if (r.method == "courseWork.list") {
      EXPECT_NE(r.target.find("courseWorkStates=PUBLISHED"), std::string::npos);
      EXPECT_NE(r.target.find("orderBy=updateTime%20desc"), std::string::npos);
      EXPECT_NE(r.target.find("fields=courseWork%28"), std::string::npos);
    }
  env.fake->set_page_size(1);
  env.fake->clear_requests();
  ASSERT_TRUE(env.client->list_course_work("c1"));
  EXPECT_EQ(env.fake->count("courseWork.list"), 3u);
}

TEST(ClassroomClient, CourseWorkFieldsAreParsedFromTheDiscoveryShapes) {
  Env env;
  auto w = env.client->list_course_work("c1");
  ASSERT_TRUE(w);
  std::map<std::string, CourseWork> by;
  for (auto& x : *w) by[x.id] = x;
  EXPECT_EQ(by["c1-w1"].due, utc(2026, 6, 15, 23, 30));
  EXPECT_EQ(by["c1-w2"].due, utc(2026, 6, 15, 14, 0));  // minutes omitted = 0
  EXPECT_EQ(by["c1-w2"].scheduled, utc(2026, 6, 14, 7, 0));
  EXPECT_EQ(by["c1-w2"].created, utc(2026, 6, 12, 8, 0));  // fraction dropped
  EXPECT_FALSE(by["c1-w3"].due);
  EXPECT_EQ(by["c1-w3"].assignee_mode, "INDIVIDUAL_STUDENTS");
  EXPECT_EQ(by["c1-w3"].individual_students, std::vector<std::string>{"1001"});
  EXPECT_EQ(by["c1-w1"].state, "PUBLISHED");
  EXPECT_EQ(by["c1-w1"].link, "https://classroom.google.com/c/c1/a/c1-w1");
  EXPECT_EQ(by["c1-w1"].course_id, "c1");
}

TEST(ClassroomClient, SubmissionsForOneStudentByEmailOrId) {
  Env env;
  const auto& ada = school_students()[0];
  auto by_email = env.client->list_submissions("c1", ada.email);
  ASSERT_TRUE(by_email) << by_email.error().error.to_string();
  ASSERT_EQ(by_email->size(), 3u);
  for (auto& s : *by_email) EXPECT_EQ(s.user_id, ada.id);
  auto by_id = env.client->list_submissions("c1", ada.id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->size(), 3u);
  EXPECT_EQ(env.fake->requests().back().target.rfind(
                "/v1/courses/c1/courseWork/-/studentSubmissions?userId=1001&fields=", 0),
            0u);
  auto uid = env.client->user_id(ada.email);
  ASSERT_TRUE(uid);
  EXPECT_EQ(*uid, ada.id);
  auto nobody = env.client->user_id("nobody@school.example");
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().kind, ApiFailureKind::refused);  // Google says 403 for no such user
}

// Each transient fault is recovered by a retry; the answer is the same as without it.
TEST(ClassroomClient, EveryTransientFaultIsRecovered) {
  for (auto kind :
       {FaultKind::too_many_requests, FaultKind::server_error, FaultKind::unavailable,
        FaultKind::reset, FaultKind::malformed_json, FaultKind::truncated_json, FaultKind::stall}) {
    SCOPED_TRACE(int(kind));
    Env env(2, milliseconds{400});
    Fault f{"courseWork.list", kind};
    f.skip = 1;  // fail the second page, mid-paging
    f.stall = milliseconds{1500};
    env.fake->push_fault(f);
    auto w = env.client->list_course_work("c1");
    ASSERT_TRUE(w) << w.error().error.to_string();
    EXPECT_EQ(ids(*w), kC1Published);
    EXPECT_EQ(env.fake->count("courseWork.list"), 3u);  // page 1, the fault, page 2 again
    if (kind == FaultKind::reset)
      EXPECT_LE(env.sleeps.size(), 1u);  // libcurl itself retries a reused connection that died
    else
      EXPECT_EQ(env.sleeps.size(), 1u);
  }
}

TEST(ClassroomClient, RetryAfterIsHonouredAndCounted) {
  Env env;
  Fault f{"courses.get", FaultKind::too_many_requests};
  f.retry_after_seconds = 7;
  env.fake->push_fault(f);
  ASSERT_TRUE(env.client->get_course("c1"));
  ASSERT_EQ(env.sleeps.size(), 1u);
  EXPECT_GE(env.sleeps[0], seconds{7});
  EXPECT_EQ(env.metrics.requests("courses.get"), 2u);
  auto rows = env.metrics.snapshot();
  auto n = [&](std::string m, int s) {
    for (auto& r : rows)
      if (r.method == m && r.status == s) return r.count;
    return std::uint64_t{0};
  };
  EXPECT_EQ(n("courses.get", 429), 1u);
  EXPECT_EQ(n("courses.get", 200), 1u);
  EXPECT_EQ(n("token", 200), 1u);
}

TEST(ClassroomClient, RetryAfterBeyondTheWaitBudgetGivesUpAtOnce) {
  Env env;
  Fault f{"courses.get", FaultKind::too_many_requests};
  f.retry_after_seconds = 3600;
  env.fake->push_fault(f);
  auto c = env.client->get_course("c1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ApiFailureKind::unreachable);
  EXPECT_TRUE(env.sleeps.empty());
  EXPECT_NE(c.error().error.message.find("429 RESOURCE_EXHAUSTED"), std::string::npos);
}

TEST(ClassroomClient, PersistentOutageStopsAfterBoundedTriesWithGooglesMessage) {
  Env env;
  for (int i = 0; i < 10; ++i) env.fake->push_fault({"courses.get", FaultKind::unavailable});
  auto c = env.client->get_course("c1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ApiFailureKind::unreachable);
  EXPECT_EQ(c.error().status, 503);
  EXPECT_EQ(env.fake->count("courses.get"), 5u);
  ASSERT_EQ(env.sleeps.size(), 4u);
  milliseconds total{0};
  for (auto s : env.sleeps) total += s;
  EXPECT_LE(total, RetryPolicy{}.max_total_sleep);
  EXPECT_GT(env.sleeps[3], env.sleeps[0]);  // backing off
  EXPECT_NE(c.error().error.message.find("503 UNAVAILABLE: The service is currently unavailable."),
            std::string::npos);
}

TEST(ClassroomClient, PersistentlyMalformedJsonIsAnErrorNotACrash) {
  Env env;
  for (int i = 0; i < 5; ++i) env.fake->push_fault({"courseWork.list", FaultKind::malformed_json});
  auto w = env.client->list_course_work("c1");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().error.message.find("not valid JSON"), std::string::npos);
  for (int i = 0; i < 5; ++i) env.fake->push_fault({"courseWork.list", FaultKind::truncated_json});
  EXPECT_FALSE(env.client->list_course_work("c1"));
}

TEST(ClassroomClient, TokenRevokedMidPagingIsRefreshedOnceAndPagingContinues) {
  Env env(2);
  Fault f{"courseWork.list", FaultKind::unauthorized};
  f.skip = 1;
  env.fake->push_fault(f);
  auto w = env.client->list_course_work("c1");
  ASSERT_TRUE(w) << w.error().error.to_string();
  EXPECT_EQ(ids(*w), kC1Published);
  EXPECT_EQ(env.fake->count("token"), 2u);
  EXPECT_TRUE(env.sleeps.empty());  // a refresh, not a backoff
}

TEST(ClassroomClient, A401WithAFreshTokenIsReportedAsAuthWithoutTheToken) {
  Env env;
  env.fake->push_fault({"courses.get", FaultKind::unauthorized});
  env.fake->push_fault({"courses.get", FaultKind::unauthorized});
  auto c = env.client->get_course("c1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ApiFailureKind::auth);
  EXPECT_EQ(env.fake->count("token"), 2u);
  EXPECT_NE(c.error().error.message.find("401 UNAUTHENTICATED"), std::string::npos);
  EXPECT_EQ(c.error().error.to_string().find("ya29."), std::string::npos);
  EXPECT_EQ(c.error().error.to_string().find("Bearer"), std::string::npos);
}

// The fake itself behaves like Google where the client relies on it.
TEST(ClassroomFake, RespectsFieldsAndRejectsUnknownParametersAndBadTokens) {
  Env env;
  auto token = env.tokens->access_token();
  ASSERT_TRUE(token);
  auto get = [&](const std::string& target, bool auth = true) {
    HttpRequest r;
    r.url = env.fake->base_url() + target;
    if (auth) r.headers = {{"Authorization", "Bearer " + *token}};
    auto resp = env.http->send(r);
    EXPECT_TRUE(resp);
    return *resp;
  };
  auto r = get("/v1/courses/c1/courseWork?fields=courseWork(id,dueDate),nextPageToken");
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.size(), 2u);  // courseWork and nextPageToken only
  for (auto& w : v.at("courseWork").as_array()) {
    for (auto& [k, _] : w.as_object()) EXPECT_TRUE(k == "id" || k == "dueDate") << k;
  }
  EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos);

  auto bad = get("/v1/courses/c1/courseWork?colour=blue");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("INVALID_ARGUMENT"), std::string::npos);

  auto no_auth = get("/v1/courses/c1", false);
  EXPECT_EQ(no_auth.status, 401);
  EXPECT_NE(no_auth.body.find("UNAUTHENTICATED"), std::string::npos);

  auto bad_token = get("/v1/courses/c1?pageToken=x");
  EXPECT_EQ(bad_token.status, 400);  // courses.get has no pageToken

  auto next = json::parse(get("/v1/courses/c1/courseWork").body).as_object();
  std::string tok(next.at("nextPageToken").as_string());
  // A page token only works with an otherwise identical request.
  EXPECT_EQ(get("/v1/courses/c1/courseWork?pageToken=" + tok).status, 200);
  EXPECT_EQ(get("/v1/courses/c1/courseWork?orderBy=dueDate&pageToken=" + tok).status, 400);
}

}  // namespace
}  // namespace iesync
