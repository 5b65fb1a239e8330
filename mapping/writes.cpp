#include "mapping/writes.h"

namespace iesync {

const char* write_kind_name(WriteKind k) {
  switch (k) {
    case WriteKind::lesson_mark:
      return "lesson_mark";
    case WriteKind::session_mark:
      return "session_mark";
    case WriteKind::exclusion:
      return "exclusion";
    case WriteKind::retraction:
      return "retraction";
  }
  return "?";
}

std::string write_key(const std::string& student_id, Date date, const std::string& what,
                      WriteKind kind) {
  return student_id + "|" + date.iso() + "|" + what + "|" + write_kind_name(kind);
}

}  // namespace iesync
