#include "connectors/classroom/classroom_client.h"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "connectors/classroom/google_json.h"
#include "connectors/classroom/retry.h"

namespace iesync {

namespace json = boost::json;

std::string url_encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

namespace {

// Partial responses: only what the work rule and the cache read.
constexpr const char* kCourseFields = "id,name,alternateLink";
constexpr const char* kCourseWorkFields =
    "courseWork(id,title,state,alternateLink,dueDate,dueTime,scheduledTime,creationTime,"
    "assigneeMode,individualStudentsOptions/studentIds),nextPageToken";
// Materials have no due date and nothing to hand in; the rest is what the work rule reads.
constexpr const char* kMaterialFields =
    "courseWorkMaterial(id,title,state,alternateLink,scheduledTime,creationTime,assigneeMode,"
    "individualStudentsOptions/studentIds),nextPageToken";
constexpr const char* kSubmissionFields =
    "studentSubmissions(courseWorkId,userId,state,updateTime),nextPageToken";
constexpr int kMaxPages = 1000;  // a guard against a server that never stops paging

ApiFailureKind kind_for_status(int status) {
  if (status == 404) return ApiFailureKind::not_found;
  if (status == 401) return ApiFailureKind::auth;
  return ApiFailureKind::refused;
}

// The scope iesync asks for that allows each method it calls (service_account.cpp).
std::string scope_for(const std::string& method) {
  const auto& scopes = classroom_readonly_scopes();
  if (method == "courses.get") return scopes[0];
  if (method == "userProfiles.get") return scopes[1];
  if (method == "courseWorkMaterials.list") return kMaterialsScope;
  return scopes[2];  // courseWork.list, studentSubmissions.list
}

}  // namespace

ClassroomClient::ClassroomClient(HttpClient& http, TokenSource& tokens, ClassroomClientOptions opts,
                                 Sleeper sleep, ClassroomMetrics* metrics)
    : http_(http),
      tokens_(tokens),
      opts_(std::move(opts)),
      sleep_(std::move(sleep)),
      metrics_(metrics) {
  while (!opts_.api_base.empty() && opts_.api_base.back() == '/') opts_.api_base.pop_back();
}

ApiResult<json::object> ClassroomClient::get(const std::string& path, const Query& q,
                                             const std::string& method, const std::string& what) {
  HttpRequest req;
  req.url = opts_.api_base + path;
  char sep = '?';
  for (const auto& [k, v] : q.params) {
    req.url += sep + url_encode(k) + "=" + url_encode(v);
    sep = '&';
  }
  auto check = [&](const HttpResponse& r) -> std::optional<std::string> {
    auto v = parse_json(r.body, what);
    if (!v) return v.error().message;
    return std::nullopt;
  };
  RetryContext ctx{http_, opts_.retry, sleep_, metrics_};
  // A 401 means the token was revoked or expired early: one fresh token, one more go.
  for (int round = 0; round < 2; ++round) {
    auto token = tokens_.access_token();
    if (!token) return token.error();
    req.headers = {{"Authorization", "Bearer " + *token}, {"Accept", "application/json"}};
    auto r = send_with_retry(ctx, req, method, what, check);
    if (!r) return r.error();
    if (r->status == 401 && round == 0) {
      tokens_.invalidate();
      continue;
    }
    if (is_insufficient_scope(*r)) {
      // The grant left this scope out (domain-wide delegation does not list it): name it and
      // where to add it, as Google's words do neither.
      const std::string scope = scope_for(method);
      return ApiFailure{
          ApiFailureKind::scope_missing, r->status,
          make_error(what,
                     "Google answered " + describe_google_error(*r) + " (the access token lacks " +
                         scope + ")",
                     "In the Google Admin console, open Security > Access and data control > API "
                     "controls > Manage Domain Wide Delegation, edit iesync's service account "
                     "entry and add " +
                         scope + " to its OAuth scopes (docs/classroom.md)")};
    }
    if (r->status < 200 || r->status >= 300) {
      std::string fix;
      if (r->status == 403)
        fix =
            "check the impersonated user may see this course (a Classroom admin or its "
            "teacher) and that domain-wide delegation lists the read-only scopes";
      else if (r->status == 401)
        fix =
            "Google refused a fresh access token; check domain-wide delegation for the "
            "service account";
      return ApiFailure{kind_for_status(r->status), r->status,
                        make_error(what, "Google answered " + describe_google_error(*r), fix)};
    }
    auto v = parse_json(r->body, what);  // valid: checked by send_with_retry
    return std::move(v->as_object());
  }
  return ApiFailure{ApiFailureKind::auth, 401, make_error(what, "unreachable")};  // not reached
}

ApiResult<std::vector<json::object>> ClassroomClient::get_all(const std::string& path, Query q,
                                                              const std::string& list_field,
                                                              const std::string& method,
                                                              const std::string& what) {
  std::vector<json::object> items;
  q.params.emplace_back("pageSize", std::to_string(opts_.page_size));
  std::string page_token;
  for (int page = 0; page < kMaxPages; ++page) {
    Query pq = q;
    if (!page_token.empty()) pq.params.emplace_back("pageToken", page_token);
    auto r = get(path, pq, method, what);
    if (!r) return r.error();
    if (auto* arr = r->if_contains(list_field)) {
      if (!arr->is_array())
        return ApiFailure{
            ApiFailureKind::unreachable, 200,
            make_error(what, "Google's reply has \"" + list_field + "\" that is not a list")};
      for (auto& item : arr->as_array())
        if (item.is_object()) items.push_back(std::move(item.as_object()));
    }
    page_token = str_member(*r, "nextPageToken");
    if (page_token.empty()) return items;
  }
  return ApiFailure{
      ApiFailureKind::unreachable, 200,
      make_error(what, "Google kept sending more pages (over " + std::to_string(kMaxPages) + ")")};
}

ApiResult<CourseInfo> ClassroomClient::get_course(const std::string& course_ref) {
  auto r = get("/v1/courses/" + url_encode(course_ref), Query{{{"fields", kCourseFields}}},
               "courses.get", "Classroom course " + course_ref);
  if (!r) return r.error();
  CourseInfo c{str_member(*r, "id"), str_member(*r, "name"), str_member(*r, "alternateLink")};
  if (c.id.empty())
    return ApiFailure{ApiFailureKind::unreachable, 200,
                      make_error("Classroom course " + course_ref, "Google's reply has no id")};
  return c;
}

ApiResult<std::vector<CourseWork>> ClassroomClient::list_course_work(const std::string& course_id) {
  Query q{{{"courseWorkStates", "PUBLISHED"},
           {"orderBy", "updateTime desc"},
           {"fields", kCourseWorkFields}}};
  auto r = get_all("/v1/courses/" + url_encode(course_id) + "/courseWork", q, "courseWork",
                   "courseWork.list", "course work of Classroom course " + course_id);
  if (!r) return r.error();
  std::vector<CourseWork> out;
  for (auto& o : *r) out.push_back(parse_course_work(o, course_id));
  return out;
}

ApiResult<std::vector<CourseWork>> ClassroomClient::list_materials(const std::string& course_id) {
  Query q{{{"courseWorkMaterialStates", "PUBLISHED"},
           {"orderBy", "updateTime desc"},
           {"fields", kMaterialFields}}};
  auto r = get_all("/v1/courses/" + url_encode(course_id) + "/courseWorkMaterials", q,
                   "courseWorkMaterial", "courseWorkMaterials.list",
                   "materials of Classroom course " + course_id);
  if (!r) return r.error();
  std::vector<CourseWork> out;
  for (auto& o : *r) out.push_back(parse_material(o, course_id));
  return out;
}

ApiResult<std::vector<Submission>> ClassroomClient::list_submissions(const std::string& course_id,
                                                                     const std::string& user) {
  Query q{{{"userId", user}, {"fields", kSubmissionFields}}};
  auto r = get_all("/v1/courses/" + url_encode(course_id) + "/courseWork/-/studentSubmissions", q,
                   "studentSubmissions", "studentSubmissions.list",
                   "submissions in Classroom course " + course_id);
  if (!r) return r.error();
  std::vector<Submission> out;
  for (auto& o : *r) out.push_back(parse_submission(o, course_id));
  return out;
}

ApiResult<std::string> ClassroomClient::user_id(const std::string& email) {
  auto r = get("/v1/userProfiles/" + url_encode(email), Query{{{"fields", "id"}}},
               "userProfiles.get", "Classroom user " + email);
  if (!r) return r.error();
  auto id = str_member(*r, "id");
  if (id.empty())
    return ApiFailure{ApiFailureKind::unreachable, 200,
                      make_error("Classroom user " + email, "Google's reply has no id")};
  return id;
}

}  // namespace iesync
