// The local store: one SQLite file in WAL mode with foreign keys on and synchronous=FULL
// (the outbox lives here, and a lost commit would mean a lost or repeated write-back).
// The schema is versioned with PRAGMA user_version; each migration runs in one transaction.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <memory>
#include <string>

#include "mapping/result.h"

namespace iesync {

class Store {
 public:
  // Opens (creating with mode 0640 if missing) and migrates to the latest schema.
  // A store written by a newer iesync is refused.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path);
  // For migration tests: migrate only up to `version`.
  static Result<std::unique_ptr<Store>> open_at_version(const std::filesystem::path& path,
                                                        int version);
  static int latest_version();

  SQLite::Database& db() { return db_; }
  const std::filesystem::path& path() const { return path_; }
  int schema_version();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

 private:
  static Result<std::unique_ptr<Store>> open_impl(const std::filesystem::path& path, int version);
  Store(const std::filesystem::path& path);
  std::filesystem::path path_;
  SQLite::Database db_;
};

// A store in a fresh temporary folder, removed when this object goes: the seam logic
// tests use so they run against a real SQLite file without touching the system.
class TempStore {
 public:
  TempStore();
  ~TempStore();
  Store& store() { return *store_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace iesync
