// Remembers what each feed's export looked like on disk (size, mtime, ctime, inode, device)
// when its content was last hashed, so the next cycle can tell an untouched export without
// reading it (SPEC §3: an unchanged feed costs no work). A pure cache: a missing or
// mismatching fingerprint only means the file is read and hashed again.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "connectors/mis/feed_files.h"
#include "mapping/rules.h"
#include "store/store.h"

namespace iesync {

// The content hash recorded for `file` when it had exactly this size, times and inode;
// nullopt when it was never hashed in this state.
std::optional<std::string> known_content_hash(Store& store, Feed feed, const ExportFile& file);

// Records that `file`, as stat() saw it before it was read, has content `hash`.
Result<void> remember_content_hash(Store& store, Feed feed, const ExportFile& file,
                                   const std::string& hash);

}  // namespace iesync
