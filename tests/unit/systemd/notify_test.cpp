// Under systemd (Type=notify) the service says READY=1 with its status on the socket systemd
// names in NOTIFY_SOCKET, and learns from WATCHDOG_USEC how often to send WATCHDOG=1. Here a
// real datagram socket stands in for systemd's. Outside systemd every call does nothing.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "daemon/systemd_notify.h"
#include "store/store.h"

namespace iesync {
namespace {

// A datagram socket bound in a fresh folder, named by NOTIFY_SOCKET while this lives.
class FakeSystemd {
 public:
  FakeSystemd() {
    path_ = tmp_.dir() / "notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~FakeSystemd() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    ::close(fd_);
  }
  // The next message sent, or "" when none is waiting.
  std::string next() {
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  TempStore tmp_;  // its folder holds the socket
  std::filesystem::path path_;
  int fd_ = -1;
};

TEST(SystemdNotify, ReadyAndStatusReachSystemdsSocketEachOnOneLine) {
  FakeSystemd systemd;
  SystemdNotifier n;
  ASSERT_TRUE(n.active());
  EXPECT_FALSE(n.watchdog_interval()) << "no WatchdogSec";
  n.ready("Next cycle at 08:00\nthen 09:00");
  EXPECT_EQ(systemd.next(), "READY=1\nSTATUS=Next cycle at 08:00 then 09:00");
  n.watchdog();
  EXPECT_EQ(systemd.next(), "WATCHDOG=1");
  n.stopping();
  EXPECT_EQ(systemd.next(), "STOPPING=1\nSTATUS=Stopping");
}

TEST(SystemdNotify, TheWatchdogIntervalIsSystemdsWatchdogSec) {
  FakeSystemd systemd;
  ::setenv("WATCHDOG_USEC", "20000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  SystemdNotifier n;
  ASSERT_TRUE(n.active());
  EXPECT_EQ(n.watchdog_interval(), std::chrono::microseconds(20'000'000));
}

TEST(SystemdNotify, OutsideSystemdNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  SystemdNotifier n;
  EXPECT_FALSE(n.active());
  EXPECT_FALSE(n.watchdog_interval());
  n.ready("ignored");  // nowhere to send it: must not fail
}

}  // namespace
}  // namespace iesync
