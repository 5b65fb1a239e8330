// A local Google Classroom: the Classroom v1 read methods and Google's OAuth2 token
// endpoint, on 127.0.0.1 over real HTTP/1.1 (Boost.Beast, async, one session per connection,
// its own thread). It is as strict as Google where the documentation says what Google does,
// and stricter where it is silent; Google's own Node client is driven against it by
// tests/conformance/. What it checks, in Google's order:
//   - the token endpoint: an RS256 JWT grant (header `typ` optional, as RFC 7515 has it)
//     signed by the key, `aud` either this server's token URI or Google's own
//     (https://oauth2.googleapis.com/token, which Google's client libraries always sign), a
//     short-lived iat/exp, a `sub` to act as, and scopes modelled on domain-wide delegation:
//     any scope the Admin console entry allows is granted, any other gets 401
//     unauthorized_client;
//   - every API call: the bearer token first (401 on any path, known or not), then the route
//     (404), then the token's scopes against the discovery document's scopes for the method
//     (403 "Request had insufficient authentication scopes."). Writes of the real API are
//     routed but never carried out: with a read-only token they get that 403, with a write
//     scope 403 PERMISSION_DENIED;
//   - the request: unknown query parameters and enum values are 400 INVALID_ARGUMENT, page
//     tokens are bound to the rest of the request, `fields` partial responses (with `*`);
//   - answers shaped as in the discovery document: small pages with nextPageToken, 404
//     NOT_FOUND for an unknown course or alias, `me` as the impersonated user, a profile's
//     emailAddress only under classroom.profile.emails (photoUrl only under
//     classroom.profile.photos), Google's error bodies.
// Served: courses.list, courses.get, courses.aliases.list, courses.students.list,
// courses.courseWork.list, courses.courseWork.studentSubmissions.list,
// courses.courseWorkMaterials.list, userProfiles.get.
// Faults are queued per call to test the client's recovery.
//
// Fixture (JSON), every object shaped as in the discovery document:
//   {"courses": [Course + "aliases": [CourseAlias]],          // "aliases" is fixture-only
//    "students": [Student {courseId, userId, profile: UserProfile}],
//    "teachers": [Teacher {courseId, userId, profile: UserProfile}],
//    "userProfiles": [UserProfile],   // fixture-only: users on no roster, e.g. the admin
//                                     // account iesync acts as (what `me` resolves to)
//    "courseWork": [CourseWork], "studentSubmissions": [StudentSubmission],
//    "courseWorkMaterial": [CourseWorkMaterial]}  // named as in ListCourseWorkMaterialResponse
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace iesync::fake {

enum class FaultKind {
  too_many_requests,  // 429 RESOURCE_EXHAUSTED with Retry-After
  server_error,       // 500 INTERNAL
  unavailable,        // 503 UNAVAILABLE
  stall,              // read the request, answer nothing for `stall`, then close
  reset,              // close the connection with a TCP reset instead of answering
  malformed_json,     // 200 with a body that is not JSON
  truncated_json,     // 200 with the real body cut in half (Content-Length matches the cut)
  unauthorized,       // revoke every token issued so far, answer 401 UNAUTHENTICATED
  invalid_grant,      // token endpoint: 400 invalid_grant
};

struct Fault {
  // A method name ("token", "courses.list", "courses.get", "aliases.list", "students.list",
  // "courseWork.list", "studentSubmissions.list", "courseWorkMaterials.list",
  // "userProfiles.get", or a write such as
  // "courses.patch") or a path prefix ("/v1/courses/c1"); empty matches any call.
  std::string match;
  FaultKind kind = FaultKind::server_error;
  int skip = 0;  // let this many matching calls through first (e.g. fail page 2, not 1)
  int retry_after_seconds = 1;
  std::chrono::milliseconds stall{3000};
};

struct LoggedRequest {
  std::string method;  // API method name as above, or "unknown"
  std::string http_method;
  std::string target;  // path and query as sent
  int status = 0;      // 0: no answer (stall, reset)
};

// Google's token endpoint: what Google's client libraries post to and sign as the JWT `aud`,
// whatever a key file's token_uri says.
inline constexpr const char* kGoogleTokenUri = "https://oauth2.googleapis.com/token";

// The read-only scopes of the Classroom discovery document (revision 20250526): every
// `*.readonly` scope and classroom.profile.emails. The default Admin console entry for the
// client, as an admin who allows "read-only Classroom" would enter it.
const std::vector<std::string>& default_allowed_scopes();

struct FakeOptions {
  int page_size = 2;           // the most items on one page, whatever pageSize asks
  std::string public_key_pem;  // verifies the JWT; empty: tokens cannot be granted
  std::string client_email;    // the JWT's iss must be this; empty: any
  std::string impersonate;     // the JWT's sub must be this; empty: any non-empty
  std::string token_uri;       // where grants are posted, and a JWT aud accepted beside
                               // kGoogleTokenUri; empty: this server's /token URL
  // The scopes domain-wide delegation allows the client (the Admin console entry); empty:
  // default_allowed_scopes().
  std::vector<std::string> allowed_scopes;
  int expires_in = 3599;
  const Clock* clock = nullptr;  // for exp/iat checks; null: the system clock
  unsigned short port = 0;       // 0: any free port
};

class FakeClassroom {
 public:
  explicit FakeClassroom(FakeOptions opts);
  ~FakeClassroom();
  FakeClassroom(const FakeClassroom&) = delete;
  FakeClassroom& operator=(const FakeClassroom&) = delete;

  Result<void> load_fixture(const std::filesystem::path& file);
  Result<void> load_fixture_json(std::string_view text);

  // Binds 127.0.0.1 (options.port, 0 = any) and serves on a new thread.
  void start();
  // Stops serving and closes every connection; new connections are refused.
  void stop();
  unsigned short port() const { return port_; }
  std::string base_url() const;   // http://127.0.0.1:PORT
  std::string token_uri() const;  // where to POST a grant (and an audience it accepts)

  void push_fault(Fault f);
  void set_page_size(int n);
  void revoke_tokens();

  std::vector<LoggedRequest> requests() const;
  // Requests of one API method ("" = all) that reached the fake.
  size_t count(std::string_view method = {}) const;
  void clear_requests();
  // TCP connections accepted so far (keep-alive means few).
  size_t connections() const;

  struct Impl;

 private:
  FakeOptions opts_;
  std::shared_ptr<Impl> impl_;
  std::thread thread_;
  unsigned short port_ = 0;
};

}  // namespace iesync::fake
