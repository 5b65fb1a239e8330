// The facts iesync writes back to the MIS (SPEC §6). Reconcile produces them; the outbox
// stores them by key; the write-back targets send them.
#pragma once

#include <string>

#include "mapping/civil.h"

namespace iesync {

enum class WriteKind { lesson_mark, session_mark, exclusion, retraction };
const char* write_kind_name(WriteKind k);  // "lesson_mark", ...

struct WriteItem {
  WriteKind kind = WriteKind::lesson_mark;
  std::string student_id;
  Date date;
  std::string session;     // "AM" / "PM" for session marks (and their retractions)
  std::string class_code;  // for lesson marks (and their retractions)
  TimeOfDay start;         // lesson or booking start
  TimeOfDay end;
  std::string code;     // attendance code; "-" for a retraction
  std::string comment;  // human text, e.g. "Internal exclusion (booking B123)"
  std::string reason;   // DfE exclusion reason code, for exclusions
  std::string booking_id;
  int lessons_missed = 0;  // for exclusions
  // student|date|lesson-or-session|kind: the same fact is never written twice.
  // A lesson is "CLASS@HH:MM", a session "AM"/"PM", an exclusion its booking id.
  std::string key;
};

// The key for a fact, as above. For a retraction, `what` is the key of the mark it undoes
// minus its kind, so a mark and its retraction share everything but the last part.
std::string write_key(const std::string& student_id, Date date, const std::string& what,
                      WriteKind kind);

}  // namespace iesync
