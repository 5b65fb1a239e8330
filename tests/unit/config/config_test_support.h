// Helpers for the config tests: a scratch folder copied from a fixture, secrets made at
// test time (git keeps no file modes, and no secret belongs in the repo), and running with
// that folder as the working directory so messages read "iesync.toml:12:5: ...".
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace iesync::testing_config {

namespace fs = std::filesystem;

inline fs::path source_dir() {
  return fs::path(IESYNC_SOURCE_DIR);
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "iesync-cfg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

  void copy_from(const fs::path& dir) {
    fs::copy(dir, path_, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }
  // A random secret, so a test can assert it never shows up in a message.
  std::string make_secret(const std::string& rel, unsigned mode) {
    std::random_device rd;
    std::ostringstream os;
    os << "test-secret-" << std::hex << rd() << rd();
    write(rel, os.str());
    ::chmod((path_ / rel).c_str(), mode);
    return os.str();
  }
  // "NAME MODE" lines (mode in octal) from a case's secrets.txt.
  std::vector<std::string> make_listed_secrets() {
    std::vector<std::string> made;
    std::ifstream in(path_ / "secrets.txt");
    std::string name, mode;
    while (in >> name >> mode)
      made.push_back(make_secret(name, unsigned(std::stoul(mode, nullptr, 8))));
    return made;
  }

 private:
  fs::path path_;
};

// Runs with `dir` as the working directory for the lifetime of this object.
class InDir {
 public:
  explicit InDir(const fs::path& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~InDir() {
    std::error_code ec;
    fs::current_path(old_, ec);
  }
  InDir(const InDir&) = delete;
  InDir& operator=(const InDir&) = delete;

 private:
  fs::path old_;
};

inline std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace iesync::testing_config
