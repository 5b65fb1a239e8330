// The libcurl client against a real loopback server (the Classroom fake).
#include "tests/unit/classroom/classroom_env.h"

namespace iesync {
namespace {

using namespace testing_classroom;
using namespace std::chrono;

TEST(CurlClient, PostsABodyAndCapturesStatusAndHeaders) {
  Env env;
  HttpRequest r;
  r.method = "POST";
  r.url = env.fake->token_uri();
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = "grant_type=password";
  auto resp = env.http->send(r);
  ASSERT_TRUE(resp) << resp.error().to_string();
  EXPECT_EQ(resp->status, 400);  // an HTTP error status is a response, not an Error
  EXPECT_NE(resp->body.find("unsupported_grant_type"), std::string::npos);
  EXPECT_EQ(resp->header("SERVER"), "ESF");
  EXPECT_NE(resp->header("content-length"), "");
}

TEST(CurlClient, ReusesOneConnectionAcrossRequests) {
  Env env;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(env.client->get_course("c1"));
  EXPECT_EQ(env.fake->count(), 5u);  // token + 4
  EXPECT_EQ(env.fake->connections(), 1u);
}

TEST(CurlClient, TransportFailuresAreErrorsNamingTheUrlWithoutSecrets) {
  Env env;
  auto base = env.fake->base_url();
  env.fake->stop();
  HttpRequest r;
  r.url = base + "/v1/courses/c1?userId=ada.example%40pupils.school.example";
  r.headers = {{"Authorization", "Bearer ya29.secret-token"}};
  auto resp = env.http->send(r);
  ASSERT_FALSE(resp);
  const auto text = resp.error().to_string();
  EXPECT_EQ(resp.error().where, base + "/v1/courses/c1");
  EXPECT_NE(text.find("curl error 7"), std::string::npos) << text;  // couldn't connect
  EXPECT_EQ(text.find("secret-token"), std::string::npos);
  EXPECT_EQ(text.find("pupils.school.example"), std::string::npos);
}

TEST(CurlClient, TotalTimeoutCutsAStalledServer) {
  Env env(2, milliseconds{300});
  fake::Fault f{"courses.get", fake::FaultKind::stall};
  f.stall = milliseconds{3000};
  env.fake->push_fault(f);
  ASSERT_TRUE(env.tokens->access_token());
  HttpRequest r;
  r.url = env.fake->base_url() + "/v1/courses/c1";
  auto start = steady_clock::now();
  auto resp = env.http->send(r);
  ASSERT_FALSE(resp);
  EXPECT_LT(steady_clock::now() - start, milliseconds{2500});
  EXPECT_NE(resp.error().message.find("curl error 28"), std::string::npos) << resp.error().message;
}

}  // namespace
}  // namespace iesync
