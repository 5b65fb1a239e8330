// Google's `fields` partial-response selector, as the fake needs it:
//   courseWork(id,title,dueDate),nextPageToken   individualStudentsOptions/studentIds   *
// A selection keeps only the named members of an object; applied to an array it applies to
// each element; `*` at any level keeps everything there.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace iesync::fake {

struct FieldSelection {
  // name -> sub-selection; an empty sub-selection keeps the whole member.
  std::map<std::string, FieldSelection> members;
};

// nullopt on a syntax error (unbalanced parentheses, empty names).
std::optional<FieldSelection> parse_fields(std::string_view text);
boost::json::value apply_fields(const boost::json::value& v, const FieldSelection& sel);

}  // namespace iesync::fake
