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
//
// Stored as a base (every record, written when the feed is read whole) and the changes
// since (records added and removed). A re-export writes only its changes, until they grow
// past an eighth of the base, when the base is written afresh: a 650,000-record base is
// 15 MB, and rewriting it each night cost more than the changed records themselves.
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
  friend auto operator<=>(const CachedRecord&, const CachedRecord&) = default;
};

struct RecordCache {
  std::string content_hash;
  std::uint64_t context = 0;
  std::vector<CachedRecord> records;         // in use, sorted: the base with the changes since
  std::vector<CachedRecord> added, removed;  // the changes since the base, sorted
};

Result<std::optional<RecordCache>> read_record_cache(Store& store, Feed f);
// In the caller's savepoint: `records` (in any order) as a new base.
void write_record_cache(SQLite::Database& db, Feed f, const std::string& content_hash,
                        std::uint64_t context, std::vector<CachedRecord> records);
// In the caller's savepoint: the cache `old` (as read) less `gone` (some of its records,
// sorted) and with `fresh` (in any order), written as changes to its base, or as a new base
// when the changes have grown large.
void write_record_changes(SQLite::Database& db, Feed f, const std::string& content_hash,
                          std::uint64_t context, const RecordCache& old,
                          const std::vector<CachedRecord>& gone, std::vector<CachedRecord> fresh);
void drop_record_cache(SQLite::Database& db, Feed f);
void drop_all_record_caches(SQLite::Database& db);

}  // namespace iesync
