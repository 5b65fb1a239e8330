// A local Google Classroom: the Classroom v1 endpoints iesync reads and Google's OAuth2
// token endpoint, on 127.0.0.1 over real HTTP/1.1 (Boost.Beast, async, one session per
// connection, its own thread). It behaves like Google where iesync relies on it: RS256
// JWT grant checked against a public key, bearer tokens on every call, small pages with
// nextPageToken, `fields` partial responses, 400 INVALID_ARGUMENT for an unknown query
// parameter, 404 NOT_FOUND for an unknown course or alias, Google's error bodies. Faults
// are queued per call to test the client's recovery.
//
// Fixture (JSON), every object shaped as in the discovery document:
//   {"courses": [Course + "aliases": [CourseAlias]],          // "aliases" is fixture-only
//    "students": [Student {courseId, userId, profile: UserProfile}],
//    "courseWork": [CourseWork], "studentSubmissions": [StudentSubmission]}
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "mapping/clock.h"
#include "mapping/result.h"

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
  // A method name ("token", "courses.get", "courseWork.list", "studentSubmissions.list",
  // "userProfiles.get") or a path prefix ("/v1/courses/c1"); empty matches any call.
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

struct FakeOptions {
  int page_size = 2;                 // the most items on one page, whatever pageSize asks
  std::string public_key_pem;        // verifies the JWT; empty: tokens cannot be granted
  std::string client_email;          // the JWT's iss must be this; empty: any
  std::string impersonate;           // the JWT's sub must be this; empty: any non-empty
  std::string token_uri;             // the JWT's aud; empty: this server's /token URL
  int expires_in = 3599;
  const Clock* clock = nullptr;       // for exp/iat checks; null: the system clock
  unsigned short port = 0;           // 0: any free port
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
  std::string token_uri() const;  // the JWT audience and where to POST

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
