// The pupil page and its JSON (SPEC §10) over real HTTP on loopback: a real StatusServer
// whose source reads a real SQLite store through the same functions the daemon uses.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "daemon/impact/pupil_impact.h"
#include "daemon/status/handler.h"
#include "daemon/status/server.h"
#include "store/impact_store.h"
#include "store/mis_store.h"
#include "tests/unit/mis/mis_test_support.h"
#include "tests/unit/status/http_test_client.h"
#include "tests/unit/status/status_fixtures.h"

namespace iesync {
namespace {

namespace json = boost::json;
using namespace statustest;

Date D(const char* iso) {
  return *Date::parse_iso(iso);
}

Booking booking(const char* id, const char* student, const char* date) {
  Booking b;
  b.id = id;
  b.student_id = student;
  b.date = D(date);
  b.start_spec = "ALL";
  b.status = BookingStatus::attended;
  b.referred_by = "GTU";
  return b;
}

Incident incident(const char* id, const char* student, const char* date, int points,
                  const char* status = "") {
  return Incident{id, student, D(date), "09:50", "Defiance", points, "GTU", status};
}

// The daemon's reads, over a store the test fills: 001001 (SEN support) was in IE on 2 and
// 16 November 2026 and had incidents before and after; 001002 has a name that must be escaped.
class StoreSource final : public StatusSource {
 public:
  StoreSource() {
    cfg.mapping = mis_test::demo_mapping();
    MisStore mis(tmp.store());
    const AppliedFeed a{"seed.xml", "h", "2026-11-23T08:00:00Z"};
    EXPECT_TRUE(mis.replace_students(
        {Student{"001001", "Ada", "Lovelace", "9", "9X", "", "", "K", "N", "F"},
         Student{"001002", "<b>Bad</b>", "& Co", "9", "9Y", "", "", "N", "N", "M"},
         Student{"001003", "Nobody", "Booked", "9", "9Y"}},
        a));
    EXPECT_TRUE(mis.replace_bookings(
        {booking("IE1", "001001", "2026-11-02"), booking("IE2", "001001", "2026-11-16"),
         booking("IE3", "001002", "2026-11-19")},
        a));
    EXPECT_TRUE(ImpactStore(tmp.store())
                    .replace_incidents({incident("88001", "001001", "2026-10-12", 2),
                                        incident("88002", "001001", "2026-11-10", 3),
                                        incident("88003", "001001", "2026-11-18", 1),
                                        incident("88004", "001001", "2026-11-19", 1),
                                        incident("88005", "001001", "2026-11-20", 4, "withdrawn"),
                                        incident("88006", "001002", "2026-11-20", 1)},
                                       a));
  }
  StatusSnapshot snapshot() override { return healthy_snapshot(); }  // today: 2026-11-23
  Result<json::object> plan(Date d) override { return empty_plan(d); }
  bool request_sync() override { return false; }
  Result<json::object> impact(Date today) override {
    std::lock_guard l(mu_);
    return dashboard_impact_json(cfg, tmp.store(), today);
  }
  Result<std::optional<json::object>> student(const std::string& id, Date today) override {
    std::lock_guard l(mu_);
    return student_impact_json(cfg, tmp.store(), id, today);
  }

  TempStore tmp;
  Config cfg;

 private:
  std::mutex mu_;
};

class PupilPage : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<StatusServer>(ioc_, o, source_);
    ASSERT_TRUE(server_->start());
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::optional<http::response<http::string_body>> get(const std::string& target) {
    TestConnection c(server_->port());
    EXPECT_TRUE(c.connected());
    return c.get(target);
  }

  StoreSource source_;
  boost::asio::io_context ioc_;
  std::unique_ptr<StatusServer> server_;
  std::thread thread_;
};

TEST_F(PupilPage, JsonHasTheShapeOfSpec10WithExactCounts) {
  auto r = get("/api/v1/student/001001");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->result_int(), 200) << r->body();
  EXPECT_EQ((*r)[http::field::content_type], "application/json");
  auto doc = json::parse(r->body()).as_object();
  EXPECT_EQ(doc.at("student"), (json::object{{"id", "001001"},
                                             {"name", "Ada Lovelace"},
                                             {"year", "9"},
                                             {"reg_group", "9X"},
                                             {"sen", "K"}}));
  const auto& days = doc.at("ie_days").as_array();
  ASSERT_EQ(days.size(), 2u);
  const auto& first = days[0].as_object();
  EXPECT_EQ(first.at("date"), "2026-11-02");
  EXPECT_EQ(first.at("booking_id"), "IE1");
  EXPECT_EQ(first.at("status"), "attended");
  EXPECT_EQ(first.at("lessons_missed"), 0);  // never reconciled in this store
  const auto& windows = first.at("windows").as_array();
  ASSERT_EQ(windows.size(), 2u);
  // The data starts on 12 October: 10 days before 2 November are whole, 20 are not.
  EXPECT_EQ(windows[0], (json::object{{"days", 10},
                                      {"before",
                                       {{"from", "2026-10-19"},
                                        {"to", "2026-10-30"},
                                        {"incidents", 0},
                                        {"points", 0},
                                        {"cut_short", false}}},
                                      {"after",
                                       {{"from", "2026-11-03"},
                                        {"to", "2026-11-16"},
                                        {"incidents", 1},
                                        {"points", 3},
                                        {"cut_short", false}}}}));
  const auto& w20 = windows[1].as_object();
  EXPECT_EQ(w20.at("before").at("cut_short"), true);
  EXPECT_EQ(w20.at("before").at("from"), "2026-10-12");
  EXPECT_EQ(w20.at("before").at("incidents"), 1);
  EXPECT_EQ(w20.at("after").at("cut_short"), true);  // runs past today
  // The withdrawn incident is not listed.
  const auto& incidents = doc.at("incidents").as_array();
  ASSERT_EQ(incidents.size(), 4u);
  EXPECT_EQ(
      incidents[0],
      (json::object{{"id", "88001"}, {"date", "2026-10-12"}, {"type", "Defiance"}, {"points", 2}}));
  // Two IEs within 30 school days for a pupil with SEN, and two incidents after the return.
  const auto& flags = doc.at("flags").as_array();
  ASSERT_EQ(flags.size(), 2u);
  EXPECT_EQ(flags[0].at("kind"), "sen_repeat_ie");
  EXPECT_EQ(flags[0].at("since"), "2026-11-16");
  EXPECT_NE(std::string(flags[0].at("advice").as_string()).find("SENCO"), std::string::npos);
  EXPECT_EQ(flags[1].at("kind"), "incidents_after_return");
  EXPECT_EQ(flags[1].at("since"), "2026-11-19");
}

TEST_F(PupilPage, HtmlPageHasHistoryTimelineAndEscapesNames) {
  auto r = get("/student/001001");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->result_int(), 200);
  const std::string& body = r->body();
  EXPECT_NE(body.find("<h1>Ada Lovelace</h1>"), std::string::npos);
  EXPECT_NE(body.find("<svg"), std::string::npos);
  EXPECT_NE(body.find("class=\"incident\""), std::string::npos);
  EXPECT_NE(body.find("a comparison, not a cause"), std::string::npos);
  EXPECT_NE(body.find("SENCO"), std::string::npos);
  EXPECT_NE(body.find("cut short"), std::string::npos);

  auto bad = get("/student/001002");
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->result_int(), 200);
  EXPECT_EQ(bad->body().find("<b>Bad</b>"), std::string::npos);
  EXPECT_NE(bad->body().find("&lt;b&gt;Bad&lt;/b&gt; &amp; Co"), std::string::npos);
}

TEST_F(PupilPage, UnknownOrImpossibleIdsAre404WithAClearMessage) {
  auto r = get("/api/v1/student/999999");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  EXPECT_NE(std::string(json::parse(r->body()).at("error").as_string()).find("999999"),
            std::string::npos);
  for (const char* target : {"/student/999999", "/student/", "/student/a%2Fb", "/student/%00",
                             "/api/v1/student/", "/student/001001/extra"}) {
    SCOPED_TRACE(target);
    auto p = get(target);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->result_int(), 404);
    EXPECT_NE(p->body().find("pupil"), std::string::npos);
  }
  // A pupil the students export knows, with no IE: a page, not a 404.
  auto none = get("/api/v1/student/001003");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->result_int(), 200);
  EXPECT_TRUE(json::parse(none->body()).at("ie_days").as_array().empty());
}

TEST_F(PupilPage, DashboardListsBackInMainstreamAndReviewFlags) {
  auto r = get("/");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->result_int(), 200);
  const std::string& body = r->body();
  auto back = body.find("id=\"back-in-mainstream\"");
  ASSERT_NE(back, std::string::npos);
  // 001001 returned on 17 November (4 school days ago) with two counted incidents since.
  EXPECT_NE(body.find("<a href=\"/student/001001\">Ada Lovelace</a> (9X)</td><td>2026-11-16</td>"
                      "<td>4</td><td>2</td><td>none</td>",
                      back),
            std::string::npos);
  EXPECT_NE(body.find("id=\"review-flags\""), std::string::npos);
  EXPECT_NE(body.find("Repeat IE, pupil with SEN"), std::string::npos);
}

TEST(PupilPageAuth, BeyondLoopbackThePupilPageNeedsTheToken) {
  StatusRequest req{"GET", "/student/001001", ""};
  AuthContext auth{std::string("s3cret"), false};
  Result<std::optional<json::object>> student = std::optional<json::object>(json::object{});
  StoreReads reads;
  reads.student = &student;
  EXPECT_EQ(handle_status_request(req, healthy_snapshot(), auth, reads).status, 401);
  req.authorization = "Bearer s3cret";
  EXPECT_EQ(handle_status_request(req, healthy_snapshot(), auth, reads).status, 200);
}

}  // namespace
}  // namespace iesync
