// An export split into its raw records, without parsing them: each XML <Record>...</Record>
// or CSV row as bytes of the file, with a hash of those bytes, and a hash of everything
// around the records (the XML declaration and root, the CSV header) that gives them their
// meaning. A record whose bytes and context are the same as last time maps to the same row,
// so a re-export need only parse the records it has not seen (issue 20, the record cache).
//
// The split is deliberately narrow: it accepts only the plain shapes SIMS and other MIS write
// (UTF-8; an XML body of <Record> elements, in a <SuperStarReport> root with or without
// attributes, with what the reader skips between them: white space, comments, processing
// instructions, text, other elements; CSV quoted as RFC 4180) and says nullopt for anything else,
// which is then read whole by the strict readers. It never decides whether a file is valid: only
// the readers do, and a record is only ever taken as known when the same bytes were read and mapped
// before in the same context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace iesync {

struct RawRecord {
  std::uint64_t hash = 0;              // XXH3 of the record's bytes
  std::uint32_t offset = 0, size = 0;  // its bytes in the file
  std::uint32_t number = 0;  // as the readers number it: XML record number, CSV start line
};

struct RawSplit {
  std::uint64_t context = 0;  // hash of the format and the bytes around the records
  // What a document of some of the records starts and ends with, so that it reads as the
  // file would: the prolog and root start tag, or the header row; the root end tag.
  std::string_view head, tail;
};

using RawRecordSink = std::function<void(const RawRecord&)>;

// Calls `each` for every record in file order. `bytes` is the file as read; records too
// large for 32-bit offsets cannot occur (the readers refuse files over 1 GiB).
std::optional<RawSplit> split_raw_records(std::string_view bytes, const MisConfig& mis,
                                          const RawRecordSink& each);

// The context a feed's cached records hold in: the export's own (RawSplit::context), what
// mapping.toml and [mis] say about the feed, this build, and for the feeds checked against
// the students (memberships, bookings, behaviour) the students export they were checked
// against. A cached record is used only in the context it was cached in.
std::uint64_t record_context(const RawSplit& split, Feed f, const Config& cfg,
                             std::string_view students_hash);

// A document of the head, the given records and the tail: read by the strict reader as the
// whole file would be. `numbers[k]`, for k the number the reader gives the k-th record
// (XML: k; CSV: the line it starts on in the document), is its number in the file.
struct PartialExport {
  std::string text;
  std::vector<std::uint32_t> numbers;
};
PartialExport partial_export(std::string_view bytes, const RawSplit& split,
                             const std::vector<RawRecord>& records, FeedFormat format);

}  // namespace iesync
