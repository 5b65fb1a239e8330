// MIS CSV exports (RFC 4180) into a FeedTable: a header row of captions, then one record per
// row, each numbered by the line it starts on. Quotes, "" escapes, commas and newlines inside
// quotes, CRLF or LF, and a UTF-8 BOM are all accepted; spaces around unquoted values are
// trimmed (SIMS pads), nothing inside quotes is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "connectors/mis/feed_table.h"

namespace iesync {

// Fails (the feed is rejected) on an empty file, a quote never closed, text that is not in
// `encoding` (invalid UTF-8 names its line and suggests [mis] encoding = "windows-1252"), or
// a header row holding a control character or an over-long caption. A row with the wrong
// number of fields, a C0 control character other than TAB, CR and LF in a value (a NUL, an
// ESC), or a value over FeedTable::kMaxFieldBytes is a record error in
// FeedTable::record_errors: the row is skipped and reported by its line.
// `numbers`, when given, renumbers the rows (the row starting on line k is numbered
// numbers[k]): for a document of some of a file's rows, so every message names the line in
// the file.
Result<FeedTable> read_csv_feed(std::string_view bytes, const std::string& file,
                                FeedEncoding encoding,
                                const std::vector<std::uint32_t>* numbers = nullptr);

}  // namespace iesync
