#include "mapping/courses.h"

#include <fnmatch.h>

namespace iesync {

bool class_ignored(const CoursesConfig& cfg, const std::string& class_code) {
  for (const auto& glob : cfg.ignore)
    if (::fnmatch(glob.c_str(), class_code.c_str(), 0) == 0) return true;
  return false;
}

std::optional<std::string> course_ref_for(const CoursesConfig& cfg, const std::string& class_code) {
  if (auto it = cfg.overrides.find(class_code); it != cfg.overrides.end()) return it->second;
  if (class_ignored(cfg, class_code) || cfg.alias.empty()) return std::nullopt;
  // Classroom aliases may not contain "/", which every SIMS class code has.
  std::string code = class_code;
  for (char& c : code)
    if (c == '/') c = '-';
  std::string out = cfg.alias;
  const std::string placeholder = "{class_code}";
  for (auto pos = out.find(placeholder); pos != std::string::npos;
       pos = out.find(placeholder, pos + code.size()))
    out.replace(pos, placeholder.size(), code);
  return out;
}

}  // namespace iesync
