#include "store/record_cache.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

// Each record as three little-endian 64-bit words: the blob reads back the same on any
// machine the store is copied to.
constexpr std::size_t kRecordBytes = 24;

void put(unsigned char* p, std::uint64_t v) {
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

std::uint64_t get(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap64(v);
  return v;
}

std::vector<unsigned char> to_blob(const std::vector<CachedRecord>& records) {
  std::vector<unsigned char> blob(records.size() * kRecordBytes);
  unsigned char* p = blob.data();
  for (auto& r : records) {
    put(p, r.raw);
    put(p + 8, r.key);
    put(p + 16, static_cast<std::uint64_t>(r.rowid));
    p += kRecordBytes;
  }
  return blob;
}

// nullopt for a blob that is not a sorted list of records (not ours: the export is read
// whole, and the cache written afresh).
std::optional<std::vector<CachedRecord>> from_blob(const SQLite::Column& c) {
  const auto size = static_cast<std::size_t>(c.getBytes());
  if (size % kRecordBytes != 0) return std::nullopt;
  const auto* p = static_cast<const unsigned char*>(c.getBlob());
  std::vector<CachedRecord> out(size / kRecordBytes);
  for (auto& r : out) {
    r.raw = get(p);
    r.key = get(p + 8);
    r.rowid = static_cast<std::int64_t>(get(p + 16));
    p += kRecordBytes;
  }
  if (!std::is_sorted(out.begin(), out.end())) return std::nullopt;
  return out;
}

void bind_blob(SQLite::Statement& st, int at, const std::vector<unsigned char>& blob) {
  static const unsigned char kEmpty = 0;  // a NULL pointer would bind NULL, not an empty blob
  st.bindNoCopy(at, blob.empty() ? &kEmpty : blob.data(), static_cast<int>(blob.size()));
}

void write_changes_row(SQLite::Database& db, Feed f, const std::string& content_hash,
                       std::uint64_t context, const std::vector<CachedRecord>& added,
                       const std::vector<CachedRecord>& removed) {
  SQLite::Statement st(db,
                       "INSERT INTO feed_records(feed, content_hash, context, added, removed) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET content_hash = "
                       "excluded.content_hash, context = excluded.context, added = "
                       "excluded.added, removed = excluded.removed");
  const auto a = to_blob(added), r = to_blob(removed);
  st.bind(1, feed_name(f));
  st.bind(2, content_hash);
  st.bind(3, static_cast<int64_t>(context));
  bind_blob(st, 4, a);
  bind_blob(st, 5, r);
  st.exec();
}

}  // namespace

Result<std::optional<RecordCache>> read_record_cache(Store& store, Feed f) {
  return guarded(store, "cannot read the record cache", [&]() -> std::optional<RecordCache> {
    auto& db = StoreAccess::db(store);
    RecordCache c;
    {
      SQLite::Statement q(
          db, "SELECT content_hash, context, added, removed FROM feed_records WHERE feed = ?");
      q.bind(1, feed_name(f));
      if (!q.executeStep()) return std::nullopt;
      c.content_hash = q.getColumn(0).getString();
      c.context = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
      auto a = from_blob(q.getColumn(2)), r = from_blob(q.getColumn(3));
      if (!a || !r) return std::nullopt;
      c.added = std::move(*a);
      c.removed = std::move(*r);
    }
    {
      SQLite::Statement q(db, "SELECT records FROM feed_record_base WHERE feed = ?");
      q.bind(1, feed_name(f));
      if (!q.executeStep()) return std::nullopt;
      auto b = from_blob(q.getColumn(0));
      if (!b) return std::nullopt;
      c.records = std::move(*b);
    }
    // records = base - removed + added, in place: a 650,000-record base is not held twice.
    auto& r = c.records;
    std::size_t out = 0, k = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
      while (k < c.removed.size() && c.removed[k] < r[i]) ++k;
      if (k < c.removed.size() && c.removed[k] == r[i]) {
        ++k;
        continue;
      }
      r[out++] = r[i];
    }
    if (out + c.removed.size() != r.size()) return std::nullopt;  // not of this base
    r.resize(out);
    r.insert(r.end(), c.added.begin(), c.added.end());
    std::inplace_merge(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(out), r.end());
    return c;
  });
}

void write_record_cache(SQLite::Database& db, Feed f, const std::string& content_hash,
                        std::uint64_t context, std::vector<CachedRecord> records) {
  std::sort(records.begin(), records.end());
  // The blob is written over the records' own storage (same size, each record read before
  // its bytes are rewritten): a whole school's memberships cache is not held twice.
  static_assert(sizeof(CachedRecord) == kRecordBytes);
  for (auto& r : records) {
    const CachedRecord v = r;
    auto* p = reinterpret_cast<unsigned char*>(&r);
    put(p, v.raw);
    put(p + 8, v.key);
    put(p + 16, static_cast<std::uint64_t>(v.rowid));
  }
  static const unsigned char kEmpty = 0;
  SQLite::Statement st(db,
                       "INSERT INTO feed_record_base(feed, records) VALUES (?, ?) "
                       "ON CONFLICT(feed) DO UPDATE SET records = excluded.records");
  st.bind(1, feed_name(f));
  st.bindNoCopy(2,
                records.empty() ? static_cast<const void*>(&kEmpty)
                                : static_cast<const void*>(records.data()),
                static_cast<int>(records.size() * kRecordBytes));
  st.exec();
  write_changes_row(db, f, content_hash, context, {}, {});
}

void write_record_changes(SQLite::Database& db, Feed f, const std::string& content_hash,
                          std::uint64_t context, const RecordCache& old,
                          const std::vector<CachedRecord>& gone, std::vector<CachedRecord> fresh) {
  std::sort(fresh.begin(), fresh.end());
  // A record gone that was added since the base leaves the added; any other leaves the base.
  std::vector<CachedRecord> added, removed, gone_from_base;
  std::set_difference(old.added.begin(), old.added.end(), gone.begin(), gone.end(),
                      std::back_inserter(added));
  std::set_difference(gone.begin(), gone.end(), old.added.begin(), old.added.end(),
                      std::back_inserter(gone_from_base));
  const std::size_t kept_added = added.size();
  added.insert(added.end(), fresh.begin(), fresh.end());
  std::inplace_merge(added.begin(), added.begin() + static_cast<std::ptrdiff_t>(kept_added),
                     added.end());
  std::merge(old.removed.begin(), old.removed.end(), gone_from_base.begin(), gone_from_base.end(),
             std::back_inserter(removed));
  const std::size_t base = old.records.size() - old.added.size() + old.removed.size();
  if (added.size() + removed.size() <= std::max<std::size_t>(base / 8, 4096))
    return write_changes_row(db, f, content_hash, context, added, removed);
  // The changes have grown: a new base of the records in use.
  std::vector<CachedRecord> records;
  records.reserve(old.records.size() - gone.size() + fresh.size());
  std::set_difference(old.records.begin(), old.records.end(), gone.begin(), gone.end(),
                      std::back_inserter(records));
  records.insert(records.end(), fresh.begin(), fresh.end());
  write_record_cache(db, f, content_hash, context, std::move(records));
}

void drop_record_cache(SQLite::Database& db, Feed f) {
  for (const char* sql :
       {"DELETE FROM feed_records WHERE feed = ?", "DELETE FROM feed_record_base WHERE feed = ?"}) {
    SQLite::Statement st(db, sql);
    st.bind(1, feed_name(f));
    st.exec();
  }
}

void drop_all_record_caches(SQLite::Database& db) {
  db.exec("DELETE FROM feed_records");
  db.exec("DELETE FROM feed_record_base");
}

}  // namespace iesync
