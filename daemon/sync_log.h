// sync.log and sync.jsonl: the same events, once in plain English for the behaviour lead
// and once as JSON lines for machines. Both rotate by size. When stderr is a terminal the
// plain lines are echoed there too.
#pragma once

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>

#include "mapping/clock.h"
#include "mapping/events.h"
#include "mapping/result.h"

namespace iesync {

struct SyncLogOptions {
  std::filesystem::path dir;
  std::string level = "info";
  size_t max_file_bytes = 10 * 1024 * 1024;
  size_t max_files = 10;
  bool echo_to_stderr = false;
};

class SyncLog final : public EventSink {
 public:
  static Result<std::unique_ptr<SyncLog>> open(const SyncLogOptions& opts, const Clock& clock);
  ~SyncLog() override;
  void emit(const Event& e) override;
  void flush();

 private:
  SyncLog(const Clock& clock) : clock_(clock) {}
  const Clock& clock_;
  Severity min_ = Severity::info;
  std::shared_ptr<spdlog::logger> text_;
  std::shared_ptr<spdlog::logger> json_;
};

}  // namespace iesync
