#include "tests/fakes/wonde/fake_wonde.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "mapping/civil.h"
#include "mapping/timezone.h"

namespace iesync::fake {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

namespace {

// A plain HTTP answer; FakeWonde::Reply adds the fault actions.
struct Answer {
  int status;
  std::string body;
};

Answer error_answer(int status, const std::string& error, const std::string& message) {
  return {status, json::serialize(json::object{{"error", error}, {"message", message}})};
}

// Strict: a length that is a multiple of 4 and padding only at the end, so that a mangled
// header is refused rather than half-read.
std::optional<std::string> base64_decode(std::string_view in) {
  static const std::string_view chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && in[in.size() - 1 - pad] == '=') ++pad;
  std::string out;
  unsigned val = 0;  // unsigned: only the low bits matter, overflow is harmless
  int bits = -8;
  for (char c : in.substr(0, in.size() - pad)) {
    auto p = chars.find(c);
    if (p == std::string_view::npos) return std::nullopt;
    val = (val << 6) + static_cast<unsigned>(p);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

bool valid_date(std::string_view d) {
  return Date::parse_iso(d).has_value();
}

bool two_digits(std::string_view s, int max) {
  if (s.size() != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return false;
  return (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

// "YYYY-MM-DD HH:MM:SS", the form Wonde's date-time filters take.
bool valid_datetime(std::string_view s) {
  return s.size() == 19 && valid_date(s.substr(0, 10)) && s[10] == ' ' &&
         two_digits(s.substr(11, 2), 23) && s[13] == ':' && two_digits(s.substr(14, 2), 59) &&
         s[16] == ':' && two_digits(s.substr(17, 2), 59);
}

std::optional<int> whole_number(std::string_view s, int lo, int hi) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < lo || n > hi)
    return std::nullopt;
  return n;
}

// Wonde's date object; local is "YYYY-MM-DD HH:MM:SS" in school time.
json::object date_object(const std::string& local) {
  return json::object{
      {"date", local + ".000000"}, {"timezone_type", 3}, {"timezone", "Europe/London"}};
}

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

// Laravel's validation answer: each dotted key with its messages, in the order found.
class Problems {
 public:
  void add(const std::string& key, const std::string& message) {
    if (auto* a = errors_.if_contains(key))
      a->as_array().emplace_back(message);
    else
      errors_[key] = json::array{json::value(message)};
  }
  bool empty() const { return errors_.empty(); }
  Answer answer() const {
    return {422, json::serialize(json::object{{"message", "The given data was invalid."},
                                              {"errors", errors_}})};
  }

 private:
  json::object errors_;
};

// The fields of one object in a write body; prefix is its dotted path ("attendance.3." or "").
class Fields {
 public:
  Fields(const json::object& o, std::string prefix, Problems& p)
      : o_(o), prefix_(std::move(prefix)), p_(p) {}

  std::string key(std::string_view name) const { return prefix_ + std::string(name); }

  // Laravel would ignore a field it has no rule for; refusing it is the stricter choice,
  // and it is how a field the API never had (an invented idempotency id) gets caught.
  void only(std::initializer_list<std::string_view> allowed) {
    for (auto& kv : o_)
      if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end())
        p_.add(key(kv.key()), "The " + key(kv.key()) + " field is not allowed.");
  }

  // The field's text when it is a non-empty string; otherwise nullopt, and a problem when
  // it is required, or present but not a string. Laravel turns "" into null before its
  // rules run, so "" is missing when required and not a string when optional.
  std::optional<std::string> str(std::string_view name, bool required) {
    auto* v = o_.if_contains(name);
    const bool blank = !v || v->is_null() || (v->is_string() && v->as_string().empty());
    if (blank) {
      if (required)
        p_.add(key(name), "The " + key(name) + " field is required.");
      else if (v)
        p_.add(key(name), "The " + key(name) + " must be a string.");
      return std::nullopt;
    }
    if (!v->is_string()) {
      p_.add(key(name), "The " + key(name) + " must be a string.");
      return std::nullopt;
    }
    return std::string(v->as_string());
  }

  // An optional JSON number (a numeric string is refused: the stricter reading).
  std::optional<double> num(std::string_view name) {
    auto* v = o_.if_contains(name);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
      p_.add(key(name), "The " + key(name) + " must be a number.");
      return std::nullopt;
    }
    return v->to_number<double>();
  }

  std::optional<std::string> date(std::string_view name, bool required) {
    auto s = str(name, required);
    if (s && !valid_date(*s)) {
      p_.add(key(name), "The " + key(name) + " does not match the format Y-m-d.");
      return std::nullopt;
    }
    return s;
  }

  void invalid(std::string_view name) {
    p_.add(key(name), "The selected " + key(name) + " is invalid.");
  }

 private:
  const json::object& o_;
  std::string prefix_;
  Problems& p_;
};

// The body of a write: a JSON object holding the array `list`; a 400 answer otherwise.
std::optional<Answer> envelope(const std::string& body, const char* list, json::value& v) {
  boost::system::error_code ec;
  v = json::parse(body, ec);
  if (ec || !v.is_object())
    return error_answer(400, "bad_request", "the body must be a JSON object");
  auto* a = v.as_object().if_contains(list);
  if (!a || !a->is_array())
    return error_answer(400, "bad_request", std::string("the body must have an array ") + list);
  return std::nullopt;
}

// An accepted write that the MIS then refused without naming a field (refuse_unnamed).
Answer unnamed_refusal() {
  return {422, json::serialize(json::object{{"message", "The given data was invalid."},
                                            {"errors", json::object{}}})};
}

const std::set<std::string>& attribute_kinds() {
  static const std::set<std::string> kinds{"type", "action", "status", "role", "location", "time"};
  return kinds;
}

}  // namespace

struct FakeWonde::Reply {
  enum class Action { respond, stall, reset, drop } action = Action::respond;
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds stall_for{0};

  // Implicit, so that a handler can return a plain answer.
  Reply(Answer a) : status(a.status), body(std::move(a.body)) {}
  explicit Reply(Action a) : action(a) {}
};

FakeWonde::FakeWonde(FakeWondeOptions opts) : opts_(std::move(opts)) {
  if (!opts_.state_file.empty() && std::filesystem::exists(opts_.state_file)) load();
}

FakeWonde::~FakeWonde() {
  stop();
}

std::string FakeWonde::api_base() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1.0";
}

unsigned short FakeWonde::start(unsigned short port) {
  boost::system::error_code ec;
  acceptor_ = std::make_unique<tcp::acceptor>(ioc_);
  tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("fake wonde: cannot listen on 127.0.0.1:" + std::to_string(port) +
                             ": " + ec.message());
  port_ = acceptor_->local_endpoint(ec).port();
  if (ec) throw std::runtime_error("fake wonde: " + ec.message());
  stopping_ = false;
  accept_thread_ = std::thread([this] { accept_loop(); });
  return port_;
}

void FakeWonde::stop() {
  if (!accept_thread_.joinable()) return;
  stopping_ = true;
  stop_cv_.notify_all();
  // Wake the blocking accept() with a connection of our own; it then sees stopping_.
  {
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_), ec);
  }
  accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    // Unblock sessions waiting in read(): shutdown() is safe across threads, close() is not.
    for (auto& s : sockets_)
      if (s && s->is_open()) ::shutdown(s->native_handle(), SHUT_RDWR);
    threads.swap(sessions_);
  }
  for (auto& t : threads) t.join();
  std::lock_guard lock(mu_);
  sockets_.clear();
  boost::system::error_code ec;
  acceptor_->close(ec);
}

void FakeWonde::accept_loop() {
  for (;;) {
    auto sock = std::make_unique<tcp::socket>(ioc_);
    boost::system::error_code ec;
    acceptor_->accept(*sock, ec);
    if (stopping_) return;
    if (ec) continue;  // e.g. the client gave up between SYN and accept
    std::lock_guard lock(mu_);
    sockets_.push_back(std::move(sock));
    int slot = static_cast<int>(sockets_.size()) - 1;
    sessions_.emplace_back([this, slot] { session(slot); });
  }
}

void FakeWonde::session(int slot) {
  tcp::socket* sock;
  {
    std::lock_guard lock(mu_);
    sock = sockets_[static_cast<size_t>(slot)].get();
  }
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(*sock, buf, req, ec);
    if (ec) break;  // end of stream, reset by the client, or shut down by stop()
    Reply r =
        handle(std::string(req.method_string()), std::string(req.target()),
               std::string(req[http::field::authorization]), std::string(req[http::field::host]),
               std::string(req[http::field::content_type]), req.body());
    if (r.action == Reply::Action::stall) {
      std::unique_lock lock(mu_);
      stop_cv_.wait_for(lock, r.stall_for, [this] { return stopping_.load(); });
      break;
    }
    if (r.action == Reply::Action::reset) {
      sock->set_option(boost::asio::socket_base::linger(true, 0), ec);
      break;
    }
    if (r.action == Reply::Action::drop) break;
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
    res.set(http::field::server, "fake-wonde");
    res.set(http::field::content_type, "application/json");
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(r.body);
    res.prepare_payload();
    http::write(*sock, res, ec);
    if (ec || !res.keep_alive()) break;
  }
  boost::system::error_code ec;
  sock->shutdown(tcp::socket::shutdown_both, ec);  // may fail if the peer is gone: fine
  sock->close(ec);
}

std::optional<FaultSpec> FakeWonde::take_fault(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  // Every fault that matches counts the request, hit or not, so every_nth means the same
  // whatever else is injected; the first one due is the one that fires.
  auto due = faults_.end();
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    auto& s = it->spec;
    if (!s.method.empty() && s.method != method) continue;
    if (!s.path_contains.empty() && path.find(s.path_contains) == std::string::npos) continue;
    ++it->matched;
    if (s.every_nth > 0 && it->matched % s.every_nth != 0) continue;
    if (due == faults_.end()) due = it;
  }
  if (due == faults_.end()) return std::nullopt;
  FaultSpec f = due->spec;
  if (due->spec.times > 0 && --due->spec.times == 0) faults_.erase(due);
  return f;
}

std::string FakeWonde::now_stamp() const {
  TimePoint t = opts_.clock ? opts_.clock->now() : SystemClock{}.now();
  auto l = TimeZone::london().to_local(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, " %02d:%02d:%02d", l.time.minutes / 60, l.time.minutes % 60,
                l.seconds);
  return l.date.iso() + buf;
}

std::string FakeWonde::new_id(const std::string& prefix) {
  return prefix + std::to_string(++next_ids_[prefix]);
}

std::string FakeWonde::next_writeback_id() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "WB%06d", next_wb_++);
  return buf;
}

const WondeCode* FakeWonde::code_by_letter(const std::string& code) const {
  auto it = std::find_if(codes_.begin(), codes_.end(), [&](auto& c) { return c.code == code; });
  return it == codes_.end() ? nullptr : &*it;
}

void FakeWonde::record_mark_write(WondeWrite w) {
  auto key = w.endpoint + "|" + w.student_id + "|" + w.what + "|" + w.code;
  if (!api_written_.insert(key).second) ++duplicates_;
  writes_.push_back(std::move(w));
}

FakeWonde::Reply FakeWonde::handle(const std::string& method, const std::string& target,
                                   const std::string& auth, const std::string& host,
                                   const std::string& content_type, const std::string& body) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return error_answer(400, "bad_request", "bad request target");
  std::string path(parsed->path());
  {
    std::lock_guard lock(mu_);
    request_log_.emplace_back(method, path);
  }
  auto fault = take_fault(method, path);
  if (fault) {
    switch (fault->fault) {
      case WondeFault::http500:
        return error_answer(500, "server_error", "injected 500");
      case WondeFault::http503:
        return error_answer(503, "unavailable", "injected 503");
      case WondeFault::http429: {
        Reply r = error_answer(429, "rate_limited", "too many requests");
        r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_seconds));
        return r;
      }
      case WondeFault::stall: {
        Reply r(Reply::Action::stall);
        r.stall_for = fault->stall_for;
        return r;
      }
      case WondeFault::reset:
        return Reply(Reply::Action::reset);
      case WondeFault::accept_then_drop:
        break;  // done below, then the answer is dropped
    }
  }
  const bool drop = fault && fault->fault == WondeFault::accept_then_drop;
  auto finish = [&](Reply r) {
    if (drop) r.action = Reply::Action::drop;
    return r;
  };

  // The two forms Wonde takes: its preferred Bearer, and the PHP client's Basic with the
  // token as user name and an empty password. The scheme words are matched exactly.
  bool authorised = false;
  if (!opts_.token.empty()) {
    if (auth.starts_with("Bearer "))
      authorised = auth.substr(7) == opts_.token;
    else if (auth.starts_with("Basic "))
      authorised = base64_decode(auth.substr(6)) == opts_.token + ":";
  }
  if (!authorised)
    return finish(error_answer(401, "unauthenticated",
                               "missing or wrong credentials: send Authorization: Bearer TOKEN"));

  const std::string prefix = "/v1.0/schools/" + opts_.school_id + "/";
  if (!path.starts_with(prefix))
    return finish(error_answer(404, "not_found", "no such school or path"));
  std::string rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() != '/') rest += '/';

  if (method == "POST") {
    static const std::set<std::string> writable{"attendance/lesson/", "attendance/session/",
                                                "behaviours/"};
    if (!writable.contains(rest)) {
      static const std::set<std::string> readable{"students/", "attendance-codes/", "lessons/",
                                                  "behaviours/attributes/"};
      return finish(readable.contains(rest)
                        ? error_answer(405, "method_not_allowed", "POST " + rest)
                        : error_answer(404, "not_found", "no such endpoint: " + rest));
    }
    if (!parsed->params().empty())
      return finish(error_answer(
          400, "invalid_parameter",
          "a write takes no query parameters: " + std::string(parsed->encoded_query())));
    // Laravel reads a body as JSON only when the request says so; any other body leaves it
    // without the attendance (or students) array.
    if (content_type.find("/json") == std::string::npos &&
        content_type.find("+json") == std::string::npos)
      return finish(error_answer(400, "bad_request",
                                 "the body must be sent as Content-Type: application/json"));
    if (rest == "attendance/lesson/") return finish(post_lesson(body));
    if (rest == "attendance/session/") return finish(post_session(body));
    return finish(post_behaviour(body));
  }
  if (method != "GET") return finish(error_answer(405, "method_not_allowed", method));

  // Each list's own query parameters, with what a good value looks like; page and
  // per_page are everyone's.
  struct Param {
    std::function<bool(const std::string&)> ok;
    std::string wants;
  };
  auto include_of = [](std::string value) {
    return Param{[value](const std::string& v) { return v == value; }, "only " + value};
  };
  const Param datetime{[](const std::string& v) { return valid_datetime(v); },
                       "a date and time, YYYY-MM-DD HH:MM:SS"};
  std::map<std::string, Param> allowed{
      {"page",
       {[](const std::string& v) { return whole_number(v, 1, 1'000'000).has_value(); },
        "a whole number from 1"}},
      {"per_page",
       {[](const std::string& v) { return whole_number(v, 1, 200).has_value(); },
        "a whole number from 1 to 200"}}};
  if (rest == "students/") {
    allowed.emplace("include", include_of("education_details"));
  } else if (rest == "lessons/") {
    allowed.emplace("include", include_of("class"));
    allowed.emplace("lessons_start_after", datetime);
    allowed.emplace("lessons_start_before", datetime);
  } else if (rest == "attendance/lesson/") {
    allowed.emplace("lesson_id",
                    Param{[](const std::string& v) { return !v.empty(); }, "a lesson id"});
  } else if (rest == "attendance/session/") {
    allowed.emplace(
        "date", Param{[](const std::string& v) { return valid_date(v); }, "a date, YYYY-MM-DD"});
  } else if (rest == "behaviours/") {
    allowed.emplace("include", include_of("students"));
    allowed.emplace("updated_after", datetime);
  } else if (rest != "attendance-codes/" && rest != "behaviours/attributes/") {
    return finish(error_answer(404, "not_found", "no such endpoint: " + rest));
  }
  std::map<std::string, std::string> params;
  for (auto p : parsed->params()) {
    std::string k(p.key);
    auto a = allowed.find(k);
    if (a == allowed.end())
      return finish(error_answer(400, "invalid_parameter", "unknown query parameter " + k));
    if (params.contains(k))
      return finish(
          error_answer(400, "invalid_parameter", "query parameter " + k + " is given twice"));
    if (!p.has_value || !a->second.ok(std::string(p.value)))
      return finish(error_answer(400, "invalid_parameter",
                                 "query parameter " + k + " must be " + a->second.wants));
    params[k] = std::string(p.value);
  }
  auto param = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  const bool include = !param("include").empty();

  json::array data;
  {
    std::lock_guard lock(mu_);
    if (rest == "attendance-codes/") {
      for (auto& c : codes_)
        data.push_back(
            json::object{{"id", c.id}, {"code", c.code}, {"description", c.description}});
    } else if (rest == "students/") {
      for (auto& s : students_) {
        json::object o{{"id", s.id}, {"forename", s.forename}, {"surname", s.surname}};
        if (include)
          o["education_details"] = json::object{
              {"data", json::object{{"admission_number", s.admission_number}, {"upn", s.upn}}}};
        data.push_back(std::move(o));
      }
    } else if (rest == "lessons/") {
      auto after = param("lessons_start_after"), before = param("lessons_start_before");
      for (auto& l : lessons_) {
        auto start = l.date + " " + l.start + ":00";
        if (!after.empty() && start < after) continue;
        if (!before.empty() && start > before) continue;
        json::object o{{"id", l.id},
                       {"start_at", date_object(start)},
                       {"end_at", date_object(l.date + " " + l.end + ":00")}};
        if (include)
          o["class"] = json::object{
              {"data", json::object{{"id", "C-" + l.class_name}, {"name", l.class_name}}}};
        data.push_back(std::move(o));
      }
    } else if (rest == "attendance/lesson/") {
      auto lesson = param("lesson_id");
      for (auto& [k, m] : lesson_marks_) {
        if (!lesson.empty() && k.second != lesson) continue;
        data.push_back(json::object{{"id", m.id},
                                    {"lesson", k.second},
                                    {"student", k.first},
                                    {"attendance_code", m.code_id},
                                    {"comment", text_or_null(m.comment)},
                                    {"created_at", date_object(m.created_at)},
                                    {"updated_at", date_object(m.updated_at)}});
      }
    } else if (rest == "attendance/session/") {
      auto date = param("date");
      for (auto& [k, m] : session_marks_) {
        auto d = k.second.substr(0, 10), s = k.second.substr(11);
        if (!date.empty() && d != date) continue;
        data.push_back(json::object{{"id", m.id},
                                    {"student", k.first},
                                    {"date", date_object(d + " 00:00:00")},
                                    {"session", s},
                                    {"attendance_code", m.code_id},
                                    {"comment", text_or_null(m.comment)},
                                    {"created_at", date_object(m.created_at)},
                                    {"updated_at", date_object(m.updated_at)}});
      }
    } else if (rest == "behaviours/attributes/") {
      for (auto& a : attributes_)
        data.push_back(json::object{
            {"id", a.id}, {"type", a.type}, {"code", a.code}, {"description", a.description}});
    } else {  // behaviours/
      auto after = param("updated_after");
      for (auto& b : behaviour_records_) {
        if (!after.empty() && b.updated_at < after) continue;
        json::object o{{"id", b.id},
                       {"type", b.type},
                       {"date", date_object(b.date + " 00:00:00")},
                       {"comment", text_or_null(b.comment)},
                       {"created_at", date_object(b.created_at)},
                       {"updated_at", date_object(b.updated_at)}};
        if (include) {
          json::array st;
          for (auto& s : b.students)
            st.push_back(json::object{{"id", s.student_id}, {"action", text_or_null(s.action)}});
          o["students"] = json::object{{"data", std::move(st)}};
        }
        data.push_back(std::move(o));
      }
    }
  }

  // Paging as Wonde does it: page (from 1), per_page, and meta.pagination.next, an absolute
  // URL keeping the other parameters, or null on the last page.
  const int per_page = params.contains("per_page") ? *whole_number(param("per_page"), 1, 200)
                                                   : opts_.default_per_page;
  const int page = params.contains("page") ? *whole_number(param("page"), 1, 1'000'000) : 1;
  const size_t first = static_cast<size_t>(page - 1) * static_cast<size_t>(per_page);
  json::array slice;
  for (size_t i = first; i < data.size() && i < first + static_cast<size_t>(per_page); ++i)
    slice.push_back(data[i]);
  const bool more = first + static_cast<size_t>(per_page) < data.size();
  auto page_url = [&](int n) -> json::value {
    boost::urls::url u = *parsed;
    u.params().set("page", std::to_string(n));
    u.params().set("per_page", std::to_string(per_page));
    return json::value("http://" + host + std::string(u.buffer()));
  };
  json::object meta{
      {"pagination", json::object{{"next", more ? page_url(page + 1) : nullptr},
                                  {"previous", page > 1 ? page_url(page - 1) : nullptr},
                                  {"more", more},
                                  {"per_page", per_page},
                                  {"current_page", page}}}};
  return finish(Answer{200, json::serialize(json::object{{"data", slice}, {"meta", meta}})});
}

FakeWonde::Reply FakeWonde::post_lesson(const std::string& body) {
  json::value v;
  if (auto bad = envelope(body, "attendance", v)) return *bad;
  Problems p;
  Fields(v.as_object(), "", p).only({"attendance"});
  auto& items = v.as_object().at("attendance").as_array();
  if (items.empty()) p.add("attendance", "The attendance field is required.");
  struct Item {
    std::string lesson, student;
    const WondeCode* code;
  };
  std::vector<Item> ok;
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = "attendance." + std::to_string(i);
    if (!items[i].is_object()) {
      p.add(at, "The " + at + " must be an object.");
      continue;
    }
    Fields f(items[i].as_object(), at + ".", p);
    f.only({"lesson_id", "student_id", "attendance_code_id"});
    auto lesson = f.str("lesson_id", true);
    auto student = f.str("student_id", true);
    auto code_id = f.str("attendance_code_id", true);
    if (lesson &&
        std::none_of(lessons_.begin(), lessons_.end(), [&](auto& l) { return l.id == *lesson; })) {
      f.invalid("lesson_id");
      lesson.reset();
    }
    if (student && std::none_of(students_.begin(), students_.end(),
                                [&](auto& s) { return s.id == *student; })) {
      f.invalid("student_id");
      student.reset();
    }
    auto code = code_id ? std::find_if(codes_.begin(), codes_.end(),
                                       [&](auto& c) { return c.id == *code_id; })
                        : codes_.end();
    if (code_id && code == codes_.end()) f.invalid("attendance_code_id");
    if (lesson && student && code != codes_.end()) ok.push_back({*lesson, *student, &*code});
  }
  if (!p.empty()) return p.answer();
  for (auto& it : ok)
    if (refused_.contains(it.student)) return unnamed_refusal();

  auto wb = next_writeback_id();
  auto now = now_stamp();
  for (auto& it : ok) {
    auto& m = lesson_marks_[{it.student, it.lesson}];
    if (m.id.empty()) {
      m.id = new_id("LA");
      m.created_at = now;
    }
    m.code = it.code->code;
    m.code_id = it.code->id;
    m.source = "api";
    m.updated_at = now;
    record_mark_write({"lesson", it.student, it.lesson, it.code->code, wb});
  }
  save_locked();
  return Answer{200, json::serialize(json::object{{"writeback_id", wb}})};
}

FakeWonde::Reply FakeWonde::post_session(const std::string& body) {
  json::value v;
  if (auto bad = envelope(body, "attendance", v)) return *bad;
  Problems p;
  Fields(v.as_object(), "", p).only({"attendance"});
  auto& items = v.as_object().at("attendance").as_array();
  if (items.empty()) p.add("attendance", "The attendance field is required.");
  struct Item {
    std::string date_session, student, comment;
    const WondeCode* code;
  };
  std::vector<Item> ok;
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = "attendance." + std::to_string(i);
    if (!items[i].is_object()) {
      p.add(at, "The " + at + " must be an object.");
      continue;
    }
    Fields f(items[i].as_object(), at + ".", p);
    f.only({"date", "session", "student_id", "attendance_code_id", "comment", "employee_id",
            "minutes_late"});
    auto date = f.date("date", true);
    auto session = f.str("session", true);
    auto student = f.str("student_id", true);
    auto code_id = f.str("attendance_code_id", true);
    auto comment = f.str("comment", false);
    auto employee = f.str("employee_id", false);
    f.num("minutes_late");
    if (session && *session != "AM" && *session != "PM") {
      f.invalid("session");
      session.reset();
    }
    if (student && std::none_of(students_.begin(), students_.end(),
                                [&](auto& s) { return s.id == *student; })) {
      f.invalid("student_id");
      student.reset();
    }
    auto code = code_id ? std::find_if(codes_.begin(), codes_.end(),
                                       [&](auto& c) { return c.id == *code_id; })
                        : codes_.end();
    if (code_id && code == codes_.end()) f.invalid("attendance_code_id");
    if (employee && std::find(employees_.begin(), employees_.end(), *employee) == employees_.end())
      f.invalid("employee_id");
    if (date && session && student && code != codes_.end())
      ok.push_back({*date + " " + *session, *student, comment.value_or(""), &*code});
  }
  if (!p.empty()) return p.answer();
  for (auto& it : ok)
    if (refused_.contains(it.student)) return unnamed_refusal();

  auto wb = next_writeback_id();
  auto now = now_stamp();
  for (auto& it : ok) {
    auto& m = session_marks_[{it.student, it.date_session}];
    if (m.id.empty()) {
      m.id = new_id("SA");
      m.created_at = now;
    }
    m.code = it.code->code;
    m.code_id = it.code->id;
    m.source = "api";
    m.comment = it.comment;
    m.updated_at = now;
    record_mark_write({"session", it.student, it.date_session, it.code->code, wb});
  }
  save_locked();
  return Answer{200, json::serialize(json::object{{"writeback_id", wb}})};
}

FakeWonde::Reply FakeWonde::post_behaviour(const std::string& body) {
  json::value v;
  if (auto bad = envelope(body, "students", v)) return *bad;
  Problems p;
  std::lock_guard lock(mu_);
  auto known_attribute = [&](const std::string& kind, const std::string& code) {
    return std::any_of(attributes_.begin(), attributes_.end(),
                       [&](auto& a) { return a.type == kind && a.code == code; });
  };
  Fields f(v.as_object(), "", p);
  f.only({"students", "employee_id", "date", "status", "type", "bullying_type", "comment",
          "activity_type", "location", "time"});
  WondeBehaviour b;
  auto date = f.date("date", true);
  auto type = f.str("type", true);
  if (type && !known_attribute("type", *type)) f.invalid("type");
  if (auto e = f.str("employee_id", false)) {
    if (std::find(employees_.begin(), employees_.end(), *e) == employees_.end())
      f.invalid("employee_id");
    b.employee_id = *e;
  }
  // The looked-up fields must be codes of attributes of their own kind.
  for (auto [name, field] : {std::pair{"status", &b.status}, std::pair{"location", &b.location},
                             std::pair{"time", &b.time}}) {
    if (auto s = f.str(name, false)) {
      if (!known_attribute(name, *s)) f.invalid(name);
      *field = *s;
    }
  }
  b.bullying_type = f.str("bullying_type", false).value_or("");
  b.comment = f.str("comment", false).value_or("");
  b.activity_type = f.str("activity_type", false).value_or("");

  auto& students = v.as_object().at("students").as_array();
  if (students.empty()) p.add("students", "The students field is required.");
  for (size_t i = 0; i < students.size(); ++i) {
    const std::string at = "students." + std::to_string(i);
    if (!students[i].is_object()) {
      p.add(at, "The " + at + " must be an object.");
      continue;
    }
    Fields s(students[i].as_object(), at + ".", p);
    s.only({"student_id", "role", "action", "action_date", "points"});
    WondeBehaviourStudent bs;
    auto id = s.str("student_id", true);
    if (id &&
        std::none_of(students_.begin(), students_.end(), [&](auto& x) { return x.id == *id; }))
      s.invalid("student_id");
    bs.student_id = id.value_or("");
    if (auto r = s.str("role", false)) {
      if (!known_attribute("role", *r)) s.invalid("role");
      bs.role = *r;
    }
    if (auto a = s.str("action", false)) {
      if (!known_attribute("action", *a)) s.invalid("action");
      bs.action = *a;
    }
    bs.action_date = s.date("action_date", false).value_or("");
    bs.points = s.num("points");
    b.students.push_back(std::move(bs));
  }
  if (!p.empty()) return p.answer();
  for (auto& s : b.students)
    if (refused_.contains(s.student_id)) return unnamed_refusal();

  b.type = *type;
  b.date = *date;
  // One duplicate per POST that repeats a behaviour already written for any of its
  // students on that date with that type.
  const bool repeat = std::any_of(b.students.begin(), b.students.end(), [&](auto& s) {
    return std::any_of(behaviour_records_.begin(), behaviour_records_.end(), [&](auto& old) {
      return old.source == "api" && old.date == b.date && old.type == b.type &&
             std::any_of(old.students.begin(), old.students.end(),
                         [&](auto& os) { return os.student_id == s.student_id; });
    });
  });
  if (repeat) ++duplicates_;
  b.id = new_id("BH");
  b.source = "api";
  b.writeback_id = next_writeback_id();
  b.created_at = b.updated_at = now_stamp();
  ++behaviours_;
  for (auto& s : b.students)
    writes_.push_back({"behaviour", s.student_id, b.date + " " + b.type, s.action, b.writeback_id});
  auto wb = b.writeback_id;
  behaviour_records_.push_back(std::move(b));
  save_locked();
  return Answer{201, json::serialize(json::object{{"writeback_id", wb}})};
}

// ---- seeding, test controls and inspection ----

void FakeWonde::add_student(WondeStudent s) {
  std::lock_guard lock(mu_);
  students_.push_back(std::move(s));
}
void FakeWonde::remove_student(const std::string& id) {
  std::lock_guard lock(mu_);
  std::erase_if(students_, [&](auto& s) { return s.id == id; });
}
void FakeWonde::add_lesson(WondeLesson l) {
  std::lock_guard lock(mu_);
  lessons_.push_back(std::move(l));
}
void FakeWonde::add_code(WondeCode c) {
  std::lock_guard lock(mu_);
  codes_.push_back(std::move(c));
}
void FakeWonde::add_employee(std::string id) {
  std::lock_guard lock(mu_);
  employees_.push_back(std::move(id));
}
std::string FakeWonde::add_behaviour_attribute(std::string type, std::string code,
                                               std::string description) {
  if (!attribute_kinds().contains(type))
    throw std::invalid_argument("fake wonde: no behaviour attribute kind " + type);
  std::lock_guard lock(mu_);
  auto id = new_id("BA");
  attributes_.push_back({id, std::move(type), std::move(code), std::move(description)});
  return id;
}
void FakeWonde::seed_standard_codes() {
  const std::pair<const char*, const char*> codes[] = {
      {"/", "Present (AM)"},
      {"\\", "Present (PM)"},
      {"L", "Late (before registers closed)"},
      {"-", "All should attend / No mark recorded"},
      {"N", "No reason yet provided for absence"},
      {"B", "Educated off site"},
      {"I", "Illness"},
      {"M", "Medical/dental appointment"},
      {"O", "Unauthorised absence"},
      {"E", "Suspended or permanently excluded"}};
  int n = 1;
  for (auto& [c, d] : codes) add_code({"AC" + std::to_string(100 + n++), c, d});
  add_behaviour_attribute("type", "IEX", "Internal exclusion");
  add_behaviour_attribute("type", "DET", "Detention");
  add_behaviour_attribute("action", "IE", "Internal exclusion");
  add_behaviour_attribute("action", "DET", "Detention");
}
void FakeWonde::set_lesson_mark(const std::string& student_id, const std::string& lesson_id,
                                const std::string& code) {
  std::lock_guard lock(mu_);
  auto* c = code_by_letter(code);
  if (!c) throw std::invalid_argument("fake wonde: no attendance code " + code + " added");
  auto& m = lesson_marks_[{student_id, lesson_id}];
  auto now = now_stamp();
  if (m.id.empty()) {
    m.id = new_id("LA");
    m.created_at = now;
  }
  m.code = c->code;
  m.code_id = c->id;
  m.source = "teacher";
  m.updated_at = now;
}
void FakeWonde::set_session_mark(const std::string& student_id, const std::string& date,
                                 const std::string& session, const std::string& code) {
  std::lock_guard lock(mu_);
  auto* c = code_by_letter(code);
  if (!c) throw std::invalid_argument("fake wonde: no attendance code " + code + " added");
  auto& m = session_marks_[{student_id, date + " " + session}];
  auto now = now_stamp();
  if (m.id.empty()) {
    m.id = new_id("SA");
    m.created_at = now;
  }
  m.code = c->code;
  m.code_id = c->id;
  m.source = "teacher";
  m.updated_at = now;
}
std::string FakeWonde::add_behaviour(WondeBehaviour b) {
  std::lock_guard lock(mu_);
  if (b.id.empty()) b.id = new_id("BH");
  if (b.source.empty()) b.source = "teacher";
  if (b.created_at.empty()) b.created_at = now_stamp();
  if (b.updated_at.empty()) b.updated_at = b.created_at;
  behaviour_records_.push_back(b);
  return b.id;
}
void FakeWonde::inject(FaultSpec f) {
  if (f.times == 0) return;
  std::lock_guard lock(mu_);
  faults_.push_back({std::move(f), 0});
}
void FakeWonde::refuse_unnamed(const std::string& student_id) {
  std::lock_guard lock(mu_);
  refused_.insert(student_id);
}
void FakeWonde::stop_refusing(const std::string& student_id) {
  std::lock_guard lock(mu_);
  refused_.erase(student_id);
}

std::optional<std::string> FakeWonde::lesson_mark(const std::string& student_id,
                                                  const std::string& lesson_id) const {
  auto m = lesson_mark_record(student_id, lesson_id);
  return m ? std::optional(m->code) : std::nullopt;
}
std::optional<std::string> FakeWonde::session_mark(const std::string& student_id,
                                                   const std::string& date,
                                                   const std::string& session) const {
  auto m = session_mark_record(student_id, date, session);
  return m ? std::optional(m->code) : std::nullopt;
}
std::optional<WondeMark> FakeWonde::lesson_mark_record(const std::string& student_id,
                                                       const std::string& lesson_id) const {
  std::lock_guard lock(mu_);
  auto it = lesson_marks_.find({student_id, lesson_id});
  if (it == lesson_marks_.end()) return std::nullopt;
  return it->second;
}
std::optional<WondeMark> FakeWonde::session_mark_record(const std::string& student_id,
                                                        const std::string& date,
                                                        const std::string& session) const {
  std::lock_guard lock(mu_);
  auto it = session_marks_.find({student_id, date + " " + session});
  if (it == session_marks_.end()) return std::nullopt;
  return it->second;
}
std::vector<WondeWrite> FakeWonde::writes() const {
  std::lock_guard lock(mu_);
  return writes_;
}
int FakeWonde::duplicates() const {
  std::lock_guard lock(mu_);
  return duplicates_;
}
int FakeWonde::behaviours() const {
  std::lock_guard lock(mu_);
  return behaviours_;
}
std::vector<WondeBehaviour> FakeWonde::behaviour_records() const {
  std::lock_guard lock(mu_);
  return behaviour_records_;
}
int FakeWonde::requests(const std::string& method, const std::string& path_contains) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (auto& [m, p] : request_log_)
    if ((method.empty() || m == method) && p.find(path_contains) != std::string::npos) ++n;
  return n;
}

// ---- state file: everything the MIS holds, so a fake restart keeps its marks ----
// Faults, refuse_unnamed and the request log are test controls and are not kept.

namespace {

json::object mark_json(const WondeMark& m) {
  return json::object{{"id", m.id},
                      {"code", m.code},
                      {"code_id", m.code_id},
                      {"source", m.source},
                      {"comment", m.comment},
                      {"created_at", m.created_at},
                      {"updated_at", m.updated_at}};
}

std::string text(const json::value& e, const char* k) {
  auto* p = e.is_object() ? e.as_object().if_contains(k) : nullptr;
  return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

WondeMark mark_of(const json::value& e) {
  return WondeMark{text(e, "id"),        text(e, "code"),    text(e, "code_id"),
                   text(e, "source"),    text(e, "comment"), text(e, "created_at"),
                   text(e, "updated_at")};
}

}  // namespace

void FakeWonde::save() const {
  std::lock_guard lock(mu_);
  save_locked();
}

void FakeWonde::save_locked() const {
  if (opts_.state_file.empty()) return;
  json::object o;
  json::array a;
  for (auto& s : students_)
    a.push_back(json::object{{"id", s.id},
                             {"admission_number", s.admission_number},
                             {"upn", s.upn},
                             {"forename", s.forename},
                             {"surname", s.surname}});
  o["students"] = std::move(a);
  a = {};
  for (auto& l : lessons_)
    a.push_back(json::object{{"id", l.id},
                             {"class", l.class_name},
                             {"date", l.date},
                             {"start", l.start},
                             {"end", l.end}});
  o["lessons"] = std::move(a);
  a = {};
  for (auto& c : codes_)
    a.push_back(json::object{{"id", c.id}, {"code", c.code}, {"description", c.description}});
  o["attendance_codes"] = std::move(a);
  a = {};
  for (auto& e : employees_) a.push_back(json::value(e));
  o["employees"] = std::move(a);
  a = {};
  for (auto& t : attributes_)
    a.push_back(json::object{
        {"id", t.id}, {"type", t.type}, {"code", t.code}, {"description", t.description}});
  o["behaviour_attributes"] = std::move(a);
  a = {};
  for (auto& [k, m] : lesson_marks_) {
    auto e = mark_json(m);
    e["student_id"] = k.first;
    e["lesson_id"] = k.second;
    a.push_back(std::move(e));
  }
  o["lesson_marks"] = std::move(a);
  a = {};
  for (auto& [k, m] : session_marks_) {
    auto e = mark_json(m);
    e["student_id"] = k.first;
    e["date_session"] = k.second;
    a.push_back(std::move(e));
  }
  o["session_marks"] = std::move(a);
  a = {};
  for (auto& b : behaviour_records_) {
    json::array st;
    for (auto& s : b.students) {
      json::object so{{"student_id", s.student_id},
                      {"role", s.role},
                      {"action", s.action},
                      {"action_date", s.action_date}};
      if (s.points) so["points"] = *s.points;
      st.push_back(std::move(so));
    }
    a.push_back(json::object{{"id", b.id},
                             {"type", b.type},
                             {"date", b.date},
                             {"students", std::move(st)},
                             {"comment", b.comment},
                             {"status", b.status},
                             {"location", b.location},
                             {"time", b.time},
                             {"bullying_type", b.bullying_type},
                             {"activity_type", b.activity_type},
                             {"employee_id", b.employee_id},
                             {"source", b.source},
                             {"writeback_id", b.writeback_id},
                             {"created_at", b.created_at},
                             {"updated_at", b.updated_at}});
  }
  o["behaviours"] = std::move(a);
  a = {};
  for (auto& w : writes_)
    a.push_back(json::object{{"endpoint", w.endpoint},
                             {"student_id", w.student_id},
                             {"what", w.what},
                             {"code", w.code},
                             {"writeback_id", w.writeback_id}});
  o["writes"] = std::move(a);
  o["duplicates"] = duplicates_;
  o["behaviours_written"] = behaviours_;
  o["next_writeback"] = next_wb_;
  json::object ids;
  for (auto& [prefix, n] : next_ids_) ids[prefix] = n;
  o["next_ids"] = std::move(ids);
  // Write then rename, so a killed fake leaves the old state or the new, never half.
  auto tmp = opts_.state_file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json::serialize(o) << "\n";
    if (!out) throw std::runtime_error("fake wonde: cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, opts_.state_file);
}

void FakeWonde::load() {
  std::ifstream in(opts_.state_file);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec || !v.is_object())
    throw std::runtime_error("fake wonde: " + opts_.state_file.string() + " is not a JSON object");
  auto& o = v.as_object();
  auto arr = [&](const char* k) -> const json::array& {
    static const json::array empty;
    auto* p = o.if_contains(k);
    return p && p->is_array() ? p->as_array() : empty;
  };
  auto num = [&](const json::object& from, std::string_view k) {
    auto* p = from.if_contains(k);
    return p && p->is_int64() ? static_cast<int>(p->as_int64()) : 0;
  };
  for (auto& e : arr("students"))
    students_.push_back({text(e, "id"), text(e, "admission_number"), text(e, "upn"),
                         text(e, "forename"), text(e, "surname")});
  for (auto& e : arr("lessons"))
    lessons_.push_back(
        {text(e, "id"), text(e, "class"), text(e, "date"), text(e, "start"), text(e, "end")});
  for (auto& e : arr("attendance_codes"))
    codes_.push_back({text(e, "id"), text(e, "code"), text(e, "description")});
  for (auto& e : arr("employees"))
    if (e.is_string()) employees_.emplace_back(e.as_string());
  for (auto& e : arr("behaviour_attributes"))
    attributes_.push_back(
        {text(e, "id"), text(e, "type"), text(e, "code"), text(e, "description")});
  for (auto& e : arr("lesson_marks"))
    lesson_marks_[{text(e, "student_id"), text(e, "lesson_id")}] = mark_of(e);
  for (auto& e : arr("session_marks"))
    session_marks_[{text(e, "student_id"), text(e, "date_session")}] = mark_of(e);
  for (auto& e : arr("behaviours")) {
    WondeBehaviour b{text(e, "id"), text(e, "type"), text(e, "date")};
    if (auto* st = e.as_object().if_contains("students"); st && st->is_array())
      for (auto& s : st->as_array()) {
        WondeBehaviourStudent bs{text(s, "student_id"), text(s, "role"), text(s, "action"),
                                 text(s, "action_date")};
        if (auto* pts = s.as_object().if_contains("points"); pts && pts->is_number())
          bs.points = pts->to_number<double>();
        b.students.push_back(std::move(bs));
      }
    b.comment = text(e, "comment");
    b.status = text(e, "status");
    b.location = text(e, "location");
    b.time = text(e, "time");
    b.bullying_type = text(e, "bullying_type");
    b.activity_type = text(e, "activity_type");
    b.employee_id = text(e, "employee_id");
    b.source = text(e, "source");
    b.writeback_id = text(e, "writeback_id");
    b.created_at = text(e, "created_at");
    b.updated_at = text(e, "updated_at");
    behaviour_records_.push_back(std::move(b));
  }
  for (auto& e : arr("writes")) {
    WondeWrite w{text(e, "endpoint"), text(e, "student_id"), text(e, "what"), text(e, "code"),
                 text(e, "writeback_id")};
    if (w.endpoint != "behaviour")
      api_written_.insert(w.endpoint + "|" + w.student_id + "|" + w.what + "|" + w.code);
    writes_.push_back(std::move(w));
  }
  duplicates_ = num(o, "duplicates");
  behaviours_ = num(o, "behaviours_written");
  next_wb_ = std::max(1, num(o, "next_writeback"));
  if (auto* p = o.if_contains("next_ids"); p && p->is_object())
    for (auto& kv : p->as_object())
      next_ids_[std::string(kv.key())] = num(p->as_object(), kv.key());
}

}  // namespace iesync::fake
