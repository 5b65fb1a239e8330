// The export folder as the importer sees it: which file is a feed's newest export, when it
// was last written, its content hash, and moving a rejected export aside with a note.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "mapping/clock.h"
#include "mapping/result.h"

namespace iesync {

struct ExportFile {
  std::filesystem::path path;
  TimePoint modified;
  std::uintmax_t size = 0;
  // What else stat() says; together with size they tell an untouched file from a rewritten
  // one without reading it.
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
};

// The newest regular file in `dir` whose name matches `pattern` (a name or a glob with * ? []).
std::optional<ExportFile> newest_export(const std::filesystem::path& dir, const std::string& pattern);

Result<std::string> read_whole_file(const std::filesystem::path& p);

// SHA-256 of the bytes, lower-case hex.
std::string sha256_hex(std::string_view bytes);

// Moves `file` into dir/rejected/ as NAME.<UTC timestamp>.EXT (never overwriting an earlier
// rejection) and writes `why` beside it as <that name>.why.txt. Returns the new path.
Result<std::filesystem::path> move_to_rejected(const std::filesystem::path& file, TimePoint now,
                                               const std::string& why);

}  // namespace iesync
