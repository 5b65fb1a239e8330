// Reading one TOML file with every problem collected as "FILE:LINE:COL: message; fix".
// Doc holds the file's problems; TableReader reads one table, remembers which keys it was
// asked for, and in finish() reports every other key as unknown with the nearest known one.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/toml.h"
#include "mapping/civil.h"

namespace iesync::cfg {

class Doc {
 public:
  // display: the file name as messages show it ("iesync.toml", "conf/mapping.toml").
  explicit Doc(std::string display) : display_(std::move(display)) {}

  const std::string& display() const { return display_; }
  std::string where(const toml::source_region& r) const;
  void error(const toml::source_region& r, std::string message, std::string fix = {});
  void error(const toml::node& n, std::string message, std::string fix = {}) {
    error(n.source(), std::move(message), std::move(fix));
  }
  // A problem with the file as a whole (cannot be read): "FILE: message".
  void file_error(std::string message, std::string fix = {});

  // Reads and parses the file; on failure records the problem and returns nullopt.
  std::optional<toml::table> parse(const std::filesystem::path& path);

  // The problems in file order (line, then column).
  std::vector<Error> sorted_problems() const;
  bool has_problems() const { return !problems_.empty(); }

 private:
  struct Problem {
    uint32_t line;
    uint32_t col;
    Error error;
  };
  std::string display_;
  std::vector<Problem> problems_;
};

// "a string", "an integer", ... for "expected X, not Y" messages.
std::string type_phrase(const toml::node& n);

// A value in double quotes, as messages quote what the user wrote.
std::string dq(std::string_view s);

enum class Need { optional, required };

class TableReader {
 public:
  // path: the table's dotted name ("codes", "mis.feeds"), empty for the top level.
  TableReader(Doc& doc, const toml::table& table, std::string path);

  Doc& doc() { return doc_; }
  const toml::table& table() const { return table_; }
  const std::string& name() const { return name_; }
  // "[codes] lesson" or just "lesson" at the top level.
  std::string key_name(std::string_view key) const;

  // Marks `key` as known and returns its node (nullptr when absent; with Need::required the
  // absence is reported at the table's position, the fix showing `example`).
  const toml::node* get(std::string_view key, Need need = Need::optional,
                        std::string_view example = {});
  // Marks a key as known without reading it (read elsewhere).
  void known(std::string_view key) { known_.emplace_back(key); }

  // Typed reads. Absent -> nullopt (and "missing" if required); wrong type or bad value ->
  // reported, nullopt. `example` is a valid value as the user would type it.
  std::optional<std::string> string(std::string_view key, Need need, std::string_view example);
  std::optional<bool> boolean(std::string_view key, Need need = Need::optional);
  std::optional<int64_t> integer(std::string_view key, Need need, std::string_view example);
  std::optional<std::chrono::seconds> duration(std::string_view key, Need need,
                                               std::string_view example);
  std::optional<double> percent(std::string_view key, Need need, std::string_view example);
  std::optional<TimeOfDay> time(std::string_view key, Need need, std::string_view example);
  std::optional<TimeRange> time_range(std::string_view key, Need need, std::string_view example);
  std::optional<Date> date(std::string_view key, Need need, std::string_view example);
  // An array of strings; each element checked.
  std::optional<std::vector<std::string>> string_array(std::string_view key, Need need,
                                                       std::string_view example);
  // A sub-table (a [section] or an inline { } table).
  const toml::table* subtable(std::string_view key, Need need, std::string_view example = {});

  // Reports every key of the table that no read asked for, with the nearest known key.
  void finish();
  // What an unknown entry is called in finish()'s messages ("unknown feed [fields.pupils]",
  // "unknown field \"forname\" in [fields.students]"); default "key" / "table".
  void set_nouns(std::string key_noun, std::string table_noun) {
    key_noun_ = std::move(key_noun);
    table_noun_ = std::move(table_noun);
  }

  // Reporting helpers for checks done by the caller.
  void wrong_type(const toml::node& n, std::string_view key, std::string_view expected,
                  std::string_view example);
  void missing(std::string_view key, std::string_view example);

 private:
  const toml::node* typed(std::string_view key, Need need, std::string_view example,
                          toml::node_type want, std::string_view expected);

  Doc& doc_;
  const toml::table& table_;
  std::string name_;
  std::string path_;  // "codes", "mis.feeds"; empty at the top level
  std::vector<std::string> known_;
  std::string key_noun_ = "key";
  std::string table_noun_ = "table";
};

// Parsers for the value strings above, shared with the loaders' own checks.
std::optional<TimeRange> parse_time_range_strict(std::string_view s);

}  // namespace iesync::cfg
