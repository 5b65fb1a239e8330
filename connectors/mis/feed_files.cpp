#include "connectors/mis/feed_files.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "connectors/crypto/libcrypto.h"
#include "connectors/mis/feed_table.h"
#include "mapping/shown_text.h"

namespace iesync {

namespace fs = std::filesystem;

namespace {

std::int64_t ns(const timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

ExportFile export_file(const fs::path& p, const struct stat& st) {
  return ExportFile{p,
                    TimePoint{std::chrono::seconds{st.st_mtim.tv_sec}},
                    static_cast<std::uintmax_t>(st.st_size),
                    ns(st.st_mtim),
                    ns(st.st_ctim),
                    static_cast<std::uint64_t>(st.st_ino),
                    static_cast<std::uint64_t>(st.st_dev)};
}

// "is a FIFO (a named pipe)": what a file that is not a regular file is, for messages.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (a named pipe)";
  if (S_ISCHR(mode)) return "a character device (like /dev/zero)";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// A name or path as it may be shown: a file name can hold control characters too.
std::string name_of(const fs::path& p) {
  return shown(p.filename().string());
}

// One entry named like a feed: the file to read, nothing (it is gone), or why it is refused.
// lstat first, so a FIFO or device is recognised without being opened (opening a FIFO to read
// blocks until a writer comes).
Result<std::optional<ExportFile>> examine(const fs::path& p, const fs::path& real_dir) {
  const std::string dir_shown = shown(real_dir.string());
  const std::string fix_kind = "remove it, and have the MIS export job write " + name_of(p) +
                               " as an ordinary file in " + dir_shown;
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<ExportFile>{};
    return make_error({}, name_of(p) + " cannot be looked at: " + std::strerror(errno),
                      "check that the iesync user can read " + dir_shown);
  }
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    auto target = fs::read_symlink(p, ec);
    auto real = fs::canonical(p, ec);
    if (ec)
      return make_error({},
                        name_of(p) + " is a symbolic link to " + shown(target.string()) +
                            ", which " +
                            (ec == std::errc::too_many_symbolic_link_levels
                                 ? "is a loop of links"
                                 : "does not exist or cannot be reached"),
                        "remove the link, and have the MIS export job write " + name_of(p) +
                            " as an ordinary file in " + dir_shown);
    // Canonical paths hold no "." or ".." and no links, so a relative path that climbs is
    // the only way out of the folder.
    auto rel = real.lexically_relative(real_dir);
    if (rel.empty() || rel == "." || *rel.begin() == "..")
      return make_error({},
                        name_of(p) +
                            " is a symbolic link that points outside the export "
                            "folder (to " +
                            shown(real.string()) + "); iesync reads only files inside " + dir_shown,
                        "have the MIS export job write the file into " + dir_shown +
                            " itself, or point [mis] export_dir at the folder it writes to");
    if (::stat(real.c_str(), &st) != 0) return std::optional<ExportFile>{};  // gone meanwhile
    if (!S_ISREG(st.st_mode))
      return make_error({},
                        name_of(p) + " is a symbolic link to " + shown(real.string()) +
                            ", which is " + kind_of(st.st_mode) + ", not an export file",
                        fix_kind);
    return std::optional<ExportFile>{export_file(p, st)};
  }
  if (!S_ISREG(st.st_mode))
    return make_error({},
                      name_of(p) + " is " + kind_of(st.st_mode) +
                          ", not an export file; iesync reads only regular files and did "
                          "not open it",
                      fix_kind);
  return std::optional<ExportFile>{export_file(p, st)};
}

bool same_state(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         ns(a.st_mtim) == ns(b.st_mtim) && ns(a.st_ctim) == ns(b.st_ctim);
}

bool same_state(const struct stat& a, const ExportFile& f) {
  return S_ISREG(a.st_mode) && static_cast<std::uint64_t>(a.st_dev) == f.device &&
         static_cast<std::uint64_t>(a.st_ino) == f.inode &&
         static_cast<std::uintmax_t>(a.st_size) == f.size && ns(a.st_mtim) == f.mtime_ns &&
         ns(a.st_ctim) == f.ctime_ns;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

void throw_exception_from_error(const ReadFailure& f, const boost::source_location&) {
  throw ErrorException(f.error);
}

ExportSearch find_export(const fs::path& dir, const std::string& pattern) {
  ExportSearch out;
  std::error_code ec;
  auto real_dir = fs::canonical(dir, ec);
  if (ec) return out;  // no folder: every feed is missing, and says where it looked
  auto consider = [&](const fs::path& p) {
    auto r = examine(p, real_dir);
    if (!r) return out.refused.push_back(r.error());
    if (!*r) return;
    auto& f = **r;
    // Newest wins; on a tie the later name (exports are usually date-stamped).
    if (!out.file || f.modified > out.file->modified ||
        (f.modified == out.file->modified && f.path.filename() > out.file->path.filename()))
      out.file = std::move(f);
  };
  if (pattern.find_first_of("*?[") == std::string::npos) {
    consider(dir / pattern);
    return out;
  }
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0) consider(it->path());
  }
  return out;
}

std::optional<ExportFile> newest_export(const fs::path& dir, const std::string& pattern) {
  return find_export(dir, pattern).file;
}

boost::system::result<ExportBytes, ReadFailure> read_export(
    const ExportFile& file, const std::function<void(const fs::path&)>& after_read) {
  const std::string name = name_of(file.path);
  auto failure = [&](ReadFailureKind kind, std::string where, std::string message,
                     std::string fix) {
    return ReadFailure{kind, make_error(std::move(where), std::move(message), std::move(fix))};
  };
  auto unreadable = [&](const char* doing) {
    return failure(ReadFailureKind::unreadable, shown(file.path.string()),
                   std::string("cannot ") + doing + " the file: " + std::strerror(errno),
                   "check that the iesync user can read the export folder");
  };
  auto changed = [&](const char* how) {
    return failure(ReadFailureKind::changed, name, name + " " + how,
                   "nothing to do: it is read again at the next cycle");
  };
  // O_NONBLOCK: should the entry have become a FIFO since it was listed, opening it must not
  // wait for a writer; fstat below then refuses it.
  Fd fd{::open(file.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return changed("was removed or renamed after it was listed");
    return unreadable("open");
  }
  struct stat before {};
  if (::fstat(fd.fd, &before) != 0) return unreadable("stat");
  if (!same_state(before, file)) return changed("changed after it was listed");
  // From the descriptor, before reading a byte: a 4 GiB (or sparse) file costs nothing.
  if (static_cast<std::uintmax_t>(before.st_size) > FeedTable::kMaxExportBytes)
    return failure(ReadFailureKind::too_large, name,
                   "the file is " + std::to_string(before.st_size >> 20) +
                       " MiB, over the 1 GiB iesync reads (a whole school's largest export is "
                       "about 100 MB); it was not read",
                   "check the export in the MIS selects only what mapping.toml names, and "
                   "export it again");
  ExportBytes bytes(static_cast<std::size_t>(before.st_size));
  for (std::size_t got = 0; got < bytes.size();) {
    auto n = ::read(fd.fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable("read");
    if (n == 0) return changed("became shorter while it was being read");
    got += static_cast<std::size_t>(n);
  }
  char more;
  for (;;) {
    auto n = ::read(fd.fd, &more, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable("read");
    if (n > 0) return changed("grew while it was being read");
    break;
  }
  if (after_read) after_read(file.path);
  // The same size is not enough: a file rewritten in place while it was read gives a mix of
  // old and new records. Its mtime and ctime move with any write, and the path names a new
  // inode when the file was replaced; either way these bytes must not be applied.
  struct stat after {
  }, now{};
  if (::fstat(fd.fd, &after) != 0) return unreadable("stat");
  if (::stat(file.path.c_str(), &now) != 0 || now.st_dev != before.st_dev ||
      now.st_ino != before.st_ino)
    return changed("was replaced or removed while it was being read");
  if (!same_state(before, after) || !same_state(before, now))
    return changed("was written to while it was being read");
  return bytes;
}

std::string export_hash(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  char out[9 + 32 + 1];
  std::snprintf(out, sizeof out, "xxh3-128:%016llx%016llx",
                static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : crypto::sha256(bytes)) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Result<fs::path> move_to_rejected(const fs::path& file, TimePoint now, const std::string& why) {
  auto dir = file.parent_path() / "rejected";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return make_error(dir.string(), "cannot create the rejected folder: " + ec.message(),
                      "check that the iesync user can write to the export folder");
  // 2026-11-23T09:05:00Z -> 20261123T090500Z: sortable and safe in any file system.
  std::string stamp;
  for (char c : format_utc(now))
    if (c != '-' && c != ':') stamp.push_back(c);
  auto stem = file.stem().string(), ext = file.extension().string();
  fs::path dest;
  for (int n = 1;; ++n) {
    dest = dir / (stem + "." + stamp + (n > 1 ? "-" + std::to_string(n) : "") + ext);
    if (!fs::exists(dest, ec)) break;
  }
  fs::rename(file, dest, ec);
  if (ec)
    return make_error(file.string(), "cannot move the rejected export aside: " + ec.message(),
                      "check that the iesync user can write to the export folder");
  std::ofstream out(dest.string() + ".why.txt", std::ios::trunc);
  out << why;
  if (!out)
    return make_error(dest.string() + ".why.txt", "cannot write the note explaining the rejection",
                      "check the disk is not full");
  return Result<fs::path>(boost::system::in_place_value, std::move(dest));
}

}  // namespace iesync
