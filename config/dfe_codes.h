// The DfE tables check-config validates [codes] against (SPEC §2), written out by hand from
// the shared reference lists dfe_attendance_codes_england_2024.csv and
// dfe_exclusion_codes_england.csv. Kept as data so a change of the DfE list is an edit here
// and nowhere else.
#pragma once

#include <span>
#include <string_view>

namespace iesync {

struct AttendanceCode {
  std::string_view code;     // "/", "L", "C1", ...
  std::string_view meaning;  // short DfE meaning
  // "unchanged", "NEW", "reworded", "tightened", "n/a" (the "-" placeholder) or "WITHDRAWN".
  std::string_view status;
  std::string_view replacement;  // for withdrawn codes: what to use instead; else empty
};

struct ExclusionReason {
  std::string_view code;  // "PP", "DB", ...
  std::string_view meaning;
  std::string_view status;  // "current", "current (added Autumn 2020)", "withdrawn ...", ...
};

// Every row of the attendance table, withdrawn codes and the SIMS "-" placeholder included.
std::span<const AttendanceCode> attendance_codes();
const AttendanceCode* find_attendance_code(std::string_view code);
// On the list in force since August 2024 (not withdrawn, not the "-" placeholder).
bool attendance_code_in_force(const AttendanceCode& c);

std::span<const ExclusionReason> exclusion_reasons();
const ExclusionReason* find_exclusion_reason(std::string_view code);
// Current England census reason: status starts with "current".
bool exclusion_reason_current(const ExclusionReason& r);

}  // namespace iesync
