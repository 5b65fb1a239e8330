#include "connectors/mis/export_fingerprint.h"

#include "store/export_fingerprints.h"

namespace iesync {

namespace {

FileState state_of(const ExportFile& file) {
  return FileState{file.path.string(),
                   static_cast<std::int64_t>(file.size),
                   file.mtime_ns,
                   file.ctime_ns,
                   static_cast<std::int64_t>(file.inode),
                   static_cast<std::int64_t>(file.device)};
}

}  // namespace

std::optional<std::string> known_content_hash(Store& store, Feed feed, const ExportFile& file) {
  // A store that cannot be read here only costs a re-read; the cycle's next write reports it.
  auto h = ExportFingerprints(store).hash_of(feed, state_of(file));
  return h ? *h : std::nullopt;
}

Result<void> remember_content_hash(Store& store, Feed feed, const ExportFile& file,
                                   const std::string& hash) {
  return ExportFingerprints(store).remember(feed, state_of(file), hash);
}

}  // namespace iesync
