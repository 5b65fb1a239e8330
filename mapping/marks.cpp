#include "mapping/marks.h"

namespace iesync {

namespace {

std::string comment_for(const IeSession& s) {
  return "Internal exclusion (booking " + s.booking_id + ")";
}

WriteItem lesson_mark(const IeSession& s, const MissedLesson& l, const CodesConfig& codes) {
  WriteItem w;
  w.kind = WriteKind::lesson_mark;
  w.student_id = s.student_id;
  w.date = s.date;
  w.class_code = l.class_code;
  w.start = l.time.start;
  w.end = l.time.end;
  w.code = codes.lesson;
  w.comment = comment_for(s);
  w.booking_id = s.booking_id;
  w.key = write_key(s.student_id, s.date, l.class_code + "@" + l.time.start.str(), w.kind);
  return w;
}

WriteItem session_mark(const IeSession& s, const char* session, const std::string& code,
                       TimeOfDay register_time) {
  WriteItem w;
  w.kind = WriteKind::session_mark;
  w.student_id = s.student_id;
  w.date = s.date;
  w.session = session;
  w.start = register_time;
  w.end = register_time;
  w.code = code;
  w.comment = comment_for(s);
  w.booking_id = s.booking_id;
  w.key = write_key(s.student_id, s.date, session, w.kind);
  return w;
}

WriteItem exclusion(const IeSession& s) {
  WriteItem w;
  w.kind = WriteKind::exclusion;
  w.student_id = s.student_id;
  w.date = s.date;
  w.start = s.window.start;
  w.end = s.window.end;
  w.reason = s.reason;
  w.comment = comment_for(s);
  w.booking_id = s.booking_id;
  w.lessons_missed = static_cast<int>(s.lessons.size());
  w.key = write_key(s.student_id, s.date, s.booking_id, w.kind);
  return w;
}

bool covers(const TimeRange& window, TimeOfDay t) {
  return window.start <= t && t < window.end;
}

// All the facts a good session holds, whether due yet or not, each with when it falls due.
std::vector<std::pair<WriteItem, TimePoint>> facts(const IeSession& s, const CodesConfig& codes,
                                                   TimeOfDay school_day_end, const TimeZone& tz) {
  std::vector<std::pair<WriteItem, TimePoint>> out;
  for (const auto& l : s.lessons)
    out.emplace_back(lesson_mark(s, l, codes), tz.to_utc(s.date, l.time.start));
  if (codes.write_session_marks) {
    if (covers(s.window, codes.am_register))
      out.emplace_back(session_mark(s, "AM", codes.session_am, codes.am_register),
                       tz.to_utc(s.date, codes.am_register));
    if (covers(s.window, codes.pm_register))
      out.emplace_back(session_mark(s, "PM", codes.session_pm, codes.pm_register),
                       tz.to_utc(s.date, codes.pm_register));
  }
  TimeOfDay end_of_day = std::max(s.window.end, school_day_end);
  TimePoint record_due =
      s.status == BookingStatus::attended ? TimePoint::min() : tz.to_utc(s.date, end_of_day);
  out.emplace_back(exclusion(s), record_due);
  return out;
}

}  // namespace

WritePlan plan_writes(const IeSession& s, const CodesConfig& codes, TimeOfDay school_day_end,
                      const TimeZone& tz, TimePoint now) {
  WritePlan plan;
  if (!s.problem.empty()) return plan;
  if (s.status == BookingStatus::absent || s.status == BookingStatus::cancelled) {
    plan.retract = all_keys(s, codes);
    return plan;
  }
  for (auto& [item, due_at] : facts(s, codes, school_day_end, tz)) {
    if (now >= due_at)
      plan.due.push_back(std::move(item));
    else
      plan.later.push_back(std::move(item));
  }
  return plan;
}

std::vector<std::string> all_keys(const IeSession& s, const CodesConfig& codes) {
  std::vector<std::string> keys;
  CodesConfig all = codes;
  all.write_session_marks = true;
  IeSession whole = s;
  whole.window = TimeRange{TimeOfDay{0}, TimeOfDay{24 * 60 - 1}};
  for (auto& [item, due_at] : facts(whole, all, TimeOfDay{0}, TimeZone::utc()))
    keys.push_back(item.key);
  return keys;
}

}  // namespace iesync
