#include "connectors/mis/csv_reader.h"

#include <algorithm>

#include "connectors/mis/text_encoding.h"

namespace iesync {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Walks the text one row at a time, keeping the line count across quoted newlines.
class CsvScanner {
 public:
  CsvScanner(std::string_view s, const std::string& file) : s_(s), file_(file) {}

  enum class Row { ok, ragged_text, end };

  // Reads the next non-blank row into `fields`; `start_line` is where it begins.
  Result<Row> next(std::vector<std::string>& fields, std::size_t& start_line) {
    fields.clear();
    // Blank lines (often a trailing newline) are not records.
    while (i_ < s_.size() && (s_[i_] == '\n' || (s_[i_] == '\r' && peek(1) == '\n'))) {
      i_ += s_[i_] == '\r' ? 2 : 1;
      ++line_;
    }
    if (i_ >= s_.size()) return Row::end;
    start_line = line_;
    bool stray = false;
    for (;;) {
      std::string& f = fields.emplace_back();
      while (i_ < s_.size() && is_space(s_[i_])) ++i_;
      if (i_ < s_.size() && s_[i_] == '"') {
        std::size_t open_line = line_;
        ++i_;
        for (;;) {
          if (i_ >= s_.size())
            return make_error(file_ + ":" + std::to_string(open_line),
                              "a quoted value starting on this line is never closed, so the "
                              "rest of the file cannot be read",
                              "export the file again; if it was edited by hand, close the quote");
          char c = s_[i_];
          if (c == '"') {
            if (peek(1) == '"') {
              f.push_back('"');
              i_ += 2;
              continue;
            }
            ++i_;
            break;
          }
          if (c == '\n') ++line_;
          f.push_back(c);
          ++i_;
        }
        while (i_ < s_.size() && is_space(s_[i_])) ++i_;
        if (!at_field_end()) {
          stray = true;
          while (i_ < s_.size() && !at_field_end()) ++i_;
        }
      } else {
        std::size_t b = i_;
        while (!at_field_end()) ++i_;
        std::string_view v = s_.substr(b, i_ - b);
        while (!v.empty() && (is_space(v.back()) || v.back() == '\r')) v.remove_suffix(1);
        f.assign(v);
      }
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      // End of row: consume the newline.
      if (i_ < s_.size() && s_[i_] == '\r') ++i_;
      if (i_ < s_.size() && s_[i_] == '\n') {
        ++i_;
        ++line_;
      }
      return stray ? Row::ragged_text : Row::ok;
    }
  }

 private:
  char peek(std::size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool at_field_end() const {
    if (i_ >= s_.size()) return true;
    char c = s_[i_];
    return c == ',' || c == '\n' || (c == '\r' && peek(1) == '\n');
  }

  std::string_view s_;
  const std::string& file_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

Result<FeedTable> read_csv_feed(std::string_view bytes, const std::string& file,
                                FeedEncoding encoding) {
  std::string converted;  // only Windows-1252 needs a converted copy
  std::string_view text;  // the file as UTF-8, without a BOM
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.size() > FeedTable::kMaxExportBytes)
    return make_error(file, "the file is larger than 1 GiB; a school's export is never near this size",
                      "check the export in the MIS selects only what mapping.toml names, and "
                      "export it again");
  if (encoding == FeedEncoding::windows1252) {
    converted = cp1252_to_utf8(bytes);
    text = converted;
  } else {
    if (auto bad = find_invalid_utf8(bytes); bad != std::string_view::npos)
      return make_error(file + ":" + std::to_string(line_of(bytes, bad)),
                        "this line is not valid UTF-8 text (the MIS may have written "
                        "Windows-1252)",
                        "export as UTF-8, or set [mis] encoding = \"windows-1252\" in iesync.toml");
    text = bytes;
  }

  FeedTable t;
  t.file = file;
  t.numbered_by_line = true;
  CsvScanner scan(text, file);
  std::vector<std::string> fields;
  std::size_t line = 0;
  auto header = scan.next(fields, line);
  if (!header) return header.error();
  if (*header == CsvScanner::Row::end)
    return make_error(file, "the file is empty (no header row)",
                      "check the MIS export job finished; it will be read again when a new "
                      "export arrives");
  if (*header == CsvScanner::Row::ragged_text)
    return make_error(file + ":" + std::to_string(line),
                      "the header row has text after a closing quote", "export the file again");
  t.columns = std::move(fields);
  fields = {};
  // Room for every row at once: growing by doubling would briefly hold two copies of a large
  // export's values. Lines overcount rows with quoted newlines, and the text is at most the
  // file; reserved pages that are never written cost no memory. Every value of a whole row
  // ends in a comma or a newline, so there are never more values than bytes (a wide header
  // over short, skipped rows must not reserve lines x columns).
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  t.reserve(lines, std::min(lines * t.columns.size(), text.size() + lines), text.size());

  for (;;) {
    auto row = scan.next(fields, line);
    if (!row) return row.error();
    if (*row == CsvScanner::Row::end) break;
    if (*row == CsvScanner::Row::ragged_text) {
      t.record_errors.push_back({line, make_error(
          t.where(line), "a quoted value has more text after its closing quote; the row was skipped",
          "check the value in the MIS; quotes inside a value must be doubled (\"\")")});
      continue;
    }
    if (fields.size() != t.columns.size()) {
      // A row of nothing but spaces is a blank line, not a short record.
      if (fields.size() == 1 && fields[0].empty()) continue;
      t.record_errors.push_back({line, make_error(
          t.where(line),
          "the row has " + std::to_string(fields.size()) + " values but the header has " +
              std::to_string(t.columns.size()) + "; the row was skipped",
          "check the row in the MIS for a comma inside a value that is not quoted")});
      continue;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) t.set(i, fields[i]);
    t.end_record(line);
  }
  return t;
}

}  // namespace iesync
