#include "daemon/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

namespace iesync {

namespace {

// STATUS= is one line; a summary with a newline would end the message early.
std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  active_ = sock && *sock;
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::send(const std::string& state) {
  if (active_) sd_notify(0, state.c_str());
}

void SystemdNotifier::ready(const std::string& s) {
  send("READY=1\nSTATUS=" + one_line(s));
}
void SystemdNotifier::status(const std::string& s) {
  send("STATUS=" + one_line(s));
}
void SystemdNotifier::watchdog() {
  send("WATCHDOG=1");
}
void SystemdNotifier::reloading() {
  send("RELOADING=1\nSTATUS=Reloading config");
}
void SystemdNotifier::reloaded(const std::string& s) {
  send("READY=1\nSTATUS=" + one_line(s));
}
void SystemdNotifier::stopping() {
  send("STOPPING=1\nSTATUS=Stopping");
}

}  // namespace iesync
