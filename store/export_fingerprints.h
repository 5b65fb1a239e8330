// What each feed's export looked like on disk when its content was last hashed (the
// `export_fingerprint` table), so an untouched export is not read again. A pure cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "mapping/rules.h"
#include "store/store.h"

namespace iesync {

// A file's identity as stat() sees it.
struct FileState {
  std::string path;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::int64_t inode = 0;
  std::int64_t device = 0;
};

class ExportFingerprints {
 public:
  explicit ExportFingerprints(Store& store) : store_(store) {}

  // The hash recorded for `feed` when its file was exactly in `state`; nullopt when it never
  // was.
  Result<std::optional<std::string>> hash_of(Feed feed, const FileState& state);
  Result<void> remember(Feed feed, const FileState& state, const std::string& hash);

 private:
  Store& store_;
};

}  // namespace iesync
