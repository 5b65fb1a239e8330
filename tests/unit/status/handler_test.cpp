// The status routes as a pure function: every route, every auth case, without a socket.
#include "daemon/status/handler.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "daemon/status/actions.h"
#include "tests/unit/status/status_fixtures.h"

namespace iesync {
namespace {

using namespace statustest;

struct Call {
  StatusSnapshot snap = healthy_snapshot();
  AuthContext auth;
  std::optional<Result<json::object>> plan;

  StatusResponse operator()(const std::string& method, const std::string& target,
                            const std::string& authorization = {}) {
    StatusRequest r{method, target, authorization};
    if (auto d = plan_date_for(r, snap)) plan.emplace(*d == day() ? busy_plan() : empty_plan(*d));
    return handle_status_request(r, snap, auth, plan ? &*plan : nullptr);
  }
};

std::optional<std::string> header(const StatusResponse& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

TEST(StatusHandler, HealthzOkWhenTheLastSuccessIsRecent) {
  Call call;
  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_FALSE(r.trigger_sync);
}

TEST(StatusHandler, Healthz503SaysWhyAfterThreeIntervals) {
  Call call;
  call.snap.last_success = at(9, 44);  // 46 minutes before 10:30, interval 15m
  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("46 minutes ago"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("45 minutes"), std::string::npos) << r.body;

  call.snap.last_success = at(9, 45);  // exactly 3 intervals: still healthy
  EXPECT_EQ(call("GET", "/healthz").status, 200);

  call.snap.last_success.reset();
  r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("no sync cycle has succeeded"), std::string::npos) << r.body;
}

TEST(StatusHandler, MetricsArePrometheusText) {
  Call call;
  auto r = call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("iesync_cycles_total{result=\"ok\"} 40\n"), std::string::npos);
}

TEST(StatusHandler, StatusJsonHasHealthCyclesOutboxWarningsAndSchedule) {
  Call call;
  call.snap.warnings = {"students export held: roster dropped 40%"};
  call.snap.cycle_running = true;
  auto r = call("GET", "/api/v1/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("healthy"), true);
  EXPECT_EQ(v.at("running"), true);
  EXPECT_EQ(v.at("queued"), false);
  EXPECT_EQ(v.at("last_success"), "2026-11-23T10:26:00Z");
  EXPECT_EQ(v.at("next_cycle"), "2026-11-23T10:41:00Z");
  EXPECT_EQ(v.at("cycles").as_array().size(), 1u);
  EXPECT_EQ(v.at("cycles").at(0).at("result"), "ok");
  EXPECT_EQ(v.at("outbox").at("pending"), 2);
  EXPECT_EQ(v.at("warnings").at(0), "students export held: roster dropped 40%");
}

TEST(StatusHandler, AHeldExportIsDegradedInStatusJsonWhileHealthzStays200AndSaysWhy) {
  Call call;
  EXPECT_EQ(json::parse(call("GET", "/api/v1/status").body).at("degraded"), false);
  call.snap.held_exports = {
      {"memberships", "the new export has 40 classes, 60% fewer than the 100 in use"}};
  call.snap.warnings = {held_export_warning(call.snap.held_exports[0])};
  auto v = json::parse(call("GET", "/api/v1/status").body).as_object();
  EXPECT_EQ(v.at("healthy"), true);
  EXPECT_EQ(v.at("degraded"), true);
  ASSERT_EQ(v.at("held_exports").as_array().size(), 1u);
  EXPECT_EQ(v.at("held_exports").at(0).at("feed"), "memberships");
  EXPECT_EQ(v.at("held_exports").at(0).at("apply_with"), "iesync sync --accept-drop");
  EXPECT_NE(std::string(v.at("warnings").at(0).as_string()).find("run `iesync sync --accept-drop`"),
            std::string::npos);

  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 200) << "cycles succeed: the service is up";
  EXPECT_TRUE(r.body.starts_with("ok, but degraded:\n")) << r.body;
  EXPECT_NE(r.body.find("memberships export is held"), std::string::npos) << r.body;

  call.snap.last_success.reset();
  EXPECT_EQ(call("GET", "/healthz").status, 503)
      << "a failing service is unhealthy, held export or not";
}

TEST(StatusHandler, PlanForADateIsThePlanJson) {
  Call call;
  auto r = call("GET", "/api/v1/plan?date=2026-11-23");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::value(busy_plan()));
  r = call("GET", "/api/v1/plan?date=2026-11-24");
  EXPECT_EQ(json::parse(r.body).at("date"), "2026-11-24");
}

TEST(StatusHandler, PlanDateIsTodayByDefaultAndNoneForOtherRoutes) {
  auto snap = healthy_snapshot();
  EXPECT_EQ(plan_date_for({"GET", "/api/v1/plan", ""}, snap), day());
  EXPECT_EQ(plan_date_for({"GET", "/", ""}, snap), day());
  EXPECT_EQ(plan_date_for({"GET", "/?date=", ""}, snap), day());
  EXPECT_EQ(plan_date_for({"GET", "/?date=2026-12-01", ""}, snap), Date::from_ymd(2026, 12, 1));
  EXPECT_EQ(plan_date_for({"GET", "/healthz", ""}, snap), std::nullopt);
  EXPECT_EQ(plan_date_for({"POST", "/api/v1/plan", ""}, snap), std::nullopt);
  EXPECT_EQ(plan_date_for({"GET", "/api/v1/plan?date=23/11/2026", ""}, snap), std::nullopt);
}

TEST(StatusHandler, BadDateIs400SayingYYYYMMDD) {
  Call call;
  for (const char* t : {"/api/v1/plan?date=23/11/2026", "/api/v1/plan?date=2026-13-01",
                        "/api/v1/plan?date=tomorrow"}) {
    auto r = call("GET", t);
    EXPECT_EQ(r.status, 400) << t;
    EXPECT_NE(r.body.find("YYYY-MM-DD"), std::string::npos) << r.body;
  }
  auto r = call("GET", "/?date=2026-02-30");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("YYYY-MM-DD"), std::string::npos);
}

TEST(StatusHandler, PlanErrorIs503WithTheMessage) {
  auto snap = healthy_snapshot();
  Result<json::object> failed = make_error("iesync.db", "database is locked", "try again");
  auto r = handle_status_request({"GET", "/api/v1/plan", ""}, snap, {}, &failed);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("database is locked"), std::string::npos);
  r = handle_status_request({"GET", "/", ""}, snap, {}, &failed);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("database is locked"), std::string::npos);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
}

TEST(StatusHandler, DashboardIsHtmlWithAStrictPolicy) {
  Call call;
  auto r = call("GET", "/?date=2026-11-23");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("Sam Carter"), std::string::npos);
  auto csp = header(r, "Content-Security-Policy");
  ASSERT_TRUE(csp);
  EXPECT_NE(csp->find("default-src 'none'"), std::string::npos);
  // The buttons' script runs by its hash, and fetches only from the status server.
  EXPECT_NE(csp->find("script-src 'sha256-"), std::string::npos) << *csp;
  EXPECT_NE(csp->find(dashboard_actions_script_hash()), std::string::npos);
  const auto script_src = csp->substr(csp->find("script-src"));
  EXPECT_EQ(script_src.substr(0, script_src.find(';')).find("unsafe"), std::string::npos) << *csp;
  // The hash is of the script element's text exactly as served, or the browser refuses it.
  const auto body = r.body.substr(r.body.find("<script>") + 8);
  const auto text = body.substr(0, body.find("</script>"));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr), 1);
  std::string b64(4 * ((len + 2) / 3) + 1, '\0');
  b64.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), md, int(len)));
  EXPECT_EQ(dashboard_actions_script_hash(), "'sha256-" + b64 + "'");
  EXPECT_NE(csp->find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST(StatusHandler, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Call call;
  EXPECT_EQ(call("GET", "/admin").status, 404);
  EXPECT_EQ(call("GET", "/healthz/extra").status, 404);
  auto r = call("DELETE", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
  EXPECT_EQ(call("HEAD", "/healthz").status, 200)
      << "HEAD is answered as GET; the server drops the body";
  EXPECT_EQ(call("HEAD", "/api/v1/sync").status, 405);
  call.auth.token = "t0k3n-generated-for-test";
  r = call("GET", "/api/v1/sync", "Bearer t0k3n-generated-for-test");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "POST");
}

TEST(StatusHandler, PostWithoutAConfiguredTokenIs403NamingTokenFile) {
  Call call;
  auto r = call("POST", "/api/v1/sync");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("[status] token_file"), std::string::npos);
  EXPECT_FALSE(r.trigger_sync);
  // Even to a path that does not exist: a POST never reaches routing without the token.
  EXPECT_EQ(call("POST", "/nowhere").status, 403);
}

TEST(StatusHandler, PostNeedsTheRightBearerToken) {
  Call call;
  const std::string token = "0123456789abcdef0123456789abcdef";
  call.auth.token = token;

  auto r = call("POST", "/api/v1/sync");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer realm=\"iesync\"");
  EXPECT_FALSE(r.trigger_sync);

  // Same length, one character different; shorter; longer; wrong scheme.
  std::string same_len = token;
  same_len.back() = 'X';
  for (const std::string& a :
       std::vector<std::string>{"Bearer " + same_len, "Bearer " + token.substr(0, 10),
                                "Bearer " + token + "0", "Basic " + token, "Bearer", token}) {
    r = call("POST", "/api/v1/sync", a);
    EXPECT_EQ(r.status, 401) << a;
    EXPECT_FALSE(r.trigger_sync);
    // The presented value is never echoed.
    EXPECT_EQ(r.body.find(same_len), std::string::npos);
    EXPECT_EQ(r.body.find(token.substr(0, 10)), std::string::npos);
  }

  r = call("POST", "/api/v1/sync", "Bearer " + token);
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.trigger_sync);
  EXPECT_EQ(json::parse(r.body).at("result"), "started");
  r = call("POST", "/api/v1/sync", "bearer  " + token + " ");  // scheme is case-insensitive
  EXPECT_EQ(r.status, 202);
}

TEST(StatusHandler, SyncIsQueuedWhileRunningAnd409WhenAlreadyQueued) {
  Call call;
  call.auth.token = "generated-token-abc";
  call.snap.cycle_running = true;
  auto r = call("POST", "/api/v1/sync", "Bearer generated-token-abc");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(json::parse(r.body).at("result"), "queued");
  call.snap.cycle_queued = true;
  r = call("POST", "/api/v1/sync", "Bearer generated-token-abc");
  EXPECT_EQ(r.status, 409);
  EXPECT_FALSE(r.trigger_sync);
  EXPECT_EQ(sync_refused_response().status, 409);
}

TEST(StatusHandler, BeyondLoopbackEveryRequestNeedsTheToken) {
  Call call;
  call.auth.loopback_only = false;
  call.auth.token = "beyond-loopback-token";
  for (const char* path :
       {"/healthz", "/metrics", "/api/v1/status", "/api/v1/plan", "/", "/nowhere"}) {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_TRUE(header(r, "WWW-Authenticate")) << path;
    EXPECT_EQ(call("GET", path, "Bearer beyond-loopback-tokeN").status, 401) << path;
  }
  EXPECT_EQ(call("GET", "/healthz", "Bearer beyond-loopback-token").status, 200);
  EXPECT_EQ(call("GET", "/", "Bearer beyond-loopback-token").status, 200);
  EXPECT_EQ(call("GET", "/nowhere", "Bearer beyond-loopback-token").status, 404);

  call.auth.token.reset();  // check-config refuses this; the server still fails closed
  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("token_file"), std::string::npos);
}

std::vector<std::string> challenges(const StatusResponse& r) {
  std::vector<std::string> out;
  for (auto& [k, v] : r.headers)
    if (k == "WWW-Authenticate") out.push_back(v);
  return out;
}

// A browser cannot send a Bearer token, so beyond loopback a 401 to a GET also asks for Basic
// credentials: the browser prompts, and any user name with the token as password reads the
// pages. It never starts a sync: a browser would send remembered credentials on a POST that
// another site's page makes, too.
TEST(StatusHandler, ABrowserSignsInWithTheTokenAsPasswordToReadPagesOnly) {
  Call call;
  call.auth.loopback_only = false;
  call.auth.token = "beyond-loopback-token";
  auto r = call("GET", "/");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(challenges(r), (std::vector<std::string>{"Bearer realm=\"iesync\"",
                                                     "Basic realm=\"iesync\", charset=\"UTF-8\""}));
  EXPECT_NE(r.body.find("sign in with any user name and the token"), std::string::npos) << r.body;

  // "lead:beyond-loopback-token", ":beyond-loopback-token" (no user name).
  for (const char* ok :
       {"Basic bGVhZDpiZXlvbmQtbG9vcGJhY2stdG9rZW4=", "basic  OmJleW9uZC1sb29wYmFjay10b2tlbg== "}) {
    EXPECT_EQ(call("GET", "/", ok).status, 200) << ok;
    EXPECT_EQ(call("HEAD", "/healthz", ok).status, 200) << ok;
  }
  // Wrong password ("...tokeN"), a trailing space in it, no colon, not base64, cut short.
  for (const char* bad :
       {"Basic bGVhZDpiZXlvbmQtbG9vcGJhY2stdG9rZU4=", "Basic bGVhZDpiZXlvbmQtbG9vcGJhY2stdG9rZW4g",
        "Basic YmV5b25kLWxvb3BiYWNrLXRva2Vu", "Basic !!!!",
        "Basic bGVhZDpiZXlvbmQtbG9vcGJhY2stdG9rZW", "Basic",
        "Basic ====", "Basic A===", "Basic ========"}) {
    r = call("GET", "/", bad);
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(challenges(r).size(), 2u) << bad;
  }

  // The right Basic credentials on a POST: refused, saying a Bearer token is needed.
  r = call("POST", "/api/v1/sync", "Basic bGVhZDpiZXlvbmQtbG9vcGJhY2stdG9rZW4=");
  EXPECT_EQ(r.status, 401);
  EXPECT_FALSE(r.trigger_sync);
  EXPECT_NE(r.body.find("a POST needs a Bearer token"), std::string::npos) << r.body;
  EXPECT_EQ(challenges(r), (std::vector<std::string>{"Bearer realm=\"iesync\""}));

  // A password may hold colons; only the first separates the user name.
  AuthContext colons{std::string("tok:en:with colons"), false};
  EXPECT_FALSE(auth_denial({"GET", "/", "Basic TXMgU21pdGg6dG9rOmVuOndpdGggY29sb25z"}, colons));
}

TEST(StatusHandler, OnLoopbackGetsNeedNoToken) {
  Call call;
  call.auth.token = "configured-but-not-needed-for-get";
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/status").status, 200);
}

TEST(StatusHandler, AuthDenialIsWhatTheServerChecksBeforeFetchingAPlan) {
  AuthContext beyond{std::string("tok-generated"), false};
  EXPECT_TRUE(auth_denial({"GET", "/", ""}, beyond));
  EXPECT_FALSE(auth_denial({"GET", "/", "Bearer tok-generated"}, beyond));
  EXPECT_FALSE(auth_denial({"GET", "/", ""}, AuthContext{}));
}

TEST(StatusHandler, TokenComparisonMatchesOnlyTheSameBytes) {
  EXPECT_TRUE(token_matches("abc123", "abc123"));
  EXPECT_FALSE(token_matches("abc124", "abc123"));
  EXPECT_FALSE(token_matches("abc12", "abc123"));
  EXPECT_FALSE(token_matches("abc1234", "abc123"));
  EXPECT_FALSE(token_matches("", ""));
  EXPECT_FALSE(token_matches(std::string("abc\0", 4), "abc"));
}

}  // namespace
}  // namespace iesync
