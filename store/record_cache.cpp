#include "store/record_cache.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cstring>

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

// Each record as three little-endian 64-bit words: the blob reads back the same on any
// machine the store is copied to.
constexpr std::size_t kRecordBytes = 24;

void put(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint64_t get(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

Result<std::optional<RecordCache>> read_record_cache(Store& store, Feed f) {
  return guarded(store, "cannot read the record cache", [&]() -> std::optional<RecordCache> {
    SQLite::Statement q(StoreAccess::db(store),
                        "SELECT content_hash, context, records FROM feed_records WHERE feed = ?");
    q.bind(1, feed_name(f));
    if (!q.executeStep()) return std::nullopt;
    RecordCache c;
    c.content_hash = q.getColumn(0).getString();
    c.context = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
    auto blob = q.getColumn(2);
    const auto size = static_cast<std::size_t>(blob.getBytes());
    if (size % kRecordBytes != 0) return std::nullopt;  // not ours: read the export whole
    const auto* p = static_cast<const unsigned char*>(blob.getBlob());
    c.records.resize(size / kRecordBytes);
    for (auto& r : c.records) {
      r.raw = get(p);
      r.key = get(p + 8);
      r.rowid = static_cast<std::int64_t>(get(p + 16));
      p += kRecordBytes;
    }
    if (!std::is_sorted(c.records.begin(), c.records.end(),
                        [](auto& a, auto& b) { return a.raw < b.raw; }))
      return std::nullopt;
    return c;
  });
}

void write_record_cache(SQLite::Database& db, Feed f, const std::string& content_hash,
                        std::uint64_t context, std::vector<CachedRecord> records) {
  std::sort(records.begin(), records.end(), [](auto& a, auto& b) { return a.raw < b.raw; });
  std::vector<unsigned char> blob(records.size() * kRecordBytes);
  unsigned char* p = blob.data();
  for (auto& r : records) {
    put(p, r.raw);
    put(p + 8, r.key);
    put(p + 16, static_cast<std::uint64_t>(r.rowid));
    p += kRecordBytes;
  }
  SQLite::Statement st(db,
                       "INSERT INTO feed_records(feed, content_hash, context, records) VALUES "
                       "(?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET content_hash = "
                       "excluded.content_hash, context = excluded.context, records = "
                       "excluded.records");
  st.bind(1, feed_name(f));
  st.bind(2, content_hash);
  st.bind(3, static_cast<int64_t>(context));
  static const unsigned char kEmpty = 0;  // a NULL pointer would bind NULL, not an empty blob
  st.bindNoCopy(4, blob.empty() ? &kEmpty : blob.data(), static_cast<int>(blob.size()));
  st.exec();
}

void drop_record_cache(SQLite::Database& db, Feed f) {
  SQLite::Statement st(db, "DELETE FROM feed_records WHERE feed = ?");
  st.bind(1, feed_name(f));
  st.exec();
}

void drop_all_record_caches(SQLite::Database& db) {
  db.exec("DELETE FROM feed_records");
}

}  // namespace iesync
