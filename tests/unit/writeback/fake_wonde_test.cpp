// The fake Wonde server checked on its own, over real HTTP with the project's curl client:
// it must be as strict as the real API (auth forms, query parameters, Laravel-style 422s
// naming every bad item) and no kinder (writes over any mark, repeated writes applied
// again), so that the write-back tests that lean on it prove something.
#include "tests/fakes/wonde/fake_wonde.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "connectors/http/curl_client.h"

namespace iesync {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using fake::FakeWonde;
using fake::FaultSpec;
using fake::WondeFault;

std::string base64(const std::string& in) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += chars[(val >> bits) & 0x3F];
      bits -= 6;
    }
  }
  if (bits > -6) out += chars[((val << 8) >> (bits + 8)) & 0x3F];
  while (out.size() % 4) out += '=';
  return out;
}

std::string random_token() {
  std::random_device rd;
  std::string t = "tok-";
  for (int i = 0; i < 32; ++i) t += "0123456789abcdef"[rd() % 16];
  return t;
}

// The attendance code ids seed_standard_codes() gives: "/" AC101, "O" AC109.
constexpr const char* kPresent = "AC101";
constexpr const char* kNoReason = "AC105";
constexpr const char* kUnauthorised = "AC109";

struct FakeWondeTest : ::testing::Test {
  std::string token = random_token();
  FakeClock clock{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{9}};
  FakeWonde mis{{.token = token, .clock = &clock}};
  std::unique_ptr<HttpClient> http;

  void SetUp() override {
    mis.seed_standard_codes();
    for (int i = 1; i <= 5; ++i)
      mis.add_student({"S" + std::to_string(i), "00104" + std::to_string(i), "", "Test",
                       "Pupil-" + std::to_string(i)});
    mis.add_lesson({"L1", "9X1/Ma", "2026-11-23", "09:50", "10:50"});
    mis.add_lesson({"L2", "9X1/En", "2026-11-23", "11:10", "12:10"});
    mis.start();
    HttpOptions o;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.total_timeout = std::chrono::milliseconds(5000);
    http = make_curl_client(o);
  }

  std::string bearer() const { return "Bearer " + token; }
  std::string url(const std::string& path) const {
    return mis.api_base() + "/schools/A1930499544/" + path;
  }
  HttpResponse send(HttpRequest r, const std::string& auth) {
    if (!auth.empty()) r.headers.emplace_back("Authorization", auth);
    auto res = http->send(r);
    EXPECT_TRUE(res) << r.method << " " << r.url << ": " << res.error().to_string();
    return res ? *res : HttpResponse{};
  }
  HttpResponse get_url(const std::string& full, const std::string& auth) {
    return send({"GET", full, {}, {}}, auth);
  }
  HttpResponse get(const std::string& path) { return get_url(url(path), bearer()); }
  HttpResponse post(const std::string& path, const std::string& body) {
    return send({"POST", url(path), {{"Content-Type", "application/json"}}, body}, bearer());
  }
  static json::object parse(const HttpResponse& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return !ec && v.is_object() ? v.as_object() : json::object{};
  }
  static std::string lesson_item(const std::string& lesson, const std::string& student,
                                 const std::string& code_id) {
    return R"({"lesson_id":")" + lesson + R"(","student_id":")" + student +
           R"(","attendance_code_id":")" + code_id + R"("})";
  }
  // The error keys of a 422, in order.
  static std::vector<std::string> error_keys(const HttpResponse& r) {
    std::vector<std::string> keys;
    auto o = parse(r);
    if (auto* e = o.if_contains("errors"); e && e->is_object())
      for (auto& kv : e->as_object()) keys.emplace_back(kv.key());
    return keys;
  }
};

TEST_F(FakeWondeTest, BearerAndBasicAreAcceptedAnythingElseIs401) {
  EXPECT_EQ(get_url(url("attendance-codes"), bearer()).status, 200);
  EXPECT_EQ(get_url(url("attendance-codes/"), "Basic " + base64(token + ":")).status, 200);
  for (const std::string& bad :
       std::vector<std::string>{"", "Bearer wrong", "bearer " + token, "Basic " + base64("wrong:"),
                                "Basic " + base64(token), "Basic " + base64(token + ":secret"),
                                "Basic " + token, "Token " + token, token}) {
    auto r = get_url(url("attendance-codes/"), bad);
    EXPECT_EQ(r.status, 401) << "Authorization: " << bad;
    EXPECT_EQ(parse(r)["error"], "unauthenticated") << r.body;
  }
  EXPECT_EQ(get_url(mis.api_base() + "/schools/A0000000000/attendance-codes/", bearer()).status,
            404)
      << "another school";
}

TEST_F(FakeWondeTest, UnknownOrMalformedQueryParameterIs400NamingIt) {
  EXPECT_EQ(get("students/?include=education_details&page=1&per_page=200").status, 200);
  for (auto [query, name] :
       {std::pair{"students/?foo=1", "foo"},
        {"students/?per_page=201", "per_page"},
        {"students/?per_page=abc", "per_page"},
        {"students/?page=0", "page"},
        {"students/?page=1&page=2", "page"},
        {"students/?include=classes", "include"},
        {"attendance-codes/?include=education_details", "include"},
        {"lessons/?lessons_start_after=2026-11-23", "lessons_start_after"},
        {"attendance/session/?date=23/11/2026", "date"},
        {"attendance/lesson/?lesson=L1", "lesson"},
        {"behaviours/?updated_since=2026-11-23%2000:00:00", "updated_since"}}) {
    auto r = get(query);
    EXPECT_EQ(r.status, 400) << query;
    auto o = parse(r);
    EXPECT_EQ(o["error"], "invalid_parameter") << query;
    EXPECT_NE(r.body.find(name), std::string::npos) << query << " -> " << r.body;
  }
}

TEST_F(FakeWondeTest, IdempotencyIdIsAnUnknownFieldAndRefused) {
  auto r =
      post("attendance/lesson/", R"({"attendance":[{"lesson_id":"L1","student_id":"S1",)"
                                 R"("attendance_code_id":"AC101","idempotency_id":"wb-123"}]})");
  EXPECT_EQ(r.status, 422) << r.body;
  auto o = parse(r);
  EXPECT_EQ(o["message"], "The given data was invalid.");
  EXPECT_EQ(error_keys(r), std::vector<std::string>{"attendance.0.idempotency_id"}) << r.body;
  EXPECT_EQ(o["errors"].at("attendance.0.idempotency_id").at(0),
            "The attendance.0.idempotency_id field is not allowed.");
  EXPECT_TRUE(mis.writes().empty());
  EXPECT_FALSE(mis.lesson_mark("S1", "L1"));
}

TEST_F(FakeWondeTest, OneBadItemRefusesTheWholeRequestAndIsNamed) {
  auto r = post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) +
                                          "," + lesson_item("L2", "S2", kPresent) + "," +
                                          lesson_item("L404", "S3", kPresent) + "]}");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_keys(r), std::vector<std::string>{"attendance.2.lesson_id"}) << r.body;
  EXPECT_EQ(parse(r)["errors"].at("attendance.2.lesson_id").at(0),
            "The selected attendance.2.lesson_id is invalid.");
  EXPECT_TRUE(mis.writes().empty()) << "nothing applied";
  EXPECT_FALSE(mis.lesson_mark("S1", "L1"));
  EXPECT_FALSE(mis.lesson_mark("S2", "L2"));
}

TEST_F(FakeWondeTest, EveryBadItemIsReportedNotOnlyTheFirst) {
  auto r = post("attendance/lesson/",
                R"({"attendance":[{"lesson_id":"L1","attendance_code_id":"AC101"},)" +
                    lesson_item("L1", "S1", kPresent) +
                    R"(,{"lesson_id":"L1","student_id":7,"attendance_code_id":"AC101"},)" +
                    lesson_item("L1", "S9", "AC999") + "]}");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_keys(r), (std::vector<std::string>{
                               "attendance.0.student_id", "attendance.2.student_id",
                               "attendance.3.student_id", "attendance.3.attendance_code_id"}))
      << r.body;
  auto e = parse(r)["errors"];
  EXPECT_EQ(e.at("attendance.0.student_id").at(0),
            "The attendance.0.student_id field is required.");
  EXPECT_EQ(e.at("attendance.2.student_id").at(0), "The attendance.2.student_id must be a string.");
  EXPECT_TRUE(mis.writes().empty());
}

TEST_F(FakeWondeTest, BodyOfTheWrongShapeIs400) {
  EXPECT_EQ(post("attendance/lesson/", "not json").status, 400);
  EXPECT_EQ(post("attendance/lesson/", R"({"marks":[]})").status, 400);
  EXPECT_EQ(post("attendance/lesson/", R"({"attendance":{}})").status, 400);
  EXPECT_EQ(post("behaviours/", R"({"date":"2026-11-23","type":"IEX"})").status, 400);
  // Without a JSON content type the body is not read as JSON.
  auto r = send({"POST",
                 url("attendance/lesson/"),
                 {},
                 R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) + "]}"},
                bearer());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(parse(r)["error"], "bad_request");
  // An empty list is a 422, as Laravel's required rule has it.
  r = post("attendance/lesson/", R"({"attendance":[]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_keys(r), std::vector<std::string>{"attendance"});
  EXPECT_TRUE(mis.writes().empty());
}

TEST_F(FakeWondeTest, AWriteOverATeachersMarkIsAccepted) {
  mis.set_lesson_mark("S1", "L1", "O");
  mis.set_session_mark("S1", "2026-11-23", "AM", "O");
  auto r =
      post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) + "]}");
  EXPECT_EQ(r.status, 200) << r.body;
  auto wb = parse(r)["writeback_id"];
  EXPECT_TRUE(wb.is_string() && wb.as_string().starts_with("WB")) << r.body;
  EXPECT_EQ(mis.lesson_mark("S1", "L1"), "/");
  EXPECT_EQ(mis.lesson_mark_record("S1", "L1")->source, "api");

  r = post("attendance/session/",
           R"({"attendance":[{"date":"2026-11-23","session":"AM","student_id":"S1",)"
           R"("attendance_code_id":"AC101","comment":"on site","minutes_late":0}]})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(mis.session_mark("S1", "2026-11-23", "AM"), "/");
}

TEST_F(FakeWondeTest, LessonAttendanceReadShowsTeacherAndApiMarks) {
  mis.set_lesson_mark("S1", "L1", "N");
  mis.set_lesson_mark("S1", "L2", "O");  // another lesson: filtered out
  clock.advance(std::chrono::minutes(5));
  ASSERT_EQ(
      post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S2", kPresent) + "]}")
          .status,
      200);
  auto r = get("attendance/lesson/?lesson_id=L1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto data = parse(r)["data"].as_array();
  ASSERT_EQ(data.size(), 2u) << r.body;
  std::map<std::string, std::string> code_of;
  for (auto& d : data) {
    auto& o = d.as_object();
    EXPECT_EQ(o.at("lesson"), "L1");
    EXPECT_TRUE(o.at("id").is_string());
    EXPECT_TRUE(o.at("comment").is_null());
    EXPECT_EQ(o.at("created_at").at("timezone"), "Europe/London");
    code_of[std::string(o.at("student").as_string())] = o.at("attendance_code").as_string();
  }
  EXPECT_EQ(code_of["S1"], kNoReason) << "the teacher's mark";
  EXPECT_EQ(code_of["S2"], kPresent) << "the API's mark";
  EXPECT_EQ(data[1].at("updated_at").at("date"), "2026-11-23 09:05:00.000000") << r.body;

  r = get("attendance/lesson/");
  EXPECT_EQ(parse(r)["data"].as_array().size(), 3u) << "no filter: every mark";
}

TEST_F(FakeWondeTest, SessionAttendanceReadFiltersByDate) {
  mis.set_session_mark("S1", "2026-11-23", "AM", "/");
  mis.set_session_mark("S1", "2026-11-24", "AM", "/");
  auto r = get("attendance/session?date=2026-11-23");
  ASSERT_EQ(r.status, 200) << r.body;
  auto data = parse(r)["data"].as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("date").at("date"), "2026-11-23 00:00:00.000000");
  EXPECT_EQ(data[0].at("session"), "AM");
  EXPECT_EQ(data[0].at("student"), "S1");
}

TEST_F(FakeWondeTest, PagingFollowsMetaPaginationNext) {
  std::vector<std::string> ids;
  std::string next = url("students/?include=education_details&per_page=2");
  int pages = 0;
  while (!next.empty() && pages < 10) {
    auto r = get_url(next, bearer());
    ASSERT_EQ(r.status, 200) << next << " " << r.body;
    auto o = parse(r);
    ++pages;
    for (auto& s : o["data"].as_array()) {
      ids.emplace_back(s.at("id").as_string());
      EXPECT_TRUE(s.as_object().contains("education_details")) << "include kept on " << next;
    }
    auto& p = o["meta"].at("pagination").as_object();
    EXPECT_EQ(p.at("current_page"), pages);
    EXPECT_EQ(p.at("per_page"), 2);
    EXPECT_EQ(p.at("more").as_bool(), !p.at("next").is_null());
    if (p.at("next").is_null()) {
      next.clear();
    } else {
      next = p.at("next").as_string();
      EXPECT_TRUE(next.starts_with(mis.api_base())) << "an absolute URL: " << next;
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::string>{"S1", "S2", "S3", "S4", "S5"}));
}

TEST_F(FakeWondeTest, EveryNthFaultHitsOnlyThoseRequests) {
  FaultSpec f{WondeFault::http503, "GET", "attendance-codes"};
  f.times = -1;
  f.every_nth = 3;
  mis.inject(f);
  FaultSpec g{WondeFault::http500, "GET", "students"};
  g.times = 2;
  g.every_nth = 2;
  mis.inject(g);
  std::vector<int> codes, students;
  for (int i = 0; i < 9; ++i) codes.push_back(get("attendance-codes/").status);
  for (int i = 0; i < 7; ++i) students.push_back(get("students/").status);
  EXPECT_EQ(codes, (std::vector<int>{200, 200, 503, 200, 200, 503, 200, 200, 503}));
  EXPECT_EQ(students, (std::vector<int>{200, 500, 200, 500, 200, 200, 200})) << "times = 2";
}

TEST_F(FakeWondeTest, ARepeatedPostIsAppliedAgainAndCountedAsADuplicate) {
  const std::string body = R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) + "]}";
  auto a = post("attendance/lesson/", body);
  auto b = post("attendance/lesson/", body);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 200);
  EXPECT_NE(parse(a)["writeback_id"], parse(b)["writeback_id"]);
  EXPECT_EQ(mis.writes().size(), 2u) << "not idempotent: applied twice";
  EXPECT_EQ(mis.duplicates(), 1);
  // A different code to the same lesson is a new write, not a duplicate.
  post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S1", kUnauthorised) + "]}");
  EXPECT_EQ(mis.duplicates(), 1);
  EXPECT_EQ(mis.lesson_mark("S1", "L1"), "O");

  const std::string behaviour =
      R"({"students":[{"student_id":"S2","action":"IE"}],"date":"2026-11-23","type":"IEX"})";
  auto c = post("behaviours/", behaviour);
  EXPECT_EQ(c.status, 201) << c.body;
  EXPECT_TRUE(parse(c)["writeback_id"].is_string());
  EXPECT_EQ(post("behaviours/", behaviour).status, 201);
  EXPECT_EQ(mis.behaviours(), 2);
  EXPECT_EQ(mis.duplicates(), 2);
  EXPECT_EQ(mis.behaviour_records().size(), 2u);
}

TEST_F(FakeWondeTest, BehaviourAttributesIsAList) {
  auto r = get("behaviours/attributes/");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = parse(r);
  ASSERT_TRUE(o["data"].is_array()) << r.body;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& a : o["data"].as_array()) {
    EXPECT_TRUE(a.at("id").is_string());
    EXPECT_TRUE(a.at("description").is_string());
    seen.emplace(a.at("type").as_string(), a.at("code").as_string());
  }
  EXPECT_EQ(seen, (std::set<std::pair<std::string, std::string>>{
                      {"type", "IEX"}, {"type", "DET"}, {"action", "IE"}, {"action", "DET"}}));
  EXPECT_TRUE(o["meta"].at("pagination").at("next").is_null());
}

TEST_F(FakeWondeTest, BehaviourCodesAreCheckedAgainstTheirKind) {
  auto r = post("behaviours/", R"({"students":[{"student_id":"S1","action":"IEX"},)"
                               R"({"student_id":"S404"}],"date":"2026-11-23","type":"IE"})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_keys(r),
            (std::vector<std::string>{"type", "students.0.action", "students.1.student_id"}))
      << r.body;
  EXPECT_EQ(mis.behaviours(), 0);

  clock.advance(std::chrono::hours(1));
  r = post("behaviours/", R"({"students":[{"student_id":"S1","action":"IE"}],)"
                          R"("date":"2026-11-23","type":"IEX","comment":"booking B1"})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto list = parse(get("behaviours/?include=students&updated_after=2026-11-23%2010:00:00"));
  ASSERT_EQ(list["data"].as_array().size(), 1u);
  auto& b = list["data"].at(0);
  EXPECT_EQ(b.at("type"), "IEX");
  EXPECT_EQ(b.at("date").at("date"), "2026-11-23 00:00:00.000000");
  EXPECT_EQ(b.at("students").at("data").at(0).at("id"), "S1");
  EXPECT_EQ(b.at("students").at("data").at(0).at("action"), "IE");
  EXPECT_TRUE(
      parse(get("behaviours/?updated_after=2026-11-23%2010:00:01"))["data"].as_array().empty());
}

TEST_F(FakeWondeTest, AStudentWhoLeftIsNoLongerListedAndCannotBeWritten) {
  mis.remove_student("S2");
  auto r = post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) +
                                          "," + lesson_item("L1", "S2", kPresent) + "]}");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_keys(r), std::vector<std::string>{"attendance.1.student_id"}) << r.body;
  EXPECT_EQ(parse(get("students/"))["data"].as_array().size(), 4u);
}

TEST_F(FakeWondeTest, RefuseUnnamedNamesNothingAndAppliesNothing) {
  mis.refuse_unnamed("S3");
  auto r = post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) +
                                          "," + lesson_item("L1", "S3", kPresent) + "]}");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(error_keys(r).empty()) << r.body;
  EXPECT_TRUE(mis.writes().empty());
  EXPECT_EQ(
      post("attendance/lesson/", R"({"attendance":[)" + lesson_item("L1", "S1", kPresent) + "]}")
          .status,
      200);
}

TEST(FakeWondeState, MarksBehavioursAndCountsSurviveARestart) {
  const fs::path dir =
      fs::temp_directory_path() / ("fake-wonde-state-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  const std::string token = random_token();
  fake::FakeWondeOptions o{.token = token, .state_file = dir / "fake.json"};
  {
    FakeWonde mis(o);
    mis.seed_standard_codes();
    mis.add_student({"S1", "1", "", "Test", "Pupil"});
    mis.add_lesson({"L1", "9X1/Ma", "2026-11-23", "09:50", "10:50"});
    mis.set_session_mark("S1", "2026-11-23", "AM", "N");
    mis.save();
    mis.start();
    auto http = make_curl_client({});
    const std::string base = mis.api_base() + "/schools/A1930499544/";
    const Headers h{{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    const std::string mark =
        R"({"attendance":[)" + FakeWondeTest::lesson_item("L1", "S1", kPresent) + "]}";
    for (int i = 0; i < 2; ++i)
      ASSERT_EQ(http->send({"POST", base + "attendance/lesson/", h, mark})->status, 200);
    ASSERT_EQ(http->send({"POST", base + "behaviours/", h,
                          R"({"students":[{"student_id":"S1"}],"date":"2026-11-23","type":"DET"})"})
                  ->status,
              201);
    mis.stop();
  }
  FakeWonde again(o);
  EXPECT_EQ(again.lesson_mark("S1", "L1"), "/");
  EXPECT_EQ(again.session_mark_record("S1", "2026-11-23", "AM")->source, "teacher");
  EXPECT_EQ(again.writes().size(), 3u);
  EXPECT_EQ(again.duplicates(), 1);
  EXPECT_EQ(again.behaviours(), 1);
  ASSERT_EQ(again.behaviour_records().size(), 1u);
  EXPECT_EQ(again.behaviour_records()[0].type, "DET");
  // Ids carry on from where they were, so nothing is issued twice.
  EXPECT_NE(again.add_behaviour_attribute("status", "OPEN", "Open"), "BA1");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace iesync
