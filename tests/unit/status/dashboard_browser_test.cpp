// The dashboard as a person sees it: served by a real StatusServer, loaded by headless
// Chromium, read back from the DOM Chromium built.
#include <gtest/gtest.h>

#include <thread>

#include "daemon/status/server.h"
#include "tests/unit/status/chromium.h"
#include "tests/unit/status/status_fixtures.h"

namespace iesync {
namespace {

using namespace statustest;

class ServedDashboard : public ::testing::Test {
 protected:
  void SetUp() override { start(ServerOptions{}); }
  void start(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<StatusServer>(ioc_, o, source_);
    auto r = server_->start();
    ASSERT_TRUE(r) << r.error().to_string();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url(const std::string& target, const std::string& credentials = {}) {
    return "http://" + credentials + "127.0.0.1:" + std::to_string(server_->port()) + target;
  }

  FakeSource source_;
  boost::asio::io_context ioc_;
  std::unique_ptr<StatusServer> server_;
  std::thread thread_;
};

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

TEST_F(ServedDashboard, ChromiumShowsStudentsWorkAndWhoToChase) {
  IESYNC_REQUIRE_CHROMIUM();
  auto dom = browser::chromium_dump_dom(url("/?date=2026-11-23"));
  ASSERT_TRUE(dom) << dom.error().to_string();
  EXPECT_TRUE(has(*dom, "Northfield Test Academy")) << *dom;
  EXPECT_TRUE(has(*dom, "Sam Carter"));
  EXPECT_TRUE(has(*dom, "Not set"));
  EXPECT_TRUE(has(*dom, "Handed in"));
  EXPECT_TRUE(has(*dom, "Who to chase"));
  EXPECT_TRUE(has(*dom, "Okafor, Bea (BOK)"));
  EXPECT_TRUE(has(*dom, "last sync 10:26, 4 minutes ago"));
  // The date picker survived parsing as a real date input in a GET form.
  EXPECT_TRUE(has(*dom, "<input type=\"date\" id=\"date\" name=\"date\" value=\"2026-11-23\""));
  EXPECT_TRUE(has(*dom, "<form method=\"get\" action=\"/\">"));
  // The hostile name is text in the page, not an element Chromium created.
  EXPECT_TRUE(has(*dom, "&lt;script&gt;alert(\"x\")&lt;/script&gt; O'Neil &amp; Co"));
  EXPECT_FALSE(has(*dom, "<script>alert"));
  EXPECT_EQ(source_.plan_calls, 1);
}

TEST_F(ServedDashboard, ChromiumFollowsTheDateParameterToAnEmptyDay) {
  IESYNC_REQUIRE_CHROMIUM();
  auto dom = browser::chromium_dump_dom(url("/?date=2026-11-24"));
  ASSERT_TRUE(dom) << dom.error().to_string();
  EXPECT_TRUE(has(*dom, "No one is booked into IE on Tuesday 24 November")) << *dom;
}

// Beyond loopback the dashboard needs the token; a browser cannot send a Bearer token, so it
// signs in (here: credentials in the address, as a person would type at the browser's prompt)
// with any user name and the token as password.
class TokenDashboard : public ServedDashboard {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.loopback_only = false;  // as if listening on the school network
    o.token = "browser-test-token-0123";
    start(o);
  }
};

TEST_F(TokenDashboard, ChromiumSignsInWithTheTokenAsPassword) {
  IESYNC_REQUIRE_CHROMIUM();
  auto refused = browser::chromium_dump_dom(url("/?date=2026-11-23"));
  ASSERT_TRUE(refused) << refused.error().to_string();
  EXPECT_FALSE(has(*refused, "Sam Carter")) << *refused;
  EXPECT_EQ(source_.plan_calls, 0);
  auto dom = browser::chromium_dump_dom(url("/?date=2026-11-23", "lead:browser-test-token-0123@"));
  ASSERT_TRUE(dom) << dom.error().to_string();
  EXPECT_TRUE(has(*dom, "Sam Carter")) << *dom;
  EXPECT_TRUE(has(*dom, "Who to chase"));
  EXPECT_EQ(source_.plan_calls, 1);
}

}  // namespace
}  // namespace iesync
