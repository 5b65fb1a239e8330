#include "tests/fakes/classroom/fake_classroom.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "connectors/classroom/jwt.h"
#include "tests/fakes/classroom/fields_filter.h"

namespace iesync::fake {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

const std::set<std::string> kReadonlyScopes = {
    "https://www.googleapis.com/auth/classroom.courses.readonly",
    "https://www.googleapis.com/auth/classroom.rosters.readonly",
    "https://www.googleapis.com/auth/classroom.coursework.students.readonly",
    "https://www.googleapis.com/auth/classroom.profile.emails",
};

// Query parameters every Google API method accepts (the discovery document's "parameters").
const std::set<std::string> kCommonParams = {
    "$.xgafv", "access_token", "alt",      "callback",    "fields",
    "key",     "oauth_token",  "prettyPrint", "quotaUser", "uploadType", "upload_protocol"};

const std::map<std::string, std::set<std::string>> kMethodParams = {
    {"courses.get", {}},
    {"userProfiles.get", {}},
    {"courseWork.list", {"courseWorkStates", "orderBy", "pageSize", "pageToken"}},
    {"studentSubmissions.list", {"userId", "states", "late", "pageSize", "pageToken"}},
};

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply google_error(int code, std::string status, std::string message) {
  json::object e{{"code", code}, {"message", std::move(message)}, {"status", std::move(status)}};
  return {code, json::serialize(json::object{{"error", std::move(e)}}), {}};
}

Reply oauth_error(int code, std::string error, std::string description) {
  return {code,
          json::serialize(json::object{{"error", std::move(error)},
                                       {"error_description", std::move(description)}}),
          {}};
}

Reply not_found() { return google_error(404, "NOT_FOUND", "Requested entity was not found."); }

struct Parsed {
  std::string path;
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> params;  // decoded
  bool ok = false;
};

Parsed parse_target(std::string_view target) {
  Parsed p;
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return p;
  p.path = std::string(u->encoded_path());
  for (auto seg : u->segments()) p.segments.push_back(seg);
  // Form-style decoding would turn '+' into a space; Google treats '+' in a query as '+'
  // only when sent as %2B, which is what clients send.
  for (auto param : u->params()) p.params.emplace_back(param.key, param.value);
  p.ok = true;
  return p;
}

std::string method_name(const std::string& verb, const Parsed& p, const std::string& token_path) {
  const auto& s = p.segments;
  if (verb == "POST" && p.path == token_path) return "token";
  if (verb != "GET" || s.empty() || s[0] != "v1") return "unknown";
  if (s.size() == 3 && s[1] == "courses") return "courses.get";
  if (s.size() == 4 && s[1] == "courses" && s[3] == "courseWork") return "courseWork.list";
  if (s.size() == 6 && s[1] == "courses" && s[3] == "courseWork" && s[5] == "studentSubmissions")
    return "studentSubmissions.list";
  if (s.size() == 3 && s[1] == "userProfiles") return "userProfiles.get";
  return "unknown";
}

// A live connection, so stop() can close it.
struct Closable {
  virtual ~Closable() = default;
  virtual void close() = 0;
};

}  // namespace

// Everything the io thread and the test thread share, behind one lock.
struct FakeClassroom::Impl : std::enable_shared_from_this<FakeClassroom::Impl> {
  FakeOptions opts;
  std::string token_uri;
  std::string token_path = "/token";

  mutable std::mutex mu;
  json::array courses, students, course_work, submissions;
  std::deque<Fault> faults;
  std::vector<LoggedRequest> log;
  std::set<std::string> tokens;
  int page_size = 2;
  unsigned long long next_token = 1;

  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::weak_ptr<Closable>> sessions;  // io thread only
  std::atomic<size_t> accepted{0};

  TimePoint now() const {
    return opts.clock ? opts.clock->now()
                      : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  std::optional<Fault> take_fault(const std::string& method, const std::string& path) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->match.empty() || it->match == method || path.rfind(it->match, 0) == 0) {
        if (it->skip > 0) {
          --it->skip;
          return std::nullopt;
        }
        Fault f = *it;
        faults.erase(it);
        return f;
      }
    }
    return std::nullopt;
  }

  const json::object* find_course(const std::string& ref) const {
    for (const auto& c : courses) {
      auto& o = c.as_object();
      if (str(o, "id") == ref) return &o;
      if (auto* a = o.if_contains("aliases"); a && a->is_array())
        for (const auto& al : a->as_array())
          if (al.is_object() && str(al.as_object(), "alias") == ref) return &o;
    }
    return nullptr;
  }

  // A user id from a numeric id or an email; empty when unknown.
  std::string find_user(const std::string& ref) const {
    for (const auto& s : students) {
      auto& o = s.as_object();
      auto* p = o.if_contains("profile");
      std::string id = str(o, "userId");
      if (id == ref) return id;
      if (p && p->is_object() && str(p->as_object(), "emailAddress") == ref) return id;
    }
    return {};
  }

  const json::object* find_profile(const std::string& user_id) const {
    for (const auto& s : students) {
      auto& o = s.as_object();
      if (str(o, "userId") != user_id) continue;
      if (auto* p = o.if_contains("profile"); p && p->is_object()) return &p->as_object();
    }
    return nullptr;
  }

  // ---- token endpoint -------------------------------------------------------------------
  Reply token(const std::string& body) {
    boost::urls::url u;
    u.set_encoded_query(body);
    std::string grant, assertion;
    for (auto p : u.params()) {
      if (p.key == "grant_type") grant = p.value;
      if (p.key == "assertion") assertion = p.value;
    }
    if (grant != "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + grant);
    auto dot1 = assertion.find('.');
    auto dot2 = dot1 == std::string::npos ? dot1 : assertion.find('.', dot1 + 1);
    if (dot2 == std::string::npos) return oauth_error(400, "invalid_grant", "Invalid JWT.");
    auto header = base64url_decode(std::string_view(assertion).substr(0, dot1));
    auto claims = base64url_decode(std::string_view(assertion).substr(dot1 + 1, dot2 - dot1 - 1));
    auto sig = base64url_decode(std::string_view(assertion).substr(dot2 + 1));
    if (!header || !claims || !sig) return oauth_error(400, "invalid_grant", "Invalid JWT.");
    boost::system::error_code ec;
    auto h = json::parse(*header, ec);
    if (ec || !h.is_object() || str(h.as_object(), "alg") != "RS256" ||
        str(h.as_object(), "typ") != "JWT")
      return oauth_error(400, "invalid_grant", "Invalid JWT header.");
    if (opts.public_key_pem.empty() ||
        !rs256_verify(opts.public_key_pem, std::string_view(assertion).substr(0, dot2), *sig))
      return oauth_error(400, "invalid_grant", "Invalid JWT Signature.");
    auto c = json::parse(*claims, ec);
    if (ec || !c.is_object()) return oauth_error(400, "invalid_grant", "Invalid JWT claims.");
    auto& co = c.as_object();
    if (str(co, "aud") != token_uri)
      return oauth_error(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    if (str(co, "iss").empty() || (!opts.client_email.empty() && str(co, "iss") != opts.client_email))
      return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    auto* iat = co.if_contains("iat");
    auto* exp = co.if_contains("exp");
    long long t = now().time_since_epoch().count();
    if (!iat || !exp || !iat->is_int64() || !exp->is_int64() ||
        exp->as_int64() - iat->as_int64() > 3600 || exp->as_int64() <= t ||
        iat->as_int64() > t + 300)
      return oauth_error(400, "invalid_grant",
                         "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                         "reasonable timeframe. Check your iat and exp values in the JWT claim.");
    std::istringstream scopes(str(co, "scope"));
    std::string scope;
    int n = 0;
    for (; scopes >> scope; ++n)
      if (!kReadonlyScopes.count(scope))
        return oauth_error(400, "invalid_scope",
                           "Invalid OAuth scope or ID token audience provided: " + scope);
    if (n == 0) return oauth_error(400, "invalid_scope", "Empty or missing scope not allowed.");
    std::string sub = str(co, "sub");
    if (sub.empty() || (!opts.impersonate.empty() && sub != opts.impersonate))
      return oauth_error(400, "invalid_grant", "Invalid email or User ID");
    std::string tok = "ya29.fake-" + std::to_string(next_token++) + "-" +
                      base64url_encode(std::string_view(*sig).substr(0, 9));
    tokens.insert(tok);
    return {200,
            json::serialize(json::object{
                {"access_token", tok}, {"expires_in", opts.expires_in}, {"token_type", "Bearer"}}),
            {}};
  }

  // ---- the API --------------------------------------------------------------------------
  // Items [offset, offset+size) of `all`, with a nextPageToken bound to the request.
  Reply page(const std::string& list_field, const json::array& all, const Parsed& p,
             const std::string& fields) {
    int size = page_size;
    std::string page_token;
    std::string binding;  // the request minus pageToken: a token is only valid with it
    for (const auto& [k, v] : p.params) {
      if (k == "pageSize") {
        try {
          int asked = std::stoi(v);
          if (asked < 0) return google_error(400, "INVALID_ARGUMENT", "Invalid page size.");
          if (asked > 0) size = std::min(size, asked);
        } catch (const std::exception&) {
          return google_error(400, "INVALID_ARGUMENT",
                              "Invalid value at 'page_size' (TYPE_INT32), \"" + v + "\"");
        }
      }
      if (k == "pageToken")
        page_token = v;
      else
        binding += k + "=" + v + "&";
    }
    binding = p.path + "?" + binding;
    size_t offset = 0;
    if (!page_token.empty()) {
      auto decoded = base64url_decode(page_token);
      auto bar = decoded ? decoded->find('|') : std::string::npos;
      if (bar == std::string::npos || decoded->substr(bar + 1) != binding)
        return google_error(400, "INVALID_ARGUMENT", "Invalid page token.");
      try {
        offset = std::stoul(decoded->substr(0, bar));
      } catch (const std::exception&) {
        return google_error(400, "INVALID_ARGUMENT", "Invalid page token.");
      }
    }
    json::array items;
    for (size_t i = offset; i < all.size() && items.size() < size_t(size); ++i)
      items.push_back(all[i]);
    json::object out;
    if (!items.empty()) out[list_field] = std::move(items);  // proto3 JSON omits empty lists
    if (offset + size_t(size) < all.size())
      out["nextPageToken"] = base64url_encode(std::to_string(offset + size) + "|" + binding);
    return with_fields(out, fields);
  }

  Reply with_fields(const json::value& v, const std::string& fields) {
    if (fields.empty()) return {200, json::serialize(v), {}};
    auto sel = parse_fields(fields);
    if (!sel) return google_error(400, "INVALID_ARGUMENT", "Invalid field selection " + fields);
    return {200, json::serialize(apply_fields(v, *sel)), {}};
  }

  Reply api(const std::string& method, const Parsed& p) {
    std::string fields;
    std::map<std::string, std::vector<std::string>> q;
    const auto& allowed = kMethodParams.at(method);
    for (const auto& [k, v] : p.params) {
      if (!kCommonParams.count(k) && !allowed.count(k))
        return google_error(400, "INVALID_ARGUMENT",
                            "Invalid JSON payload received. Unknown name \"" + k +
                                "\": Cannot bind query parameter. Field '" + k +
                                "' could not be found in request message.");
      if (k == "fields") fields = v;
      q[k].push_back(v);
    }
    const auto& s = p.segments;
    if (method == "userProfiles.get") {
      auto* prof = find_profile(find_user(s[2]));
      if (!prof) return google_error(403, "PERMISSION_DENIED", "The caller does not have permission");
      return with_fields(*prof, fields);
    }
    const json::object* course = find_course(s[2]);
    if (!course) return not_found();
    const std::string course_id = str(*course, "id");
    if (method == "courses.get") {
      json::object c = *course;
      c.erase("aliases");
      return with_fields(c, fields);
    }
    if (method == "courseWork.list") {
      std::set<std::string> states{"PUBLISHED"};
      if (q.count("courseWorkStates")) states = {q["courseWorkStates"].begin(), q["courseWorkStates"].end()};
      std::string order = q.count("orderBy") ? q["orderBy"].front() : "updateTime desc";
      bool desc = order.find(" desc") != std::string::npos;
      std::string key = order.substr(0, order.find(' '));
      if ((key != "updateTime" && key != "dueDate") ||
          (order.find(' ') != std::string::npos && !desc && order.find(" asc") == std::string::npos))
        return google_error(400, "INVALID_ARGUMENT", "Invalid orderBy: " + order);
      std::vector<json::object> hits;
      for (const auto& w : course_work)
        if (str(w.as_object(), "courseId") == course_id &&
            states.count(str(w.as_object(), "state")))
          hits.push_back(w.as_object());
      auto sort_key = [&](const json::object& o) {
        if (key == "updateTime") return str(o, "updateTime");
        auto* d = o.if_contains("dueDate");
        if (!d || !d->is_object()) return std::string{};
        char buf[32];
        auto num = [&](const char* f) {
          auto* x = d->as_object().if_contains(f);
          return x && x->is_int64() ? int(x->as_int64()) : 0;
        };
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", num("year"), num("month"), num("day"));
        return std::string(buf);
      };
      std::stable_sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
        return desc ? sort_key(a) > sort_key(b) : sort_key(a) < sort_key(b);
      });
      json::array all;
      for (auto& h : hits) all.push_back(std::move(h));
      return page("courseWork", all, p, fields);
    }
    // studentSubmissions.list
    const std::string& cw = s[4];
    if (cw != "-") {
      bool known = false;
      for (const auto& w : course_work)
        known |= str(w.as_object(), "courseId") == course_id && str(w.as_object(), "id") == cw;
      if (!known) return not_found();
    }
    std::string user;
    if (q.count("userId")) {
      user = find_user(q["userId"].front());
      if (user.empty()) return not_found();
    }
    std::set<std::string> states;
    if (q.count("states")) states = {q["states"].begin(), q["states"].end()};
    json::array all;
    for (const auto& sub : submissions) {
      auto& o = sub.as_object();
      if (str(o, "courseId") != course_id) continue;
      if (cw != "-" && str(o, "courseWorkId") != cw) continue;
      if (!user.empty() && str(o, "userId") != user) continue;
      if (!states.empty() && !states.count(str(o, "state"))) continue;
      all.push_back(o);
    }
    return page("studentSubmissions", all, p, fields);
  }
};

namespace {

// One connection: read a request, answer (or misbehave as a fault says), repeat while the
// client keeps the connection alive.
class Session : public Closable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<FakeClassroom::Impl> impl)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), impl_(std::move(impl)) {}

  void start() { read(); }
  void close() override {
    timer_.cancel();
    beast::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void read() {
    req_ = {};
    http::async_read(socket_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    if (ec) return;  // reset by the client, timeout, stop(): the session just ends
    handle();
  }

  void handle() {
    std::string verb(req_.method_string());
    std::string target(req_.target());
    auto p = parse_target(target);
    Reply reply;
    std::optional<Fault> fault;
    std::string method = "unknown";
    {
      std::lock_guard lock(impl_->mu);
      if (p.ok) method = method_name(verb, p, impl_->token_path);
      fault = impl_->take_fault(method, p.path);
      if (fault && (fault->kind == FaultKind::stall || fault->kind == FaultKind::reset)) {
        impl_->log.push_back({method, verb, target, 0});
      } else {
        reply = answer(method, p, fault);
        impl_->log.push_back({method, verb, target, reply.status});
      }
    }
    if (fault && fault->kind == FaultKind::stall) {
      timer_.expires_after(fault->stall);
      timer_.async_wait([self = shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->socket_.close(ignored);
      });
      return;
    }
    if (fault && fault->kind == FaultKind::reset) {
      beast::error_code ignored;
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);  // RST, not FIN
      socket_.close(ignored);
      return;
    }
    write(std::move(reply));
  }

  // Called with the lock held.
  Reply answer(const std::string& method, const Parsed& p, const std::optional<Fault>& fault) {
    auto& impl = *impl_;
    if (!p.ok) return google_error(400, "INVALID_ARGUMENT", "Malformed request target.");
    if (fault) {
      switch (fault->kind) {
        case FaultKind::too_many_requests: {
          auto r = google_error(429, "RESOURCE_EXHAUSTED",
                                "Quota exceeded for quota metric 'Read requests' and limit "
                                "'Read requests per minute per user'.");
          r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_seconds));
          return r;
        }
        case FaultKind::server_error:
          return google_error(500, "INTERNAL", "Internal error encountered.");
        case FaultKind::unavailable:
          return google_error(503, "UNAVAILABLE", "The service is currently unavailable.");
        case FaultKind::malformed_json:
          return {200, "{\"courseWork\": [{\"id\": 12,, \"title\" <html>", {}};
        case FaultKind::unauthorized:
          impl.tokens.clear();
          return google_error(401, "UNAUTHENTICATED",
                              "Request had invalid authentication credentials. Expected OAuth 2 "
                              "access token, login cookie or other valid authentication "
                              "credential.");
        case FaultKind::invalid_grant:
          return oauth_error(400, "invalid_grant", "Invalid email or User ID");
        case FaultKind::truncated_json: {
          auto r = real_answer(method, p);
          r.body = r.body.substr(0, r.body.size() / 2);
          return r;
        }
        case FaultKind::stall:
        case FaultKind::reset:
          break;  // handled by the caller
      }
    }
    return real_answer(method, p);
  }

  Reply real_answer(const std::string& method, const Parsed& p) {
    auto& impl = *impl_;
    if (method == "token") return impl.token(req_.body());
    if (method == "unknown") return not_found();
    auto auth = std::string(req_[http::field::authorization]);
    if (auth.rfind("Bearer ", 0) != 0 || !impl.tokens.count(auth.substr(7)))
      return google_error(401, "UNAUTHENTICATED",
                          "Request had invalid authentication credentials. Expected OAuth 2 "
                          "access token, login cookie or other valid authentication credential.");
    return impl.api(method, p);
  }

  void write(Reply reply) {
    res_ = {};
    res_.version(req_.version());
    res_.result(static_cast<http::status>(reply.status));
    res_.set(http::field::server, "ESF");
    res_.set(http::field::content_type, "application/json; charset=UTF-8");
    for (auto& [k, v] : reply.headers) res_.set(k, v);
    res_.keep_alive(req_.keep_alive());
    res_.body() = std::move(reply.body);
    res_.prepare_payload();
    http::async_write(socket_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!self->res_.keep_alive()) {
                          beast::error_code ignored;
                          self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->read();
                      });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<FakeClassroom::Impl> impl_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void do_accept(std::shared_ptr<FakeClassroom::Impl> impl) {
  auto* raw = impl.get();
  raw->acceptor.async_accept([impl = std::move(impl)](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // acceptor closed: stop()
    ++impl->accepted;
    auto session = std::make_shared<Session>(std::move(socket), impl);
    std::erase_if(impl->sessions, [](const auto& w) { return w.expired(); });
    impl->sessions.push_back(session);
    session->start();
    do_accept(impl);
  });
}

Result<json::array> array_member(const json::object& o, const char* name) {
  auto* v = o.if_contains(name);
  if (!v) return json::array{};
  if (!v->is_array()) return make_error("fixture", std::string("\"") + name + "\" is not a list");
  for (const auto& e : v->as_array())
    if (!e.is_object())
      return make_error("fixture", std::string("an entry of \"") + name + "\" is not an object");
  return v->as_array();
}

}  // namespace

FakeClassroom::FakeClassroom(FakeOptions opts) : opts_(std::move(opts)) {}

FakeClassroom::~FakeClassroom() { stop(); }

Result<void> FakeClassroom::load_fixture(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(file.string(), "cannot read the Classroom fixture");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = load_fixture_json(ss.str());
  if (!r) return make_error(file.string(), r.error().message);
  return {};
}

Result<void> FakeClassroom::load_fixture_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return make_error("fixture", "not a JSON object: " + ec.message());
  auto& o = v.as_object();
  auto c = array_member(o, "courses");
  auto s = array_member(o, "students");
  auto w = array_member(o, "courseWork");
  auto sub = array_member(o, "studentSubmissions");
  for (auto* r : {&c, &s, &w, &sub})
    if (!*r) return r->error();
  if (!impl_) impl_ = std::make_shared<Impl>();
  std::lock_guard lock(impl_->mu);
  impl_->courses = std::move(*c);
  impl_->students = std::move(*s);
  impl_->course_work = std::move(*w);
  impl_->submissions = std::move(*sub);
  return {};
}

void FakeClassroom::start() {
  if (!impl_) impl_ = std::make_shared<Impl>();
  if (thread_.joinable()) return;
  auto& impl = *impl_;
  impl.opts = opts_;
  impl.page_size = std::max(1, opts_.page_size);
  impl.io.restart();  // after a stop()
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), opts_.port ? opts_.port : port_);
  impl.acceptor.open(ep.protocol());
  impl.acceptor.set_option(asio::socket_base::reuse_address(true));
  impl.acceptor.bind(ep);
  impl.acceptor.listen();
  port_ = impl.acceptor.local_endpoint().port();
  impl.token_uri = opts_.token_uri.empty() ? token_uri() : opts_.token_uri;
  if (!opts_.token_uri.empty()) {
    auto u = boost::urls::parse_uri(opts_.token_uri);
    if (u) impl.token_path = std::string(u->encoded_path());
  }
  do_accept(impl_);
  thread_ = std::thread([impl = impl_] { impl->io.run(); });
}

void FakeClassroom::stop() {
  if (!thread_.joinable()) return;
  // Close the listener and every connection on the io thread; each pending operation then
  // completes with an error and re-arms nothing, so run() returns.
  asio::post(impl_->io, [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    for (auto& w : impl->sessions)
      if (auto s = w.lock()) s->close();
    impl->sessions.clear();
  });
  thread_.join();
}

std::string FakeClassroom::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string FakeClassroom::token_uri() const { return base_url() + "/token"; }

void FakeClassroom::push_fault(Fault f) {
  if (!impl_) impl_ = std::make_shared<Impl>();
  std::lock_guard lock(impl_->mu);
  impl_->faults.push_back(std::move(f));
}

void FakeClassroom::set_page_size(int n) {
  opts_.page_size = n;
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  impl_->page_size = std::max(1, n);
}

void FakeClassroom::revoke_tokens() {
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  impl_->tokens.clear();
}

std::vector<LoggedRequest> FakeClassroom::requests() const {
  if (!impl_) return {};
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

size_t FakeClassroom::count(std::string_view method) const {
  if (!impl_) return 0;
  std::lock_guard lock(impl_->mu);
  return size_t(std::count_if(impl_->log.begin(), impl_->log.end(), [&](const auto& r) {
    return method.empty() || r.method == method;
  }));
}

size_t FakeClassroom::connections() const { return impl_ ? impl_->accepted.load() : 0; }

void FakeClassroom::clear_requests() {
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  impl_->log.clear();
}

}  // namespace iesync::fake
