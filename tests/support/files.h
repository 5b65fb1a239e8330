// Reading a file whole and backdating one: nearly every end-to-end test does both, and one
// copy here keeps them reading bytes the same way.
#pragma once

#include <utime.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace iesync::test {

// The file's bytes, or "" when it cannot be opened.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sets the file's access and modification times `by` before now.
inline void backdate(const std::filesystem::path& p,
                     std::chrono::seconds by = std::chrono::hours(1)) {
  const std::time_t then = ::time(nullptr) - static_cast<std::time_t>(by.count());
  struct utimbuf t {
    then, then
  };
  ::utime(p.c_str(), &t);
}

}  // namespace iesync::test
