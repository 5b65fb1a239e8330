#include "daemon/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <iostream>

#include "connectors/shared_library.h"

namespace iesync {

namespace {

// libsystemd is loaded only under systemd (NOTIFY_SOCKET set), as libcurl is loaded only for
// a request: linked in, it and the six libraries it needs were ~0.3 ms of every command's
// start, `iesync sync` from a shell or a timer included, for calls that then do nothing.
constexpr const char* kSoname = "libsystemd.so.0";

struct Systemd {
  decltype(&::sd_notify) notify = nullptr;
  decltype(&::sd_watchdog_enabled) watchdog_enabled = nullptr;
};

// Loads it, or says on stderr (the journal, under systemd) why not: systemd then waits for a
// READY=1 that never comes, and the admin needs to know what to install.
Systemd load() {
  Systemd s;
  SharedLibrary so(kSoname, "libsystemd0");
  so.bind("sd_notify", s.notify);
  so.bind("sd_watchdog_enabled", s.watchdog_enabled);
  if (so.ok()) return s;
  std::cerr << "iesync: cannot tell systemd it is ready: " << so.error() << "\n";
  return {};
}

const Systemd& systemd() {
  static const Systemd s = load();  // once, thread-safe
  return s;
}

// STATUS= is one line; a summary with a newline would end the message early.
std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  if (!sock || !*sock) return;
  const auto& sd = systemd();
  active_ = sd.notify != nullptr;
  uint64_t usec = 0;
  if (active_ && sd.watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::send(const std::string& state) {
  if (active_) systemd().notify(0, state.c_str());
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
