#include "connectors/writeback/wonde_target.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <thread>

namespace iesync {

namespace json = boost::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

const json::value* at(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* p = &v;
  for (auto* k : path) {
    if (!p->is_object()) return nullptr;
    p = p->as_object().if_contains(k);
    if (!p) return nullptr;
  }
  return p;
}

std::string str_at(const json::value& v, std::initializer_list<const char*> path) {
  auto* p = at(v, path);
  return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

// An id the API gives either as a string or as an included object ({"data":{"id":...}}).
std::string id_at(const json::value& v, const char* name) {
  auto* p = at(v, {name});
  if (!p) return {};
  if (p->is_string()) return std::string(p->as_string());
  if (auto s = str_at(*p, {"data", "id"}); !s.empty()) return s;
  return str_at(*p, {"id"});
}

// A date the API gives as "YYYY-MM-DD..." or as {"date":"YYYY-MM-DD HH:MM:SS.000000", ...}.
std::string date_at(const json::value& v, const char* name) {
  auto* p = at(v, {name});
  if (!p) return {};
  std::string d = p->is_string() ? std::string(p->as_string()) : str_at(*p, {"date"});
  return d.size() >= 10 ? d.substr(0, 10) : std::string();
}

// The path only: a query may hold dates and filters, never a secret, but keep messages short.
std::string printable(const std::string& url) {
  return url.substr(0, url.find('?'));
}

std::string snippet(const std::string& body) {
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

std::optional<std::chrono::seconds> retry_after(const HttpResponse& r) {
  auto h = r.header("Retry-After");
  if (h.empty() || h.size() > 9 ||
      !std::all_of(h.begin(), h.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::chrono::seconds(std::stoll(h));
}

// A transport error on a request that never left this machine (no connection, no name):
// nothing can have been applied. curl_client.cpp ends its messages with "(curl error N)".
bool never_sent(const Error& e) {
  for (const char* c : {"(curl error 5)", "(curl error 6)", "(curl error 7)"})
    if (e.message.find(c) != std::string::npos) return true;
  return false;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string where_of(const WriteItem& it) {
  return (it.class_code.empty() ? it.session + " session" : it.class_code + " " + it.start.str()) +
         " on " + it.date.iso();
}

bool is_lesson_item(const WriteItem& it) {
  return it.kind == WriteKind::lesson_mark ||
         (it.kind == WriteKind::retraction && !it.class_code.empty());
}
bool is_session_item(const WriteItem& it) {
  return it.kind == WriteKind::session_mark ||
         (it.kind == WriteKind::retraction && it.class_code.empty() && !it.session.empty());
}

}  // namespace

Result<std::string> read_wonde_token(const std::filesystem::path& token_file) {
  std::ifstream in(token_file);
  std::string token;
  if (!in || !std::getline(in, token))
    return make_error(token_file.string(), "cannot read the Wonde token",
                      "put the API token on the first line of [writeback] token_file");
  auto b = token.find_first_not_of(" \t\r\n");
  auto e = token.find_last_not_of(" \t\r\n");
  token = b == std::string::npos ? std::string() : token.substr(b, e - b + 1);
  if (token.empty())
    return make_error(token_file.string(), "the Wonde token file is empty",
                      "put the API token on the first line of [writeback] token_file");
  return Result<std::string>(boost::system::in_place_value, token);
}

WondeTarget::WondeTarget(HttpClient& http, WondeOptions opts)
    : http_(http), opts_(std::move(opts)) {
  while (!opts_.api_base.empty() && opts_.api_base.back() == '/') opts_.api_base.pop_back();
  if (opts_.batch_size < 1) opts_.batch_size = 1;
  if (!opts_.sleep)
    opts_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

std::string WondeTarget::school_url(const std::string& rest) const {
  return opts_.api_base + "/schools/" + opts_.school_id + "/" + rest;
}

std::string WondeTarget::cache_name(const std::string& what) const {
  return "wonde:" + opts_.api_base + ":" + opts_.school_id + ":" + what;
}

HttpRequest WondeTarget::request(const std::string& method, const std::string& url,
                                 std::string body) const {
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.headers.emplace_back("Authorization", "Bearer " + opts_.token);
  r.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// One GET, retried on 429, 5xx and transport errors while the waits fit in lookup_budget.
Result<json::value> WondeTarget::get_json(const std::string& url) {
  std::chrono::milliseconds waited{0};
  std::chrono::milliseconds backoff{500};
  const std::chrono::milliseconds budget = opts_.lookup_budget;
  std::string last;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto resp = http_.send(request("GET", url, {}));
    std::optional<std::chrono::milliseconds> wait;
    if (!resp) {
      last = "Wonde could not be reached: " + resp.error().message;
      wait = backoff;
    } else if (resp->status == 429 || resp->status >= 500) {
      last = "Wonde answered HTTP " + std::to_string(resp->status);
      auto ra = retry_after(*resp);
      wait = ra ? std::chrono::milliseconds(*ra) : backoff;
    } else if (resp->status != 200) {
      return make_error(
          printable(url),
          "Wonde answered HTTP " + std::to_string(resp->status) + ": " + snippet(resp->body),
          resp->status == 401 || resp->status == 403
              ? "check the token in [writeback] token_file and the school_id"
              : "write-back is tried again next cycle");
    } else {
      boost::system::error_code ec;
      auto v = json::parse(resp->body, ec);
      if (ec || !v.is_object())
        return make_error(printable(url), "Wonde's answer is not JSON",
                          "check [writeback] api_base points at the Wonde API");
      return v;
    }
    if (waited + *wait > budget) break;
    opts_.sleep(*wait);
    waited += *wait;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(8000));
  }
  return make_error(
      printable(url),
      last + " (gave up after waiting " + std::to_string(waited.count() / 1000) + " s)",
      "write-back goes on next cycle; nothing was sent that depends on this lookup");
}

Result<std::vector<json::value>> WondeTarget::get_all(const std::string& first_url) {
  std::vector<json::value> out;
  std::string url = first_url;
  for (int page = 0; page < 10000 && !url.empty(); ++page) {
    auto v = get_json(url);
    if (!v) return v.error();
    auto* data = v->as_object().if_contains("data");
    if (!data || !data->is_array())
      return make_error(printable(url), "Wonde's answer has no list under \"data\"",
                        "check [writeback] api_base points at the Wonde API");
    for (auto& e : data->as_array()) out.push_back(e);
    auto next = str_at(*v, {"meta", "pagination", "next"});
    // Follow only links back into the same API, so a bad answer cannot send our token away.
    url = next.rfind(opts_.api_base + "/", 0) == 0 ? next : std::string();
  }
  return out;
}

namespace {

std::string map_to_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (auto& [k, v] : m) o[k] = v;
  return json::serialize(o);
}

std::optional<std::map<std::string, std::string>> map_from_json(
    const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(*s, ec);
  if (ec || !v.is_object()) return std::nullopt;
  std::map<std::string, std::string> m;
  for (auto& kv : v.as_object())
    if (kv.value().is_string()) m[std::string(kv.key())] = std::string(kv.value().as_string());
  return m;
}

}  // namespace

Result<void> WondeTarget::load_students(bool fresh) {
  if (students_ && !fresh) return {};
  if (!fresh && opts_.cache)
    if (auto m = map_from_json(opts_.cache->get(cache_name("students"), opts_.today))) {
      students_ = std::move(*m);
      students_cached_ = true;
      return {};
    }
  auto all = get_all(school_url("students/?include=education_details&per_page=200"));
  if (!all) return all.error();
  std::map<std::string, std::string> m, by_upn;
  for (auto& s : *all) {
    auto id = str_at(s, {"id"});
    auto adno = str_at(s, {"education_details", "data", "admission_number"});
    auto upn = str_at(s, {"education_details", "data", "upn"});
    if (id.empty()) continue;
    if (!adno.empty()) m.emplace(adno, id);
    if (!upn.empty()) by_upn.emplace(upn, id);
  }
  for (auto& [u, id] : by_upn) m.emplace(u, id);  // admission number wins on a clash
  students_ = std::move(m);
  students_cached_ = false;
  if (opts_.cache) opts_.cache->put(cache_name("students"), opts_.today, map_to_json(*students_));
  return {};
}

Result<std::optional<std::string>> WondeTarget::find_student(const std::string& our_id) {
  using R = Result<std::optional<std::string>>;
  if (auto r = load_students(false); !r) return r.error();
  auto it = students_->find(our_id);
  if (it == students_->end() && students_cached_) {
    // A pupil who joined today is not in this morning's list: look once more.
    if (auto r = load_students(true); !r) return r.error();
    it = students_->find(our_id);
  }
  if (it == students_->end()) return R(boost::system::in_place_value, std::nullopt);
  return R(boost::system::in_place_value, it->second);
}

Result<void> WondeTarget::load_codes() {
  if (codes_) return {};
  std::optional<std::map<std::string, std::string>> m;
  if (opts_.cache) m = map_from_json(opts_.cache->get(cache_name("attendance-codes"), opts_.today));
  if (!m) {
    auto all = get_all(school_url("attendance-codes/"));
    if (!all) return all.error();
    m.emplace();
    for (auto& c : *all) {
      auto code = str_at(c, {"code"});
      auto id = str_at(c, {"id"});
      if (!id.empty()) m->emplace(code, id);
    }
    if (opts_.cache) opts_.cache->put(cache_name("attendance-codes"), opts_.today, map_to_json(*m));
  }
  for (auto& [code, id] : *m) code_of_id_[id] = code;
  codes_ = std::move(m);
  return {};
}

Result<void> WondeTarget::load_lessons(const std::string& date) {
  if (lessons_.count(date)) return {};
  auto all = get_all(school_url("lessons/?include=class&per_page=200&lessons_start_after=" + date +
                                "%2000:00:00&lessons_start_before=" + date + "%2023:59:59"));
  if (!all) return all.error();
  std::vector<Lesson> v;
  for (auto& l : *all) {
    auto start = str_at(l, {"start_at", "date"});  // "YYYY-MM-DD HH:MM:SS.000000"
    if (start.size() < 16 || start.compare(0, 10, date) != 0) continue;
    v.push_back({str_at(l, {"id"}), str_at(l, {"class", "data", "name"}), start.substr(11, 5)});
  }
  lessons_[date] = std::move(v);
  return {};
}

Result<std::string> WondeTarget::lesson_id_for(const WriteItem& it) {
  if (auto r = load_lessons(it.date.iso()); !r) return r.error();
  const auto& ls = lessons_[it.date.iso()];
  auto l = std::find_if(ls.begin(), ls.end(), [&](const Lesson& x) {
    return x.class_name == it.class_code && x.start == it.start.str();
  });
  if (l == ls.end()) return Result<std::string>(boost::system::in_place_value, std::string());
  return Result<std::string>(boost::system::in_place_value, l->id);
}

// The code of an attendance record: an id to look up, or an included object.
namespace {
std::string record_code(const json::value& rec,
                        const std::map<std::string, std::string>& code_of_id) {
  auto* p = at(rec, {"attendance_code"});
  if (!p) return {};
  if (p->is_object()) {
    if (auto c = str_at(*p, {"data", "code"}); !c.empty()) return c;
    if (auto c = str_at(*p, {"code"}); !c.empty()) return c;
  }
  auto id = id_at(rec, "attendance_code");
  auto it = code_of_id.find(id);
  return it == code_of_id.end() ? std::string() : it->second;
}
}  // namespace

Result<const std::map<std::string, std::string>*> WondeTarget::lesson_marks(
    const std::string& lesson_id) {
  using R = Result<const std::map<std::string, std::string>*>;
  if (auto it = lesson_marks_.find(lesson_id); it != lesson_marks_.end())
    return R(boost::system::in_place_value, &it->second);
  auto all = get_all(school_url("attendance/lesson/?lesson_id=" + lesson_id + "&per_page=200"));
  if (!all) return all.error();
  std::map<std::string, std::string> m;
  for (auto& rec : *all)
    if (id_at(rec, "lesson") == lesson_id) m[id_at(rec, "student")] = record_code(rec, code_of_id_);
  auto& slot = lesson_marks_[lesson_id] = std::move(m);
  return R(boost::system::in_place_value, &slot);
}

Result<const std::map<std::string, std::string>*> WondeTarget::session_marks(
    const std::string& date) {
  using R = Result<const std::map<std::string, std::string>*>;
  if (auto it = session_marks_.find(date); it != session_marks_.end())
    return R(boost::system::in_place_value, &it->second);
  auto all = get_all(school_url("attendance/session/?date=" + date + "&per_page=200"));
  if (!all) return all.error();
  std::map<std::string, std::string> m;
  for (auto& rec : *all)
    if (date_at(rec, "date") == date)
      m[id_at(rec, "student") + "|" + str_at(rec, {"session"})] = record_code(rec, code_of_id_);
  auto& slot = session_marks_[date] = std::move(m);
  return R(boost::system::in_place_value, &slot);
}

Result<std::string> WondeTarget::current_mark(const WriteItem& it, const std::string& student) {
  using R = Result<std::string>;
  if (is_lesson_item(it)) {
    auto lesson = lesson_id_for(it);
    if (!lesson) return lesson.error();
    auto marks = lesson_marks(*lesson);
    if (!marks) return marks.error();
    auto f = (*marks)->find(student);
    return R(boost::system::in_place_value, f == (*marks)->end() ? std::string() : f->second);
  }
  auto marks = session_marks(it.date.iso());
  if (!marks) return marks.error();
  auto f = (*marks)->find(student + "|" + it.session);
  return R(boost::system::in_place_value, f == (*marks)->end() ? std::string() : f->second);
}

Result<std::vector<WondeAttribute>> WondeTarget::attributes() {
  using R = Result<std::vector<WondeAttribute>>;
  if (attributes_) return R(boost::system::in_place_value, *attributes_);
  std::optional<std::string> cached;
  if (opts_.cache) cached = opts_.cache->get(cache_name("behaviour-attributes"), opts_.today);
  std::vector<json::value> all;
  if (cached) {
    boost::system::error_code ec;
    auto v = json::parse(*cached, ec);
    if (!ec && v.is_array())
      for (auto& e : v.as_array()) all.push_back(e);
    else
      cached.reset();
  }
  if (!cached) {
    auto got = get_all(school_url("behaviours/attributes/"));
    if (!got) return got.error();
    all = std::move(*got);
    if (opts_.cache) {
      json::array a(all.begin(), all.end());
      opts_.cache->put(cache_name("behaviour-attributes"), opts_.today, json::serialize(a));
    }
  }
  std::vector<WondeAttribute> v;
  for (auto& a : all) {
    WondeAttribute w;
    w.id = str_at(a, {"id"});
    for (auto* k : {"type", "attribute", "category", "kind"})
      if (w.kind.empty()) w.kind = lower(str_at(a, {k}));
    w.code = str_at(a, {"code"});
    for (auto* k : {"description", "name", "title"})
      if (w.name.empty()) w.name = str_at(a, {k});
    if (w.id.empty() && w.code.empty()) continue;
    v.push_back(std::move(w));
  }
  attributes_ = v;
  return R(boost::system::in_place_value, std::move(v));
}

Result<std::string> WondeTarget::attribute_code(const std::string& kind, const std::string& name) {
  auto all = attributes();
  if (!all) return all.error();
  const auto want = lower(trim(name));
  std::vector<std::string> offered;
  for (const auto& a : *all) {
    if (!a.kind.empty() && a.kind != kind) continue;
    offered.push_back("\"" + (a.name.empty() ? a.code : a.name) + "\"" +
                      (a.code.empty() || a.name.empty() ? "" : " (" + a.code + ")"));
    if (lower(trim(a.name)) == want || lower(a.code) == want || lower(a.id) == want)
      return Result<std::string>(boost::system::in_place_value, a.code.empty() ? a.id : a.code);
  }
  std::string list;
  for (size_t i = 0; i < offered.size() && i < 40; ++i) list += (i ? ", " : "") + offered[i];
  return make_error("[writeback] behaviour_" + kind,
                    "the MIS offers no behaviour " + kind + " named \"" + name + "\"" +
                        (offered.empty() ? " (it lists none)" : "; it offers: " + list),
                    "set [writeback] behaviour_" + kind +
                        " to one of those names, then run: iesync outbox retry ID");
}

// Does the MIS hold an exclusion record of ours for this row's pupil, date and type?
Result<bool> WondeTarget::behaviour_exists(const OutboxRow& row, const std::string& student) {
  auto type = attribute_code("type", opts_.behaviour_type);
  if (!type) return type.error();
  // Only records changed since the item was last tried can be the one we may have written.
  std::string since =
      row.updated_at.size() >= 10 ? row.updated_at.substr(0, 10) : row.item.date.iso();
  if (auto d = Date::parse_iso(since)) since = d->plus_days(-1).iso();
  auto all = get_all(school_url("behaviours/?include=students&per_page=200&updated_after=" + since +
                                "%2000:00:00"));
  if (!all) return all.error();
  for (auto& b : *all) {
    if (date_at(b, "date") != row.item.date.iso()) continue;
    if (str_at(b, {"type"}) != *type && id_at(b, "type") != *type) continue;
    auto* st = at(b, {"students", "data"});
    if (!st || !st->is_array()) continue;
    for (auto& s : st->as_array())
      if (str_at(s, {"id"}) == student || str_at(s, {"student_id"}) == student) return true;
  }
  return false;
}

Result<std::vector<ItemOutcome>> WondeTarget::recover(std::span<const OutboxRow> rows) {
  std::vector<ItemOutcome> out;
  for (const auto& row : rows) {
    if (row.state != OutboxState::in_doubt) continue;
    const auto& it = row.item;
    auto sid = find_student(it.student_id);
    if (!sid) break;  // the MIS is not answering: leave the rest in doubt for the next run
    if (!*sid) {
      out.push_back({row.id, ItemResult::not_there, {}, "the pupil is not in the MIS", {}, {}});
      continue;
    }
    if (it.kind == WriteKind::exclusion) {
      auto found = behaviour_exists(row, **sid);
      if (!found) break;
      out.push_back({row.id,
                     *found ? ItemResult::confirmed : ItemResult::not_there,
                     *found ? "read back" : "",
                     "no record for that pupil, date and type",
                     {},
                     {}});
      continue;
    }
    if (auto r = load_codes(); !r) break;
    auto cur = current_mark(it, **sid);
    if (!cur) break;
    const bool there =
        it.kind == WriteKind::retraction ? (*cur == "-" || cur->empty()) : *cur == it.code;
    out.push_back({row.id,
                   there ? ItemResult::confirmed : ItemResult::not_there,
                   there ? "read back" : "",
                   "the MIS holds \"" + *cur + "\" for " + where_of(it),
                   {},
                   {}});
  }
  return out;
}

struct WondeTarget::Reply {
  enum class Kind { ok, named, unnamed, retry, in_doubt, failed, auth } kind = Kind::ok;
  std::string writeback_id;
  std::map<size_t, std::string> named;  // batch index -> the MIS's message
  std::string detail;
  std::optional<std::chrono::seconds> retry_after;
};

namespace {

// Laravel-style validation errors: {"message":..., "errors":{"attendance.3.student_id":[...]}}.
// Returns item index -> messages; `prefix` is "attendance" or "students".
std::map<size_t, std::string> named_items(const json::value& v, const std::string& prefix,
                                          size_t batch) {
  std::map<size_t, std::string> out;
  const json::value* errors = at(v, {"errors"});
  if (!errors || !errors->is_object()) return out;
  for (auto& kv : errors->as_object()) {
    std::string key(kv.key());
    if (key.rfind(prefix + ".", 0) != 0) continue;
    size_t i = prefix.size() + 1, n = 0;
    bool digits = false;
    while (i < key.size() && std::isdigit(static_cast<unsigned char>(key[i]))) {
      n = n * 10 + static_cast<size_t>(key[i] - '0');
      digits = true;
      if (n > batch) break;
      ++i;
    }
    if (!digits || n >= batch || (i < key.size() && key[i] != '.')) continue;
    std::string msg;
    if (kv.value().is_array())
      for (auto& m : kv.value().as_array())
        if (m.is_string()) msg += (msg.empty() ? "" : " ") + std::string(m.as_string());
    if (kv.value().is_string()) msg = std::string(kv.value().as_string());
    auto& slot = out[n];
    slot += (slot.empty() ? "" : " ") + (msg.empty() ? key + " was refused" : msg);
  }
  return out;
}

// Does the MIS's refusal say a mark is already there (then it is a conflict, not a failure)?
bool says_mark_exists(const std::string& msg) {
  auto m = lower(msg);
  return m.find("already") != std::string::npos || m.find("exists") != std::string::npos;
}

}  // namespace

WondeTarget::Reply WondeTarget::post(Endpoint ep, const std::vector<Prepared>& batch) {
  const std::string url = school_url(ep == Endpoint::lesson    ? "attendance/lesson/"
                                     : ep == Endpoint::session ? "attendance/session/"
                                                               : "behaviours/");
  std::string body;
  if (ep == Endpoint::behaviour) {
    body = json::serialize(batch.front().item);
  } else {
    json::array a;
    for (auto& p : batch) a.push_back(p.item);
    body = json::serialize(json::object{{"attendance", std::move(a)}});
  }
  Reply r;
  auto resp = http_.send(request("POST", url, body));
  if (!resp) {
    r.kind = never_sent(resp.error()) ? Reply::Kind::retry : Reply::Kind::in_doubt;
    r.detail = "Wonde could not be reached: " + resp.error().message;
    return r;
  }
  const int s = resp->status;
  boost::system::error_code ec;
  auto v = json::parse(resp->body, ec);
  if (s >= 200 && s < 300) {
    r.writeback_id = ec ? std::string() : str_at(v, {"writeback_id"});
    if (r.writeback_id.empty() && !ec) r.writeback_id = str_at(v, {"data", "id"});
    return r;
  }
  if (s == 429 || s == 503) {  // refused before any work: nothing applied
    r.kind = Reply::Kind::retry;
    r.retry_after = retry_after(*resp);
    r.detail = "Wonde answered HTTP " + std::to_string(s);
    return r;
  }
  if (s >= 500) {  // it may have failed after applying some of it
    r.kind = Reply::Kind::in_doubt;
    r.detail = "Wonde answered HTTP " + std::to_string(s);
    return r;
  }
  if (s == 401 || s == 403) {
    r.kind = Reply::Kind::auth;
    r.detail = "Wonde refused the credentials (HTTP " + std::to_string(s) +
               "); check [writeback] token_file and school_id";
    return r;
  }
  std::string message = ec ? snippet(resp->body) : str_at(v, {"message"});
  if (message.empty()) message = snippet(resp->body);
  if (s == 422) {
    r.named =
        ec ? std::map<size_t, std::string>{}
           : named_items(v, ep == Endpoint::behaviour ? "students" : "attendance", batch.size());
    if (ep == Endpoint::behaviour && r.named.empty() && !ec) {
      // A behaviour request carries one record: whatever it names is about that record.
      if (auto* e = at(v, {"errors"}); e && e->is_object() && !e->as_object().empty()) {
        std::string all;
        for (auto& kv : e->as_object())
          all += (all.empty() ? "" : "; ") + std::string(kv.key()) + ": " +
                 (kv.value().is_array() && !kv.value().as_array().empty() &&
                          kv.value().as_array()[0].is_string()
                      ? std::string(kv.value().as_array()[0].as_string())
                      : std::string("refused"));
        r.named[0] = all;
      }
    }
    r.kind = r.named.empty() ? Reply::Kind::unnamed : Reply::Kind::named;
    r.detail = "HTTP 422: " + message;
    return r;
  }
  r.kind = Reply::Kind::failed;
  r.detail = "HTTP " + std::to_string(s) + ": " + message;
  return r;
}

// Sends `batch` (already decided: every item is to be written), settling each item.
void WondeTarget::post_all(Endpoint ep, std::vector<Prepared> batch, const BeforePost& before_post,
                           SendOutcome& out, bool& stop) {
  auto settle = [&](const Prepared& p, ItemResult res, std::string detail, std::string ref = {},
                    std::optional<std::chrono::seconds> ra = std::nullopt) {
    out.items.push_back({p.row->id, res, std::move(ref), std::move(detail), ra, std::nullopt});
    if (res == ItemResult::confirmed && ep != Endpoint::behaviour) {
      // Later reads in this run see our own write.
      const auto& it = p.row->item;
      if (is_lesson_item(it))
        lesson_marks_[p.mark_at][p.student] = it.code;
      else
        session_marks_[it.date.iso()][p.student + "|" + it.session] = it.code;
    }
  };
  auto refused = [&](const Prepared& p, const std::string& msg) {
    const auto& it = p.row->item;
    if (says_mark_exists(msg))
      settle(
          p, ItemResult::conflict,
          "the MIS refused it as a mark already exists for " + where_of(it) + " (\"" + msg + "\")");
    else
      settle(p, ItemResult::failed, "the MIS refused it: " + msg);
  };
  // One request; false when the run must stop. `done` lists indexes of `part` settled.
  auto send_part = [&](const std::vector<Prepared>& part, Reply& reply) -> bool {
    std::vector<std::int64_t> ids;
    for (auto& p : part) ids.push_back(p.row->id);
    if (auto r = before_post(ids); !r) {
      out.stopped = r.error();
      stop = true;
      return false;
    }
    reply = post(ep, part);
    switch (reply.kind) {
      case Reply::Kind::ok:
        for (auto& p : part) settle(p, ItemResult::confirmed, {}, reply.writeback_id);
        return true;
      case Reply::Kind::retry:
        for (auto& p : part) settle(p, ItemResult::retry, reply.detail, {}, reply.retry_after);
        stop = true;
        return false;
      case Reply::Kind::in_doubt:
        for (auto& p : part) settle(p, ItemResult::in_doubt, reply.detail);
        stop = true;  // the MIS is struggling: leave the rest for the next run
        return false;
      case Reply::Kind::auth:
        for (auto& p : part) settle(p, ItemResult::failed, reply.detail);
        stop = true;
        return false;
      case Reply::Kind::failed:
        for (auto& p : part) settle(p, ItemResult::failed, reply.detail);
        return true;
      case Reply::Kind::named:
      case Reply::Kind::unnamed:
        return true;  // the caller decides
    }
    return true;
  };

  // Each round settles at least one item, so this ends; the guard is for safety only.
  for (size_t guard = 0; !batch.empty() && !stop && guard <= 4 * batch.size() + 8; ++guard) {
    Reply reply;
    if (!send_part(batch, reply)) return;
    if (reply.kind != Reply::Kind::named && reply.kind != Reply::Kind::unnamed) return;
    if (reply.kind == Reply::Kind::named) {
      std::vector<Prepared> rest;
      for (size_t i = 0; i < batch.size(); ++i) {
        auto n = reply.named.find(i);
        if (n != reply.named.end())
          refused(batch[i], n->second);
        else
          rest.push_back(std::move(batch[i]));
      }
      batch = std::move(rest);
      continue;
    }
    // Refused without naming an item: halve the part known to hold a bad item, sending the
    // first half each time, until one item is left (one request per halving).
    std::vector<Prepared> bad = std::move(batch);
    batch.clear();
    std::string why = reply.detail;
    while (bad.size() > 1 && !stop) {
      std::vector<Prepared> first(
          std::make_move_iterator(bad.begin()),
          std::make_move_iterator(bad.begin() + static_cast<long>(bad.size() / 2)));
      std::vector<Prepared> second(
          std::make_move_iterator(bad.begin() + static_cast<long>(bad.size() / 2)),
          std::make_move_iterator(bad.end()));
      Reply r2;
      if (!send_part(first, r2)) return;
      if (r2.kind == Reply::Kind::ok || r2.kind == Reply::Kind::failed) {
        bad = std::move(second);  // the first half went (or was refused outright)
      } else if (r2.kind == Reply::Kind::unnamed) {
        why = r2.detail;
        bad = std::move(first);
        for (auto& p : second) batch.push_back(std::move(p));  // unknown yet: send again
      } else {  // named within the first half: settle those, send the rest again
        for (size_t i = 0; i < first.size(); ++i) {
          auto n = r2.named.find(i);
          if (n != r2.named.end())
            refused(first[i], n->second);
          else
            batch.push_back(std::move(first[i]));
        }
        for (auto& p : second) batch.push_back(std::move(p));
        bad.clear();
      }
    }
    if (bad.size() == 1) refused(bad.front(), why + " (found by sending the batch in halves)");
  }
}

namespace {

void settle(SendOutcome& out, const OutboxRow& r, ItemResult res, std::string why,
            std::string ref = {}) {
  out.items.push_back({r.id, res, std::move(ref), std::move(why), std::nullopt, std::nullopt});
}

// What to do with a mark, given the code the MIS holds for it now. Empty: post it.
struct Verdict {
  ItemResult result;
  std::string why;
};
std::optional<Verdict> judge_mark(const WriteItem& it, const std::string& current,
                                  const WondeOptions& opts) {
  if (it.kind == WriteKind::retraction) {
    if (contains(opts.our_codes, current)) return std::nullopt;
    return Verdict{ItemResult::confirmed, current.empty() || current == "-"
                                              ? "nothing to undo"
                                              : "a teacher's mark, left"};
  }
  if (current == it.code) return Verdict{ItemResult::confirmed, "already in the MIS"};
  if (!contains(opts.may_overwrite, current))
    return Verdict{ItemResult::conflict, "the MIS already holds the mark \"" + current + "\" for " +
                                             where_of(it) + " (entered in the MIS)"};
  return std::nullopt;
}

// The comment on an exclusion record: the school's own, or what the booking says.
std::string exclusion_comment(const WriteItem& it) {
  if (!it.comment.empty()) return it.comment;
  return "Internal exclusion " + it.start.str() + "-" + it.end.str() + ", reason " +
         (it.reason.empty() ? "-" : it.reason) + ", " + std::to_string(it.lessons_missed) +
         " lessons missed (booking " + it.booking_id + ")";
}

}  // namespace

Result<SendOutcome> WondeTarget::send(std::span<const OutboxRow> rows,
                                      const BeforePost& before_post) {
  SendOutcome out;
  if (auto r = load_codes(); !r) {
    out.stopped = r.error();
    return out;
  }
  Batches to_post;
  for (const auto& row : rows) {
    // A failed read stops the run: what was prepared still goes, the rest waits.
    if (auto r = prepare(row, to_post, out); !r) {
      out.stopped = r.error();
      break;
    }
  }
  post_batches(to_post, before_post, out);
  return out;
}

Result<void> WondeTarget::prepare(const OutboxRow& row, Batches& to_post, SendOutcome& out) {
  const auto& it = row.item;
  auto sid = find_student(it.student_id);
  if (!sid) return sid.error();
  if (!*sid) {
    settle(out, row, ItemResult::failed,
           "student " + it.student_id +
               " is not in the MIS via Wonde (no admission number "
               "or UPN " +
               it.student_id + ")");
    return {};
  }
  if (is_lesson_item(it) || is_session_item(it)) return prepare_mark(row, **sid, to_post, out);
  if (it.kind == WriteKind::exclusion) return prepare_exclusion(row, **sid, to_post, out);
  settle(out, row, ItemResult::failed,
         "an exclusion record cannot be withdrawn through Wonde's write-back API; "
         "remove it in the MIS by hand, then discard this item");
  return {};
}

Result<void> WondeTarget::prepare_mark(const OutboxRow& row, const std::string& student,
                                       Batches& to_post, SendOutcome& out) {
  const auto& it = row.item;
  auto code = codes_->find(it.code);
  if (code == codes_->end()) {
    settle(out, row, ItemResult::failed, "the MIS has no attendance code \"" + it.code + "\"");
    return {};
  }
  std::string lesson_id;
  if (is_lesson_item(it)) {
    auto id = lesson_id_for(it);
    if (!id) return id.error();
    if (id->empty()) {
      settle(out, row, ItemResult::failed,
             "the MIS has no lesson of " + it.class_code + " at " + it.start.str() + " on " +
                 it.date.iso());
      return {};
    }
    lesson_id = std::move(*id);
  }
  // Read before write: never over a teacher's mark.
  auto cur = current_mark(it, student);
  if (!cur) return cur.error();
  if (auto verdict = judge_mark(it, *cur, opts_)) {
    settle(out, row, verdict->result, verdict->why);
    return {};
  }
  json::object o;
  if (is_lesson_item(it)) {
    o["lesson_id"] = lesson_id;
    o["student_id"] = student;
    o["attendance_code_id"] = code->second;
    to_post.lesson.push_back({&row, std::move(o), lesson_id, student});
  } else {
    o["date"] = it.date.iso();
    o["session"] = it.session;
    o["student_id"] = student;
    o["attendance_code_id"] = code->second;
    if (!it.comment.empty()) o["comment"] = it.comment;
    to_post.session.push_back({&row, std::move(o), it.date.iso() + "|" + it.session, student});
  }
  return {};
}

Result<void> WondeTarget::prepare_exclusion(const OutboxRow& row, const std::string& student,
                                            Batches& to_post, SendOutcome& out) {
  const auto& it = row.item;
  auto type = attribute_code("type", opts_.behaviour_type);
  if (!type) {
    if (type.error().where.rfind("[writeback]", 0) != 0) return type.error();  // the lookup failed
    settle(out, row, ItemResult::failed, type.error().message + "; " + type.error().fix);
    return {};
  }
  json::object st{{"student_id", student}};
  if (!opts_.behaviour_action.empty()) {
    auto action = attribute_code("action", opts_.behaviour_action);
    if (!action) {
      settle(out, row, ItemResult::failed, action.error().message + "; " + action.error().fix);
      return {};
    }
    st["action"] = *action;
    st["action_date"] = it.date.iso();
  }
  json::object o;
  o["students"] = json::array{std::move(st)};
  o["date"] = it.date.iso();
  o["type"] = *type;
  o["comment"] = exclusion_comment(it);
  to_post.behaviour.push_back({&row, std::move(o), {}, student});
  return {};
}

// Lessons, then sessions, then exclusion records, in batches of batch_size until one says
// stop. An exclusion record goes alone, so a refusal is plainly about that record.
void WondeTarget::post_batches(Batches& to_post, const BeforePost& before_post, SendOutcome& out) {
  bool stop = false;
  auto chunks = [&](Endpoint ep, std::vector<Prepared>& v) {
    const size_t n = ep == Endpoint::behaviour ? 1 : static_cast<size_t>(opts_.batch_size);
    for (size_t i = 0; i < v.size() && !stop; i += n)
      post_all(ep,
               std::vector<Prepared>(v.begin() + static_cast<long>(i),
                                     v.begin() + static_cast<long>(std::min(v.size(), i + n))),
               before_post, out, stop);
  };
  chunks(Endpoint::lesson, to_post.lesson);
  chunks(Endpoint::session, to_post.session);
  chunks(Endpoint::behaviour, to_post.behaviour);
}

}  // namespace iesync
