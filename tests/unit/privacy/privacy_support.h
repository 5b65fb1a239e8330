// Helpers for the privacy tests: run the built iesync on a copy of the demo school, read
// files whole, and look for secrets or personal data in bytes.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <utility>

#include "tests/support/demo_school.h"
#include "tests/support/files.h"
#include "tests/support/shell.h"

namespace iesync::privacy_test {

namespace fs = std::filesystem;

struct RunResult {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

using iesync::test::slurp;

// Runs `iesync ARGS` through the shell (so ARGS may redirect stdin), keeping stdout and
// stderr apart. `umask_first` sets a loose umask first, to prove iesync does not rely on it.
inline RunResult run_iesync(const std::string& args, const fs::path& scratch,
                            const std::string& umask_first = "022") {
  static int n = 0;
  auto err_file = scratch / ("stderr-" + std::to_string(++n) + ".txt");
  std::string cmd = "umask " + umask_first + "; " + std::string(IESYNC_BINARY) + " " + args +
                    " 2>" + err_file.string();
  auto ran = test::shell(cmd);
  RunResult r;
  r.code = ran.code;
  r.out = std::move(ran.out);
  r.err = slurp(err_file);
  fs::remove(err_file);
  return r;
}

inline unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 07777;
  return st.st_mode & 07777;
}

// A copy of examples/demo in a fresh temp folder, exports aged past the 30 s settle time.
struct DemoCopy {
  fs::path dir;
  DemoCopy() : dir(test::copy_demo_school("iesync-privacy")) {}
  ~DemoCopy() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string config() const { return (dir / "iesync.toml").string(); }
  fs::path store() const { return dir / "var/iesync.db"; }
  fs::path logs() const { return dir / "var/log"; }
};

}  // namespace iesync::privacy_test
