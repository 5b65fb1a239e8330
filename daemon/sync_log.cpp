#include "daemon/sync_log.h"

#include <fcntl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <regex>
#include <string_view>

#include "mapping/shown_text.h"

namespace iesync {

namespace {

constexpr mode_t kLogMode = 0640;

// spdlog creates files with the process umask; logs name children, so they are
// created 0640 up front and spdlog then appends to them.
void precreate(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, kLogMode);
  if (fd >= 0) {
    ::fchmod(fd, kLogMode);  // an older file from a looser install is tightened too
    ::close(fd);
  }
}

// Rotation renames the live file and opens a new one: tighten it whatever the umask.
spdlog::file_event_handlers private_files() {
  spdlog::file_event_handlers h;
  h.after_open = [](const spdlog::filename_t&, std::FILE* f) {
    if (f) ::fchmod(::fileno(f), kLogMode);
  };
  return h;
}

// The UTC time a log line starts with: "2026-11-23T09:05:00Z ..." in sync.log,
// {"time":"2026-11-23T09:05:00Z",...} in sync.jsonl. nullopt for a continuation line.
std::optional<std::string_view> line_time(std::string_view line) {
  auto looks_like_time = [](std::string_view t) {
    return t.size() == 20 && t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[19] == 'Z';
  };
  if (line.size() >= 20 && looks_like_time(line.substr(0, 20))) return line.substr(0, 20);
  constexpr std::string_view json_start = "{\"time\":\"";
  if (line.starts_with(json_start) && line.size() >= json_start.size() + 20) {
    auto t = line.substr(json_start.size(), 20);
    if (looks_like_time(t)) return t;
  }
  return std::nullopt;
}

bool first_line_older(const std::filesystem::path& p, const std::string& cutoff) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return false;
  auto t = line_time(std::string_view(buf, size_t(n)));
  return !t || *t < cutoff;
}

// Cuts every line before the first one stamped at or after `cutoff`, in place (same inode,
// same mode), so a process that has the file open for appending keeps writing to it.
Result<long long> trim_in_place(const std::filesystem::path& p, const std::string& cutoff) {
  int fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return make_error(
        p.string(), std::string("cannot open the log to remove old lines: ") + std::strerror(errno),
        "make the log folder writable by the iesync user");
  }
  std::string data;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) data.append(buf, size_t(n));
  size_t keep_from = data.size();
  long long dropped = 0;
  for (size_t pos = 0; pos < data.size();) {
    size_t end = data.find('\n', pos);
    size_t next = end == std::string::npos ? data.size() : end + 1;
    auto t = line_time(std::string_view(data).substr(pos, next - pos));
    if (t && *t >= cutoff) {
      keep_from = pos;
      break;
    }
    ++dropped;
    pos = next;
  }
  bool ok = true;
  if (keep_from > 0) {
    size_t len = data.size() - keep_from;
    ok = ::pwrite(fd, data.data() + keep_from, len, 0) == ssize_t(len) &&
         ::ftruncate(fd, off_t(len)) == 0 && ::fsync(fd) == 0;
  }
  ::close(fd);
  if (!ok) {
    return make_error(p.string(), "could not remove old lines from the log",
                      "check the disk is not full");
  }
  return dropped;
}

// JSON escapes every control character itself, keeping the value exact for machines; only
// bytes that are not UTF-8 (which would make the line invalid JSON) are shown escaped.
std::string json_text(std::string_view s) {
  return is_utf8(s) ? std::string(s) : shown(s);
}

}  // namespace

Result<std::unique_ptr<SyncLog>> SyncLog::open(const SyncLogOptions& opts, const Clock& clock) {
  std::error_code ec;
  std::filesystem::create_directories(opts.dir, ec);
  if (ec) {
    return make_error(opts.dir.string(), "cannot create the log folder: " + ec.message(),
                      "create it and make it writable by the iesync user, or set [log] dir");
  }
  std::unique_ptr<SyncLog> log(new SyncLog(clock));
  log->opts_ = opts;
  if (opts.level == "warn" || opts.level == "warning") log->min_ = Severity::warning;
  if (opts.level == "error") log->min_ = Severity::error;
  log->routine_in_text_ = opts.level == "debug" || opts.level == "trace";
  auto text_path = opts.dir / "sync.log";
  auto json_path = opts.dir / "sync.jsonl";
  precreate(text_path);
  precreate(json_path);
  try {
    auto text_sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        text_path.string(), opts.max_file_bytes, opts.max_files, false, private_files());
    std::vector<spdlog::sink_ptr> text_sinks{text_sink};
    if (opts.echo_to_stderr)
      text_sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    log->text_ = std::make_shared<spdlog::logger>("sync", text_sinks.begin(), text_sinks.end());
    log->text_->set_pattern("%v");  // the time is ours (from the Clock), not spdlog's
    log->text_->set_level(spdlog::level::trace);
    auto json_sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        json_path.string(), opts.max_file_bytes, opts.max_files, false, private_files());
    log->json_ = std::make_shared<spdlog::logger>("sync.jsonl", json_sink);
    log->json_->set_pattern("%v");
    log->json_->set_level(spdlog::level::trace);
  } catch (const spdlog::spdlog_ex& e) {
    return make_error(opts.dir.string(), std::string("cannot open the sync log: ") + e.what(),
                      "make the folder writable by the iesync user");
  }
  // An expired log is no reason not to start: a failed sweep is tried again later.
  (void)log->sweep();
  return log;
}

SyncLog::~SyncLog() {
  flush();
}

void SyncLog::flush() {
  if (text_) text_->flush();
  if (json_) json_->flush();
}

Result<LogSweep> SyncLog::sweep() {
  std::lock_guard lock(mu_);
  return sweep_locked();
}

Result<LogSweep> SyncLog::sweep_locked() {
  LogSweep out;
  if (opts_.retain.count() <= 0) return out;
  const TimePoint now = clock_.now();
  last_sweep_ = now;
  const std::string cutoff = format_utc(now - opts_.retain);
  flush();
  // Rotated files: sync.N.log and sync.N.jsonl, whatever max_files was when they were made.
  static const std::regex rotated(R"(sync\.[0-9]+\.(log|jsonl))");
  std::vector<std::filesystem::path> files{opts_.dir / "sync.log", opts_.dir / "sync.jsonl"};
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(opts_.dir, ec)) {
    auto name = e.path().filename().string();
    if (!std::regex_match(name, rotated)) continue;
    // Its last write is its newest line: all of it has expired.
    struct stat st {};
    if (::stat(e.path().c_str(), &st) == 0 &&
        st.st_mtime < (now - opts_.retain).time_since_epoch().count()) {
      if (std::filesystem::remove(e.path(), ec)) ++out.files_removed;
      continue;
    }
    files.push_back(e.path());
  }
  for (const auto& f : files) {
    if (!first_line_older(f, cutoff)) continue;  // the cheap, usual case
    auto dropped = trim_in_place(f, cutoff);
    if (!dropped) return dropped.error();
    out.lines_dropped += *dropped;
  }
  return out;
}

void SyncLog::emit(const Event& e) {
  if (e.severity < min_) return;
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  if (opts_.retain.count() > 0 && now - last_sweep_ >= opts_.sweep_every) (void)sweep_locked();
  auto when = format_utc(now);
  const char* sev = e.severity == Severity::info      ? "     "
                    : e.severity == Severity::warning ? "WARN "
                                                      : "ERROR";
  // The daemon cycles every few minutes; "this export is unchanged" each time would bury the
  // lines the behaviour lead reads sync.log for. Machines still get it in sync.jsonl.
  // Messages carry export cells and remote answers: escaped here, once, a value can neither
  // start a forged line nor send control sequences to whoever reads the log on a terminal.
  if (e.kind != "feed.unchanged" || routine_in_text_)
    text_->info("{} {} {}", when, sev, shown(e.message));
  boost::json::object o;
  o["time"] = when;
  o["severity"] = severity_name(e.severity);
  o["kind"] = e.kind;
  o["message"] = json_text(e.message);
  for (const auto& [k, v] : e.fields) o[k] = json_text(v);
  json_->info("{}", boost::json::serialize(o));
  if (e.severity >= Severity::warning) flush();
}

}  // namespace iesync
