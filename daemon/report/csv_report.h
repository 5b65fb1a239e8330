// The report as CSV tables, one file per table (UTF-8 with a BOM so spreadsheet programs read
// names correctly, a header row, RFC 4180 quoting, CRLF line ends). Suppressed cells are "<5".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "mapping/report/report_data.h"

namespace iesync {

struct CsvFile {
  std::string name;     // "by_group.csv"
  std::string content;  // the whole file
};

// Quotes a field when it holds a comma, quote, CR or LF; a text field starting with = + @
// or - (not a number) gets a leading ' so a spreadsheet does not run it as a formula.
std::string csv_field(const std::string& s);

std::vector<CsvFile> render_report_csv(const ReportData& d);

// Writes `content` to `path` through a temp file in the same folder, fsync and rename, with
// mode 0640 (the report names children), so a reader never sees half a file.
Result<void> write_private_file(const std::filesystem::path& path, const std::string& content);

}  // namespace iesync
