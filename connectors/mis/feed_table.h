// What both feed readers (XML and CSV) produce: the export as a table of captions and
// records, each record carrying the number users will look for in the file (the record
// number for XML, the line where the record starts for CSV) so every message can point at it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/result.h"

namespace iesync {

struct FeedRecord {
  std::size_t number = 0;  // XML: 1-based record number; CSV: 1-based line where it starts
  // One slot per FeedTable::columns entry; nullopt = the column is absent (NULL in SIMS).
  std::vector<std::optional<std::string>> values;
};

// A record left out of a feed, with the number users will look for.
struct SkippedRecord {
  std::size_t number = 0;  // record number (XML) or line (CSV)
  Error error;             // where = "students.xml:record 42"
};

struct FeedTable {
  std::string file;           // display name used in messages, e.g. "students.xml"
  bool numbered_by_line = false;  // true for CSV
  std::vector<std::string> columns;  // decoded captions, in first-seen order
  std::vector<FeedRecord> records;
  // Records the reader itself could not read (a ragged CSV row): already left out of
  // `records`, reported with their number.
  std::vector<SkippedRecord> record_errors;

  // Index of a caption in `columns`, or -1.
  int column(std::string_view caption) const;
  // "students.xml:record 42" or "students.csv:42".
  std::string where(std::size_t number) const;
  std::string where(const FeedRecord& r) const { return where(r.number); }
};

}  // namespace iesync
