// The Classroom fake as Google's own client meets it: the token endpoint's JWT checks and
// domain-wide delegation scopes, per-call scopes, the token before the route, the list
// methods, orderBy, `me`, late, `fields=*` and profile emails. Every request goes over real
// HTTP through the libcurl client, as tests/conformance/ does with Google's Node client.
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "config/config.h"
#include "connectors/classroom/jwt.h"
#include "mapping/timezone.h"
#include "tests/unit/classroom/classroom_env.h"

namespace iesync {
namespace {

using namespace testing_classroom;
using namespace std::chrono;

std::string scope(std::string_view name) {
  return "https://www.googleapis.com/auth/classroom." + std::string(name);
}

std::string form(std::string_view v) {
  return boost::urls::encode(v, boost::urls::unreserved_chars);
}

// The school fixture plus what these tests need: the account iesync acts as (on no roster),
// a teacher, a late submission, and a course whose work ties on updateTime.
std::string fixture() {
  auto v = json::parse(school_fixture()).as_object();
  v["userProfiles"] = json::array{json::object{{"id", "9001"},
                                               {"emailAddress", kImpersonate},
                                               {"name", json::object{{"fullName", "Reader"}}}}};
  v["teachers"] = json::array{json::object{
      {"courseId", "c2"},
      {"userId", "2001"},
      {"profile", json::object{{"id", "2001"}, {"emailAddress", "teacher@school.example"}}}}};
  for (auto& s : v["studentSubmissions"].as_array())
    if (s.at("id") == "sub-1001-c12") s.as_object()["late"] = true;
  auto& courses = v["courses"].as_array();
  courses.push_back(json::object{{"id", "c9"},
                                 {"name", "Course c9"},
                                 {"courseState", "ARCHIVED"},
                                 {"creationTime", "2026-01-05T08:00:00Z"}});
  auto& work = v["courseWork"].as_array();
  auto item = [&](const char* id, const char* updated, int due_day) {
    work.push_back(
        json::object{{"courseId", "c9"},
                     {"id", id},
                     {"state", "PUBLISHED"},
                     {"updateTime", updated},
                     {"dueDate", json::object{{"year", 2026}, {"month", 6}, {"day", due_day}}},
                     {"dueTime", json::object{{"hours", 9}}}});
  };
  item("a", "2026-06-10T10:00:00Z", 20);
  item("b", "2026-06-10T10:00:00Z", 18);
  item("c", "2026-06-09T10:00:00.500Z", 22);
  json::array materials;
  auto material = [&](const char* id, const char* state, const char* updated) {
    materials.push_back(json::object{{"courseId", "c1"},
                                     {"id", id},
                                     {"title", std::string("Reading ") + id},
                                     {"state", state},
                                     {"creationTime", updated},
                                     {"updateTime", updated},
                                     {"assigneeMode", "ALL_STUDENTS"}});
  };
  material("m1", "PUBLISHED", "2026-06-10T17:00:00Z");
  material("m2", "PUBLISHED", "2026-06-12T17:00:00Z");
  material("m3", "DRAFT", "2026-06-13T17:00:00Z");
  material("m4", "DELETED", "2026-06-11T17:00:00Z");
  v["courseWorkMaterial"] = std::move(materials);
  return json::serialize(v);
}

// The fake, and calls to it as Google's client makes them.
struct Google {
  FakeClock clock{utc(2026, 6, 15, 8, 15)};
  std::unique_ptr<fake::FakeClassroom> fake;
  std::unique_ptr<HttpClient> http = make_curl_client(HttpOptions{});

  explicit Google(fake::FakeOptions fo = {}) {
    fo.public_key_pem = fake::shared_test_key_pair().public_pem;
    fo.clock = &clock;
    fo.page_size = 100;
    fake = std::make_unique<fake::FakeClassroom>(fo);
    auto loaded = fake->load_fixture_json(fixture());
    if (!loaded) throw ErrorException(loaded.error());
    fake->start();
  }

  // A grant as google-auth-library signs it unless told otherwise: header {"alg":"RS256"}
  // (no typ), aud = Google's token URL.
  HttpResponse grant(const std::vector<std::string>& scopes,
                     std::string header = R"({"alg":"RS256"})",
                     std::string aud = fake::kGoogleTokenUri, std::string sub = kImpersonate) {
    std::string joined;
    for (const auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    auto t = clock.now().time_since_epoch().count();
    json::object claims{{"iss", "iesync-reader@iesync-test.iam.gserviceaccount.com"},
                        {"scope", joined},
                        {"aud", aud},
                        {"iat", t},
                        {"exp", t + 3600},
                        {"sub", sub}};
    auto jwt =
        make_rs256_jwt(header, json::serialize(claims), fake::shared_test_key_pair().private_pem);
    EXPECT_TRUE(jwt);
    HttpRequest r;
    r.method = "POST";
    r.url = fake->token_uri();
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "grant_type=" + form("urn:ietf:params:oauth:grant-type:jwt-bearer") +
             "&assertion=" + form(*jwt);
    auto resp = http->send(r);
    EXPECT_TRUE(resp);
    return resp ? *resp : HttpResponse{};
  }

  std::string token(const std::vector<std::string>& scopes, std::string sub = kImpersonate) {
    auto r = grant(scopes, R"({"alg":"RS256"})", fake::kGoogleTokenUri, std::move(sub));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return std::string(json::parse(r.body).at("access_token").as_string());
  }

  HttpResponse call(const std::string& verb, const std::string& target, const std::string& token,
                    std::string body = {}) {
    HttpRequest r;
    r.method = verb;
    r.url = fake->base_url() + target;
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    if (verb != "GET") {
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = body.empty() ? "{}" : std::move(body);
    }
    auto resp = http->send(r);
    EXPECT_TRUE(resp);
    return resp ? *resp : HttpResponse{};
  }

  json::object get(const std::string& target, const std::string& token) {
    auto r = call("GET", target, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    if (r.status != 200) return {};
    return json::parse(r.body).as_object();
  }
};

const std::vector<std::string> kIesyncScopes = {
    scope("courses.readonly"), scope("rosters.readonly"), scope("coursework.students.readonly"),
    scope("courseworkmaterials.readonly")};

std::vector<std::string> ids(const json::object& page, const char* list, const char* id = "id") {
  std::vector<std::string> out;
  if (auto* a = page.if_contains(list))
    for (auto& x : a->as_array()) out.emplace_back(x.at(id).as_string());
  return out;
}

std::string google_status(const HttpResponse& r) {
  auto v = json::parse(r.body).as_object();
  auto& e = v.at("error").as_object();
  return std::string(e.at("status").as_string()) + ": " + std::string(e.at("message").as_string());
}

// ---- the token endpoint ------------------------------------------------------------------

TEST(ClassroomFakeToken, AJwtHeaderWithoutTypIsAccepted) {
  Google g;
  EXPECT_EQ(g.grant(kIesyncScopes, R"({"alg":"RS256"})").status, 200);
  EXPECT_EQ(g.grant(kIesyncScopes, R"({"alg":"RS256","typ":"JWT","kid":"k1"})").status, 200);
  // A typ that is there must say JWT; another alg is refused.
  auto r = g.grant(kIesyncScopes, R"({"alg":"RS256","typ":"JOSE+JSON"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Invalid JWT header."), std::string::npos);
  EXPECT_EQ(g.grant(kIesyncScopes, R"({"alg":"HS256"})").status, 400);
}

TEST(ClassroomFakeToken, GooglesTokenUrlIsAnAudienceBesideTheConfiguredOne) {
  fake::FakeOptions fo;
  fo.token_uri = "https://login.school.example/token";  // as the demo passes --token-uri
  Google g(fo);
  EXPECT_EQ(g.grant(kIesyncScopes, R"({"alg":"RS256"})", fake::kGoogleTokenUri).status, 200);
  EXPECT_EQ(g.grant(kIesyncScopes, R"({"alg":"RS256"})", fo.token_uri).status, 200);
  auto r = g.grant(kIesyncScopes, R"({"alg":"RS256"})", "https://www.googleapis.com/oauth2/v4/t");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Invalid JWT: Failed audience check."), std::string::npos);
}

TEST(ClassroomFakeToken, EveryReadOnlyScopeOfTheDiscoveryDocumentIsGrantedByDefault) {
  Google g;
  const auto& all = fake::default_allowed_scopes();
  EXPECT_EQ(all.size(), 12u);
  for (const auto& s : all) EXPECT_EQ(g.grant({s}).status, 200) << s;
  EXPECT_EQ(g.grant(all).status, 200);
  EXPECT_EQ(g.grant({scope("student-submissions.students.readonly")}).status, 200);
}

TEST(ClassroomFakeToken, AScopeOutsideTheDelegationEntryIsUnauthorizedClient) {
  const std::string google_words =
      R"({"error":"unauthorized_client","error_description":"Client is unauthorized to )"
      R"(retrieve access tokens using this method, or client not authorized for any of the )"
      R"(scopes requested."})";
  {
    Google g;  // the default entry: read-only scopes only
    for (const auto& extra : {scope("courses"), scope("coursework.students"),
                              scope("profile.photos"), std::string("https://mail.google.com/")}) {
      auto with_allowed = kIesyncScopes;
      with_allowed.push_back(extra);
      auto r = g.grant(with_allowed);
      EXPECT_EQ(r.status, 401) << extra;
      EXPECT_EQ(r.body, google_words);
    }
  }
  fake::FakeOptions fo;
  fo.allowed_scopes = {scope("courses.readonly")};  // an entry an admin left short
  Google g(fo);
  EXPECT_EQ(g.grant({scope("courses.readonly")}).status, 200);
  auto r = g.grant(kIesyncScopes);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, google_words);
  EXPECT_EQ(g.grant({}).status, 400);  // no scope at all is invalid_scope, as before
}

// iesync's side of the same answer: a sentence an admin can act on, naming the scopes.
TEST(ClassroomFakeToken, IesyncNamesTheScopesToAllowWhenDelegationRefusesThem) {
  Env env;  // iesync wired to a fake whose delegation entry lacks the coursework scope
  fake::FakeOptions fo;
  fo.public_key_pem = fake::shared_test_key_pair().public_pem;
  fo.clock = &env.clock;
  fo.allowed_scopes = {scope("courses.readonly"), scope("rosters.readonly")};
  fake::FakeClassroom short_entry(fo);
  ASSERT_TRUE(short_entry.load_fixture_json(school_fixture()));
  short_entry.start();
  auto key = load_service_account_key(env.account.key_file);
  ASSERT_TRUE(key);
  ServiceAccountTokens tokens(*env.http, *key, kImpersonate, short_entry.token_uri(), env.clock,
                              RetryPolicy{}, env.sleeper);
  auto t = tokens.access_token();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ApiFailureKind::auth);
  EXPECT_EQ(t.error().status, 401);
  EXPECT_TRUE(env.sleeps.empty());  // our setup, not the network: no retry
  const auto& e = t.error().error;
  EXPECT_EQ(e.message,
            "domain-wide delegation does not allow service account client id " +
                env.account.client_id +
                " every scope iesync asks for (Google answered 401 unauthorized_client: Client "
                "is unauthorized to retrieve access tokens using this method, or client not "
                "authorized for any of the scopes requested.)");
  EXPECT_EQ(e.fix,
            "In the Google Admin console, open Security > Access and data control > API "
            "controls > Manage Domain Wide Delegation and give client id " +
                env.account.client_id +
                " exactly these OAuth scopes: "
                "https://www.googleapis.com/auth/classroom.courses.readonly,"
                "https://www.googleapis.com/auth/classroom.rosters.readonly,"
                "https://www.googleapis.com/auth/classroom.coursework.students.readonly,"
                "https://www.googleapis.com/auth/classroom.courseworkmaterials.readonly");
  // Every scope was refused, then the three without materials: a refusal either way.
  EXPECT_EQ(short_entry.count("token"), 2u);

  // And as the sync log shows it.
  TempStore store;
  ClassroomCache cache(store.store());
  ClassroomClientOptions co;
  co.api_base = short_entry.base_url();
  ClassroomClient client(*env.http, tokens, co, env.sleeper);
  ClassroomFetcher fetcher(client, cache, env.clock, TimeZone::london());
  CollectingSink events;
  fetcher.fetch({{"c1", {school_students()[0].email}}}, events);
  ASSERT_EQ(events.events().size(), 1u);
  const std::string msg = events.events()[0].message;
  EXPECT_EQ(msg.rfind("Google refused iesync access to Classroom (domain-wide delegation does "
                      "not allow service account client id " +
                          env.account.client_id,
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("Manage Domain Wide Delegation and give client id " + env.account.client_id +
                     " exactly these OAuth scopes: "),
            std::string::npos);
}

// With token_uri left at its default, iesync signs and posts to Google's token URL, which is
// what Google checks. A client that hands Google's URL to the fake stands in for the internet.
TEST(ClassroomFakeToken, IesyncSignsGooglesTokenUrlWhenTokenUriIsTheDefault) {
  ASSERT_EQ(ClassroomConfig{}.token_uri, fake::kGoogleTokenUri);
  Env env;
  struct ToFake : HttpClient {
    HttpClient& real;
    std::string fake_token_uri;
    std::vector<HttpRequest> sent;
    ToFake(HttpClient& r, std::string uri) : real(r), fake_token_uri(std::move(uri)) {}
    Result<HttpResponse> send(const HttpRequest& req) override {
      sent.push_back(req);
      HttpRequest to = req;
      if (to.url == fake::kGoogleTokenUri) to.url = fake_token_uri;
      return real.send(to);
    }
  } http(*env.http, env.fake->token_uri());
  auto key = load_service_account_key(env.account.key_file);
  ASSERT_TRUE(key);
  for (std::string token_uri : {ClassroomConfig{}.token_uri, std::string{}}) {
    SCOPED_TRACE(token_uri);
    key->token_uri = fake::kGoogleTokenUri;  // as in every key file Google hands out
    http.sent.clear();
    ServiceAccountTokens tokens(http, *key, kImpersonate, token_uri, env.clock, RetryPolicy{},
                                env.sleeper);
    auto t = tokens.access_token();
    ASSERT_TRUE(t) << t.error().error.to_string();
    ASSERT_EQ(http.sent.size(), 1u);
    EXPECT_EQ(http.sent[0].url, fake::kGoogleTokenUri);
    auto body = http.sent[0].body;
    auto assertion = body.substr(body.find("assertion=") + 10);
    auto d1 = assertion.find('.'), d2 = assertion.rfind('.');
    auto claims = json::parse(*base64url_decode(assertion.substr(d1 + 1, d2 - d1 - 1)));
    EXPECT_EQ(claims.at("aud"), fake::kGoogleTokenUri);
  }
}

// ---- every API call --------------------------------------------------------------------

TEST(ClassroomFakeApi, EachCallNeedsOneOfItsScopes) {
  Google g;
  auto courses_only = g.token({scope("courses.readonly")});
  EXPECT_EQ(g.call("GET", "/v1/courses/c1", courses_only).status, 200);
  for (const char* target : {"/v1/courses/c1/courseWork", "/v1/courses/c1/students",
                             "/v1/courses/c1/courseWork/-/studentSubmissions",
                             "/v1/userProfiles/me", "/v1/courses/c1/courseWorkMaterials"}) {
    auto r = g.call("GET", target, courses_only);
    EXPECT_EQ(r.status, 403) << target;
    EXPECT_EQ(google_status(r),
              "PERMISSION_DENIED: Request had insufficient authentication scopes.");
    EXPECT_NE(r.header("www-authenticate").find("error=\"insufficient_scope\""), std::string::npos);
  }
  auto work_only = g.token({scope("coursework.students.readonly")});
  EXPECT_EQ(g.call("GET", "/v1/courses/c1", work_only).status, 403);
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWork", work_only).status, 200);
  auto subs_only = g.token({scope("student-submissions.students.readonly")});
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWork", subs_only).status, 403);
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWork/-/studentSubmissions", subs_only).status, 200);
  // Materials need a materials scope, and no course work scope stands in for it.
  auto materials_only = g.token({scope("courseworkmaterials.readonly")});
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWorkMaterials", materials_only).status, 200);
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWorkMaterials", work_only).status, 403);
  // iesync's four scopes cover every call it makes.
  auto iesync = g.token(kIesyncScopes);
  for (const char* target : {"/v1/courses/c1", "/v1/courses/c1/courseWork", "/v1/userProfiles/1001",
                             "/v1/courses/c1/courseWork/-/studentSubmissions?userId=1001",
                             "/v1/courses/c1/courseWorkMaterials"})
    EXPECT_EQ(g.call("GET", target, iesync).status, 200) << target;
}

TEST(ClassroomFakeApi, MaterialsAreListedAsTheDiscoveryDocumentSays) {
  Google g;
  g.fake->set_page_size(1);
  auto t = g.token(kIesyncScopes);
  using V = std::vector<std::string>;
  auto list = [&](const std::string& query) {
    V out;
    std::string page;
    for (int i = 0; i < 10; ++i) {
      std::string q = query;
      if (!page.empty()) q += (q.empty() ? "" : "&") + ("pageToken=" + page);
      auto body =
          g.get("/v1/courses/d%3A9X1-Ma/courseWorkMaterials" + (q.empty() ? "" : "?" + q), t);
      for (auto& id : ids(body, "courseWorkMaterial")) out.push_back(id);
      auto* next = body.if_contains("nextPageToken");
      if (!next) break;
      page = std::string(next->as_string());
    }
    return out;
  };
  EXPECT_EQ(list(""), (V{"m2", "m1"}));  // PUBLISHED, newest update first, by alias, paged
  EXPECT_EQ(list("orderBy=updateTime%20asc"), (V{"m1", "m2"}));
  EXPECT_EQ(list("courseWorkMaterialStates=DRAFT&courseWorkMaterialStates=DELETED"),
            (V{"m3", "m4"}));
  auto cut = g.get("/v1/courses/c1/courseWorkMaterials?fields=courseWorkMaterial(id)", t);
  EXPECT_EQ(json::serialize(cut), R"({"courseWorkMaterial":[{"id":"m2"}]})");
  // Refused as Google refuses: courseWork's parameters, an unknown state, a dueDate order.
  for (const char* bad : {"courseWorkStates=PUBLISHED", "states=TURNED_IN",
                          "courseWorkMaterialStates=TURNED_IN", "orderBy=dueDate"}) {
    auto r = g.call("GET", std::string("/v1/courses/c1/courseWorkMaterials?") + bad, t);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(google_status(r).rfind("INVALID_ARGUMENT: ", 0), 0u) << bad;
  }
  EXPECT_EQ(g.call("GET", "/v1/courses/c42/courseWorkMaterials", t).status, 404);
  EXPECT_EQ(ids(g.get("/v1/courses/c2/courseWorkMaterials", t), "courseWorkMaterial"), V{});
}

TEST(ClassroomFakeApi, WritesWithAReadOnlyTokenAreForbiddenNotMissing) {
  Google g;
  auto t = g.token(fake::default_allowed_scopes());
  for (auto [verb, target] :
       {std::pair{"PATCH", "/v1/courses/c1?updateMask=name"},
        std::pair{"POST", "/v1/courses/c1/courseWork"},
        std::pair{"POST", "/v1/courses/c1/courseWork/c1-w1/studentSubmissions/sub-1001-c11:return"},
        std::pair{"DELETE", "/v1/courses/d%3A9X1-Ma"}}) {
    auto r = g.call(verb, target, t);
    EXPECT_EQ(r.status, 403) << verb << " " << target;
    EXPECT_EQ(google_status(r),
              "PERMISSION_DENIED: Request had insufficient authentication scopes.");
  }
  // students.create lists classroom.profile.emails among its scopes, so that token passes the
  // scope check; the fake still lets nobody change a roster.
  auto r = g.call("POST", "/v1/courses/c1/students", t, R"({"userId":"me"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(google_status(r), "PERMISSION_DENIED: The caller does not have permission");
  EXPECT_EQ(g.fake->count("courses.patch"), 1u);
  EXPECT_EQ(g.fake->count("studentSubmissions.return"), 1u);
}

TEST(ClassroomFakeApi, TheTokenIsCheckedBeforeThePath) {
  Google g;
  for (const char* target : {"/v1/courses/c1", "/v1/no/such/thing", "/v2/courses", "/"}) {
    auto r = g.call("GET", target, "ya29.not-a-token");
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(google_status(r).rfind("UNAUTHENTICATED: ", 0), 0u);
    EXPECT_EQ(g.call("GET", target, "").status, 401) << target;
  }
  EXPECT_EQ(g.call("POST", "/v1/courses/c1/courseWork", "").status, 401);
  auto t = g.token(kIesyncScopes);
  EXPECT_EQ(g.call("GET", "/v1/no/such/thing", t).status, 404);
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWork/c1-w1/nothing", t).status, 404);
}

// ---- the list methods -------------------------------------------------------------------

TEST(ClassroomFakeApi, CoursesAreListedNewestFirstByStateAndMember) {
  Google g;
  auto t = g.token(kIesyncScopes);
  auto all = g.get("/v1/courses", t);
  auto got = ids(all, "courses");
  // c9 is ARCHIVED, which the default states include; it alone has a creationTime.
  EXPECT_EQ(got, (std::vector<std::string>{"c9", "c1", "c2", "c3", "c4", "c5"}));
  for (auto& c : all.at("courses").as_array()) EXPECT_FALSE(c.as_object().contains("aliases"));
  EXPECT_EQ(ids(g.get("/v1/courses?courseStates=ACTIVE", t), "courses").size(), 5u);
  EXPECT_EQ(ids(g.get("/v1/courses?courseStates=SUSPENDED", t), "courses").size(), 0u);
  const auto& cat = school_students()[2];
  EXPECT_EQ(ids(g.get("/v1/courses?studentId=" + form(cat.email), t), "courses"), cat.courses);
  EXPECT_EQ(ids(g.get("/v1/courses?teacherId=2001", t), "courses"), std::vector<std::string>{"c2"});
  EXPECT_EQ(g.call("GET", "/v1/courses?studentId=nobody%40school.example", t).status, 404);
  EXPECT_EQ(g.call("GET", "/v1/courses?courseStates=OPEN", t).status, 400);
  g.fake->set_page_size(4);
  auto first = g.get("/v1/courses", t);
  EXPECT_EQ(ids(first, "courses").size(), 4u);
  auto rest =
      g.get("/v1/courses?pageToken=" + std::string(first.at("nextPageToken").as_string()), t);
  EXPECT_EQ(ids(rest, "courses"), (std::vector<std::string>{"c4", "c5"}));
}

TEST(ClassroomFakeApi, AliasesAndStudentsOfACourseAreListed) {
  Google g;
  auto t = g.token(kIesyncScopes);
  EXPECT_EQ(ids(g.get("/v1/courses/c1/aliases", t), "aliases", "alias"),
            std::vector<std::string>{"d:9X1-Ma"});
  EXPECT_EQ(ids(g.get("/v1/courses/d%3A9X1-En/aliases", t), "aliases", "alias"),
            std::vector<std::string>{"d:9X1-En"});
  EXPECT_EQ(g.call("GET", "/v1/courses/c77/aliases", t).status, 404);
  EXPECT_TRUE(g.get("/v1/courses/c9/aliases", t).empty());  // none: proto3 leaves the list out
  auto students = g.get("/v1/courses/d%3A9X1-Ma/students", t);
  EXPECT_EQ(ids(students, "students", "userId"), (std::vector<std::string>{"1001", "1002"}));
  for (auto& s : students.at("students").as_array()) {
    EXPECT_EQ(s.at("courseId"), "c1");
    EXPECT_TRUE(s.at("profile").as_object().contains("name"));
  }
  EXPECT_EQ(g.call("GET", "/v1/courses/c77/students", t).status, 404);
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/students?userId=1001", t).status, 400);
}

TEST(ClassroomFakeApi, OrderByFollowsTheDiscoveryDocument) {
  Google g;
  auto t = g.token(kIesyncScopes);
  auto order = [&](const std::string& course, const std::string& order_by) {
    return ids(g.get("/v1/courses/" + course + "/courseWork?orderBy=" + order_by, t), "courseWork");
  };
  using V = std::vector<std::string>;
  // c1: w1 due 15th 23:30, w2 due 15th 14:00, w3 no due date; updated w1 < w2 < w3.
  EXPECT_EQ(order("c1", "dueDate%20asc"), (V{"c1-w3", "c1-w2", "c1-w1"}));
  EXPECT_EQ(order("c1", "dueDate+asc"), (V{"c1-w3", "c1-w2", "c1-w1"}));  // '+' is a space
  EXPECT_EQ(order("c1", "dueDate"), (V{"c1-w3", "c1-w2", "c1-w1"}));      // asc by default
  EXPECT_EQ(order("c1", "dueDate%20desc"), (V{"c1-w1", "c1-w2", "c1-w3"}));
  EXPECT_EQ(order("c1", "updateTime"), (V{"c1-w1", "c1-w2", "c1-w3"}));
  EXPECT_EQ(ids(g.get("/v1/courses/c1/courseWork", t), "courseWork"),
            (V{"c1-w3", "c1-w2", "c1-w1"}));
  // c9: a and b share an updateTime; c is older. The discovery document's two examples:
  EXPECT_EQ(order("c9", "updateTime%2CdueDate%20desc"), (V{"c", "a", "b"}));
  EXPECT_EQ(order("c9", "dueDate%20asc%2CupdateTime%20desc"), (V{"b", "a", "c"}));
  EXPECT_EQ(order("c9", "updateTime%20desc%2C%20dueDate%20asc"), (V{"b", "a", "c"}));
  for (const char* bad : {"title", "dueDate%20up", "dueDate%20ASC", "dueDate%2CdueDate",
                          "updateTime%2C", "dueDate%20asc%20desc"}) {
    auto r = g.call("GET", std::string("/v1/courses/c9/courseWork?orderBy=") + bad, t);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(google_status(r).rfind("INVALID_ARGUMENT: ", 0), 0u);
  }
}

TEST(ClassroomFakeApi, MeIsTheImpersonatedUser) {
  Google g;
  auto reader = g.token({scope("rosters.readonly")});
  EXPECT_EQ(g.get("/v1/userProfiles/me", reader).at("id"), "9001");
  const auto& ada = school_students()[0];
  auto as_ada = g.token(kIesyncScopes, ada.email);
  EXPECT_EQ(g.get("/v1/userProfiles/me", as_ada).at("id"), json::value(ada.id));
  auto mine = g.get("/v1/courses/c1/courseWork/-/studentSubmissions?userId=me", as_ada);
  EXPECT_EQ(ids(mine, "studentSubmissions", "userId"), (std::vector<std::string>(3, ada.id)));
  EXPECT_EQ(ids(g.get("/v1/courses?studentId=me", as_ada), "courses"), ada.courses);
  // The reader is on no roster: `me` is known, and has no submissions.
  auto t = g.token(kIesyncScopes);
  EXPECT_TRUE(g.get("/v1/courses/c1/courseWork/-/studentSubmissions?userId=me", t).empty());
  // With only the .me scope a token sees its own user's work whatever it asks for.
  auto own = g.token({scope("student-submissions.me.readonly")}, ada.email);
  EXPECT_EQ(ids(g.get("/v1/courses/c1/courseWork/-/studentSubmissions", own), "studentSubmissions",
                "userId"),
            (std::vector<std::string>(3, ada.id)));
  EXPECT_TRUE(g.get("/v1/courses/c1/courseWork/-/studentSubmissions?userId=1002", own).empty());
}

TEST(ClassroomFakeApi, LateFiltersSubmissions) {
  Google g;
  auto t = g.token(kIesyncScopes);
  const std::string base = "/v1/courses/c1/courseWork/-/studentSubmissions?userId=1001&late=";
  EXPECT_EQ(ids(g.get(base + "LATE_ONLY", t), "studentSubmissions"),
            std::vector<std::string>{"sub-1001-c12"});
  EXPECT_EQ(ids(g.get(base + "NOT_LATE_ONLY", t), "studentSubmissions"),
            (std::vector<std::string>{"sub-1001-c11", "sub-1001-c13"}));
  EXPECT_EQ(ids(g.get(base + "LATE_VALUES_UNSPECIFIED", t), "studentSubmissions").size(), 3u);
  auto r = g.call("GET", base + "SOMETIMES", t);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(g.call("GET", base + "LATE_ONLY&states=HANDED_IN", t).status, 400);
  EXPECT_EQ(g.call("GET", "/v1/courses/c1/courseWork?courseWorkStates=LIVE", t).status, 400);
}

TEST(ClassroomFakeApi, FieldsStarReturnsEverything) {
  Google g;
  auto t = g.token(kIesyncScopes);
  auto whole = g.get("/v1/courses/c1/courseWork", t);
  ASSERT_FALSE(whole.empty());
  EXPECT_EQ(g.get("/v1/courses/c1/courseWork?fields=*", t), whole);
  EXPECT_EQ(g.get("/v1/courses/c1/courseWork?fields=courseWork(*)", t), whole);
  EXPECT_EQ(g.get("/v1/courses/c1?fields=*", t).at("name"), "Course c1");
  auto ids_only = g.get("/v1/courses/c1/courseWork?fields=courseWork/id", t);
  for (auto& w : ids_only.at("courseWork").as_array()) EXPECT_EQ(w.as_object().size(), 1u);
}

TEST(ClassroomFakeApi, EmailAddressOnlyUnderTheProfileEmailsScope) {
  Google g;
  const auto& ada = school_students()[0];
  auto rosters = g.token({scope("rosters.readonly")});
  auto p = g.get("/v1/userProfiles/" + ada.id, rosters);
  EXPECT_EQ(p.at("id"), json::value(ada.id));
  EXPECT_FALSE(p.contains("emailAddress"));
  EXPECT_TRUE(p.contains("name"));
  // Looking a user up by email needs no email scope; the answer still leaves it out.
  EXPECT_FALSE(g.get("/v1/userProfiles/" + form(ada.email), rosters).contains("emailAddress"));
  auto without = g.get("/v1/courses/c1/students", rosters);
  for (auto& s : without.at("students").as_array())
    EXPECT_FALSE(s.at("profile").as_object().contains("emailAddress"));

  auto emails = g.token({scope("rosters.readonly"), scope("profile.emails")});
  EXPECT_EQ(g.get("/v1/userProfiles/" + ada.id, emails).at("emailAddress"), json::value(ada.email));
  EXPECT_EQ(g.get("/v1/userProfiles/me", emails).at("emailAddress"), kImpersonate);
  auto with = g.get("/v1/courses/c1/students", emails);
  for (auto& s : with.at("students").as_array())
    EXPECT_TRUE(s.at("profile").as_object().contains("emailAddress"));
  // classroom.profile.emails alone is one of userProfiles.get's scopes.
  auto only_emails = g.token({scope("profile.emails")});
  EXPECT_EQ(g.get("/v1/userProfiles/me", only_emails).at("emailAddress"), kImpersonate);
  EXPECT_EQ(g.call("GET", "/v1/userProfiles/nobody%40school.example", emails).status, 403);
}

}  // namespace
}  // namespace iesync
