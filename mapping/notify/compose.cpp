#include "mapping/notify/compose.h"

#include <map>

#include "base/html.h"

namespace iesync {

namespace {

std::string esc(const std::string& s) {
  return html_escape(s);
}

// Only web links become clickable: a javascript: or data: URL from a cache must not.
bool web_link(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

std::string span_words(std::chrono::seconds d) {
  using namespace std::chrono;
  auto n = d.count();
  if (n % 86400 == 0) return std::to_string(n / 86400) + (n == 86400 ? " day" : " days");
  if (n % 3600 == 0) return std::to_string(n / 3600) + (n == 3600 ? " hour" : " hours");
  return std::to_string(n / 60) + (n == 60 ? " minute" : " minutes");
}

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

const char* kHtmlHead =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:"
    "Arial,sans-serif\">";

}  // namespace

std::string day_and_month(Date d) {
  static const char* kDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                "Friday", "Saturday", "Sunday"};
  static const char* kMonths[] = {"January",   "February", "March",    "April",
                                  "May",       "June",     "July",     "August",
                                  "September", "October",  "November", "December"};
  auto ymd = d.ymd();
  return std::string(kDays[d.weekday()]) + " " + std::to_string(unsigned(ymd.day())) + " " +
         kMonths[unsigned(ymd.month()) - 1];
}

std::string what_counts_as_set(const WorkConfig& work) {
  std::string after = work.set_after.count() == 0
                          ? "until the lesson ends"
                          : "until " + span_words(work.set_after) + " after the lesson ends";
  return "Work counts as set when an assignment or material on the class's Classroom course is "
         "published to the pupil (the whole class, or the pupil by name) and is due on the "
         "lesson's date, or is posted from " +
         span_words(work.set_before) + " before the lesson " + after + ".";
}

MailMessage chase_email(const TeacherChase& t, const std::string& key,
                        const std::string& school_name, const WorkConfig& work, TimePoint now) {
  MailMessage m;
  m.key = key;
  m.kind = MailKind::chase;
  m.to_name = t.teacher_name;
  m.to_address = t.email;
  m.date = now;
  std::map<std::string, int> pupils;
  for (const auto& i : t.items) ++pupils[i.student_name];
  std::string who;
  int shown = 0;
  for (const auto& [name, n] : pupils) {
    if (shown == 2) {
      who += " and " + std::to_string(pupils.size() - 2) + " more";
      break;
    }
    who += (shown ? ", " : "") + name;
    ++shown;
  }
  m.subject = "Work to set on Classroom: " + plural(int(t.items.size()), "lesson", "lessons") +
              " missed by a pupil in IE (" + who + ")";

  const std::string intro =
      "A pupil in the internal-exclusion room will miss these lessons of "
      "yours, and no work is set for them on Classroom yet. Please set "
      "work the pupil can do in the room.";
  const std::string rule = what_counts_as_set(work);
  std::string text = "Dear " + t.teacher_name + ",\n\n" + intro + "\n\n";
  std::string html = std::string(kHtmlHead) + "<p>Dear " + esc(t.teacher_name) + ",</p><p>" +
                     esc(intro) +
                     "</p><table border=\"1\" cellpadding=\"4\" style=\"border-collapse:"
                     "collapse\"><tr><th>Pupil</th><th>Reg</th><th>Date</th><th>Time</th>"
                     "<th>Class</th><th>Room</th><th>Classroom</th></tr>";
  for (const auto& i : t.items) {
    std::string cls = i.id.class_code + (i.subject.empty() ? "" : " " + i.subject);
    text += "- " + i.student_name + (i.reg_group.empty() ? "" : " (" + i.reg_group + ")") + ", " +
            day_and_month(i.id.date) + ", " + i.time.str() + ", " + cls +
            (i.room.empty() ? "" : ", room " + i.room) + "\n";
    if (!i.course_link.empty()) text += "  Classroom: " + i.course_link + "\n";
    html += "<tr><td>" + esc(i.student_name) + "</td><td>" + esc(i.reg_group) + "</td><td>" +
            esc(day_and_month(i.id.date)) + "</td><td>" + esc(i.time.str()) + "</td><td>" +
            esc(cls) + "</td><td>" + esc(i.room) + "</td><td>" +
            (web_link(i.course_link) ? "<a href=\"" + esc(i.course_link) + "\">open the course</a>"
                                     : std::string("no course link")) +
            "</td></tr>";
  }
  const std::string sign = "The IE room" +
                           (school_name.empty() ? std::string() : ", " + school_name) +
                           " (sent by iesync)";
  text += "\n" + rule + "\n\n" + sign + "\n";
  html += "</table><p>" + esc(rule) + "</p><p>" + esc(sign) + "</p></body></html>";
  m.text = std::move(text);
  m.html = std::move(html);
  return m;
}

DigestDay digest_day(Date date, const std::vector<IeSession>& sessions,
                     const std::map<std::string, Student>& students) {
  DigestDay d;
  d.date = date;
  std::map<std::string, std::pair<int, int>> per_pupil;  // name -> lessons, not set
  for (const auto& s : sessions) {
    if (s.date != date) continue;
    if (!live_session(s)) {
      if (s.problem.empty()) ++d.cancelled_or_absent;
      continue;
    }
    auto st = students.find(s.student_id);
    std::string name =
        st == students.end()
            ? "Student " + s.student_id
            : st->second.forename + " " + st->second.surname +
                  (st->second.reg_group.empty() ? "" : " (" + st->second.reg_group + ")");
    auto& pp = per_pupil[name];
    for (const auto& l : s.lessons) {
      ++d.lessons;
      ++pp.first;
      switch (l.work.status) {
        case WorkStatus::handed_in:
          ++d.handed_in;
          break;
        case WorkStatus::set:
          ++d.set;
          break;
        case WorkStatus::not_set:
          ++d.not_set;
          ++pp.second;
          break;
        case WorkStatus::no_course:
          ++d.no_course;
          break;
        case WorkStatus::unknown:
          ++d.unknown;
          break;
      }
    }
  }
  d.pupils = int(per_pupil.size());
  for (const auto& [name, n] : per_pupil)
    d.pupil_lines.push_back(name + ": " + plural(n.first, "lesson", "lessons") + ", " +
                            std::to_string(n.second) + " not set");
  return d;
}

namespace {

void day_block(std::string& text, std::string& html, const std::string& title, const DigestDay& d) {
  std::string line = plural(d.pupils, "pupil", "pupils") + " in IE, " +
                     plural(d.lessons, "lesson", "lessons") +
                     " missed: " + std::to_string(d.handed_in) + " handed in, " +
                     std::to_string(d.set) + " set, " + std::to_string(d.not_set) + " not set, " +
                     std::to_string(d.no_course) + " with no Classroom course" +
                     (d.unknown ? ", " + std::to_string(d.unknown) + " unknown" : "") + ".";
  text += title + "\n" + line + "\n";
  html += "<h2>" + esc(title) + "</h2><p>" + esc(line) + "</p>";
  if (!d.pupil_lines.empty()) {
    html += "<ul>";
    for (const auto& p : d.pupil_lines) {
      text += "- " + p + "\n";
      html += "<li>" + esc(p) + "</li>";
    }
    html += "</ul>";
  }
  if (d.cancelled_or_absent) {
    std::string apart = plural(d.cancelled_or_absent, "booking", "bookings") +
                        " cancelled or absent (not counted above).";
    text += apart + "\n";
    html += "<p style=\"color:#777\">" + esc(apart) + "</p>";
  }
  text += "\n";
}

void list_block(std::string& text, std::string& html, const std::string& title,
                const std::vector<std::string>& lines, const std::string& none) {
  text += title + "\n";
  html += "<h2>" + esc(title) + "</h2>";
  if (lines.empty()) {
    text += none + "\n\n";
    html += "<p>" + esc(none) + "</p>";
    return;
  }
  html += "<ul>";
  for (const auto& l : lines) {
    text += "- " + l + "\n";
    html += "<li>" + esc(l) + "</li>";
  }
  html += "</ul>";
  text += "\n";
}

}  // namespace

MailMessage digest_email(const DigestInput& in, const std::string& key, const std::string& to,
                         TimePoint now) {
  MailMessage m;
  m.key = key;
  m.kind = MailKind::digest;
  m.to_address = to;
  m.date = now;
  m.subject = "IE room, " + day_and_month(in.today.date) + ": " +
              plural(in.today.pupils, "pupil", "pupils") + ", " + std::to_string(in.today.not_set) +
              " lesson(s) with no work set";
  std::string text, html = kHtmlHead;
  day_block(text, html, "Today, " + day_and_month(in.today.date), in.today);
  std::string marks =
      std::to_string(in.marks_written) + " mark(s) and record(s) written to the MIS" +
      (in.marks_waiting ? ", " + std::to_string(in.marks_waiting) + " waiting to be sent" : "") +
      ".";
  text += "Marks\n" + marks + "\n\n";
  html += "<h2>Marks</h2><p>" + esc(marks) + "</p>";
  list_block(text, html, "Conflicts and failures", in.conflicts_and_failures, "None.");
  list_block(text, html, "Exports rejected or held", in.export_problems,
             "None: every export was applied.");
  list_block(text, html, "Teachers chased", in.chased, "Nobody needed chasing.");
  list_block(text, html, "Could not chase (no email in the staff export)", in.could_not_chase,
             "Nobody.");
  if (!in.mail_problems.empty())
    list_block(text, html, "Emails not delivered", in.mail_problems, "");
  list_block(text, html, "Review flags (pupils to review, not the service)", in.review_flags,
             "None open.");
  if (in.next_day)
    day_block(text, html, "Next school day, " + day_and_month(in.next_day->date), *in.next_day);
  std::string sign = "Sent by iesync" +
                     (in.school_name.empty() ? std::string() : " for " + in.school_name) +
                     "; the dashboard has the detail.";
  text += sign + "\n";
  html += "<p>" + esc(sign) + "</p></body></html>";
  m.text = std::move(text);
  m.html = std::move(html);
  return m;
}

}  // namespace iesync
