// A behaviour incident as the optional `behaviour` feed gives it (SPEC §3): what the impact
// analysis of SPEC §10 counts before and after a pupil's IE. Plain values, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "mapping/civil.h"

namespace iesync {

struct Incident {
  std::string id;
  std::string student_id;
  Date date;
  std::string time;         // HH:MM, a period name, or empty
  std::string type;         // the school's own word: "Defiance", "Late to lesson", ...
  int points = 0;           // behaviour points; 0 when the export has none
  std::string recorded_by;  // staff code
  std::string status;       // as exported, lower case; empty when none

  // A record whose status is `withdrawn` or `deleted` is held (it is in the export) but
  // never counted (SPEC §3).
  bool counted() const { return status != "withdrawn" && status != "deleted"; }
};

}  // namespace iesync
