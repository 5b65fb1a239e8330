#include "config/toml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/suggest.h"

namespace iesync::cfg {

// Appended rather than `"\"" + std::string(s) + "\""`: GCC 12 at -O3 wrongly reports that
// form as overlapping copies (-Wrestrict).
std::string dq(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

namespace {

// A value as the user wrote it, for messages ("15 minutes", 15, true).
std::string shown(const toml::node& n) {
  if (auto s = n.as_string()) return dq(s->get());
  std::ostringstream os;
  if (auto i = n.as_integer())
    os << i->get();
  else if (auto f = n.as_floating_point())
    os << f->get();
  else if (auto b = n.as_boolean())
    os << (b->get() ? "true" : "false");
  else if (auto d = n.as_date())
    os << d->get();
  else
    return type_phrase(n);
  return os.str();
}

}  // namespace

std::string Doc::where(const toml::source_region& r) const {
  auto line = r.begin.line ? r.begin.line : 1;
  auto col = r.begin.column ? r.begin.column : 1;
  return display_ + ":" + std::to_string(line) + ":" + std::to_string(col);
}

void Doc::error(const toml::source_region& r, std::string message, std::string fix) {
  problems_.push_back(Problem{r.begin.line ? r.begin.line : 1, r.begin.column ? r.begin.column : 1,
                              make_error(where(r), std::move(message), std::move(fix))});
}

void Doc::file_error(std::string message, std::string fix) {
  problems_.push_back(Problem{0, 0, make_error(display_, std::move(message), std::move(fix))});
}

std::optional<toml::table> Doc::parse(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    file_error("this is a folder, not a file", "give the path of the .toml file itself");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    file_error(std::string("cannot read this file (") + std::strerror(err) + ")",
               "check the path and that the file is readable by this user");
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  auto result = toml::parse(text, std::string_view{display_});
  if (!result) {
    const auto& e = result.error();
    error(e.source(), "this is not valid TOML: " + std::string(e.description()),
          "correct the syntax here (strings need quotes, dates are YYYY-MM-DD, each [table] "
          "on its own line)");
    return std::nullopt;
  }
  return std::move(result).table();
}

std::vector<Error> Doc::sorted_problems() const {
  auto sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
    return std::tie(a.line, a.col) < std::tie(b.line, b.col);
  });
  std::vector<Error> out;
  out.reserve(sorted.size());
  for (auto& p : sorted) out.push_back(p.error);
  return out;
}

std::string type_phrase(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number with a decimal point";
    case toml::node_type::boolean:
      return "true/false";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "a list";
    default:
      return "nothing";
  }
}

TableReader::TableReader(Doc& doc, const toml::table& table, std::string path)
    : doc_(doc),
      table_(table),
      name_(path.empty() ? "the top level" : "[" + path + "]"),
      path_(std::move(path)) {}

std::string TableReader::key_name(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return name_ + " " + std::string(key);
}

void TableReader::missing(std::string_view key, std::string_view example) {
  std::string fix = example.empty() ? "add " + std::string(key) + " = ..."
                                    : "add " + std::string(key) + " = " + std::string(example);
  if (!path_.empty()) fix += " under " + name_;
  doc_.error(table_, name_ + " has no " + dq(key), fix);
}

const toml::node* TableReader::get(std::string_view key, Need need, std::string_view example) {
  known_.emplace_back(key);
  const toml::node* n = table_.get(key);
  if (!n && need == Need::required) missing(key, example);
  return n;
}

void TableReader::wrong_type(const toml::node& n, std::string_view key, std::string_view expected,
                             std::string_view example) {
  std::string msg = key_name(key) + ": expected " + std::string(expected);
  if (!example.empty()) msg += " like " + std::string(example);
  msg += ", not " + type_phrase(n);
  doc_.error(
      n, msg,
      example.empty() ? std::string{} : "write " + std::string(key) + " = " + std::string(example));
}

const toml::node* TableReader::typed(std::string_view key, Need need, std::string_view example,
                                     toml::node_type want, std::string_view expected) {
  const toml::node* n = get(key, need, example);
  if (!n) return nullptr;
  if (n->type() != want) {
    wrong_type(*n, key, expected, example);
    return nullptr;
  }
  return n;
}

std::optional<std::string> TableReader::string(std::string_view key, Need need,
                                               std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::string, "a string");
  if (!n) return std::nullopt;
  return n->as_string()->get();
}

std::optional<bool> TableReader::boolean(std::string_view key, Need need) {
  auto n = typed(key, need, "true", toml::node_type::boolean, "true or false");
  if (!n) return std::nullopt;
  return n->as_boolean()->get();
}

std::optional<int64_t> TableReader::integer(std::string_view key, Need need,
                                            std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::integer, "a whole number");
  if (!n) return std::nullopt;
  return n->as_integer()->get();
}

std::optional<std::chrono::seconds> TableReader::duration(std::string_view key, Need need,
                                                          std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::string, "a string");
  if (!n) return std::nullopt;
  const std::string& s = n->as_string()->get();
  if (!s.empty() && s.front() == '-') {
    doc_.error(*n, key_name(key) + ": " + dq(s) + " is negative",
               "write a duration of zero or more, like " + std::string(example));
    return std::nullopt;
  }
  auto d = parse_duration(s);
  if (!d) {
    doc_.error(
        *n, key_name(key) + ": " + dq(s) + " is not a duration",
        "write a whole number and a unit (s, m, h, d, w or y), like " + std::string(example));
  }
  return d;
}

std::optional<double> TableReader::percent(std::string_view key, Need need,
                                           std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::string, "a string");
  if (!n) return std::nullopt;
  auto p = parse_percent(n->as_string()->get());
  if (!p) {
    doc_.error(*n, key_name(key) + ": " + shown(*n) + " is not a percentage",
               "write a number from 0 to 100 followed by %, like " + std::string(example));
  }
  return p;
}

std::optional<TimeOfDay> TableReader::time(std::string_view key, Need need,
                                           std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::string, "a string");
  if (!n) return std::nullopt;
  const std::string& s = n->as_string()->get();
  auto t = s.size() <= 5 ? TimeOfDay::parse(s) : std::nullopt;
  if (!t) {
    doc_.error(*n, key_name(key) + ": " + dq(s) + " is not a time of day",
               "write HH:MM on the 24-hour clock, like " + std::string(example));
  }
  return t;
}

std::optional<TimeRange> parse_time_range_strict(std::string_view s) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos || dash > 5 || s.size() - dash - 1 > 5) return std::nullopt;
  return TimeRange::parse(s);
}

std::optional<TimeRange> TableReader::time_range(std::string_view key, Need need,
                                                 std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::string, "a string");
  if (!n) return std::nullopt;
  const std::string& s = n->as_string()->get();
  auto r = parse_time_range_strict(s);
  if (!r) {
    doc_.error(*n, key_name(key) + ": " + dq(s) + " is not a time range",
               "write HH:MM-HH:MM on the 24-hour clock, like " + std::string(example));
    return std::nullopt;
  }
  if (!(r->start < r->end)) {
    doc_.error(*n, key_name(key) + ": " + dq(s) + " does not end after it starts",
               "put the earlier time first, like " + std::string(example));
    return std::nullopt;
  }
  return r;
}

std::optional<Date> TableReader::date(std::string_view key, Need need, std::string_view example) {
  const toml::node* n = get(key, need, example);
  if (!n) return std::nullopt;
  if (auto d = n->as_date()) {
    const auto& v = d->get();
    auto parsed = Date::parse_iso([&] {
      std::ostringstream os;
      os << v;
      return os.str();
    }());
    if (parsed) return parsed;
  } else if (auto s = n->as_string()) {
    if (auto parsed = Date::parse_iso(s->get())) return parsed;
  } else {
    wrong_type(*n, key, "a date", example);
    return std::nullopt;
  }
  doc_.error(*n, key_name(key) + ": " + shown(*n) + " is not a date",
             "write YYYY-MM-DD, like " + std::string(example));
  return std::nullopt;
}

std::optional<std::vector<std::string>> TableReader::string_array(std::string_view key, Need need,
                                                                  std::string_view example) {
  auto n = typed(key, need, example, toml::node_type::array, "a list of strings");
  if (!n) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& el : *n->as_array()) {
    if (auto s = el.as_string()) {
      out.push_back(s->get());
    } else {
      doc_.error(el,
                 key_name(key) + ": expected a list of strings like " + std::string(example) +
                     ", but this item is " + type_phrase(el),
                 "put the item in double quotes");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

const toml::table* TableReader::subtable(std::string_view key, Need need,
                                         std::string_view example) {
  const toml::node* n = get(key, need, example);
  if (!n) return nullptr;
  if (!n->is_table()) {
    wrong_type(*n, key, "a table", example);
    return nullptr;
  }
  return n->as_table();
}

void TableReader::finish() {
  for (const auto& [k, v] : table_) {
    std::string key(k.str());
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::vector<std::string> candidates;
    for (const auto& c : known_)
      if (std::find(candidates.begin(), candidates.end(), c) == candidates.end())
        candidates.push_back(c);
    auto near = nearest(key, candidates);
    const bool is_section = v.is_table() && !v.as_table()->is_inline();
    if (is_section) {
      std::string full = path_.empty() ? key : path_ + "." + key;
      std::string fix;
      if (near) {
        fix = "did you mean [" + (path_.empty() ? *near : path_ + "." + *near) + "]?";
      } else {
        std::vector<std::string> names;
        for (const auto& c : candidates)
          names.push_back("[" + (path_.empty() ? c : path_ + "." + c) + "]");
        fix = "remove it; the tables here are " + join_words(names, " and ");
      }
      doc_.error(v, "unknown " + table_noun_ + " [" + full + "]", fix);
    } else {
      std::string fix = near ? "did you mean " + dq(*near) + "?"
                             : "remove it; the " + key_noun_ + "s of " + name_ + " are " +
                                   join_words(candidates, " and ");
      doc_.error(v, "unknown " + key_noun_ + " " + dq(key) + " in " + name_, fix);
    }
  }
}

}  // namespace iesync::cfg
