#include "store/export_fingerprints.h"

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

// Binds the feed and the file's on-disk state to parameters 1..7, in the table's order.
void bind_state(SQLite::Statement& q, Feed feed, const FileState& s) {
  q.bind(1, feed_name(feed));
  q.bind(2, s.path);
  q.bind(3, s.size);
  q.bind(4, s.mtime_ns);
  q.bind(5, s.ctime_ns);
  q.bind(6, s.inode);
  q.bind(7, s.device);
}

}  // namespace

Result<std::optional<std::string>> ExportFingerprints::hash_of(Feed feed, const FileState& state) {
  return guarded(store_, "cannot read an export's fingerprint",
                 [&]() -> std::optional<std::string> {
                   SQLite::Statement q(
                       StoreAccess::db(store_),
                       "SELECT content_hash FROM export_fingerprint WHERE feed = ?1 AND path = ?2 "
                       "AND size = ?3 AND mtime_ns = ?4 AND ctime_ns = ?5 AND inode = ?6 AND "
                       "device = ?7");
                   bind_state(q, feed, state);
                   if (!q.executeStep()) return std::nullopt;
                   return q.getColumn(0).getString();
                 });
}

Result<void> ExportFingerprints::remember(Feed feed, const FileState& state,
                                          const std::string& hash) {
  return guarded(store_, "cannot record an export's fingerprint (it is read again next cycle)",
                 [&] {
                   SQLite::Statement q(
                       StoreAccess::db(store_),
                       "INSERT OR REPLACE INTO export_fingerprint(feed, path, size, mtime_ns, "
                       "ctime_ns, inode, device, content_hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)");
                   bind_state(q, feed, state);
                   q.bind(8, hash);
                   q.exec();
                 });
}

}  // namespace iesync
