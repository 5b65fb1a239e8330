// The record cache (issue 20): for each feed, which raw record of the export in use became
// which row. A nightly re-export differs from the last in a handful of records; with this,
// only those are parsed, mapped and written, and the rest are known by the hash of their
// bytes (connectors/mis/raw_records.h).
//
// The cache is only ever a shortcut to what a full import would do. It belongs to one
// export (the feed's content_hash) and one context (the mapping, the format and the
// export's header), it is written in the same savepoint as the feed's rows, and whatever
// else changes those rows (retention, erasure) drops it; a feed without a usable cache is
// read whole, and its cache written afresh.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "mapping/rules.h"
#include "store/store.h"

namespace iesync {

struct CachedRecord {
  std::uint64_t raw = 0;  // hash of the record's bytes
  std::uint64_t key = 0;  // its row's identity hash (row_key)
  std::int64_t rowid = 0;
};

struct RecordCache {
  std::string content_hash;
  std::uint64_t context = 0;
  std::vector<CachedRecord> records;  // sorted by raw
};

Result<std::optional<RecordCache>> read_record_cache(Store& store, Feed f);
// In the caller's savepoint. `records` need not be sorted.
void write_record_cache(SQLite::Database& db, Feed f, const std::string& content_hash,
                        std::uint64_t context, std::vector<CachedRecord> records);
void drop_record_cache(SQLite::Database& db, Feed f);
void drop_all_record_caches(SQLite::Database& db);

}  // namespace iesync
