// Headless Chromium for tests that check what a person sees in a browser: loads a URL and
// returns the DOM after parsing (--dump-dom). Header-only because tests/CMakeLists.txt builds
// only *_test.cpp files into the test binary. Use IESYNC_REQUIRE_CHROMIUM() first.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace iesync::browser {

inline const char* chromium_path() {
  return "/usr/bin/chromium";
}

inline bool chromium_available() {
  return ::access(chromium_path(), X_OK) == 0;
}

#define IESYNC_REQUIRE_CHROMIUM()                                                          \
  do {                                                                                     \
    if (!::iesync::browser::chromium_available())                                          \
      GTEST_SKIP() << ::iesync::browser::chromium_path()                                   \
                   << " is not installed (Debian package chromium); browser test skipped"; \
  } while (0)

// Runs `chromium --headless --no-sandbox --disable-gpu --dump-dom URL` with a fresh profile
// and returns its standard output. Killed (its whole process group) after `timeout`.
inline Result<std::string> chromium_dump_dom(
    const std::string& url, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "iesync-chromium-XXXXXX").string();
  if (!::mkdtemp(tmpl.data()))
    return make_error("chromium", "cannot make a temporary profile folder");
  const fs::path profile = tmpl;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{profile};

  std::vector<std::string> args{chromium_path(),        "--headless",
                                "--no-sandbox",         "--disable-gpu",
                                "--no-first-run",       "--no-proxy-server",
                                "--disable-extensions", "--user-data-dir=" + profile.string(),
                                "--dump-dom",           url};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return make_error("chromium", "cannot make a pipe");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return make_error("chromium", "cannot fork");
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec: the test process has threads.
    ::setpgid(0, 0);
    ::dup2(out[1], STDOUT_FILENO);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so the group exists before any kill below
  ::close(out[1]);

  std::string dom;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[65536];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    dom.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return make_error("chromium", "did not finish loading " + url + " within " +
                                      std::to_string(timeout.count()) + " s");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error("chromium",
                      "exited with status " + std::to_string(status) + " loading " + url);
  return Result<std::string>(boost::system::in_place_value, std::move(dom));
}

}  // namespace iesync::browser
