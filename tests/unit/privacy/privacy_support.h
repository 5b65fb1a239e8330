// Helpers for the privacy tests: run the built iesync on a copy of the demo school, read
// files whole, and look for secrets or personal data in bytes.
#pragma once

#include <sys/stat.h>
#include <sys/wait.h>
#include <utime.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace iesync::privacy_test {

namespace fs = std::filesystem;

struct RunResult {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `iesync ARGS` through the shell (so ARGS may redirect stdin), keeping stdout and
// stderr apart. `umask_first` sets a loose umask first, to prove iesync does not rely on it.
inline RunResult run_iesync(const std::string& args, const fs::path& scratch,
                      const std::string& umask_first = "022") {
  static int n = 0;
  auto err_file = scratch / ("stderr-" + std::to_string(++n) + ".txt");
  std::string cmd = "umask " + umask_first + "; " + std::string(IESYNC_BINARY) + " " + args +
                    " 2>" + err_file.string();
  RunResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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
  DemoCopy() {
    dir = fs::temp_directory_path() / ("iesync-privacy-" + std::to_string(std::random_device{}()));
    fs::copy(fs::path(IESYNC_SOURCE_DIR) / "examples/demo", dir, fs::copy_options::recursive);
    fs::remove_all(dir / "var");
    fs::create_directories(dir / "var/mis-imports");
    for (auto& e : fs::directory_iterator(dir / "exports")) {
      struct utimbuf t{::time(nullptr) - 3600, ::time(nullptr) - 3600};
      ::utime(e.path().c_str(), &t);
    }
  }
  ~DemoCopy() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string config() const { return (dir / "iesync.toml").string(); }
  fs::path store() const { return dir / "var/iesync.db"; }
  fs::path logs() const { return dir / "var/log"; }
};

}  // namespace iesync::privacy_test
