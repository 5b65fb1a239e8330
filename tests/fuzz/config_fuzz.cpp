// libFuzzer: iesync.toml and mapping.toml through the real loader. The loader reads files, so
// each input is written to a private temp folder: odd bytes pick which of the two files is
// fuzzed, the other being the valid minimal one from tests/configs/minimal.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/load.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Fixture {
  fs::path dir;
  std::string config, mapping;
  Fixture() {
    dir = fs::temp_directory_path() / ("iesync-config-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path minimal = fs::path(IESYNC_SOURCE_DIR) / "tests/configs/minimal";
    config = read(minimal / "iesync.toml");
    mapping = read(minimal / "mapping.toml");
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void write(const fs::path& p, const char* data, size_t size) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fx;
  if (size == 0) return 0;
  const char* body = reinterpret_cast<const char*>(data + 1);
  if (data[0] & 1) {
    write(fx.dir / "iesync.toml", fx.config.data(), fx.config.size());
    write(fx.dir / "mapping.toml", body, size - 1);
  } else {
    write(fx.dir / "iesync.toml", body, size - 1);
    write(fx.dir / "mapping.toml", fx.mapping.data(), fx.mapping.size());
  }
  iesync::LoadOptions opts;
  opts.check_secrets = false;
  auto loaded = iesync::load_config(fx.dir / "iesync.toml", opts);
  // Every problem must say where it is and what to do.
  for (const auto& p : loaded.problems)
    if (p.where.empty() || p.message.empty()) __builtin_trap();
  return 0;
}
