#include "connectors/mis/csv_reader.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "connectors/mis/text_encoding.h"

namespace iesync {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// C0 controls other than TAB, CR and LF: no MIS value holds one, and a NUL or ESC stored as
// is would reach every screen and log the value is shown on.
bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\r' && c != '\n';
}

// Walks the text one row at a time, keeping the line count across quoted newlines.
class CsvScanner {
 public:
  CsvScanner(std::string_view s, const std::string& file) : s_(s), file_(file) {}

  enum class Row { ok, ragged_text, control, too_long, too_many, end };

  // What is wrong with a row that is not ok: the first field (0-based) with a control
  // character or an over-long value, the character, and the value's full length.
  struct Problem {
    std::size_t field = 0;
    unsigned char control = 0;
    std::size_t length = 0;  // too_many: how many values the row has
  };

  // Reads the next non-blank row into `fields`; `start_line` is where it begins. A value
  // over kMaxFieldBytes is not kept (the row is a record error), so one huge value costs no
  // more memory than the file it is in.
  Result<Row> next(std::vector<std::string>& fields, std::size_t& start_line, Problem& problem) {
    fields.clear();
    // Blank lines (often a trailing newline) are not records.
    // A carriage return alone at the very end is a line's end too (a CRLF cut short).
    while (i_ < s_.size() &&
           (s_[i_] == '\n' || (s_[i_] == '\r' && (peek(1) == '\n' || i_ + 1 == s_.size())))) {
      i_ += s_[i_] == '\r' ? 2 : 1;
      ++line_;
    }
    if (i_ >= s_.size()) return Row::end;
    start_line = line_;
    bool stray = false;
    std::optional<Row> bad;  // the first control character or over-long value
    auto note = [&](Row r, unsigned char control, std::size_t length) {
      if (bad) return;
      bad = r;
      problem = {fields.size() - 1, control, length};
    };
    // Past FeedTable::kMaxColumns values a row is only counted: a row of a million commas
    // would otherwise hold a million strings.
    std::string uncounted;
    std::size_t count = 0;
    for (;;) {
      std::string& f = ++count <= FeedTable::kMaxColumns ? fields.emplace_back() : uncounted;
      f.clear();
      while (i_ < s_.size() && is_space(s_[i_])) ++i_;
      if (i_ < s_.size() && s_[i_] == '"') {
        std::size_t open_line = line_;
        std::size_t length = 0;
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
              if (++length <= FeedTable::kMaxFieldBytes) f.push_back('"');
              i_ += 2;
              continue;
            }
            ++i_;
            break;
          }
          if (c == '\n') ++line_;
          if (is_control(c)) note(Row::control, static_cast<unsigned char>(c), 0);
          if (++length <= FeedTable::kMaxFieldBytes) f.push_back(c);
          ++i_;
        }
        if (length > FeedTable::kMaxFieldBytes) {
          note(Row::too_long, 0, length);
          std::string().swap(f);
        }
        while (i_ < s_.size() && is_space(s_[i_])) ++i_;
        if (!at_field_end()) {
          stray = true;
          while (i_ < s_.size() && !at_field_end()) ++i_;
        }
      } else {
        std::size_t b = i_;
        while (!at_field_end()) {
          if (is_control(s_[i_])) note(Row::control, static_cast<unsigned char>(s_[i_]), 0);
          ++i_;
        }
        std::string_view v = s_.substr(b, i_ - b);
        while (!v.empty() && (is_space(v.back()) || v.back() == '\r')) v.remove_suffix(1);
        if (v.size() > FeedTable::kMaxFieldBytes)
          note(Row::too_long, 0, v.size());
        else
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
      if (stray) return Row::ragged_text;
      if (count > FeedTable::kMaxColumns) {
        problem.length = count;
        return Row::too_many;
      }
      return bad.value_or(Row::ok);
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

std::string code_point(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

const char* kRemoveControl =
    "find the value in the MIS (text pasted from another program often brings such "
    "characters), remove the character, and export the file again";

}  // namespace

Result<FeedTable> read_csv_feed(std::string_view bytes, const std::string& file,
                                FeedEncoding encoding, const std::vector<std::uint32_t>* numbers) {
  std::string converted;  // only Windows-1252 needs a converted copy
  std::string_view text;  // the file as UTF-8, without a BOM
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.size() > FeedTable::kMaxExportBytes)
    return make_error(file,
                      "the file is larger than 1 GiB; a school's export is never near this size",
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
  CsvScanner::Problem problem;
  auto header = scan.next(fields, line, problem);
  if (!header) return header.error();
  switch (*header) {
    case CsvScanner::Row::ok:
      break;
    case CsvScanner::Row::end:
      return make_error(file, "the file is empty (no header row)",
                        "check the MIS export job finished; it will be read again when a new "
                        "export arrives");
    case CsvScanner::Row::ragged_text:
      return make_error(file + ":" + std::to_string(line),
                        "the header row has text after a closing quote", "export the file again");
    // Without a trustworthy header no value can be put in its column, so these reject the
    // whole feed where the same in a record skips only that record.
    case CsvScanner::Row::control:
      return make_error(file + ":" + std::to_string(line),
                        "caption " + std::to_string(problem.field + 1) +
                            " of the header row holds the control character " +
                            code_point(problem.control) +
                            ", so the columns cannot be trusted and the export is refused",
                        kRemoveControl);
    case CsvScanner::Row::too_many:
      return make_error(file + ":" + std::to_string(line),
                        "the header row has " + std::to_string(problem.length) +
                            " captions, more than the " + std::to_string(FeedTable::kMaxColumns) +
                            " an export may have (one per field it selects, a few dozen), so "
                            "this is not a header row",
                        "check the file is the MIS export named in iesync.toml, and export it "
                        "again");
    case CsvScanner::Row::too_long:
      return make_error(file + ":" + std::to_string(line),
                        "caption " + std::to_string(problem.field + 1) + " of the header row is " +
                            std::to_string(problem.length) + " bytes long, over the limit of " +
                            std::to_string(FeedTable::kMaxFieldBytes) +
                            " bytes for one value, so this is not a header row",
                        "check the file is the MIS export named in iesync.toml, and export it "
                        "again");
  }
  t.columns = std::move(fields);
  fields = {};
  // Room for every row at once: growing by doubling would briefly hold two copies of a large
  // export's values. Lines overcount rows with quoted newlines, and the text is at most the
  // file; reserved pages that are never written cost no memory. Every value of a whole row
  // ends in a comma or a newline, so there are never more values than bytes (a wide header
  // over short, skipped rows must not reserve lines x columns).
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  t.reserve(lines, std::min(lines * t.columns.size(), text.size() + lines), text.size());

  // The message is built only for the record errors kept (FeedTable::add_record_error).
  auto skip = [&](auto&& message, const char* fix) {
    t.add_record_error([&]() -> SkippedRecord {
      return {line, make_error(t.where(line), message() + "; the row was skipped", fix)};
    });
  };
  for (;;) {
    auto row = scan.next(fields, line, problem);
    if (!row) return row.error();
    if (*row == CsvScanner::Row::end) break;
    // A row of nothing but spaces is a blank line, not a short record, and not a record read.
    if (*row == CsvScanner::Row::ok && fields.size() == 1 && fields[0].empty() &&
        t.columns.size() != 1)
      continue;
    ++t.records_read;
    if (numbers && line < numbers->size()) line = (*numbers)[line];
    if (*row == CsvScanner::Row::ragged_text) {
      skip([] { return std::string("a quoted value has more text after its closing quote"); },
           "check the value in the MIS; quotes inside a value must be doubled (\"\")");
      continue;
    }
    if (*row == CsvScanner::Row::too_many || fields.size() != t.columns.size()) {
      const std::size_t values = *row == CsvScanner::Row::too_many ? problem.length : fields.size();
      skip(
          [&] {
            return "the row has " + std::to_string(values) + " values but the header has " +
                   std::to_string(t.columns.size());
          },
          "check the row in the MIS for a comma inside a value that is not quoted");
      continue;
    }
    // A school expects one bad value to cost its row, not the whole feed: these are record
    // errors, reported with their line (docs/configuration.md, [mis]).
    if (*row == CsvScanner::Row::control) {
      skip(
          [&] {
            return "the " + t.columns[problem.field] + " value holds the control character " +
                   code_point(problem.control) + ", which no MIS value should contain";
          },
          kRemoveControl);
      continue;
    }
    if (*row == CsvScanner::Row::too_long) {
      t.add_record_error(
          [&] { return value_too_long(t, line, t.columns[problem.field], problem.length); });
      continue;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) t.set(i, fields[i]);
    t.end_record(line);
  }
  return t;
}

}  // namespace iesync
