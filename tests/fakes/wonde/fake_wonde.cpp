#include "tests/fakes/wonde/fake_wonde.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace iesync::fake {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

namespace {

std::string base64_decode(std::string_view in) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;  // unsigned: only the low bits matter, overflow is harmless
  int bits = -8;
  for (char c : in) {
    if (c == '=') break;
    auto p = chars.find(c);
    if (p == std::string::npos) return {};
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string error_body(const std::string& error, const std::string& message) {
  json::object o;
  o["error"] = error;
  o["message"] = message;
  return json::serialize(o);
}

// Strict field checks: the fake answers 400 naming the first field that is wrong.
struct Shape {
  const json::object& o;
  std::string where;
  std::string problem;

  bool str(const char* name, bool required) {
    auto* v = o.if_contains(name);
    if (!v) {
      if (required && problem.empty()) problem = where + "." + name + " is required";
      return false;
    }
    if (!v->is_string() && problem.empty()) problem = where + "." + name + " must be a string";
    return v->is_string();
  }
  void num(const char* name) {
    auto* v = o.if_contains(name);
    if (v && !v->is_number() && problem.empty()) problem = where + "." + name + " must be a number";
  }
  void only(std::initializer_list<const char*> allowed) {
    for (auto& kv : o) {
      bool ok = false;
      for (auto* a : allowed)
        if (kv.key() == a) ok = true;
      if (!ok && problem.empty())
        problem = where + "." + std::string(kv.key()) + " is not a known field";
    }
  }
  std::string s(const char* name) const {
    auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }
};

bool valid_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  return true;
}

}  // namespace

struct FakeWonde::Reply {
  enum class Action { respond, stall, reset, drop } action = Action::respond;
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds stall_for{0};
};

FakeWonde::FakeWonde(FakeWondeOptions opts) : opts_(std::move(opts)) {
  if (!opts_.state_file.empty() && std::filesystem::exists(opts_.state_file)) load();
}

FakeWonde::~FakeWonde() { stop(); }

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
  if (ec) throw std::runtime_error("fake wonde: cannot listen on 127.0.0.1:" +
                                   std::to_string(port) + ": " + ec.message());
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
    std::optional<FaultSpec> fault;
    auto auth = std::string(req[http::field::authorization]);
    auto host = std::string(req[http::field::host]);
    Reply r = handle(std::string(req.method_string()), std::string(req.target()), auth, host,
                     req.body(), fault);
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
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (!it->path_contains.empty() && path.find(it->path_contains) == std::string::npos) continue;
    FaultSpec f = *it;
    if (--it->times <= 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

FakeWonde::Reply FakeWonde::handle(const std::string& method, const std::string& target,
                                   const std::string& auth, const std::string& host,
                                   const std::string& body, std::optional<FaultSpec>& fault) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return {Reply::Action::respond, 400, error_body("bad_request", "bad target")};
  std::string path(parsed->path());
  {
    std::lock_guard lock(mu_);
    request_log_.emplace_back(method, path);
  }
  fault = take_fault(method, path);
  if (fault) {
    switch (fault->fault) {
      case WondeFault::http500:
        return {Reply::Action::respond, 500, error_body("server_error", "injected 500")};
      case WondeFault::http503:
        return {Reply::Action::respond, 503, error_body("unavailable", "injected 503")};
      case WondeFault::http429: {
        Reply r{Reply::Action::respond, 429, error_body("rate_limited", "too many requests")};
        r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_seconds));
        return r;
      }
      case WondeFault::stall: {
        Reply r{Reply::Action::stall};
        r.stall_for = fault->stall_for;
        return r;
      }
      case WondeFault::reset: return {Reply::Action::reset};
      case WondeFault::accept_then_drop: break;  // handled after the write is applied
    }
  }
  const bool drop = fault && fault->fault == WondeFault::accept_then_drop;
  auto finish = [&](Reply r) {
    if (drop) r.action = Reply::Action::drop;
    return r;
  };

  // Authorization: Basic base64(token + ":")
  const std::string want_prefix = "Basic ";
  if (auth.rfind(want_prefix, 0) != 0 ||
      base64_decode(auth.substr(want_prefix.size())) != opts_.token + ":")
    return {Reply::Action::respond, 401,
            error_body("unauthorized", "missing or wrong HTTP Basic credentials")};

  const std::string prefix = "/v1.0/schools/" + opts_.school_id + "/";
  if (path.rfind(prefix, 0) != 0)
    return {Reply::Action::respond, 404, error_body("not_found", "no such school or path")};
  std::string rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() != '/') rest += '/';

  auto params = parsed->params();
  auto param = [&](const char* name) -> std::string {
    auto it = params.find(name);
    return it == params.end() ? std::string() : std::string((*it).value);
  };

  if (method == "GET") {
    json::array data;
    std::lock_guard lock(mu_);
    if (rest == "attendance-codes/") {
      for (auto& c : codes_)
        data.push_back(json::object{{"id", c.id}, {"code", c.code}, {"description", c.description}});
    } else if (rest == "students/") {
      for (auto& s : students_) {
        json::object o{{"id", s.id}, {"forename", s.forename}, {"surname", s.surname}};
        if (param("include").find("education_details") != std::string::npos)
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
                       {"start_at", json::object{{"date", start + ".000000"},
                                                 {"timezone_type", 3},
                                                 {"timezone", "Europe/London"}}},
                       {"end_at", json::object{{"date", l.date + " " + l.end + ":00.000000"},
                                               {"timezone_type", 3},
                                               {"timezone", "Europe/London"}}}};
        if (param("include").find("class") != std::string::npos)
          o["class"] = json::object{
              {"data", json::object{{"id", "C-" + l.class_name}, {"name", l.class_name}}}};
        data.push_back(std::move(o));
      }
    } else if (rest == "behaviours/attributes/") {
      json::array types;
      for (auto& [c, d] : behaviour_types_) types.push_back(json::object{{"code", c}, {"description", d}});
      return {Reply::Action::respond, 200,
              json::serialize(json::object{{"data", json::object{{"types", types}}}})};
    } else {
      return {Reply::Action::respond, 404, error_body("not_found", "no such endpoint: " + rest)};
    }
    // Paging, as Wonde does it: page=N (from 1), per_page=N, meta.pagination.next.
    int per_page = opts_.default_per_page, page = 1;
    try {
      if (!param("per_page").empty()) per_page = std::max(1, std::stoi(param("per_page")));
      if (!param("page").empty()) page = std::max(1, std::stoi(param("page")));
    } catch (const std::exception&) {
      return {Reply::Action::respond, 400, error_body("bad_request", "page/per_page must be numbers")};
    }
    json::array slice;
    size_t first = static_cast<size_t>((page - 1) * per_page);
    for (size_t i = first; i < data.size() && i < first + static_cast<size_t>(per_page); ++i)
      slice.push_back(data[i]);
    bool more = first + static_cast<size_t>(per_page) < data.size();
    json::value next = nullptr;
    if (more) {
      boost::urls::url u = *parsed;
      u.params().set("page", std::to_string(page + 1));
      u.params().set("per_page", std::to_string(per_page));
      next = "http://" + host + std::string(u.buffer());
    }
    json::object meta{{"pagination", json::object{{"next", next},
                                                  {"previous", nullptr},
                                                  {"more", more},
                                                  {"per_page", per_page},
                                                  {"current_page", page}}}};
    return {Reply::Action::respond, 200,
            json::serialize(json::object{{"data", slice}, {"meta", meta}})};
  }
  if (method == "POST") {
    if (rest == "attendance/lesson/") return finish(post_lesson(body));
    if (rest == "attendance/session/") return finish(post_session(body));
    if (rest == "behaviours/") return finish(post_behaviour(body));
    return {Reply::Action::respond, 404, error_body("not_found", "no such endpoint: " + rest)};
  }
  return {Reply::Action::respond, 405, error_body("method_not_allowed", method)};
}

std::string FakeWonde::next_writeback_id() { return "WB" + std::to_string(1000 + next_wb_++); }

namespace {

// Parses the {attendance:[...]} envelope; "" problem on success.
std::string attendance_items(const std::string& body, json::value& v, const json::array*& items) {
  boost::system::error_code ec;
  v = json::parse(body, ec);
  if (ec || !v.is_object()) return "the body must be a JSON object";
  auto& o = v.as_object();
  for (auto& kv : o)
    if (kv.key() != "attendance") return std::string(kv.key()) + " is not a known field";
  auto* a = o.if_contains("attendance");
  if (!a || !a->is_array()) return "attendance must be an array";
  if (a->as_array().empty()) return "attendance must not be empty";
  items = &a->as_array();
  return {};
}

}  // namespace

FakeWonde::Reply FakeWonde::post_lesson(const std::string& body) {
  json::value v;
  const json::array* items = nullptr;
  if (auto p = attendance_items(body, v, items); !p.empty())
    return {Reply::Action::respond, 400, error_body("bad_request", p)};
  struct Item { std::string lesson, student, code_id, idem; };
  std::vector<Item> parsed;
  for (size_t i = 0; i < items->size(); ++i) {
    if (!(*items)[i].is_object())
      return {Reply::Action::respond, 400, error_body("bad_request", "attendance[" + std::to_string(i) + "] must be an object")};
    Shape s{(*items)[i].as_object(), "attendance[" + std::to_string(i) + "]", {}};
    s.only({"lesson_id", "student_id", "attendance_code_id", "idempotency_id"});
    s.str("lesson_id", true);
    s.str("student_id", true);
    s.str("attendance_code_id", true);
    s.str("idempotency_id", false);
    if (!s.problem.empty()) return {Reply::Action::respond, 400, error_body("bad_request", s.problem)};
    parsed.push_back({s.s("lesson_id"), s.s("student_id"), s.s("attendance_code_id"), s.s("idempotency_id")});
  }
  std::lock_guard lock(mu_);
  json::array conflicts;
  std::vector<std::string> codes;
  for (size_t i = 0; i < parsed.size(); ++i) {
    auto& it = parsed[i];
    auto stu = std::find_if(students_.begin(), students_.end(), [&](auto& s) { return s.id == it.student; });
    auto les = std::find_if(lessons_.begin(), lessons_.end(), [&](auto& l) { return l.id == it.lesson; });
    auto code = std::find_if(codes_.begin(), codes_.end(), [&](auto& c) { return c.id == it.code_id; });
    if (stu == students_.end() || les == lessons_.end() || code == codes_.end())
      return {Reply::Action::respond, 422,
              error_body("validation", "attendance[" + std::to_string(i) + "]: unknown " +
                                           (stu == students_.end()   ? "student_id " + it.student
                                            : les == lessons_.end() ? "lesson_id " + it.lesson
                                                                    : "attendance_code_id " + it.code_id))};
    codes.push_back(code->code);
    if (!it.idem.empty() && applied_.count(it.idem)) continue;
    auto m = lesson_marks_.find({it.student, it.lesson});
    if (m != lesson_marks_.end() && m->second.source != "api" &&
        std::find(opts_.may_overwrite.begin(), opts_.may_overwrite.end(), m->second.code) ==
            opts_.may_overwrite.end())
      conflicts.push_back(json::object{{"index", i},
                                       {"student_id", it.student},
                                       {"lesson_id", it.lesson},
                                       {"existing_code", m->second.code}});
  }
  if (!conflicts.empty()) {
    json::object o{{"error", "conflict"},
                   {"message", "existing marks may not be overwritten; nothing was written"},
                   {"conflicts", conflicts}};
    return {Reply::Action::respond, 409, json::serialize(o)};
  }
  auto wb = next_writeback_id();
  for (size_t i = 0; i < parsed.size(); ++i) {
    auto& it = parsed[i];
    if (!it.idem.empty() && applied_.count(it.idem)) {
      ++duplicates_;
      continue;
    }
    lesson_marks_[{it.student, it.lesson}] = WondeMark{codes[i], "api", it.idem};
    if (!it.idem.empty()) applied_[it.idem] = wb;
    writes_.push_back({"lesson", it.idem, it.student, it.lesson, codes[i], wb});
  }
  save_locked();
  return {Reply::Action::respond, 200, json::serialize(json::object{{"writeback_id", wb}})};
}

FakeWonde::Reply FakeWonde::post_session(const std::string& body) {
  json::value v;
  const json::array* items = nullptr;
  if (auto p = attendance_items(body, v, items); !p.empty())
    return {Reply::Action::respond, 400, error_body("bad_request", p)};
  struct Item { std::string date, session, student, code_id, idem; };
  std::vector<Item> parsed;
  for (size_t i = 0; i < items->size(); ++i) {
    if (!(*items)[i].is_object())
      return {Reply::Action::respond, 400, error_body("bad_request", "attendance[" + std::to_string(i) + "] must be an object")};
    Shape s{(*items)[i].as_object(), "attendance[" + std::to_string(i) + "]", {}};
    s.only({"date", "session", "student_id", "attendance_code_id", "comment", "employee_id",
            "minutes_late", "idempotency_id"});
    s.str("date", true);
    s.str("session", true);
    s.str("student_id", true);
    s.str("attendance_code_id", true);
    s.str("comment", false);
    s.str("employee_id", false);
    s.num("minutes_late");
    s.str("idempotency_id", false);
    if (s.problem.empty() && !valid_date(s.s("date"))) s.problem = s.where + ".date must be YYYY-MM-DD";
    if (s.problem.empty() && s.s("session") != "AM" && s.s("session") != "PM")
      s.problem = s.where + ".session must be AM or PM";
    if (!s.problem.empty()) return {Reply::Action::respond, 400, error_body("bad_request", s.problem)};
    parsed.push_back({s.s("date"), s.s("session"), s.s("student_id"), s.s("attendance_code_id"), s.s("idempotency_id")});
  }
  std::lock_guard lock(mu_);
  json::array conflicts;
  std::vector<std::string> codes;
  for (size_t i = 0; i < parsed.size(); ++i) {
    auto& it = parsed[i];
    auto stu = std::find_if(students_.begin(), students_.end(), [&](auto& s) { return s.id == it.student; });
    auto code = std::find_if(codes_.begin(), codes_.end(), [&](auto& c) { return c.id == it.code_id; });
    if (stu == students_.end() || code == codes_.end())
      return {Reply::Action::respond, 422,
              error_body("validation", "attendance[" + std::to_string(i) + "]: unknown " +
                                           (stu == students_.end() ? "student_id " + it.student
                                                                   : "attendance_code_id " + it.code_id))};
    codes.push_back(code->code);
    if (!it.idem.empty() && applied_.count(it.idem)) continue;
    auto m = session_marks_.find({it.student, it.date + " " + it.session});
    if (m != session_marks_.end() && m->second.source != "api" &&
        std::find(opts_.may_overwrite.begin(), opts_.may_overwrite.end(), m->second.code) ==
            opts_.may_overwrite.end())
      conflicts.push_back(json::object{{"index", i},
                                       {"student_id", it.student},
                                       {"date", it.date},
                                       {"session", it.session},
                                       {"existing_code", m->second.code}});
  }
  if (!conflicts.empty()) {
    json::object o{{"error", "conflict"},
                   {"message", "existing marks may not be overwritten; nothing was written"},
                   {"conflicts", conflicts}};
    return {Reply::Action::respond, 409, json::serialize(o)};
  }
  auto wb = next_writeback_id();
  for (size_t i = 0; i < parsed.size(); ++i) {
    auto& it = parsed[i];
    if (!it.idem.empty() && applied_.count(it.idem)) {
      ++duplicates_;
      continue;
    }
    session_marks_[{it.student, it.date + " " + it.session}] = WondeMark{codes[i], "api", it.idem};
    if (!it.idem.empty()) applied_[it.idem] = wb;
    writes_.push_back({"session", it.idem, it.student, it.date + " " + it.session, codes[i], wb});
  }
  save_locked();
  return {Reply::Action::respond, 200, json::serialize(json::object{{"writeback_id", wb}})};
}

FakeWonde::Reply FakeWonde::post_behaviour(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return {Reply::Action::respond, 400, error_body("bad_request", "the body must be a JSON object")};
  Shape s{v.as_object(), "body", {}};
  s.only({"students", "employee_id", "date", "status", "type", "bullying_type", "comment",
          "activity_type", "location", "time", "idempotency_id"});
  s.str("date", true);
  s.str("type", true);
  for (auto* f : {"employee_id", "status", "bullying_type", "comment", "activity_type", "location",
                  "time", "idempotency_id"})
    s.str(f, false);
  if (s.problem.empty() && !valid_date(s.s("date"))) s.problem = "body.date must be YYYY-MM-DD";
  auto* st = v.as_object().if_contains("students");
  std::vector<std::string> student_ids;
  if (s.problem.empty() && (!st || !st->is_array() || st->as_array().empty()))
    s.problem = "body.students must be a non-empty array";
  if (s.problem.empty()) {
    for (size_t i = 0; i < st->as_array().size(); ++i) {
      auto& e = st->as_array()[i];
      if (!e.is_object()) {
        s.problem = "body.students[" + std::to_string(i) + "] must be an object";
        break;
      }
      Shape es{e.as_object(), "body.students[" + std::to_string(i) + "]", {}};
      es.only({"student_id", "role", "action", "action_date", "points"});
      es.str("student_id", true);
      es.str("role", false);
      es.str("action", false);
      es.str("action_date", false);
      es.num("points");
      if (!es.problem.empty()) {
        s.problem = es.problem;
        break;
      }
      student_ids.push_back(es.s("student_id"));
    }
  }
  if (!s.problem.empty()) return {Reply::Action::respond, 400, error_body("bad_request", s.problem)};
  std::lock_guard lock(mu_);
  auto type = s.s("type");
  if (std::none_of(behaviour_types_.begin(), behaviour_types_.end(),
                   [&](auto& t) { return t.first == type; }))
    return {Reply::Action::respond, 422, error_body("validation", "unknown behaviour type " + type)};
  for (auto& id : student_ids)
    if (std::none_of(students_.begin(), students_.end(), [&](auto& x) { return x.id == id; }))
      return {Reply::Action::respond, 422, error_body("validation", "unknown student_id " + id)};
  auto idem = s.s("idempotency_id");
  auto wb = next_writeback_id();
  if (!idem.empty() && applied_.count(idem)) {
    ++duplicates_;
  } else {
    ++behaviours_;
    if (!idem.empty()) applied_[idem] = wb;
    writes_.push_back({"behaviour", idem, student_ids.front(), s.s("date") + " " + type, "", wb});
    save_locked();
  }
  return {Reply::Action::respond, 200, json::serialize(json::object{{"writeback_id", wb}})};
}

void FakeWonde::add_student(WondeStudent s) {
  std::lock_guard lock(mu_);
  students_.push_back(std::move(s));
}
void FakeWonde::add_lesson(WondeLesson l) {
  std::lock_guard lock(mu_);
  lessons_.push_back(std::move(l));
}
void FakeWonde::add_code(WondeCode c) {
  std::lock_guard lock(mu_);
  codes_.push_back(std::move(c));
}
void FakeWonde::add_behaviour_type(std::string code, std::string description) {
  std::lock_guard lock(mu_);
  behaviour_types_.emplace_back(std::move(code), std::move(description));
}
void FakeWonde::seed_standard_codes() {
  const std::pair<const char*, const char*> codes[] = {
      {"/", "Present (AM)"}, {"\\", "Present (PM)"}, {"L", "Late (before registers closed)"},
      {"-", "All should attend / No mark recorded"}, {"N", "No reason yet provided for absence"},
      {"B", "Educated off site"}, {"I", "Illness"}, {"M", "Medical/dental appointment"},
      {"O", "Unauthorised absence"}, {"E", "Suspended or permanently excluded"}};
  int n = 1;
  for (auto& [c, d] : codes) add_code({"AC" + std::to_string(100 + n++), c, d});
  add_behaviour_type("IEX", "Internal Exclusion");
  add_behaviour_type("DET", "Detention");
}
void FakeWonde::set_lesson_mark(const std::string& student_id, const std::string& lesson_id,
                                const std::string& code) {
  std::lock_guard lock(mu_);
  lesson_marks_[{student_id, lesson_id}] = WondeMark{code, "teacher", {}};
}
void FakeWonde::set_session_mark(const std::string& student_id, const std::string& date,
                                 const std::string& session, const std::string& code) {
  std::lock_guard lock(mu_);
  session_marks_[{student_id, date + " " + session}] = WondeMark{code, "teacher", {}};
}
void FakeWonde::inject(FaultSpec f) {
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(f));
}

std::optional<std::string> FakeWonde::lesson_mark(const std::string& student_id,
                                                  const std::string& lesson_id) const {
  std::lock_guard lock(mu_);
  auto it = lesson_marks_.find({student_id, lesson_id});
  if (it == lesson_marks_.end()) return std::nullopt;
  return it->second.code;
}
std::optional<std::string> FakeWonde::session_mark(const std::string& student_id,
                                                   const std::string& date,
                                                   const std::string& session) const {
  std::lock_guard lock(mu_);
  auto it = session_marks_.find({student_id, date + " " + session});
  if (it == session_marks_.end()) return std::nullopt;
  return it->second.code;
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
int FakeWonde::requests(const std::string& method, const std::string& path_contains) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (auto& [m, p] : request_log_)
    if ((method.empty() || m == method) && p.find(path_contains) != std::string::npos) ++n;
  return n;
}

// ---- state file: everything the MIS holds, so a fake restart keeps its marks ----

void FakeWonde::save() const {
  std::lock_guard lock(mu_);
  save_locked();
}

void FakeWonde::save_locked() const {
  if (opts_.state_file.empty()) return;
  json::object o;
  json::array a;
  for (auto& s : students_)
    a.push_back(json::object{{"id", s.id}, {"admission_number", s.admission_number}, {"upn", s.upn},
                             {"forename", s.forename}, {"surname", s.surname}});
  o["students"] = std::move(a);
  a = {};
  for (auto& l : lessons_)
    a.push_back(json::object{{"id", l.id}, {"class", l.class_name}, {"date", l.date},
                             {"start", l.start}, {"end", l.end}});
  o["lessons"] = std::move(a);
  a = {};
  for (auto& c : codes_)
    a.push_back(json::object{{"id", c.id}, {"code", c.code}, {"description", c.description}});
  o["attendance_codes"] = std::move(a);
  a = {};
  for (auto& [c, d] : behaviour_types_) a.push_back(json::object{{"code", c}, {"description", d}});
  o["behaviour_types"] = std::move(a);
  a = {};
  for (auto& [k, m] : lesson_marks_)
    a.push_back(json::object{{"student_id", k.first}, {"lesson_id", k.second}, {"code", m.code},
                             {"source", m.source}, {"idempotency_id", m.idempotency_id}});
  o["lesson_marks"] = std::move(a);
  a = {};
  for (auto& [k, m] : session_marks_)
    a.push_back(json::object{{"student_id", k.first}, {"date_session", k.second}, {"code", m.code},
                             {"source", m.source}, {"idempotency_id", m.idempotency_id}});
  o["session_marks"] = std::move(a);
  json::object applied;
  for (auto& [k, wb] : applied_) applied[k] = wb;
  o["applied"] = std::move(applied);
  a = {};
  for (auto& w : writes_)
    a.push_back(json::object{{"endpoint", w.endpoint}, {"idempotency_id", w.idempotency_id},
                             {"student_id", w.student_id}, {"what", w.what}, {"code", w.code},
                             {"writeback_id", w.writeback_id}});
  o["writes"] = std::move(a);
  o["duplicates"] = duplicates_;
  o["behaviours"] = behaviours_;
  o["next_writeback"] = next_wb_;
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
  auto s = [](const json::value& e, const char* k) {
    auto* p = e.as_object().if_contains(k);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  for (auto& e : arr("students"))
    students_.push_back({s(e, "id"), s(e, "admission_number"), s(e, "upn"), s(e, "forename"), s(e, "surname")});
  for (auto& e : arr("lessons"))
    lessons_.push_back({s(e, "id"), s(e, "class"), s(e, "date"), s(e, "start"), s(e, "end")});
  for (auto& e : arr("attendance_codes")) codes_.push_back({s(e, "id"), s(e, "code"), s(e, "description")});
  for (auto& e : arr("behaviour_types")) behaviour_types_.emplace_back(s(e, "code"), s(e, "description"));
  for (auto& e : arr("lesson_marks"))
    lesson_marks_[{s(e, "student_id"), s(e, "lesson_id")}] =
        WondeMark{s(e, "code"), s(e, "source").empty() ? "teacher" : s(e, "source"), s(e, "idempotency_id")};
  for (auto& e : arr("session_marks"))
    session_marks_[{s(e, "student_id"), s(e, "date_session")}] =
        WondeMark{s(e, "code"), s(e, "source").empty() ? "teacher" : s(e, "source"), s(e, "idempotency_id")};
  if (auto* p = o.if_contains("applied"); p && p->is_object())
    for (auto& kv : p->as_object())
      if (kv.value().is_string()) applied_[std::string(kv.key())] = std::string(kv.value().as_string());
  for (auto& e : arr("writes"))
    writes_.push_back({s(e, "endpoint"), s(e, "idempotency_id"), s(e, "student_id"), s(e, "what"),
                       s(e, "code"), s(e, "writeback_id")});
  auto num = [&](const char* k) {
    auto* p = o.if_contains(k);
    return p && p->is_int64() ? static_cast<int>(p->as_int64()) : 0;
  };
  duplicates_ = num("duplicates");
  behaviours_ = num("behaviours");
  next_wb_ = std::max(1, num("next_writeback"));
}

}  // namespace iesync::fake
