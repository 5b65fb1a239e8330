// Talking to systemd (Type=notify): READY once the first schedule is set, STATUS with the last
// cycle's summary, WATCHDOG from the event loop, RELOADING/STOPPING around SIGHUP and SIGTERM.
// Outside systemd (no NOTIFY_SOCKET) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace iesync {

class SystemdNotifier {
 public:
  SystemdNotifier();
  bool active() const { return active_; }
  // How often systemd wants WATCHDOG=1 (WatchdogSec), if it wants it at all.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  void ready(const std::string& status);
  void status(const std::string& status);
  void watchdog();
  void reloading();
  void reloaded(const std::string& status);
  void stopping();

 private:
  void send(const std::string& state);
  bool active_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace iesync
