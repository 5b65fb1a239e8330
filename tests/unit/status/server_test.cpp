// The status server over real loopback sockets, with a StatusSource the test steers.
#include "daemon/status/server.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/unit/status/http_test_client.h"
#include "tests/unit/status/status_fixtures.h"

namespace iesync {
namespace {

using namespace statustest;
using namespace std::chrono_literals;

// A StatusServer on 127.0.0.1 and a free port, its io_context on its own thread as the
// daemon's I/O thread would run it.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<StatusServer>(ioc_, std::move(o), source);
    auto r = server_->start();
    if (!r) throw std::runtime_error(r.error().to_string());
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~RunningServer() {
    source.open_gate();
    stop_and_join();
  }
  unsigned short port() const { return server_->port(); }
  StatusServer& server() { return *server_; }

  // stop(), then wait for io_context::run() to return; how long that took.
  std::chrono::milliseconds stop_and_join() {
    auto t0 = std::chrono::steady_clock::now();
    server_->stop();
    if (thread_.joinable()) thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t0);
  }

  FakeSource source;

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<StatusServer> server_;
  std::thread thread_;
};

TEST(StatusServer, HealthzOverLoopbackWithKeepAlive) {
  RunningServer s;
  ASSERT_NE(s.port(), 0);
  TestConnection c(s.port());
  ASSERT_TRUE(c.connected());
  auto r = c.get("/healthz");
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "ok\n");
  EXPECT_TRUE(r->keep_alive());
  // The same connection answers again.
  r = c.get("/api/v1/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(boost::json::parse(r->body()).at("healthy"), true);
}

// Monitoring tools and link checkers send HEAD: the GET's headers and length, no body, and
// the connection stays usable (no stray body bytes before the next answer).
TEST(StatusServer, HeadIsGetWithoutTheBody) {
  RunningServer s;
  TestConnection c(s.port());
  ASSERT_TRUE(c.connected());
  auto full = c.get("/");
  ASSERT_TRUE(full);
  ASSERT_TRUE(c.send("HEAD", "/"));
  auto head = c.read_head();
  ASSERT_TRUE(head) << c.error().message();
  EXPECT_EQ(head->result_int(), 200);
  EXPECT_EQ((*head)[http::field::content_length], std::to_string(full->body().size()));
  EXPECT_EQ((*head)[http::field::content_type], (*full)[http::field::content_type]);
  EXPECT_TRUE(head->body().empty());
  auto after = c.get("/healthz");
  ASSERT_TRUE(after) << c.error().message();
  EXPECT_EQ(after->body(), "ok\n");
}

TEST(StatusServer, PlanIsServedWhileAnotherConnectionIsIdle) {
  RunningServer s;
  TestConnection idle(s.port());
  ASSERT_TRUE(idle.connected());
  TestConnection c(s.port());
  auto r = c.get("/api/v1/plan?date=2026-11-23");
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(boost::json::parse(r->body()), boost::json::value(busy_plan()));
  r = c.get("/api/v1/plan?date=2026-11-32");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
}

TEST(StatusServer, ASlowPlanDoesNotBlockOtherRequests) {
  RunningServer s;
  s.source.close_gate();  // plan() now blocks until opened
  TestConnection slow(s.port());
  ASSERT_TRUE(slow.send("GET", "/?date=2026-11-23"));
  for (int i = 0; i < 200 && s.source.plan_calls == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(s.source.plan_calls, 1);

  TestConnection quick(s.port(), 3s);
  auto r = quick.get("/healthz");
  ASSERT_TRUE(r) << "the I/O thread is blocked by a plan fetch: " << quick.error().message();
  EXPECT_EQ(r->result_int(), 200);

  s.source.open_gate();
  auto page = slow.read();
  ASSERT_TRUE(page) << slow.error().message();
  EXPECT_EQ(page->result_int(), 200);
  EXPECT_NE(page->body().find("Sam Carter"), std::string::npos);
}

TEST(StatusServer, BodyOverTheLimitIs413) {
  ServerOptions o;
  o.body_limit = 1024;
  o.token = "generated-token-413";
  RunningServer s(o);
  TestConnection c(s.port());
  std::string body(20000, 'x');
  ASSERT_TRUE(c.send_raw(
      "POST /api/v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer generated-token-413\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body));
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_FALSE(r->keep_alive());
  EXPECT_EQ(s.source.sync_calls, 0);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(StatusServer, HugeHeadersAre431) {
  ServerOptions o;
  o.header_limit = 2048;
  RunningServer s(o);
  {
    TestConnection c(s.port());
    ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'a') +
                           "\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << c.error().message();
    EXPECT_EQ(r->result_int(), 431);
  }
  {
    // Many small header lines, each under the byte limit together.
    std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 80; ++i) req += "X-" + std::to_string(i) + ": y\r\n";
    TestConnection c(s.port());
    ASSERT_TRUE(c.send_raw(req + "\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << c.error().message();
    EXPECT_EQ(r->result_int(), 431);
  }
  TestConnection ok(s.port());
  auto r = ok.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

TEST(StatusServer, MalformedRequestIs400) {
  RunningServer s;
  TestConnection c(s.port());
  ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 400);
}

TEST(StatusServer, ConnectionsBeyondTheCapGet503) {
  ServerOptions o;
  o.max_connections = 2;
  RunningServer s(o);
  auto a = std::make_unique<TestConnection>(s.port());
  TestConnection b(s.port());
  ASSERT_TRUE(a->get("/healthz"));  // both accepted and counted
  ASSERT_TRUE(b.get("/healthz"));

  TestConnection c(s.port());
  ASSERT_TRUE(c.send("GET", "/healthz"));
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 503);
  EXPECT_TRUE(c.closed_by_server());

  a.reset();  // a slot frees up once the server sees the close
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    TestConnection d(s.port());
    auto rd = d.get("/healthz");
    served = rd && rd->result_int() == 200;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

TEST(StatusServer, IdleConnectionIsClosedAfterTheReadTimeout) {
  ServerOptions o;
  o.read_timeout = 300ms;
  RunningServer s(o);
  TestConnection c(s.port(), 5s);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_server()) << c.error().message();
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
}

TEST(StatusServer, StopClosesKeepAliveConnectionsAndRunReturns) {
  RunningServer s;
  TestConnection c(s.port());
  auto r = c.get("/healthz");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->keep_alive());
  TestConnection idle(s.port());
  auto took = s.stop_and_join();
  EXPECT_LT(took, 2s);
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(idle.closed_by_server());
  TestConnection after(s.port(), 1s);
  EXPECT_FALSE(after.connected());
}

TEST(StatusServer, PostWithoutTokenConfiguredIs403) {
  RunningServer s;
  TestConnection c(s.port());
  ASSERT_TRUE(c.send("POST", "/api/v1/sync"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 403);
  EXPECT_EQ(s.source.sync_calls, 0);
}

TEST(StatusServer, PostNeedsTheTokenAndTriggersExactlyOneSync) {
  ServerOptions o;
  o.token = "generated-" + std::to_string(::getpid()) + "-token";
  RunningServer s(o);
  TestConnection c(s.port());
  ASSERT_TRUE(c.send("POST", "/api/v1/sync"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 401);
  EXPECT_EQ(r->at(http::field::www_authenticate), "Bearer realm=\"iesync\"");
  ASSERT_TRUE(c.send("POST", "/api/v1/sync", "wrong"));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 401);
  EXPECT_EQ(s.source.sync_calls, 0);

  ASSERT_TRUE(c.send("POST", "/api/v1/sync", *o.token));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_EQ(s.source.sync_calls, 1);

  // The source refuses (one already queued): 409, and still only the calls made.
  s.source.accept_sync = false;
  ASSERT_TRUE(c.send("POST", "/api/v1/sync", *o.token));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 409);
  EXPECT_EQ(s.source.sync_calls, 2);
}

// What the dashboard's "Chase now" button sends: the token as a Bearer header. The sign-in the
// page was read with is not enough.
TEST(StatusServer, ChaseNowNeedsTheTokenAndIsAcceptedOnce) {
  ServerOptions o;
  o.token = "generated-chase-token";
  RunningServer s(o);
  TestConnection c(s.port());
  auto page = c.get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->result_int(), 200);
  EXPECT_NE(page->body().find("id=\"sync-now\""), std::string::npos);

  ASSERT_TRUE(c.send("POST", "/api/v1/chase"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 401);
  ASSERT_TRUE(
      c.send_raw("POST /api/v1/chase HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                 "Authorization: Basic bGVhZDpnZW5lcmF0ZWQtY2hhc2UtdG9rZW4=\r\n\r\n"));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 401) << "the dashboard sign-in cannot start a chase";
  EXPECT_EQ(s.source.chase_calls, 0);

  ASSERT_TRUE(c.send("POST", "/api/v1/chase", *o.token));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_NE(r->body().find("\"queued\""), std::string::npos) << r->body();
  EXPECT_EQ(s.source.chase_calls, 1);

  // Refused (notify off, or one already queued): 409 with why.
  s.source.accept_chase = false;
  ASSERT_TRUE(c.send("POST", "/api/v1/chase", *o.token));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 409);
  EXPECT_NE(r->body().find("[notify] enabled = false"), std::string::npos) << r->body();
  EXPECT_EQ(s.source.chase_calls, 2);
}

TEST(StatusServer, BeyondLoopbackEveryRequestNeedsTheToken) {
  ServerOptions o;
  o.loopback_only = false;  // as if listening on 0.0.0.0; the socket stays on 127.0.0.1
  o.token = "generated-beyond-token";
  RunningServer s(o);
  TestConnection c(s.port());
  auto r = c.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 401);
  r = c.get("/", "generated-beyond-token");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  // The unauthenticated request never reached the store.
  EXPECT_EQ(s.source.plan_calls, 1);
  r = c.get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 401);
  EXPECT_EQ(s.source.plan_calls, 1);
  // Both challenges reach the browser, so it offers its sign-in box.
  auto [first, last] = r->equal_range(http::field::www_authenticate);
  std::vector<std::string> offered;
  for (auto it = first; it != last; ++it) offered.emplace_back(it->value());
  EXPECT_EQ(offered, (std::vector<std::string>{"Bearer realm=\"iesync\"",
                                               "Basic realm=\"iesync\", charset=\"UTF-8\""}));
  // What the browser then sends: any user name, the token as password
  // ("lead:generated-beyond-token").
  ASSERT_TRUE(
      c.send_raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Authorization: Basic bGVhZDpnZW5lcmF0ZWQtYmV5b25kLXRva2Vu\r\n\r\n"));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(s.source.plan_calls, 2);
}

TEST(StatusServer, BusyPortIsAClearError) {
  RunningServer first;
  boost::asio::io_context ioc;
  FakeSource source;
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = first.port();
  StatusServer second(ioc, o, source);
  auto r = second.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "[status] listen: 127.0.0.1:" + std::to_string(first.port()) +
                                       " is in use; set [status] listen to a free port");
}

}  // namespace
}  // namespace iesync
