// sync.log and sync.jsonl: the same events, once in plain English for the behaviour lead
// and once as JSON lines for machines. Both rotate by size. When stderr is a terminal the
// plain lines are echoed there too.
//
// Privacy: the logs name students (the behaviour lead needs that), so every file is created
// 0640 (the live files up front, rotated ones in spdlog's after_open hook), and with
// `retain` set the log keeps nothing older than [store] retain: sweep() removes rotated files
// whose last line is older and cuts expired lines from the start of the others. emit() runs
// the sweep itself at most once per `sweep_every`, so a long-running daemon needs no timer.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "base/clock.h"
#include "base/events.h"
#include "base/result.h"

namespace iesync {

struct SyncLogOptions {
  std::filesystem::path dir;
  std::string level = "info";
  size_t max_file_bytes = 10 * 1024 * 1024;
  size_t max_files = 10;
  bool echo_to_stderr = false;
  // Nothing older than this is kept (SPEC §2 [store] retain); zero: no age limit.
  std::chrono::seconds retain{0};
  std::chrono::seconds sweep_every{std::chrono::hours{1}};
};

struct LogSweep {
  int files_removed = 0;
  long long lines_dropped = 0;
};

class SyncLog final : public EventSink {
 public:
  static Result<std::unique_ptr<SyncLog>> open(const SyncLogOptions& opts, const Clock& clock);
  ~SyncLog() override;
  void emit(const Event& e) override;
  void flush();
  // Applies `retain` now (also done at open and from emit()). A no-op when retain is zero.
  Result<LogSweep> sweep();

 private:
  SyncLog(const Clock& clock) : clock_(clock) {}
  Result<LogSweep> sweep_locked();
  const Clock& clock_;
  SyncLogOptions opts_;
  Severity min_ = Severity::info;
  bool routine_in_text_ = false;  // level debug/trace: "nothing changed" lines in sync.log too
  std::mutex mu_;                 // emit() against a sweep that rewrites the files
  TimePoint last_sweep_{};
  std::shared_ptr<spdlog::logger> text_;
  std::shared_ptr<spdlog::logger> json_;
};

}  // namespace iesync
