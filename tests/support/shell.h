// Running a command line through the shell and keeping its stdout: the tests that drive the
// built iesync (or cmake, chromium, poppler) all need this, each with its own redirections.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace iesync::test {

struct ShellResult {
  int code = -1;    // exit code; -1 when it could not start or was killed by a signal
  std::string out;  // stdout (the command line redirects stderr if it wants it here or gone)
};

// Runs `command` with /bin/sh, reads all of its stdout and waits for it.
inline ShellResult shell(const std::string& command) {
  ShellResult r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace iesync::test
