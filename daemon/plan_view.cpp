#include "daemon/plan_view.h"

#include <map>
#include <set>
#include <sstream>

#include "mapping/calendar.h"
#include "mapping/marks.h"
#include "mapping/notify/chase.h"
#include "mapping/shown_text.h"
#include "mapping/timezone.h"
#include "store/mis_store.h"
#include "store/notify_queue.h"
#include "store/outbox.h"
#include "store/session_store.h"

namespace iesync {

namespace json = boost::json;

namespace {

// The state of a mark as the behaviour lead sees it: the outbox state once queued,
// "planned" before it falls due, "due" when the next cycle will queue it.
std::string mark_state(Outbox& outbox, const std::string& key, bool due, bool later) {
  auto row = outbox.find(key);
  if (row && *row) return outbox_state_name((*row)->state);
  if (due) return "due";
  if (later) return "planned";
  return "none";
}

json::value chased_at_of(const std::map<ChasedLesson, std::string>& chased, const ChasedLesson& c) {
  auto it = chased.find(c);
  return it == chased.end() ? json::value(nullptr) : json::value(it->second);
}

}  // namespace

Result<json::object> build_plan(const Config& cfg, Store& store, Date date, Clock& clock) {
  const TimePoint now = clock.now();
  auto tz = TimeZone::named(cfg.school.timezone).value_or(TimeZone::london());
  auto cal = Calendar::build(cfg.mapping.calendar);
  if (!cal) return cal.error();
  SessionStore sessions_db(store);
  auto sessions = sessions_db.load_day(date);
  if (!sessions) return sessions.error();
  MisStore mis(store);
  std::map<std::string, std::string> staff_names;
  auto staff = mis.staff();
  if (!staff) return staff.error();
  for (const auto& s : *staff) staff_names[s.code] = s.name;
  Outbox outbox(store, clock);
  // When each lesson's teacher was chased for it (SPEC §9); empty when notify never ran.
  NotifyQueue notify(store, clock);
  std::map<ChasedLesson, std::string> chased;
  if (auto c = notify.chased_between(date, date)) chased = std::move(*c);

  json::array out_sessions;
  std::set<std::string> students;
  std::map<WorkStatus, int> counts;
  int lessons_total = 0;
  for (const auto& s : *sessions) {
    auto found = mis.student(s.student_id);
    if (!found) return found.error();
    const auto& st = *found;
    auto plan = plan_writes(s, cfg.mapping.codes, cal->pm().end, tz, now);
    std::set<std::string> due, later;
    for (auto& w : plan.due) due.insert(w.key);
    for (auto& w : plan.later) later.insert(w.key);

    json::array lessons;
    for (const auto& l : s.lessons) {
      json::array items;
      for (const auto& i : l.work.items)
        items.push_back(
            json::object{{"id", i.id},
                         {"title", i.title},
                         {"link", i.link},
                         {"state", i.state},
                         {"due", i.due.empty() ? json::value(nullptr) : json::value(i.due)}});
      json::object work{{"status", work_status_name(l.work.status)}, {"items", std::move(items)}};
      work["checked_at"] =
          l.work.checked_at ? json::value(format_utc(*l.work.checked_at)) : json::value(nullptr);
      if (l.work.last_known) work["last_known"] = work_status_name(*l.work.last_known);
      // Only when false: the course's materials could not be read, so the status goes by
      // assignments alone.
      if (!l.work.materials_checked) work["materials_checked"] = false;
      auto key = write_key(s.student_id, s.date, l.class_code + "@" + l.time.start.str(),
                           WriteKind::lesson_mark);
      std::string state = mark_state(outbox, key, due.count(key) > 0, later.count(key) > 0);
      if (s.status == BookingStatus::absent || s.status == BookingStatus::cancelled) {
        auto rkey = retraction_key_for(key);
        auto r = outbox.find(rkey);
        state =
            (r && *r) ? std::string("retraction ") + outbox_state_name((*r)->state) : "not written";
      }
      std::string teacher = l.teacher;
      if (auto it = staff_names.find(l.teacher); it != staff_names.end() && !it->second.empty())
        teacher = it->second + " (" + l.teacher + ")";
      lessons.push_back(json::object{
          {"class", l.class_code},
          {"subject", l.subject},
          {"teacher", teacher},
          {"room", l.room},
          {"start", l.time.start.str()},
          {"end", l.time.end.str()},
          {"course_id", l.course_id ? json::value(*l.course_id) : json::value(nullptr)},
          {"work", std::move(work)},
          {"chased_at", chased_at_of(chased, ChasedLesson{l.teacher, s.date, l.class_code,
                                                          l.time.start, s.student_id})},
          {"mark", json::object{{"code", cfg.mapping.codes.lesson}, {"state", state}}}});
      // Cancelled and absent bookings are listed, never counted (nor chased).
      if (live_session(s)) {
        ++lessons_total;
        ++counts[l.work.status];
      }
    }
    if (live_session(s)) students.insert(s.student_id);
    json::object student{{"id", s.student_id},
                         {"name", st ? st->forename + " " + st->surname : std::string("(unknown)")},
                         {"year", st ? st->year : std::string()},
                         {"reg_group", st ? st->reg_group : std::string()}};
    json::object session{{"booking_id", s.booking_id},
                         {"student", std::move(student)},
                         {"start", s.window.start.str()},
                         {"end", s.window.end.str()},
                         {"status", booking_status_name(s.status)},
                         {"room", s.room},
                         {"reason", s.reason},
                         {"lessons", std::move(lessons)}};
    if (!s.problem.empty()) session["problem"] = s.problem;
    out_sessions.push_back(std::move(session));
  }
  json::object summary{{"students", students.size()},
                       {"lessons", lessons_total},
                       {"handed_in", counts[WorkStatus::handed_in]},
                       {"set", counts[WorkStatus::set]},
                       {"not_set", counts[WorkStatus::not_set]},
                       {"no_course", counts[WorkStatus::no_course]},
                       {"unknown", counts[WorkStatus::unknown]}};
  return json::object{{"date", date.iso()},
                      {"generated_at", format_utc(now)},
                      {"sessions", std::move(out_sessions)},
                      {"summary", std::move(summary)}};
}

namespace {
// Every text in the plan may have come from an export: a terminal gets it escaped.
std::string str(const json::value& v) {
  if (v.is_string()) return shown(v.as_string());
  if (v.is_null()) return "";
  return json::serialize(v);
}
std::string pad(std::string s, size_t w) {
  if (s.size() > w) {
    // Cut at a character boundary: half a UTF-8 sequence would show as garbage.
    size_t cut = w - 1;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "~";
  }
  s.resize(w, ' ');
  return s;
}
}  // namespace

std::string render_plan_text(const json::object& plan) {
  std::ostringstream o;
  const auto& sessions = plan.at("sessions").as_array();
  o << "IE plan for " << str(plan.at("date")) << " (generated " << str(plan.at("generated_at"))
    << ")\n";
  if (sessions.empty()) {
    o << "\nNo IE sessions are booked for this day.\n";
    return o.str();
  }
  for (const auto& sv : sessions) {
    const auto& s = sv.as_object();
    const auto& st = s.at("student").as_object();
    o << "\n"
      << str(st.at("name")) << " (" << str(st.at("id")) << ", Year " << str(st.at("year")) << ", "
      << str(st.at("reg_group")) << ")  " << str(s.at("start")) << "-" << str(s.at("end")) << "  "
      << str(s.at("status")) << "  booking " << str(s.at("booking_id"));
    if (!str(s.at("reason")).empty()) o << "  reason " << str(s.at("reason"));
    o << "\n";
    if (auto* p = s.if_contains("problem")) {
      o << "  ! " << str(*p) << "\n";
      continue;
    }
    const auto& lessons = s.at("lessons").as_array();
    if (lessons.empty()) o << "  (no timetabled lessons in this window)\n";
    for (const auto& lv : lessons) {
      const auto& l = lv.as_object();
      const auto& w = l.at("work").as_object();
      std::string work = str(w.at("status"));
      if (auto* lk = w.if_contains("last_known")) work += " (last known: " + str(*lk) + ")";
      const auto& m = l.at("mark").as_object();
      o << "  " << str(l.at("start")) << "-" << str(l.at("end")) << "  "
        << pad(str(l.at("class")), 10) << " " << pad(str(l.at("subject")), 14) << " "
        << pad(str(l.at("teacher")), 22) << " " << pad(work, 22) << " mark " << str(m.at("code"))
        << " " << str(m.at("state"));
      if (w.contains("materials_checked")) o << "  (materials not checked)";
      o << "\n";
    }
  }
  const auto& sum = plan.at("summary").as_object();
  o << "\n"
    << str(sum.at("students")) << " student(s), " << str(sum.at("lessons"))
    << " lesson(s): " << str(sum.at("handed_in")) << " handed in, " << str(sum.at("set"))
    << " set, " << str(sum.at("not_set")) << " not set, " << str(sum.at("no_course"))
    << " no course, " << str(sum.at("unknown")) << " unknown\n";
  return o.str();
}

}  // namespace iesync
