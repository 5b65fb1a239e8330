#include "connectors/mis/export_fingerprint.h"

namespace iesync {

namespace {

// Binds the feed and the file's on-disk state to parameters 1..7, in the table's order.
void bind_state(SQLite::Statement& q, Feed feed, const ExportFile& file) {
  q.bind(1, feed_name(feed));
  q.bind(2, file.path.string());
  q.bind(3, static_cast<std::int64_t>(file.size));
  q.bind(4, file.mtime_ns);
  q.bind(5, file.ctime_ns);
  q.bind(6, static_cast<std::int64_t>(file.inode));
  q.bind(7, static_cast<std::int64_t>(file.device));
}

}  // namespace

std::optional<std::string> known_content_hash(Store& store, Feed feed, const ExportFile& file) {
  SQLite::Statement q(store.db(),
                      "SELECT content_hash FROM export_fingerprint WHERE feed = ?1 AND path = ?2 "
                      "AND size = ?3 AND mtime_ns = ?4 AND ctime_ns = ?5 AND inode = ?6 AND "
                      "device = ?7");
  bind_state(q, feed, file);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

Result<void> remember_content_hash(Store& store, Feed feed, const ExportFile& file,
                                   const std::string& hash) {
  try {
    SQLite::Statement q(store.db(),
                        "INSERT OR REPLACE INTO export_fingerprint(feed, path, size, mtime_ns, "
                        "ctime_ns, inode, device, content_hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)");
    bind_state(q, feed, file);
    q.bind(8, hash);
    q.exec();
  } catch (const SQLite::Exception& e) {
    return make_error("store", std::string("cannot record an export's fingerprint: ") + e.what(),
                      "check the disk is not full; the export is simply read again next cycle");
  }
  return {};
}

}  // namespace iesync
