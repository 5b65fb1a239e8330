// `iesync run`: the long-running service. One Boost.Asio I/O thread owns the timers, the
// signals, the export-folder watch, systemd's watchdog and the status server; one worker
// thread runs cycles, one at a time, so nothing on the I/O thread ever waits for the MIS,
// Google or the store.
#pragma once

#include <chrono>
#include <filesystem>

namespace iesync {

struct DaemonOptions {
  std::filesystem::path config_path;
  // How long the export folder must be quiet after a change before a cycle starts.
  std::chrono::milliseconds watch_quiet{5000};
  // How long SIGTERM waits for the running cycle before abandoning it (systemd allows 90 s by
  // default; the issue asks for 10).
  std::chrono::milliseconds stop_grace{8000};
};

// Runs until SIGTERM or SIGINT. Returns the exit code: 0 clean stop, 2 config invalid at start
// (or the status address cannot be used), 3 the store or the log cannot be opened.
int run_daemon(const DaemonOptions& opts);

}  // namespace iesync
