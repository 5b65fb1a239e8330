#include "daemon/sync_log.h"

#include <fcntl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

namespace iesync {

namespace {

// spdlog creates files with the process umask; logs name children, so they are
// created 0640 up front and spdlog then appends to them.
void precreate(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0640);
  if (fd >= 0) ::close(fd);
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
  if (opts.level == "warn" || opts.level == "warning") log->min_ = Severity::warning;
  if (opts.level == "error") log->min_ = Severity::error;
  auto text_path = opts.dir / "sync.log";
  auto json_path = opts.dir / "sync.jsonl";
  precreate(text_path);
  precreate(json_path);
  try {
    auto text_sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        text_path.string(), opts.max_file_bytes, opts.max_files);
    std::vector<spdlog::sink_ptr> text_sinks{text_sink};
    if (opts.echo_to_stderr) text_sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    log->text_ = std::make_shared<spdlog::logger>("sync", text_sinks.begin(), text_sinks.end());
    log->text_->set_pattern("%v");  // the time is ours (from the Clock), not spdlog's
    log->text_->set_level(spdlog::level::trace);
    auto json_sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        json_path.string(), opts.max_file_bytes, opts.max_files);
    log->json_ = std::make_shared<spdlog::logger>("sync.jsonl", json_sink);
    log->json_->set_pattern("%v");
    log->json_->set_level(spdlog::level::trace);
  } catch (const spdlog::spdlog_ex& e) {
    return make_error(opts.dir.string(), std::string("cannot open the sync log: ") + e.what(),
                      "make the folder writable by the iesync user");
  }
  return log;
}

SyncLog::~SyncLog() { flush(); }

void SyncLog::flush() {
  if (text_) text_->flush();
  if (json_) json_->flush();
}

void SyncLog::emit(const Event& e) {
  if (e.severity < min_) return;
  auto when = format_utc(clock_.now());
  const char* sev = e.severity == Severity::info      ? "     "
                    : e.severity == Severity::warning ? "WARN "
                                                      : "ERROR";
  text_->info("{} {} {}", when, sev, e.message);
  boost::json::object o;
  o["time"] = when;
  o["severity"] = severity_name(e.severity);
  o["kind"] = e.kind;
  o["message"] = e.message;
  for (const auto& [k, v] : e.fields) o[k] = v;
  json_->info("{}", boost::json::serialize(o));
  if (e.severity >= Severity::warning) flush();
}

}  // namespace iesync
