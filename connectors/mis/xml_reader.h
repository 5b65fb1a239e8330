// SIMS CommandReporter XML (root <SuperStarReport>, one <Record> per row, one child element
// per column, a NULL column simply absent) into a FeedTable.
//
// Hostile or broken files are clean rejections, never crashes: a DOCTYPE is refused (so no
// entity can ever be defined, let alone expanded), nesting deeper than a report can have is
// refused by a scan of the raw bytes before pugixml sees them, and parse errors name a line.
// What XML 1.0 forbids and pugixml would accept is refused by the same scan, naming the line:
// a character XML does not allow (raw, or as &#x1B;), an entity it does not define (&nbsp;),
// and a second document after the report. A value longer than FeedTable::kMaxFieldBytes is a
// record error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/mis/feed_table.h"

namespace iesync {

// `bytes` is the file as read: UTF-8 (with or without BOM) or UTF-16 LE/BE with a BOM.
// `file` names it in messages. Fails on anything that is not a readable report.
// `numbers`, when given, renumbers the records (record k is numbered numbers[k]): for a
// document of some of a file's records, so every message names the record in the file.
Result<FeedTable> read_xml_feed(std::string_view bytes, const std::string& file,
                                const std::vector<std::uint32_t>* numbers = nullptr);

// The same read by one parse of the whole document, never in pieces: for the tests and the
// fuzzer, which hold read_xml_feed to its every answer. Its memory is many times the file's.
Result<FeedTable> read_xml_feed_as_one_document(std::string_view bytes, const std::string& file);

// Deepest element nesting a CommandReporter file can need is 3; anything past this is refused.
inline constexpr int kMaxXmlDepth = 16;

}  // namespace iesync
