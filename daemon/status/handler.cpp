#include "daemon/status/handler.h"

#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <stdexcept>

#include "base/clock.h"
#include "connectors/crypto/libcrypto.h"
#include "daemon/status/actions.h"
#include "daemon/status/dashboard.h"
#include "daemon/status/metrics.h"
#include "daemon/status/student_page.h"

namespace iesync {

namespace json = boost::json;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kHtml = "text/html; charset=utf-8";

struct Target {
  std::string path;
  std::optional<std::string> date;  // the `date` query parameter, decoded
  bool valid = true;
};

Target parse_target(const std::string& target) {
  Target t;
  auto u = boost::urls::parse_origin_form(target);
  if (!u) {
    t.valid = false;
    return t;
  }
  t.path = std::string(u->path());
  auto params = u->params();
  if (auto it = params.find("date"); it != params.end())
    t.date = (*it).has_value ? std::string((*it).value) : std::string();
  return t;
}

// Routes and the methods they take; a known path with another method is 405, not 404.
struct Route {
  std::string_view path;
  std::string_view method;
};
constexpr Route kRoutes[] = {
    {"/", "GET"},
    {"/healthz", "GET"},
    {"/metrics", "GET"},
    {"/api/v1/status", "GET"},
    {"/api/v1/plan", "GET"},
    {"/api/v1/sync", "POST"},
    {"/api/v1/chase", "POST"},
};

const Route* find_route(std::string_view path) {
  for (auto& r : kRoutes)
    if (r.path == path) return &r;
  return nullptr;
}

bool needs_plan(std::string_view path) {
  return path == "/" || path == "/api/v1/plan";
}

StatusResponse json_response(int status, const json::value& v);

constexpr std::string_view kStudentPage = "/student/";
constexpr std::string_view kStudentApi = "/api/v1/student/";

bool student_path(std::string_view path) {
  return path.starts_with(kStudentPage) || path.starts_with(kStudentApi);
}

// An admission number as the MIS exports it: printable, no "/", not absurdly long.
bool plausible_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f || c == '/') return false;
  return true;
}

StatusResponse student_not_found(const std::string& what, bool html) {
  auto r = plain_response(404, what + "\n");
  if (html) {
    r.content_type = std::string(kHtml);
    r.body =
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>No such "
        "pupil</title></head><body><p>" +
        html_escape(what) + "</p><p><a href=\"/\">Back to the dashboard</a></p></body></html>\n";
  }
  return r;
}

StatusResponse student_route(const StatusRequest& req, const Target& t, const StatusSnapshot& snap,
                             const StoreReads& reads) {
  const bool html = t.path.starts_with(kStudentPage);
  if (req.method != "GET" && req.method != "HEAD") {
    auto resp = plain_response(405, t.path + " takes GET, HEAD only\n");
    resp.headers.emplace_back("Allow", "GET, HEAD");
    return resp;
  }
  auto id = student_id_for(req);
  if (!id)
    return student_not_found(
        "There is no pupil at this address: the address should end with "
        "the pupil's admission number, like /student/001042.",
        html);
  if (!reads.student)
    return plain_response(500, "internal error: the pupil was not fetched for this request\n");
  if (!*reads.student) {
    if (html) {
      auto r = plain_response(503, "");
      r.content_type = std::string(kHtml);
      r.body =
          "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Cannot read"
          "</title></head><body><p>The pupil's record could not be read: " +
          html_escape(reads.student->error().to_string()) + "</p></body></html>\n";
      return r;
    }
    return json_response(503, json::object{{"error", reads.student->error().to_string()}});
  }
  const auto& doc = reads.student->value();
  if (!doc) {
    const std::string what = "No pupil with admission number " + *id +
                             " is known to iesync: they are not in the students, bookings or "
                             "behaviour exports. Check the number on the MIS.";
    if (html) return student_not_found(what, true);
    return json_response(404, json::object{{"error", what}});
  }
  if (!html) return json_response(200, *doc);
  StatusResponse resp;
  resp.content_type = std::string(kHtml);
  resp.body = render_student_page(*doc, snap);
  return resp;
}

// "Scheme X" (scheme case-insensitive, RFC 7235) -> X without surrounding blanks; nullopt
// for another scheme or an empty X.
std::optional<std::string_view> credentials(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  auto rest = header.substr(scheme.size());
  auto b = rest.find_first_not_of(' ');
  if (b == std::string_view::npos) return std::nullopt;
  rest = rest.substr(b);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

// "Bearer X" (RFC 6750) -> X.
std::optional<std::string_view> bearer_token(std::string_view header) {
  return credentials(header, "bearer");
}

// "Basic base64(user:password)" (RFC 7617) -> the password; nullopt for any other form.
// Browsers cannot send a Bearer token, but they ask for and send Basic credentials
// themselves, so a behaviour lead at another desk signs in with any name and the token.
std::optional<std::string> basic_password(std::string_view header) {
  auto b64 = credentials(header, "basic");
  if (!b64 || b64->size() % 4 != 0 || b64->size() > 4096) return std::nullopt;
  std::string out(b64->size() / 4 * 3, '\0');
  int n = crypto::library_or_throw().EVP_DecodeBlock(
      reinterpret_cast<unsigned char*>(out.data()),
      reinterpret_cast<const unsigned char*>(b64->data()), static_cast<int>(b64->size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the bytes that '=' padding stands for; they are not data.
  std::size_t pad = 0;
  while (pad < b64->size() && (*b64)[b64->size() - 1 - pad] == '=') ++pad;
  if (pad > 2 || pad > static_cast<std::size_t>(n)) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  auto colon = out.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return out.substr(colon + 1);
}

StatusResponse json_response(int status, const json::value& v) {
  StatusResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = json::serialize(v) + "\n";
  return r;
}

json::value utc_or_null(const std::optional<StatusSnapshot::TimePoint>& t) {
  if (!t) return nullptr;
  return json::value(format_utc(std::chrono::floor<std::chrono::seconds>(*t)));
}

std::string healthz_reason(const StatusSnapshot& s) {
  const auto limit = std::chrono::duration_cast<std::chrono::minutes>(3 * s.interval).count();
  if (!s.store_fault.empty())
    return "unhealthy: " + s.store_fault +
           "; cycles fail until it clears, and resume by themselves once it does\n";
  if (!s.last_success)
    return "unhealthy: no sync cycle has succeeded since iesync started" +
           std::string(s.cycle_running ? " (one is running now)" : "") +
           "; see sync.log for the last cycle's problems\n";
  auto ago = std::chrono::duration_cast<std::chrono::minutes>(s.now - *s.last_success).count();
  return "unhealthy: the last successful sync cycle ended " + std::to_string(ago) +
         " minutes ago, more than 3 intervals (" + std::to_string(limit) +
         " minutes); see sync.log for why cycles fail\n";
}

StatusResponse status_json(const StatusSnapshot& s) {
  json::array cycles;
  for (auto& c : s.recent_cycles)
    cycles.push_back(json::object{{"started_at", c.started_at},
                                  {"finished_at", c.finished_at},
                                  {"result", c.result},
                                  {"summary", c.summary}});
  json::object outbox;
  for (auto& [k, v] : s.outbox_by_state) outbox[k] = v;
  json::array warnings;
  for (auto& w : s.warnings) warnings.push_back(json::value(w));
  json::array held;
  for (auto& h : s.held_exports)
    held.push_back(
        json::object{{"feed", h.feed}, {"reason", h.reason}, {"apply_with", kApplyHeldCommand}});
  json::object o{
      {"healthy", s.healthy()},
      {"degraded", s.degraded()},
      {"store_fault", s.store_fault.empty() ? json::value(nullptr) : json::value(s.store_fault)},
      {"school", s.school_name},
      {"version", s.version},
      {"now", utc_or_null(s.now)},
      {"today", s.today.iso()},
      {"running", s.cycle_running},
      {"queued", s.cycle_queued},
      {"last_success", utc_or_null(s.last_success)},
      {"last_cycle_end", utc_or_null(s.last_cycle_end)},
      {"last_cycle_seconds", s.last_cycle_seconds},
      {"next_cycle", utc_or_null(s.next_cycle)},
      {"interval_seconds", s.interval.count()},
      {"cycles", std::move(cycles)},
      {"outbox", std::move(outbox)},
      {"warnings", std::move(warnings)},
      {"held_exports", std::move(held)}};
  return json_response(200, o);
}

StatusResponse bad_date(bool html) {
  auto r =
      plain_response(400, "date must be a school day written YYYY-MM-DD, e.g. ?date=2026-11-23\n");
  if (html) {
    r.content_type = std::string(kHtml);
    r.body =
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Bad date</title>"
        "</head><body><p>The date must be written YYYY-MM-DD, e.g. 2026-11-23.</p>"
        "<p><a href=\"/\">Show today</a></p></body></html>\n";
  }
  return r;
}

void add_common_headers(StatusResponse& r) {
  // Live data: never from a cache. The page loads nothing and runs one script, its buttons'
  // (allowed by its hash, fetching only from here), so a strict policy fits and blunts any
  // escaping mistake: an injected script would not run.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (r.content_type.starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; script-src " +
                               dashboard_actions_script_hash() +
                               "; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
}

StatusResponse route(const StatusRequest& req, const StatusSnapshot& snap,
                     const StoreReads& reads) {
  const Result<json::object>* plan = reads.plan;
  auto t = parse_target(req.target);
  if (!t.valid) return plain_response(400, "the request target is not a valid path\n");
  if (student_path(t.path)) return student_route(req, t, snap, reads);
  const Route* r = find_route(t.path);
  if (!r) return plain_response(404, "no such page: " + t.path + "; try / or /api/v1/status\n");
  // HEAD is GET without the body (RFC 9110); the server leaves the body out.
  const bool get_like = r->method == "GET" && req.method == "HEAD";
  if (req.method != r->method && !get_like) {
    const std::string allow = r->method == "GET" ? "GET, HEAD" : std::string(r->method);
    auto resp = plain_response(405, std::string(r->path) + " takes " + allow + " only\n");
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  if (needs_plan(t.path)) {
    auto date = plan_date_for(req, snap);
    if (!date) return bad_date(t.path == "/");
    if (!plan)
      return plain_response(500, "internal error: the plan was not fetched for this request\n");
    if (t.path == "/") {
      StatusResponse resp;
      resp.content_type = std::string(kHtml);
      if (*plan) {
        // The impact part is extra: if it cannot be read, the day still shows.
        const json::object* impact =
            reads.impact && *reads.impact ? &reads.impact->value() : nullptr;
        resp.body = render_dashboard(plan->value(), *date, snap, impact);
      } else {
        resp.status = 503;
        resp.body = render_dashboard_error(*date, snap, plan->error());
      }
      return resp;
    }
    if (!*plan) return json_response(503, json::object{{"error", plan->error().to_string()}});
    return json_response(200, plan->value());
  }
  if (t.path == "/healthz") {
    if (snap.degraded()) {
      // Still 200: cycles run and the service is up (SPEC §7); the body says what needs doing.
      std::string body = "ok, but degraded:\n";
      for (auto& w : snap.warnings) body += "- " + w + "\n";
      return plain_response(200, std::move(body));
    }
    if (snap.healthy()) return plain_response(200, "ok\n");
    return plain_response(503, healthz_reason(snap));
  }
  if (t.path == "/metrics") {
    StatusResponse resp;
    resp.content_type = std::string(kPrometheusContentType);
    resp.body = render_metrics(snap);
    return resp;
  }
  if (t.path == "/api/v1/status") return status_json(snap);
  if (t.path == "/api/v1/chase") {
    // SPEC §9 now: the daemon queues it after the running cycle (or at once when idle).
    auto resp = json_response(202, json::object{{"result", "queued"}});
    resp.trigger_chase = true;
    return resp;
  }
  // POST /api/v1/sync. The source has the last word (a cycle may have been queued since the
  // snapshot); the server answers sync_refused_response() if it refuses.
  if (snap.cycle_queued) return sync_refused_response();
  auto resp =
      json_response(202, json::object{{"result", snap.cycle_running ? "queued" : "started"}});
  resp.trigger_sync = true;
  return resp;
}

}  // namespace

bool token_matches(std::string_view presented, std::string_view configured) {
  auto a = crypto::sha256(presented);
  auto b = crypto::sha256(configured);
  const bool same_digest =
      crypto::library_or_throw().CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  // An empty configured token never matches (a blank token file is refused at load anyway).
  return same_digest & !configured.empty();
}

std::optional<StatusResponse> auth_denial(const StatusRequest& req, const AuthContext& auth) {
  const bool needs_token = req.method == "POST" || !auth.loopback_only;
  if (!needs_token) return std::nullopt;
  if (!auth.token) {
    return plain_response(
        403, req.method == "POST" && auth.loopback_only
                 ? "this needs a token, and none is configured: set [status] token_file "
                   "to a file holding one (chmod 600) and restart iesync\n"
                 : "the status server listens beyond loopback without a token: set "
                   "[status] token_file (chmod 600) and restart iesync\n");
  }
  const bool reading = req.method == "GET" || req.method == "HEAD";
  auto bearer = bearer_token(req.authorization);
  if (bearer && token_matches(*bearer, *auth.token)) return std::nullopt;
  // A browser's sign-in is for reading pages only: a browser also sends remembered Basic
  // credentials on a POST that another site's page makes it send.
  auto basic = basic_password(req.authorization);
  if (basic && reading && token_matches(*basic, *auth.token)) return std::nullopt;
  const bool presented = bearer || basic;
  // The presented value is never echoed: it may be a real token sent to the wrong server.
  std::string how = reading ? "in a browser, sign in with any user name and the token in [status] "
                              "token_file as the password; from a program, send \"Authorization: "
                              "Bearer TOKEN\"\n"
                            : "send the token in [status] token_file as \"Authorization: Bearer "
                              "TOKEN\" (a browser sign-in only reads pages)\n";
  std::string what = !presented          ? "a token is required; "
                     : basic && !reading ? "a POST needs a Bearer token; "
                                         : "the token is wrong; ";
  auto r = plain_response(401, what + how);
  r.headers.emplace_back(
      "WWW-Authenticate",
      bearer ? "Bearer realm=\"iesync\", error=\"invalid_token\"" : "Bearer realm=\"iesync\"");
  if (reading)
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"iesync\", charset=\"UTF-8\"");
  return r;
}

std::optional<Date> plan_date_for(const StatusRequest& req, const StatusSnapshot& snap) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  auto t = parse_target(req.target);
  if (!t.valid || !needs_plan(t.path)) return std::nullopt;
  // The dashboard's date input submits an empty value when cleared: that is today.
  if (!t.date || t.date->empty()) return snap.today;
  return Date::parse_iso(*t.date);
}

StatusResponse handle_status_request(const StatusRequest& req, const StatusSnapshot& snap,
                                     const AuthContext& auth, const StoreReads& reads) {
  auto resp = auth_denial(req, auth);
  if (!resp) resp = route(req, snap, reads);
  add_common_headers(*resp);
  return std::move(*resp);
}

StatusResponse handle_status_request(const StatusRequest& req, const StatusSnapshot& snap,
                                     const AuthContext& auth, const Result<json::object>* plan) {
  StoreReads reads;
  reads.plan = plan;
  return handle_status_request(req, snap, auth, reads);
}

std::optional<std::string> student_id_for(const StatusRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return std::nullopt;
  std::vector<std::string> segs;
  for (auto seg : u->segments()) segs.push_back(std::string(seg));  // percent-decoded
  std::string id;
  if (segs.size() == 2 && segs[0] == "student")
    id = segs[1];
  else if (segs.size() == 4 && segs[0] == "api" && segs[1] == "v1" && segs[2] == "student")
    id = segs[3];
  else
    return std::nullopt;
  if (!plausible_id(id)) return std::nullopt;
  return id;
}

bool wants_impact(const StatusRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  auto t = parse_target(req.target);
  return t.valid && t.path == "/";
}

StatusResponse sync_refused_response() {
  auto r = json_response(409, json::object{{"result", "already_queued"},
                                           {"message",
                                            "a sync cycle is already queued; it starts when "
                                            "the running one ends"}});
  add_common_headers(r);
  return r;
}

StatusResponse chase_refused_response() {
  auto r = json_response(409, json::object{{"result", "refused"},
                                           {"message",
                                            "notify is off ([notify] enabled = false), "
                                            "or a chase is already queued"}});
  add_common_headers(r);
  return r;
}

StatusResponse plain_response(int status, std::string text) {
  StatusResponse r;
  r.status = status;
  r.body = std::move(text);
  return r;
}

}  // namespace iesync
