// iesync_floor: the floor (bench/floor.h) as its own process, so bench/compare.py can time it
// whole, start-up and exit included, the way a user waits for `iesync sync`.
//   iesync_floor --exports DIR --store FILE
// FILE must not exist: the floor is an import into a fresh store (same schema and PRAGMAs as
// iesync's, made by Store::open).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "bench/floor.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Import a generated school's five XML feeds the least costly way: pugixml and one SQLite "
      "transaction into a fresh store"};
  std::string exports, store_path;
  app.add_option("--exports", exports, "folder holding the generated XML feeds")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--store", store_path, "the store to create (must not exist)")->required();
  CLI11_PARSE(app, argc, argv);

  if (std::filesystem::exists(store_path)) {
    std::fprintf(stderr, "%s: already exists; the floor imports into a fresh store, remove it\n",
                 store_path.c_str());
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto store = iesync::Store::open(store_path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
    return 3;
  }
  auto cal = iesync::Calendar::build(iesync::bench::demo_mapping().calendar);
  if (!cal) {
    std::fprintf(stderr, "%s\n", cal.error().to_string().c_str());
    return 2;
  }
  try {
    double parse_s = 0;
    const std::size_t rows = iesync::bench::floor_import(exports, **store, *cal, &parse_s);
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%zu rows in %.3f s (parsing %.3f s)\n", rows, total, parse_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floor import failed: %s\n", e.what());
    return 3;
  }
  return 0;
}
