#include "tests/fakes/classroom/fields_filter.h"

namespace iesync::fake {

namespace {

struct Parser {
  std::string_view s;
  size_t i = 0;

  bool name(std::string& out) {
    size_t b = i;
    while (i < s.size() && s[i] != ',' && s[i] != '(' && s[i] != ')' && s[i] != '/') ++i;
    out = std::string(s.substr(b, i - b));
    while (!out.empty() && out.back() == ' ') out.pop_back();
    while (!out.empty() && out.front() == ' ') out.erase(0, 1);
    return !out.empty();
  }

  // selection := item (',' item)*
  bool selection(FieldSelection& sel) {
    do {
      if (!item(sel)) return false;
    } while (i < s.size() && s[i] == ',' && ++i);
    return true;
  }

  // item := name ('/' name)* ('(' selection ')')?
  bool item(FieldSelection& sel) {
    std::string n;
    if (!name(n)) return false;
    FieldSelection* at = &sel.members[n];
    while (i < s.size() && s[i] == '/') {
      ++i;
      if (!name(n)) return false;
      at = &at->members[n];
    }
    if (i < s.size() && s[i] == '(') {
      ++i;
      if (!selection(*at) || i >= s.size() || s[i] != ')') return false;
      ++i;
    }
    return true;
  }
};

}  // namespace

std::optional<FieldSelection> parse_fields(std::string_view text) {
  Parser p{text};
  FieldSelection sel;
  if (!p.selection(sel) || p.i != text.size()) return std::nullopt;
  return sel;
}

boost::json::value apply_fields(const boost::json::value& v, const FieldSelection& sel) {
  // `*` selects every member (Google's wildcard), so the rest of the selection adds nothing.
  if (sel.members.empty() || sel.members.count("*")) return v;
  if (v.is_array()) {
    boost::json::array out;
    for (const auto& e : v.as_array()) out.push_back(apply_fields(e, sel));
    return out;
  }
  if (!v.is_object()) return v;
  boost::json::object out;
  for (const auto& [name, sub] : sel.members)
    if (auto* m = v.as_object().if_contains(name)) out[name] = apply_fields(*m, sub);
  return out;
}

}  // namespace iesync::fake
