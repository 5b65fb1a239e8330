// Child processes for end-to-end tests: start a built program with its output in a file,
// signal it, and wait for it with a deadline.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace iesync::test {

// For crash tests, called in the child before exec: the kernel ends the program `after` from
// now, wherever it is. SIGALRM's default action ends it as abruptly as SIGKILL (no handler, no
// clean-up), and the interval timer survives exec and runs on the child's own clock, so a
// loaded machine that wakes the test late cannot make every kill land after the run is over,
// as a sleep in the parent followed by kill() can.
inline void end_abruptly_after(std::chrono::microseconds after) {
  const long long us = std::max<long long>(after.count(), 1);
  itimerval t{};
  t.it_value.tv_sec = static_cast<time_t>(us / 1'000'000);
  t.it_value.tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  ::signal(SIGALRM, SIG_DFL);
  sigset_t alarm;
  ::sigemptyset(&alarm);
  ::sigaddset(&alarm, SIGALRM);
  ::sigprocmask(SIG_UNBLOCK, &alarm, nullptr);
  ::setitimer(ITIMER_REAL, &t, nullptr);
}

// True when a wait status says the program was ended by SIGKILL or end_abruptly_after.
inline bool ended_abruptly(int wait_status) {
  return WIFSIGNALED(wait_status) &&
         (WTERMSIG(wait_status) == SIGKILL || WTERMSIG(wait_status) == SIGALRM);
}

class Process {
 public:
  // Starts argv[0] with stdout and stderr appended to `output`. `in_child` runs in the child
  // just before exec (set a resource limit, say).
  Process(const std::vector<std::string>& argv, const std::filesystem::path& output,
          const std::function<void()>& in_child = {}) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
      if (in_child) in_child();
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Process() {
    if (!exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // The raw wait status once wait_for has seen it exit (for test::ended_abruptly).
  int wait_status() const { return status_; }
  void signal(int sig) { ::kill(pid_, sig); }

  // The exit code once it exits within `limit` (-1 when killed by a signal), else nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        status_ = st;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      }
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace iesync::test
