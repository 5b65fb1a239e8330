// Shared helpers for the write-back tests: synthetic write items (no real people).
#pragma once

#include "base/clock.h"
#include "mapping/writes.h"

namespace iesync::wbtest {

inline Date day() {
  return Date::from_ymd(2026, 11, 23);
}

inline TimePoint at(int h, int m) {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{h} +
         std::chrono::minutes{m};
}

inline WriteItem lesson_mark(const std::string& student, const std::string& cls, int h, int m,
                             const std::string& code = "/") {
  WriteItem it;
  it.kind = WriteKind::lesson_mark;
  it.student_id = student;
  it.date = day();
  it.class_code = cls;
  it.start = TimeOfDay::hm(h, m);
  it.end = TimeOfDay::hm(h + 1, m);
  it.code = code;
  it.comment = "Internal exclusion (booking B1)";
  it.booking_id = "B1";
  it.key = write_key(student, it.date, cls + "@" + it.start.str(), WriteKind::lesson_mark);
  return it;
}

inline WriteItem session_mark(const std::string& student, const std::string& session,
                              const std::string& code) {
  WriteItem it;
  it.kind = WriteKind::session_mark;
  it.student_id = student;
  it.date = day();
  it.session = session;
  it.code = code;
  it.comment = "In internal exclusion, on site";
  it.booking_id = "B1";
  it.key = write_key(student, it.date, session, WriteKind::session_mark);
  return it;
}

inline WriteItem exclusion(const std::string& student, const std::string& booking) {
  WriteItem it;
  it.kind = WriteKind::exclusion;
  it.student_id = student;
  it.date = day();
  it.start = TimeOfDay::hm(8, 50);
  it.end = TimeOfDay::hm(15, 0);
  it.reason = "DB";
  it.booking_id = booking;
  it.lessons_missed = 5;
  it.key = write_key(student, it.date, booking, WriteKind::exclusion);
  return it;
}

}  // namespace iesync::wbtest
