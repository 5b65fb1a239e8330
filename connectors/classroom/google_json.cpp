#include "connectors/classroom/google_json.h"

#include <charconv>

namespace iesync {

namespace json = boost::json;
using namespace std::chrono;

std::string str_member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return {};
  return std::string(v->as_string());
}

namespace {

// Google sends these as small integers. Anything else (2.5, 1e300, a number past 10^9 that
// would wrap when narrowed) is -1, which every caller treats as invalid.
long long int_member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64())
    return v->as_uint64() > 1'000'000'000u ? -1 : static_cast<long long>(v->as_uint64());
  if (v->is_double()) {
    double d = v->as_double();
    if (!(d >= -1e9 && d <= 1e9) || d != static_cast<double>(static_cast<long long>(d))) return -1;
    return static_cast<long long>(d);
  }
  return 0;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto r = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return r.ec == std::errc{} && r.ptr == s.data() + pos + n;
}

}  // namespace

std::string describe_google_error(const HttpResponse& resp) {
  std::string out = std::to_string(resp.status);
  boost::system::error_code ec;
  auto v = json::parse(resp.body, ec);
  if (!ec && v.is_object()) {
    auto& o = v.as_object();
    if (auto* e = o.if_contains("error")) {
      if (e->is_object()) {
        auto status = str_member(e->as_object(), "status");
        auto message = str_member(e->as_object(), "message");
        if (!status.empty()) out += " " + status;
        if (!message.empty()) out += ": " + message;
        return out;
      }
      if (e->is_string()) {  // the OAuth token endpoint's form
        out += " " + std::string(e->as_string());
        auto d = str_member(o, "error_description");
        if (!d.empty()) out += ": " + d;
        return out;
      }
    }
  }
  if (!resp.body.empty()) {
    std::string head = resp.body.substr(0, 120);
    for (char& c : head)
      if (c == '\n' || c == '\r') c = ' ';
    out += ": " + head;
  }
  return out;
}

bool is_insufficient_scope(const HttpResponse& resp) {
  if (resp.status != 403) return false;
  boost::system::error_code ec;
  auto v = json::parse(resp.body, ec);
  if (ec || !v.is_object()) return false;
  auto* e = v.as_object().if_contains("error");
  if (!e || !e->is_object()) return false;
  const auto& err = e->as_object();
  if (auto* details = err.if_contains("details"); details && details->is_array())
    for (const auto& d : details->as_array())
      if (d.is_object() && str_member(d.as_object(), "reason") == "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
        return true;
  return str_member(err, "message").find("insufficient authentication scopes") != std::string::npos;
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  int offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset = (oh * 60 + om) * 60 * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  return TimePoint{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{se} -
                   seconds{offset}};
}

std::optional<TimePoint> join_due(const json::value* due_date, const json::value* due_time) {
  if (!due_date || !due_date->is_object()) return std::nullopt;
  auto& dd = due_date->as_object();
  auto y = int_member(dd, "year"), mo = int_member(dd, "month"), d = int_member(dd, "day");
  // A partial date (month 0 or day 0) names no day; nor does a year outside google.type.Date's.
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  year_month_day ymd{year{int(y)}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto day_start = TimePoint{sys_days{ymd}.time_since_epoch()};
  if (!due_time || !due_time->is_object()) return day_start + hours{12};
  auto& dt = due_time->as_object();
  // hours may be 24 ("24:00:00", end of day) per google.type.TimeOfDay.
  auto h = int_member(dt, "hours"), m = int_member(dt, "minutes"), s = int_member(dt, "seconds");
  if (h < 0 || h > 24 || m < 0 || m > 59 || s < 0 || s > 60) return std::nullopt;
  return day_start + hours{h} + minutes{m} + seconds{s};
}

Result<json::value> parse_json(std::string_view body, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec)
    return make_error(std::string(what),
                      "Google sent a reply that is not valid JSON (" + ec.message() + ", " +
                          std::to_string(body.size()) + " bytes)",
                      "usually a network problem between the school and Google; it is retried "
                      "next cycle");
  if (!v.is_object())
    return make_error(std::string(what), "Google sent JSON that is not an object");
  return v;
}

CourseWork parse_course_work(const json::object& o, std::string_view course_id) {
  CourseWork w;
  w.course_id = str_member(o, "courseId");
  if (w.course_id.empty()) w.course_id = std::string(course_id);
  w.id = str_member(o, "id");
  w.title = str_member(o, "title");
  w.state = str_member(o, "state");
  w.link = str_member(o, "alternateLink");
  w.due = join_due(o.if_contains("dueDate"), o.if_contains("dueTime"));
  if (auto t = str_member(o, "scheduledTime"); !t.empty()) w.scheduled = parse_rfc3339(t);
  if (auto t = str_member(o, "creationTime"); !t.empty()) w.created = parse_rfc3339(t);
  w.assignee_mode = str_member(o, "assigneeMode");
  if (w.assignee_mode.empty()) w.assignee_mode = "ALL_STUDENTS";  // the documented default
  if (auto* opts = o.if_contains("individualStudentsOptions"); opts && opts->is_object()) {
    if (auto* ids = opts->as_object().if_contains("studentIds"); ids && ids->is_array())
      for (auto& id : ids->as_array())
        if (id.is_string()) w.individual_students.emplace_back(id.as_string());
  }
  return w;
}

CourseWork parse_material(const json::object& o, std::string_view course_id) {
  CourseWork m = parse_course_work(o, course_id);
  m.due.reset();  // a material has nothing to hand in, so no due date
  return m;
}

Submission parse_submission(const json::object& o, std::string_view course_id) {
  Submission s;
  s.course_id = str_member(o, "courseId");
  if (s.course_id.empty()) s.course_id = std::string(course_id);
  s.coursework_id = str_member(o, "courseWorkId");
  s.user_id = str_member(o, "userId");
  s.state = str_member(o, "state");
  if (auto t = str_member(o, "updateTime"); !t.empty()) s.updated = parse_rfc3339(t);
  return s;
}

}  // namespace iesync
