// The status server's routes as a pure function: (request, snapshot, plan, auth) -> response.
// No sockets, no clock, no store here, so every route and every auth case is tested without a
// server; the server (server.h) only parses, fetches the plan off the I/O thread and writes.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "daemon/status/snapshot.h"
#include "mapping/civil.h"

namespace iesync {

// What the handler needs from an HTTP request.
struct StatusRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // origin form: "/api/v1/plan?date=2026-11-23"
  std::string authorization;  // the Authorization header, empty when absent
};

struct AuthContext {
  std::optional<std::string> token;  // [status] token_file's content; nullopt: none configured
  bool loopback_only = true;         // false: every request needs the token
};

struct StatusResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  // The server calls StatusSource::request_sync() and, if that refuses, answers
  // sync_refused_response() instead.
  bool trigger_sync = false;
  // POST /api/v1/chase: the server calls StatusSource::request_chase() and, if that refuses,
  // answers chase_refused_response().
  bool trigger_chase = false;
};

// Compares a presented token with the configured one in constant time: both are hashed to
// fixed-length digests first, so neither a length difference nor the first differing byte
// changes how long the comparison takes.
bool token_matches(std::string_view presented, std::string_view configured);

// The response refusing the request for want of a (valid) token, or nullopt when it may go on.
// POST always needs the token; beyond loopback every request does.
std::optional<StatusResponse> auth_denial(const StatusRequest& req, const AuthContext& auth);

// The day whose plan the request needs (GET / and GET /api/v1/plan; today when no date is
// given), or nullopt when it needs none or its date is malformed (the handler answers 400).
std::optional<Date> plan_date_for(const StatusRequest& req, const StatusSnapshot& snap);

// The pupil whose page the request asks for (GET /student/ID and GET /api/v1/student/ID,
// ID percent-decoded), or nullopt when it asks for none. An ID that cannot be one (empty, too
// long, a "/" or a control character in it) is nullopt too, and the handler answers 404.
std::optional<std::string> student_id_for(const StatusRequest& req);
// GET / also shows the impact part (back in mainstream, review flags).
bool wants_impact(const StatusRequest& req);

// What the request needs from the store, fetched off the I/O thread by the server.
struct StoreReads {
  const Result<boost::json::object>* plan = nullptr;    // for plan_date_for()
  const Result<boost::json::object>* impact = nullptr;  // for wants_impact(); may be absent
  const Result<std::optional<boost::json::object>>* student = nullptr;  // for student_id_for()
};

// Every route. `plan` must be the StatusSource's answer for plan_date_for(req, snap) when that
// is set (a missing plan is then answered 500), and is ignored otherwise.
StatusResponse handle_status_request(const StatusRequest& req, const StatusSnapshot& snap,
                                     const AuthContext& auth,
                                     const Result<boost::json::object>* plan);
StatusResponse handle_status_request(const StatusRequest& req, const StatusSnapshot& snap,
                                     const AuthContext& auth, const StoreReads& reads);

// POST /api/v1/sync when the source refused (a cycle is already queued).
StatusResponse sync_refused_response();

// POST /api/v1/chase when the source refused (notify is off, or a chase is already queued).
StatusResponse chase_refused_response();

// Plain-text responses the server makes itself (413, 431, 503 at the connection cap, ...).
StatusResponse plain_response(int status, std::string text);

}  // namespace iesync
