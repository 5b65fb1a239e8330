// RFC 4180 CSV, just what the file target needs: write a field, and read its own files back
// (crash recovery scans earlier files for keys).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iesync {

// The field quoted when it holds a comma, quote, CR or LF (quotes doubled), else as is.
std::string csv_field(std::string_view s);

// Rows of fields. Quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF
// ends a row. Returns false (with the 1-based line in *bad_line) on an unterminated quote.
bool parse_csv(std::string_view text, std::vector<std::vector<std::string>>& rows,
               int* bad_line = nullptr);

}  // namespace iesync
