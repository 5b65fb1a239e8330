// A private copy of examples/demo for tests that run a whole sync on it: several suites need
// the same folder, with the same state cleared and the exports aged the same way.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "tests/support/files.h"

namespace iesync::test {

// Copies examples/demo to a fresh folder "<prefix>-<random>" in the temp directory, drops its
// var/ (keeping only an empty var/mis-imports), and ages every export an hour: exports written
// within the last 30 s are left for the next cycle. The caller removes the folder.
inline std::filesystem::path copy_demo_school(const std::string& prefix) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / (prefix + "-" + std::to_string(std::random_device{}()));
  fs::copy(fs::path(IESYNC_SOURCE_DIR) / "examples/demo", dir, fs::copy_options::recursive);
  fs::remove_all(dir / "var");
  fs::create_directories(dir / "var/mis-imports");
  for (auto& e : fs::directory_iterator(dir / "exports")) backdate(e.path());
  return dir;
}

}  // namespace iesync::test
