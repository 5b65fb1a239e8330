// The Classroom v1 calls iesync makes, each with a `fields` partial response and, for lists,
// pageSize + nextPageToken paging until the last page. Requests carry a bearer token from
// the TokenSource; a 401 refreshes it once and retries; 429/5xx back off (see retry.h).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "connectors/classroom/api_result.h"
#include "connectors/classroom/metrics.h"
#include "connectors/classroom/service_account.h"
#include "connectors/http/http_client.h"
#include "mapping/classroom.h"

namespace iesync {

struct CourseInfo {
  std::string id;
  std::string name;
  std::string link;  // alternateLink
};

struct ClassroomClientOptions {
  std::string api_base = "https://classroom.googleapis.com";
  int page_size = 100;
  RetryPolicy retry;
};

class ClassroomClient {
 public:
  ClassroomClient(HttpClient& http, TokenSource& tokens, ClassroomClientOptions opts, Sleeper sleep,
                  ClassroomMetrics* metrics = nullptr);

  // courses.get; `course_ref` is a course id or an alias ("d:9X1-Ma"). not_found on 404.
  ApiResult<CourseInfo> get_course(const std::string& course_ref);
  // courses.courseWork.list, PUBLISHED only, newest update first, every page.
  ApiResult<std::vector<CourseWork>> list_course_work(const std::string& course_id);
  // courses.courseWorkMaterials.list, PUBLISHED only, newest update first, every page.
  // scope_missing when the token was granted without the materials scope.
  ApiResult<std::vector<CourseWork>> list_materials(const std::string& course_id);
  // courses.courseWork.studentSubmissions.list with courseWorkId "-" (all work) for one
  // student (`user` = user id or email), every page.
  ApiResult<std::vector<Submission>> list_submissions(const std::string& course_id,
                                                      const std::string& user);
  // userProfiles.get for the user's id. Google answers 403 PERMISSION_DENIED (not 404) when
  // there is no such user; both come back as their own failure kinds.
  ApiResult<std::string> user_id(const std::string& email);

 private:
  struct Query {
    std::vector<std::pair<std::string, std::string>> params;
  };
  // One GET, with token, 401 refresh and retries; the parsed JSON object.
  ApiResult<boost::json::object> get(const std::string& path, const Query& q,
                                     const std::string& method, const std::string& what);
  // Every page of a list call; `list_field` is the array member to collect.
  ApiResult<std::vector<boost::json::object>> get_all(const std::string& path, Query q,
                                                      const std::string& list_field,
                                                      const std::string& method,
                                                      const std::string& what);

  HttpClient& http_;
  TokenSource& tokens_;
  ClassroomClientOptions opts_;
  Sleeper sleep_;
  ClassroomMetrics* metrics_;
};

// A path segment or query value percent-encoded: everything but A-Z a-z 0-9 - . _ ~.
std::string url_encode(std::string_view s);

}  // namespace iesync
