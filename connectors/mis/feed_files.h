// The export folder as the importer sees it: which file is a feed's newest export, when it
// was last written, its content hash, reading it safely, and moving a rejected export aside
// with a note.
//
// Only a regular file whose real path is inside the export folder is ever opened. A symbolic
// link is followed only when its target is such a file (the "students.xml -> students-
// 20261123.xml" some export jobs keep); a link out of the folder, a FIFO, a directory or a
// device named like a feed is reported for what it is and never opened.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace iesync {

struct ExportFile {
  std::filesystem::path path;  // in the export folder (a link there, not its target)
  TimePoint modified;
  std::uintmax_t size = 0;
  // What else stat() says; together with size they tell an untouched file from a rewritten
  // one without reading it.
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
};

// What a feed's name pattern finds in the export folder.
struct ExportSearch {
  std::optional<ExportFile> file;  // the newest regular file that may be read
  // Entries named like the feed that are not read, each saying what it is ("students.xml is
  // a FIFO", "... points outside the export folder"); never opened.
  std::vector<Error> refused;
};

// The newest regular file in `dir` whose name matches `pattern` (a name or a glob with * ? []),
// and every match that may not be read.
ExportSearch find_export(const std::filesystem::path& dir, const std::string& pattern);

// find_export(dir, pattern).file.
std::optional<ExportFile> newest_export(const std::filesystem::path& dir,
                                        const std::string& pattern);

// Why an export's bytes could not be had, in the terms the importer decides on.
enum class ReadFailureKind {
  unreadable,  // cannot be opened or read (permissions, I/O): the cycle fails for this feed
  too_large,   // over FeedTable::kMaxExportBytes, seen before reading: the export is rejected
  changed,     // changed while (or since it was listed and) being read: left for the next cycle
};

struct ReadFailure {
  ReadFailureKind kind = ReadFailureKind::unreadable;
  Error error;
};

[[noreturn]] void throw_exception_from_error(const ReadFailure& f,
                                             const boost::source_location& loc);

// An export's bytes as read_export read them. Not a std::string, which would zero them all
// before the read overwrote them: for 3.6 MB of memberships that was an eighth of the read.
class ExportBytes {
 public:
  ExportBytes() = default;
  explicit ExportBytes(std::size_t size)
      : data_(std::make_unique_for_overwrite<char[]>(size)), size_(size) {}
  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }
  operator std::string_view() const { return view(); }
  void release() {
    data_.reset();
    size_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

// The bytes of `file` as find_export listed it, read from one descriptor. The size is taken
// from that descriptor before reading, so an oversized (or sparse) file is refused without
// being read. After reading, the descriptor and the path are stat()ed again: if the size,
// mtime, ctime or inode differ from each other or from the listing, the bytes may be a mix of
// two versions and are not returned (ReadFailureKind::changed). `after_read` runs between the
// read and that check; only tests set it, to change the file at exactly that moment.
boost::system::result<ExportBytes, ReadFailure> read_export(
    const ExportFile& file,
    const std::function<void(const std::filesystem::path&)>& after_read = {});

// SHA-256 of the bytes, lower-case hex.
std::string sha256_hex(std::string_view bytes);

// What an export is known by, to tell a changed one from the one in use: "xxh3-128:" and the
// XXH3 128-bit hash of its bytes in hex. Not a cryptographic hash, and it need not be: it
// only tells apart exports the MIS wrote (an accidental match is 1 in 2^128), and anyone who
// can write the export folder can change what iesync reads anyway. It reads ~20 times faster
// than SHA-256, which was a tenth of a re-export's time. A store from before holds SHA-256
// hashes, so each feed's export is read once more, and applied as a diff of nothing.
std::string export_hash(std::string_view bytes);

// Moves `file` into dir/rejected/ as NAME.<UTC timestamp>.EXT (never overwriting an earlier
// rejection) and writes `why` beside it as <that name>.why.txt. Returns the new path.
Result<std::filesystem::path> move_to_rejected(const std::filesystem::path& file, TimePoint now,
                                               const std::string& why);

}  // namespace iesync
