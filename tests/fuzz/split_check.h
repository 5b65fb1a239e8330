// For the feed fuzzers: the record cache's split (connectors/mis/raw_records.h) held against
// the strict reader. Whenever the split takes a file, a document of all its records must read
// as the file itself does (the same records, values, numbers and record errors), and must not
// read at all when the file does not: the record cache reads documents of some records in
// place of the file, and trusts exactly this.
#pragma once

#include <string_view>
#include <vector>

#include "connectors/mis/feed_reader.h"
#include "connectors/mis/raw_records.h"

namespace iesync::fuzz {

// Traps unless the two tables hold the same records, values, numbers and record errors.
inline void check_same_table(const FeedTable& part, const FeedTable& whole) {
  if (part.size() != whole.size() || part.columns != whole.columns) __builtin_trap();
  if (part.records_read != whole.records_read) __builtin_trap();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    auto a = whole[i], b = part[i];
    if (a.number != b.number) __builtin_trap();
    for (std::size_t c = 0; c <= whole.columns.size(); ++c)
      if (a.value(c) != b.value(c)) __builtin_trap();
  }
  if (part.record_errors.size() != whole.record_errors.size()) __builtin_trap();
  for (std::size_t i = 0; i < whole.record_errors.size(); ++i)
    if (part.record_errors[i].number != whole.record_errors[i].number ||
        part.record_errors[i].error.to_string() != whole.record_errors[i].error.to_string())
      __builtin_trap();
}

inline void check_split(std::string_view bytes, const MisConfig& mis,
                        const Result<FeedTable>& whole) {
  std::vector<RawRecord> records;
  auto split = split_raw_records(bytes, mis, [&](const RawRecord& r) { records.push_back(r); });
  if (!split) return;
  auto partial = partial_export(bytes, *split, records, mis.format);
  auto part = read_feed(partial.text, whole ? whole->file : "fuzz", mis, &partial.numbers);
  if (!whole) {
    // The cache never uses a document that reads fewer records than it holds.
    if (part && part->records_read == records.size()) __builtin_trap();
    return;
  }
  if (whole->records_read != records.size()) return;  // the file is then never cached
  if (!part || part->records_read != whole->records_read) __builtin_trap();
  check_same_table(*part, *whole);
}

}  // namespace iesync::fuzz
