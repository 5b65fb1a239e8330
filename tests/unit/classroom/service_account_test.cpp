#include <sys/stat.h>

#include <fstream>

#include "connectors/classroom/jwt.h"
#include "tests/unit/classroom/classroom_env.h"

namespace iesync {
namespace {

using namespace testing_classroom;
using namespace std::chrono;

std::string text(const json::object& o, const char* k) {
  return std::string(o.at(k).as_string());
}

TEST(ClassroomJwt, Base64UrlRoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    auto enc = base64url_encode(bytes);
    EXPECT_EQ(enc.find_first_of("=+/"), std::string::npos);
    ASSERT_EQ(base64url_decode(enc), bytes);
    bytes += char(i * 37 + 250);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("ab$c"));
}

TEST(ClassroomJwt, AssertionCarriesTheDelegationClaims) {
  TempDir dir;
  auto sa = fake::write_service_account_key(dir.path(), "http://127.0.0.1:1/token");
  auto key = load_service_account_key(sa.key_file);
  ASSERT_TRUE(key) << key.error().to_string();
  auto iat = utc(2026, 6, 15, 8, 0);
  auto jwt = make_grant_assertion(*key, kImpersonate, "http://127.0.0.1:1/token", iat);
  ASSERT_TRUE(jwt);
  auto d1 = jwt->find('.'), d2 = jwt->rfind('.');
  auto header = json::parse(*base64url_decode(jwt->substr(0, d1))).as_object();
  auto claims = json::parse(*base64url_decode(jwt->substr(d1 + 1, d2 - d1 - 1))).as_object();
  EXPECT_EQ(text(header, "alg"), "RS256");
  EXPECT_EQ(text(header, "typ"), "JWT");
  EXPECT_EQ(text(header, "kid"), sa.private_key_id);
  EXPECT_EQ(text(claims, "iss"), sa.client_email);
  EXPECT_EQ(text(claims, "sub"), kImpersonate);
  EXPECT_EQ(text(claims, "aud"), "http://127.0.0.1:1/token");
  EXPECT_EQ(claims.at("scope"),
            "https://www.googleapis.com/auth/classroom.courses.readonly "
            "https://www.googleapis.com/auth/classroom.rosters.readonly "
            "https://www.googleapis.com/auth/classroom.coursework.students.readonly "
            "https://www.googleapis.com/auth/classroom.courseworkmaterials.readonly");
  EXPECT_EQ(claims.at("iat").as_int64(), iat.time_since_epoch().count());
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 3600);
  EXPECT_TRUE(
      rs256_verify(sa.public_pem, jwt->substr(0, d2), *base64url_decode(jwt->substr(d2 + 1))));
  EXPECT_FALSE(rs256_verify(sa.public_pem, jwt->substr(0, d2) + "x",
                            *base64url_decode(jwt->substr(d2 + 1))));
}

TEST(ClassroomServiceAccount, KeyFileReadableByOthersIsRefusedWithChmodAdvice) {
  TempDir dir;
  auto sa = fake::write_service_account_key(dir.path(), "http://127.0.0.1:1/token",
                                            fake::shared_test_key_pair(), 0644);
  auto key = load_service_account_key(sa.key_file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().where, sa.key_file.string());
  EXPECT_NE(key.error().fix.find("chmod 600 " + sa.key_file.string()), std::string::npos);
  ::chmod(sa.key_file.c_str(), 0640);
  EXPECT_FALSE(load_service_account_key(sa.key_file));
  ::chmod(sa.key_file.c_str(), 0600);
  EXPECT_TRUE(load_service_account_key(sa.key_file));
}

TEST(ClassroomServiceAccount, OtherJsonFilesAreNotKeys) {
  TempDir dir;
  auto f = dir.path() / "client_secret.json";
  std::ofstream(f) << R"({"installed":{"client_id":"x"}})";
  ::chmod(f.c_str(), 0600);
  auto key = load_service_account_key(f);
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("not a service-account key"), std::string::npos);
  EXPECT_FALSE(load_service_account_key(dir.path() / "missing.json"));
}

TEST(ClassroomServiceAccount, FakeGrantsATokenAndItIsCachedUntilAMinuteBeforeExpiry) {
  Env env;
  auto t1 = env.tokens->access_token();
  ASSERT_TRUE(t1) << t1.error().error.to_string();
  EXPECT_EQ(env.fake->count("token"), 1u);
  ASSERT_TRUE(env.client->get_course("c1"));
  env.clock.advance(seconds{3599 - 61});
  EXPECT_EQ(*env.tokens->access_token(), *t1);
  EXPECT_EQ(env.fake->count("token"), 1u);
  env.clock.advance(seconds{2});  // now inside the last minute of the token's life
  auto t2 = env.tokens->access_token();
  ASSERT_TRUE(t2);
  EXPECT_NE(*t2, *t1);
  EXPECT_EQ(env.fake->count("token"), 2u);
  // The grant went as a form post, as Google requires.
  auto reqs = env.fake->requests();
  EXPECT_EQ(reqs.front().http_method, "POST");
  EXPECT_EQ(reqs.front().status, 200);
}

TEST(ClassroomServiceAccount, RefusedDelegationIsAClearErrorWithoutSecrets) {
  Env env;
  env.connect("someone-else@school.example");  // not the user delegation allows
  auto c = env.client->get_course("c1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ApiFailureKind::auth);
  const auto text = c.error().error.to_string();
  EXPECT_NE(text.find("Google refused the service account: 400 invalid_grant: Invalid email or "
                      "User ID"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("domain-wide delegation for client id " + env.account.client_id),
            std::string::npos);
  EXPECT_NE(text.find("someone-else@school.example"), std::string::npos);
  EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(text.find("assertion"), std::string::npos);
  EXPECT_EQ(env.fake->count("courses.get"), 0u);  // no API call without a token
}

TEST(ClassroomServiceAccount, SignatureFromAnotherKeyIsRejectedByTheFake) {
  Env env;
  auto other = fake::generate_rsa_key_pair();
  TempDir dir;
  auto sa = fake::write_service_account_key(dir.path(), env.fake->token_uri(), other);
  auto key = load_service_account_key(sa.key_file);
  ASSERT_TRUE(key);
  ServiceAccountTokens tokens(*env.http, *key, kImpersonate, env.fake->token_uri(), env.clock,
                              RetryPolicy{}, env.sleeper);
  auto t = tokens.access_token();
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().error.message.find("Invalid JWT Signature"), std::string::npos);
}

TEST(ClassroomServiceAccount, TokenEndpointOutageIsRetriedThenReportedUnreachable) {
  Env env;
  env.fake->push_fault({"token", fake::FaultKind::unavailable});
  ASSERT_TRUE(env.tokens->access_token());
  EXPECT_EQ(env.fake->count("token"), 2u);
  env.tokens->invalidate();
  for (int i = 0; i < 5; ++i) env.fake->push_fault({"token", fake::FaultKind::server_error});
  auto t = env.tokens->access_token();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ApiFailureKind::unreachable);
  EXPECT_NE(t.error().error.message.find("500 INTERNAL"), std::string::npos);
}

}  // namespace
}  // namespace iesync
