#include "daemon/status/dashboard.h"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "base/clock.h"
#include "daemon/status/actions.h"
#include "daemon/status/json_fields.h"
#include "mapping/timezone.h"

namespace iesync {

namespace json = boost::json;

namespace {

constexpr std::array<const char*, 7> kDays{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                           "Friday", "Saturday", "Sunday"};
constexpr std::array<const char*, 12> kMonths{"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};

std::string day_month(Date d) {
  auto ymd = d.ymd();
  return std::string(kDays[d.weekday()]) + " " + std::to_string(unsigned(ymd.day())) + " " +
         kMonths[unsigned(ymd.month()) - 1];
}

using json_fields::arr;
using json_fields::num;
using json_fields::obj;
using json_fields::str;

TimeZone school_zone(const StatusSnapshot& s) {
  return TimeZone::named(s.timezone).value_or(TimeZone::london());
}

TimePoint to_seconds(StatusSnapshot::TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

// "2026-11-23T09:00:00Z" (format_utc) -> the instant; nullopt for anything else.
std::optional<TimePoint> parse_utc(std::string_view s) {
  if (s.size() != 20 || s[10] != 'T' || s[19] != 'Z') return std::nullopt;
  auto d = Date::parse_iso(s.substr(0, 10));
  auto t = TimeOfDay::parse(s.substr(11, 5));
  if (!d || !t || s[16] != ':' || s[17] < '0' || s[17] > '5' || s[18] < '0' || s[18] > '9')
    return std::nullopt;
  return TimePoint{d->days} + std::chrono::minutes{t->minutes} +
         std::chrono::seconds{(s[17] - '0') * 10 + (s[18] - '0')};
}

std::string plural(long long n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

std::string ago(std::chrono::seconds d) {
  if (d.count() < 0) return "just now";
  auto m = std::chrono::duration_cast<std::chrono::minutes>(d).count();
  if (m < 1) return "less than a minute ago";
  if (m < 60) return plural(m, "minute") + " ago";
  if (m < 48 * 60) return plural(m / 60, "hour") + " ago";
  return plural(m / (24 * 60), "day") + " ago";
}

// "09:15" today, "Friday 20 November 15:30" another day, in school time.
std::string local_when(TimePoint t, const StatusSnapshot& s) {
  auto tz = school_zone(s);
  auto l = tz.to_local(t);
  if (l.date == tz.to_local(to_seconds(s.now)).date) return l.time.str();
  return day_month(l.date) + " " + l.time.str();
}

// The next open day either way; a calendar closed for a whole long holiday still ends, and
// one with no open day at all (misconfigured) gives the neighbouring weekday.
Date next_school_day(const Calendar* cal, Date d, int step) {
  Date start = d;
  for (int i = 0; i < 366; ++i) {
    d = d.plus_days(step);
    if (cal ? cal->is_open(d) : d.weekday() < 5) return d;
  }
  return start.plus_days(step);
}

std::string work_words(const std::string& status) {
  if (status == "handed_in") return "Handed in";
  if (status == "set") return "Set, not handed in";
  if (status == "not_set") return "Not set";
  if (status == "no_course") return "No Classroom course";
  if (status == "unknown") return "Unknown";
  return status.empty() ? "Not known" : status;
}

std::string submission_words(const std::string& state) {
  if (state == "TURNED_IN") return "handed in";
  if (state == "RETURNED") return "handed in and returned";
  if (state == "NEW" || state == "CREATED") return "not handed in";
  if (state == "RECLAIMED_BY_STUDENT") return "taken back by the student, not handed in";
  if (state == "NONE") return "no submission";
  if (state == "MATERIAL") return "material, nothing to hand in";
  return state;
}

std::string outbox_words(const std::string& state) {
  if (state == "pending") return "queued, sending";
  if (state == "sent") return "sent to the MIS";
  if (state == "confirmed") return "confirmed by the MIS";
  if (state == "conflict") return "not written: the MIS already holds another mark";
  if (state == "failed") return "failed to send; the IT admin can retry it (iesync outbox)";
  if (state == "superseded") return "replaced by a later mark";
  if (state == "discarded") return "discarded by the IT admin";
  return state;
}

std::string mark_words(const json::object& mark) {
  const std::string code = str(mark, "code");
  const std::string state = str(mark, "state");
  const std::string quoted = code.empty() ? "the mark" : "\"" + code + "\"";
  if (state == "planned") return "Will write " + quoted + " when the lesson starts";
  if (state == "due") return "Writes " + quoted + " at the next sync";
  if (state == "not written") return "No mark written (not in IE)";
  if (state.starts_with("retraction "))
    return "Mark withdrawn: " + outbox_words(state.substr(std::string_view("retraction ").size()));
  if (state.empty()) return "No mark";
  auto w = outbox_words(state);
  return quoted + " " + w;
}

std::string status_words(const std::string& s) {
  if (s == "booked") return "Booked";
  if (s == "attended") return "Attended";
  if (s == "absent") return "Absent";
  if (s == "cancelled") return "Cancelled";
  return s;
}

bool in_room(const json::object& session) {
  auto s = str(session, "status");
  return s != "absent" && s != "cancelled";
}

std::string safe_link(const std::string& url) {
  // Only web links: a javascript: or data: URL in a title must never become clickable.
  return url.starts_with("https://") || url.starts_with("http://") ? url : std::string();
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
header,main,nav{max-width:72rem;margin:0 auto;padding:.5rem 1rem}
header{border-bottom:1px solid #ccc}
h1{font-size:1.4rem;margin:.4rem 0}
h2{font-size:1.2rem;margin:1.2rem 0 .4rem}
h3{font-size:1.05rem;margin:.8rem 0 .2rem}
.ok{color:#0a6b2d}.bad{color:#a4000f;font-weight:bold}
.warnings li{color:#8a4b00}
.degraded{color:#8a4b00;font-weight:bold}
.held{background:#fff7d6;border:2px solid #8a4b00;padding:.2rem 1rem;margin:.5rem 0}
nav form{display:inline-block;margin:0 1rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.3rem 0 1rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eceae4}
.w-handed_in{background:#e3f4e6}.w-set{background:#fff7d6}.w-not_set{background:#fde2e1}
.w-unknown{background:#ececec}
.apart{color:#777}.apart table{background:#f3f3f3}.chased{color:#555}
.chase{background:#fff;border:2px solid #a4000f;padding:.2rem 1rem;margin:1rem 0}
.student{background:#fff;border:1px solid #ccc;padding:.2rem 1rem;margin:.8rem 0}
.flag{background:#fde2e1}.flags li{margin:.3rem 0}
.problem{color:#a4000f}
ul.items{margin:.2rem 0;padding-left:1.1rem}
)";

class Page {
 public:
  explicit Page(const StatusSnapshot& s) : s_(s) {}

  void open(Date date) {
    out_ +=
        "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
    out_ += "<title>IE room, " + html_escape(day_month(date)) + " - " +
            html_escape(s_.school_name.empty() ? std::string("iesync") : s_.school_name) +
            "</title>";
    out_ += "<style>" + std::string(kStyle) + "</style></head><body>\n";
    header();
    nav(date);
    out_ += "<main>\n<h2 id=\"day\">" + html_escape(dashboard_date(date)) + "</h2>\n";
  }

  void close() {
    out_ += "</main>\n<footer><p style=\"text-align:center;color:#666\">iesync " +
            html_escape(s_.version) + "</p></footer>" + dashboard_actions_script() +
            "</body></html>\n";
  }

  std::string& out() { return out_; }

 private:
  void header() {
    out_ += "<header><h1>" +
            html_escape(s_.school_name.empty() ? std::string("iesync") : s_.school_name) +
            ": internal exclusion</h1>\n<p id=\"health\">";
    if (s_.degraded())
      out_ += "<span class=\"degraded\">Degraded</span>";
    else if (s_.healthy())
      out_ += "<span class=\"ok\">Healthy</span>";
    else
      out_ += "<span class=\"bad\">Not healthy</span>";
    out_ += " &middot; ";
    if (s_.last_success) {
      out_ += "last sync " + html_escape(local_when(to_seconds(*s_.last_success), s_)) + ", " +
              ago(std::chrono::duration_cast<std::chrono::seconds>(s_.now - *s_.last_success));
    } else {
      out_ += "no successful sync since iesync started";
    }
    if (!s_.healthy()) {
      auto limit = std::chrono::duration_cast<std::chrono::minutes>(3 * s_.interval).count();
      out_ += " (the page may be out of date: syncs should succeed at least every " +
              std::to_string(limit) + " minutes; tell the IT admin)";
    }
    if (s_.cycle_running)
      out_ += " &middot; a sync is running now";
    else if (s_.next_cycle)
      out_ += " &middot; next sync " + html_escape(local_when(to_seconds(*s_.next_cycle), s_));
    out_ += "</p>\n";
    out_ += dashboard_actions_html(s_.notify_enabled);
    held_exports();
    // A held export has its own block above; its warning line would only say it again.
    std::vector<const std::string*> others;
    for (auto& w : s_.warnings)
      if (std::none_of(s_.held_exports.begin(), s_.held_exports.end(),
                       [&](const HeldExport& h) { return held_export_warning(h) == w; }))
        others.push_back(&w);
    if (!others.empty()) {
      out_ += "<ul class=\"warnings\" id=\"warnings\">";
      for (auto* w : others) out_ += "<li>" + html_escape(*w) + "</li>";
      out_ += "</ul>\n";
    }
    out_ += "</header>\n";
  }

  // The page the behaviour lead reads shows whose IE is missing from it: a held students
  // export means new pupils are not on it, a held memberships export means lessons are stale.
  void held_exports() {
    if (s_.held_exports.empty()) return;
    out_ += "<section class=\"held\" id=\"held\"><h2>An export is held back</h2>\n";
    for (auto& h : s_.held_exports) {
      out_ += "<p>The new <strong>" + html_escape(h.feed) +
              "</strong> export was not applied: " + html_escape(h.reason) +
              ". This page still uses the old list.</p>\n";
    }
    out_ += "<p>If the drop is real (a new school year, say), the IT admin applies it with <code>" +
            html_escape(kApplyHeldCommand) +
            "</code>; otherwise the export needs correcting in the MIS. This notice stays until "
            "the export is applied or replaced.</p>\n</section>\n";
  }

  void nav(Date date) {
    auto prev = next_school_day(s_.calendar.get(), date, -1),
         next = next_school_day(s_.calendar.get(), date, 1);
    out_ += "<nav><a href=\"/?date=" + prev.iso() + "\" rel=\"prev\">&larr; " +
            html_escape(day_month(prev)) + "</a>";
    out_ +=
        "<form method=\"get\" action=\"/\"><label for=\"date\">Day </label>"
        "<input type=\"date\" id=\"date\" name=\"date\" value=\"" +
        date.iso() + "\" required> <button type=\"submit\">Show</button></form>";
    out_ += "<a href=\"/?date=" + next.iso() + "\" rel=\"next\">" + html_escape(day_month(next)) +
            " &rarr;</a>";
    if (date != s_.today) out_ += " &middot; <a href=\"/\">Today</a>";
    out_ += "</nav>\n";
  }

  const StatusSnapshot& s_;
  std::string out_;
};

struct ChaseEntry {
  TimeOfDay start;
  std::string text;  // already escaped
};

std::string time_range(const json::object& o) {
  return str(o, "start") + "\xe2\x80\x93" + str(o, "end");  // en dash
}

std::string student_label(const json::object& student) {
  auto name = str(student, "name");
  if (name.empty()) name = str(student, "id");
  auto reg = str(student, "reg_group");
  return reg.empty() ? name : name + " (" + reg + ")";
}

void chase_list(std::string& out, const json::array& sessions, Date date, const StatusSnapshot& s) {
  auto tz = school_zone(s);
  const TimePoint now = to_seconds(s.now);
  std::map<std::string, std::vector<ChaseEntry>> by_teacher;
  bool any_to_come = false;
  for (auto& sv : sessions) {
    if (!sv.is_object() || !in_room(sv.as_object())) continue;
    const auto& session = sv.as_object();
    for (auto& lv : arr(session, "lessons")) {
      if (!lv.is_object()) continue;
      const auto& lesson = lv.as_object();
      auto start = TimeOfDay::parse(str(lesson, "start"));
      // Only lessons still to come: work set after a lesson began is too late to chase.
      if (!start || tz.to_utc(date, *start) <= now) continue;
      any_to_come = true;
      if (str(obj(lesson, "work"), "status") != "not_set") continue;
      auto teacher = str(lesson, "teacher");
      if (teacher.empty()) teacher = "Teacher not known";
      auto subject = str(lesson, "subject");
      by_teacher[teacher].push_back(
          {*start, html_escape(time_range(lesson)) + " &middot; " +
                       html_escape(str(lesson, "class")) +
                       (subject.empty() ? "" : " " + html_escape(subject)) + " &middot; " +
                       html_escape(student_label(obj(session, "student")))});
    }
  }
  out += "<section class=\"chase\" id=\"chase\"><h2>Who to chase</h2>\n";
  if (by_teacher.empty()) {
    out += any_to_come
               ? "<p>Nobody: every lesson still to come has work set or no Classroom course.</p>\n"
               : "<p>Nobody: no lessons are still to come on this day.</p>\n";
  } else {
    out += "<p>Teachers with no work set on Classroom for lessons still to come:</p>\n";
    for (auto& [teacher, entries] : by_teacher) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](const ChaseEntry& a, const ChaseEntry& b) { return a.start < b.start; });
      out += "<h3>" + html_escape(teacher) + "</h3><ul>";
      for (auto& e : entries) out += "<li>" + e.text + "</li>";
      out += "</ul>\n";
    }
  }
  out += "</section>\n";
}

std::string local_hm_of_utc(const std::string& utc, const StatusSnapshot& s) {
  auto t = parse_utc(utc);
  return t ? local_when(*t, s) : utc;
}

void work_cell(std::string& out, const json::object& work, const StatusSnapshot& s) {
  auto status = str(work, "status");
  out += "<td class=\"w-" + html_escape(status) + "\">" + html_escape(work_words(status));
  if (status == "unknown") {
    auto last = str(work, "last_known");
    out += " (Classroom not reached; last known: " +
           html_escape(last.empty() ? std::string("nothing yet") : work_words(last));
    auto checked = str(work, "checked_at");
    if (!checked.empty()) out += ", checked " + html_escape(local_hm_of_utc(checked, s));
    out += ")";
  }
  if (auto* mc = work.if_contains("materials_checked"); mc && mc->is_bool() && !mc->as_bool())
    out += " (Classroom materials could not be checked; the IT admin can see why in the sync log)";
  const auto& items = arr(work, "items");
  if (!items.empty()) {
    out += "<ul class=\"items\">";
    for (auto& iv : items) {
      if (!iv.is_object()) continue;
      const auto& item = iv.as_object();
      auto title = str(item, "title");
      if (title.empty()) title = "Classroom work";
      auto link = safe_link(str(item, "link"));
      out += "<li>";
      if (!link.empty())
        out += "<a href=\"" + html_escape(link) + "\">" + html_escape(title) + "</a>";
      else
        out += html_escape(title);
      out += ": " + html_escape(submission_words(str(item, "state")));
      auto due = str(item, "due");
      if (!due.empty()) out += ", due " + html_escape(due);
      out += "</li>";
    }
    out += "</ul>";
  }
  out += "</td>";
}

void student_section(std::string& out, const json::object& session, const StatusSnapshot& s) {
  const auto& student = obj(session, "student");
  auto name = str(student, "name");
  if (name.empty()) name = "Student " + str(student, "id");
  out += "<article class=\"student\"><h3>" + html_escape(name) + "</h3>\n<p>";
  std::vector<std::string> facts;
  if (auto y = str(student, "year"); !y.empty()) facts.push_back("Year " + y);
  if (auto r = str(student, "reg_group"); !r.empty()) facts.push_back("reg " + r);
  if (auto r = str(session, "room"); !r.empty()) facts.push_back(r);
  if (auto r = str(session, "reason"); !r.empty()) facts.push_back("reason " + r);
  facts.push_back("booked " + time_range(session));
  if (auto st = str(session, "status"); !st.empty()) facts.push_back(status_words(st));
  for (std::size_t i = 0; i < facts.size(); ++i)
    out += (i ? " &middot; " : "") + html_escape(facts[i]);
  out += "</p>\n";
  if (auto p = str(session, "problem"); !p.empty())
    out += "<p class=\"problem\">" + html_escape(p) + "</p>\n";
  const auto& lessons = arr(session, "lessons");
  if (lessons.empty()) {
    if (str(session, "problem").empty()) out += "<p>No lessons missed.</p>\n";
    out += "</article>\n";
    return;
  }
  out +=
      "<table><thead><tr><th>Time</th><th>Class</th><th>Subject</th><th>Teacher</th>"
      "<th>Work on Classroom</th><th>Mark</th></tr></thead><tbody>\n";
  for (auto& lv : lessons) {
    if (!lv.is_object()) continue;
    const auto& l = lv.as_object();
    // When the teacher was emailed to set work for it (SPEC §9): "chased 15:45".
    auto chased = str(l, "chased_at");
    out += "<tr><td>" + html_escape(time_range(l)) + "</td><td>" + html_escape(str(l, "class")) +
           "</td><td>" + html_escape(str(l, "subject")) + "</td><td>" +
           html_escape(str(l, "teacher")) +
           (chased.empty() ? std::string()
                           : "<br><small class=\"chased\">chased " +
                                 html_escape(local_hm_of_utc(chased, s)) + "</small>") +
           "</td>";
    work_cell(out, obj(l, "work"), s);
    out += "<td>" + html_escape(mark_words(obj(l, "mark"))) + "</td></tr>\n";
  }
  out += "</tbody></table></article>\n";
}

void summary_line(std::string& out, const json::object& summary) {
  auto n = num(summary, "students");
  out += "<p id=\"summary\">" + plural(n, "student") + " in IE, " +
         plural(num(summary, "lessons"), "lesson") +
         " missed: " + std::to_string(num(summary, "handed_in")) + " handed in, " +
         std::to_string(num(summary, "set")) + " set and not handed in, " +
         std::to_string(num(summary, "not_set")) + " not set, " +
         std::to_string(num(summary, "no_course")) + " with no Classroom course";
  if (auto u = num(summary, "unknown")) out += ", " + std::to_string(u) + " unknown";
  out += ".</p>\n";
}

}  // namespace

std::string dashboard_date(Date d) {
  return day_month(d) + " " + std::to_string(int(d.ymd().year()));
}

std::string render_dashboard(const json::object& plan, Date date, const StatusSnapshot& snap,
                             const json::object* impact) {
  Page page(snap);
  page.open(date);
  auto& out = page.out();
  const auto& sessions = arr(plan, "sessions");
  if (sessions.empty()) {
    out +=
        "<p id=\"empty\">No one is booked into IE on " + html_escape(day_month(date)) + ".</p>\n";
  } else {
    summary_line(out, obj(plan, "summary"));
    chase_list(out, sessions, date, snap);
    out += "<section id=\"students\"><h2>Students</h2>\n";
    for (auto& sv : sessions)
      if (sv.is_object() && in_room(sv.as_object())) student_section(out, sv.as_object(), snap);
    out += "</section>\n";
    // Cancelled and absent bookings: listed apart, greyed, at the end; never counted above.
    bool any_apart = false;
    for (auto& sv : sessions) {
      if (!sv.is_object() || in_room(sv.as_object())) continue;
      if (!any_apart)
        out += "<section id=\"apart\" class=\"apart\"><h2>Cancelled or absent (not counted)</h2>\n";
      any_apart = true;
      student_section(out, sv.as_object(), snap);
    }
    if (any_apart) out += "</section>\n";
  }
  if (impact) render_impact_section(out, *impact);
  page.close();
  return std::move(out);
}

std::string render_dashboard_error(Date date, const StatusSnapshot& snap, const Error& error) {
  Page page(snap);
  page.open(date);
  page.out() += "<p class=\"problem\" id=\"error\">The plan for this day could not be read: " +
                html_escape(error.to_string()) +
                "</p>\n<p>Try again in a minute; if it persists, "
                "tell the IT admin (sync.log has the details).</p>\n";
  page.close();
  return std::move(page.out());
}

}  // namespace iesync
