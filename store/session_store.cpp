#include "store/session_store.h"

#include <boost/json.hpp>
#include <map>

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

namespace json = boost::json;

std::string items_to_json(const std::vector<WorkItemView>& items) {
  json::array a;
  for (const auto& i : items) {
    a.push_back(json::object{{"id", i.id},
                             {"title", i.title},
                             {"link", i.link},
                             {"state", i.state},
                             {"due", i.due},
                             {"handed_in", i.handed_in}});
  }
  return json::serialize(a);
}

std::vector<WorkItemView> items_from_json(const std::string& text) {
  std::vector<WorkItemView> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    auto str = [&](const char* k) {
      auto* p = o.if_contains(k);
      return p && p->is_string() ? std::string(p->as_string()) : std::string();
    };
    auto* h = o.if_contains("handed_in");
    out.push_back({str("id"), str("title"), str("link"), str("state"), str("due"),
                   h && h->is_bool() && h->as_bool()});
  }
  return out;
}

std::optional<TimePoint> parse_utc(const std::string& s) {
  // "YYYY-MM-DDTHH:MM:SSZ"
  if (s.size() != 20 || s[10] != 'T' || s[19] != 'Z') return std::nullopt;
  auto d = Date::parse_iso(s.substr(0, 10));
  auto t = TimeOfDay::parse(s.substr(11, 5));
  if (!d || !t) return std::nullopt;
  int sec = (s[17] - '0') * 10 + (s[18] - '0');
  return TimePoint{std::chrono::duration_cast<std::chrono::seconds>(d->days.time_since_epoch()) +
                   std::chrono::minutes{t->minutes} + std::chrono::seconds{sec}};
}

Result<std::vector<IeSession>> load(Store& store, SQLite::Database& db, Date first, Date last) {
  try {
    std::vector<IeSession> out;
    std::map<std::string, size_t> index;
    SQLite::Statement q(db,
                        "SELECT booking_id, student_id, date, start_time, end_time, status, "
                        "room, reason, problem FROM ie_sessions WHERE date BETWEEN ? AND ? "
                        "ORDER BY date, start_time, student_id, booking_id");
    q.bind(1, first.iso());
    q.bind(2, last.iso());
    while (q.executeStep()) {
      IeSession s;
      s.booking_id = q.getColumn(0).getString();
      s.student_id = q.getColumn(1).getString();
      s.date = Date::parse_iso(q.getColumn(2).getString()).value_or(Date{});
      s.window = TimeRange{TimeOfDay::parse(q.getColumn(3).getString()).value_or(TimeOfDay{}),
                           TimeOfDay::parse(q.getColumn(4).getString()).value_or(TimeOfDay{})};
      s.status =
          booking_status_from_name(q.getColumn(5).getString()).value_or(BookingStatus::booked);
      s.room = q.getColumn(6).getString();
      s.reason = q.getColumn(7).getString();
      s.problem = q.getColumn(8).getString();
      index[s.booking_id] = out.size();
      out.push_back(std::move(s));
    }
    SQLite::Statement l(db,
                        "SELECT l.booking_id, class_code, l.start_time, l.end_time, subject, "
                        "teacher, l.room, course_id, work_status, last_known, work_items, "
                        "checked_at, course_ref, materials_checked FROM session_lessons l JOIN "
                        "ie_sessions s USING (booking_id) "
                        "WHERE s.date BETWEEN ? AND ? ORDER BY l.start_time, class_code");
    l.bind(1, first.iso());
    l.bind(2, last.iso());
    while (l.executeStep()) {
      auto it = index.find(l.getColumn(0).getString());
      if (it == index.end()) continue;
      MissedLesson m;
      m.class_code = l.getColumn(1).getString();
      m.time = TimeRange{TimeOfDay::parse(l.getColumn(2).getString()).value_or(TimeOfDay{}),
                         TimeOfDay::parse(l.getColumn(3).getString()).value_or(TimeOfDay{})};
      m.subject = l.getColumn(4).getString();
      m.teacher = l.getColumn(5).getString();
      m.room = l.getColumn(6).getString();
      if (!l.getColumn(7).isNull()) m.course_id = l.getColumn(7).getString();
      if (!l.getColumn(12).isNull()) m.course_ref = l.getColumn(12).getString();
      m.work.status =
          work_status_from_name(l.getColumn(8).getString()).value_or(WorkStatus::unknown);
      if (!l.getColumn(9).isNull())
        m.work.last_known = work_status_from_name(l.getColumn(9).getString());
      m.work.items = items_from_json(l.getColumn(10).getString());
      if (!l.getColumn(11).isNull()) m.work.checked_at = parse_utc(l.getColumn(11).getString());
      m.work.materials_checked = l.getColumn(13).getInt() != 0;
      out[it->second].lessons.push_back(std::move(m));
    }
    return out;
  } catch (const std::exception& e) {
    return store_error(store, "cannot read IE sessions", e);
  }
}

}  // namespace

SessionStore::SessionStore(Store& store) : store_(store), db_(StoreAccess::db(store)) {}

Result<void> SessionStore::save_day(Date d, const std::vector<IeSession>& sessions, TimePoint now) {
  try {
    SQLite::Transaction tx(db_);
    SQLite::Statement del(db_, "DELETE FROM ie_sessions WHERE date = ?");
    del.bind(1, d.iso());
    del.exec();
    SQLite::Statement ins(db_,
                          "INSERT INTO ie_sessions (booking_id, student_id, date, start_time, "
                          "end_time, status, room, reason, problem, updated_at) "
                          "VALUES (?,?,?,?,?,?,?,?,?,?)");
    SQLite::Statement lin(db_,
                          "INSERT OR REPLACE INTO session_lessons (booking_id, class_code, "
                          "start_time, end_time, subject, teacher, room, course_id, work_status, "
                          "last_known, work_items, checked_at, course_ref, materials_checked) "
                          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    const std::string stamp = format_utc(now);
    for (const auto& s : sessions) {
      // A booking moved to another day is stored under its new date only.
      SQLite::Statement moved(db_, "DELETE FROM ie_sessions WHERE booking_id = ?");
      moved.bind(1, s.booking_id);
      moved.exec();
      ins.bind(1, s.booking_id);
      ins.bind(2, s.student_id);
      ins.bind(3, s.date.iso());
      ins.bind(4, s.window.start.str());
      ins.bind(5, s.window.end.str());
      ins.bind(6, booking_status_name(s.status));
      ins.bind(7, s.room);
      ins.bind(8, s.reason);
      ins.bind(9, s.problem);
      ins.bind(10, stamp);
      ins.exec();
      ins.reset();
      for (const auto& l : s.lessons) {
        lin.bind(1, s.booking_id);
        lin.bind(2, l.class_code);
        lin.bind(3, l.time.start.str());
        lin.bind(4, l.time.end.str());
        lin.bind(5, l.subject);
        lin.bind(6, l.teacher);
        lin.bind(7, l.room);
        if (l.course_id)
          lin.bind(8, *l.course_id);
        else
          lin.bind(8);
        lin.bind(9, work_status_name(l.work.status));
        if (l.work.last_known)
          lin.bind(10, work_status_name(*l.work.last_known));
        else
          lin.bind(10);
        lin.bind(11, items_to_json(l.work.items));
        if (l.work.checked_at)
          lin.bind(12, format_utc(*l.work.checked_at));
        else
          lin.bind(12);
        if (l.course_ref)
          lin.bind(13, *l.course_ref);
        else
          lin.bind(13);
        lin.bind(14, l.work.materials_checked ? 1 : 0);
        lin.exec();
        lin.reset();
      }
    }
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return store_error(store_, "cannot save IE sessions for " + d.iso(), e);
  }
}

Result<std::vector<IeSession>> SessionStore::load_day(Date d) {
  return load(store_, db_, d, d);
}

Result<std::vector<IeSession>> SessionStore::load_range(Date first, Date last) {
  return load(store_, db_, first, last);
}

}  // namespace iesync
