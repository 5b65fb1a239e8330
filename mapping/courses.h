// Which Classroom course a MIS class maps to (SPEC §5): [classroom.courses] overrides first,
// then the alias template, and classes matching an `ignore` glob have no course.
#pragma once

#include <optional>
#include <string>

#include "mapping/rules.h"

namespace iesync {

// True when the class matches one of the ignore globs ("*/Tu").
bool class_ignored(const CoursesConfig& cfg, const std::string& class_code);

// The course id or "d:..." alias to ask Classroom for; nullopt for an ignored class.
std::optional<std::string> course_ref_for(const CoursesConfig& cfg, const std::string& class_code);

}  // namespace iesync
