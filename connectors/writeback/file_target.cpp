#include "connectors/writeback/file_target.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "connectors/writeback/csv.h"

namespace iesync {

namespace fs = std::filesystem;

std::string writeback_csv_line(const OutboxRow& row) {
  const auto& it = row.item;
  const bool has_times = it.kind != WriteKind::session_mark &&
                         !(it.kind == WriteKind::retraction && !it.session.empty());
  std::string cols[] = {write_kind_name(it.kind),
                        it.student_id,
                        it.date.iso(),
                        it.session,
                        it.class_code,
                        has_times ? it.start.str() : std::string(),
                        has_times ? it.end.str() : std::string(),
                        it.code,
                        it.comment,
                        it.reason,
                        row.send_key()};
  std::string line;
  for (const auto& c : cols) {
    if (!line.empty() || &c != &cols[0]) line += ',';
    line += csv_field(c);
  }
  return line;
}

FileTarget::FileTarget(fs::path outbox_dir, Clock& clock)
    : dir_(std::move(outbox_dir)), clock_(clock) {}

namespace {

Error folder_error(const fs::path& dir, const std::string& what) {
  return make_error(dir.string(), what,
                    "check [writeback] outbox_dir exists and is writable by the iesync user");
}

// True when no process holds the write lock on temp file `p` any more.
bool writer_gone(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool gone = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return gone;
}

bool is_ours(const std::string& name) {
  return name.size() > 11 && name.rfind("iesync-", 0) == 0 &&
         name.compare(name.size() - 4, 4, ".csv") == 0;
}

// Writes all of `data` to fd; false with errno set on failure.
bool write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string stamp(TimePoint t) {
  auto dp = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{dp};
  std::chrono::hh_mm_ss hms{t - dp};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u-%02d%02d%02d", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

}  // namespace

Result<std::vector<ItemOutcome>> FileTarget::recover(std::span<const OutboxRow> pending) {
  std::vector<ItemOutcome> out;
  if (pending.empty()) return out;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec))
    return folder_error(dir_, "the write-back folder does not exist");
  std::map<std::string, const OutboxRow*> wanted;
  for (const auto& r : pending) wanted[r.send_key()] = &r;
  for (fs::directory_iterator d(dir_, ec), end; !ec && d != end; d.increment(ec)) {
    const auto name = d->path().filename().string();
    if (name.rfind(".iesync-tmp-", 0) == 0) {
      // A temp file whose writer died (the writer holds a lock on it until the name is
      // gone; the kernel drops the lock with the process): nothing refers to it.
      if (writer_gone(d->path())) {
        std::error_code ec2;
        fs::remove(d->path(), ec2);
      }
      continue;
    }
    if (!is_ours(name)) continue;
    std::ifstream in(d->path(), std::ios::binary);
    if (!in) return folder_error(d->path(), "cannot read an earlier write-back file");
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<std::vector<std::string>> rows;
    int bad = 0;
    if (!parse_csv(ss.str(), rows, &bad))
      return make_error(d->path().string() + ":" + std::to_string(bad),
                        "an earlier write-back file has an unterminated quote",
                        "this file was not written by iesync or was edited; move it out of the "
                        "folder after checking the MIS imported it");
    if (rows.empty()) continue;
    size_t key_col = rows[0].size();
    for (size_t i = 0; i < rows[0].size(); ++i)
      if (rows[0][i] == "key") key_col = i;
    if (key_col == rows[0].size()) continue;
    for (size_t i = 1; i < rows.size(); ++i) {
      if (rows[i].size() <= key_col) continue;
      auto w = wanted.find(rows[i][key_col]);
      if (w == wanted.end()) continue;
      out.push_back(ItemOutcome{w->second->id, ItemResult::sent, name, "found in " + name,
                                std::nullopt, std::nullopt});
      wanted.erase(w);
    }
  }
  if (ec) return folder_error(dir_, "cannot list the write-back folder: " + ec.message());
  return out;
}

Result<std::string> FileTarget::write_file(std::span<const OutboxRow> rows) {
  std::string body = std::string(kWritebackCsvHeader) + "\r\n";
  for (const auto& r : rows) body += writeback_csv_line(r) + "\r\n";

  std::string tmpl = (dir_ / ".iesync-tmp-XXXXXX").string();
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return folder_error(dir_, std::string("cannot create a file: ") + strerror(errno));
  // Held until the temp name is gone, so recover() can tell a live writer from a dead one.
  ::flock(fd, LOCK_EX);
  struct CloseFd {
    int fd;
    ~CloseFd() { ::close(fd); }
  } close_later{fd};
  ::fchmod(fd, 0640);  // it names children; the MIS import account reads it via the group
  bool ok = write_all(fd, body) && ::fsync(fd) == 0;
  int err = errno;
  if (!ok) {
    ::unlink(tmpl.c_str());
    return folder_error(dir_, std::string("cannot write a file: ") + strerror(err));
  }
  const auto base = "iesync-" + stamp(clock_.now()) + "-";
  std::string name;
  for (int n = 1; n <= 9999; ++n) {
    char num[8];
    std::snprintf(num, sizeof num, "%04d", n);
    name = base + num + ".csv";
    // link() fails on an existing name: a file, once there, is never replaced.
    if (::link(tmpl.c_str(), (dir_ / name).c_str()) == 0) break;
    if (errno != EEXIST) {
      err = errno;
      ::unlink(tmpl.c_str());
      return folder_error(dir_, std::string("cannot name the file: ") + strerror(err));
    }
    name.clear();
  }
  ::unlink(tmpl.c_str());
  if (name.empty()) return folder_error(dir_, "9999 files for one second already exist");
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    err = errno;
    if (dfd >= 0) ::close(dfd);
    // The file is there but may not survive a power cut. Reporting an error would leave
    // the items pending, and recover() would then find them in the file: still exactly once.
    return folder_error(dir_, std::string("cannot sync the folder: ") + strerror(err));
  }
  ::close(dfd);
  return Result<std::string>(boost::system::in_place_value, name);
}

// The file target needs no in-doubt step: recover() finds in the folder whatever a run wrote
// before its commit was lost, so before_post is not called.
Result<SendOutcome> FileTarget::send(std::span<const OutboxRow> rows, const BeforePost&) {
  SendOutcome out;
  if (rows.empty()) return out;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec))
    return folder_error(dir_, "the write-back folder does not exist");
  auto name = write_file(rows);
  if (!name) return name.error();
  for (const auto& r : rows)
    out.items.push_back(ItemOutcome{r.id, ItemResult::sent, *name, {}, std::nullopt, std::nullopt});
  return out;
}

}  // namespace iesync
