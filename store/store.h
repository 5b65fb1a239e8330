// The local store: one SQLite file in WAL mode with foreign keys on and synchronous=FULL
// (the outbox lives here, and a lost commit would mean a lost or repeated write-back).
// The schema is versioned with PRAGMA user_version; all pending migrations run in one
// transaction, so a store is at one version or the next, never between.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "base/result.h"

namespace iesync {

class Store {
 public:
  // Opens (creating with mode 0640 if missing) and migrates to the latest schema.
  // A missing store is built whole beside `path` and renamed into place, so `path` never
  // names a half-made one. A store written by a newer iesync is refused.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path);
  // For migration tests: migrate only up to `version`.
  static Result<std::unique_ptr<Store>> open_at_version(const std::filesystem::path& path,
                                                        int version);
  static int latest_version();

  const std::filesystem::path& path() const { return path_; }
  Result<int> schema_version();

  // How long a call waits for another process's lock before failing with "the store is
  // locked by another process" (5 s unless set).
  void set_busy_timeout(std::chrono::milliseconds t);

  // Whether the store can be read and written right now: an error names the fault (locked by
  // another process, cannot be read, the file at path() is no longer the one open). Cheap; the
  // daemon asks after a failed cycle so /healthz can say why.
  Result<void> check();
  // True when path() no longer names the file this Store has open (it was removed, or
  // replaced by another file, a restore say). The open file keeps working, so only the
  // daemon, which lives for months, needs to ask and open the store again.
  bool replaced() const;

  // A consistent copy of the whole store at `dest` (VACUUM INTO), for a dry run's scratch
  // store. `dest` must not exist.
  Result<void> copy_to(const std::filesystem::path& dest);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

 private:
  static Result<std::unique_ptr<Store>> open_impl(const std::filesystem::path& path, int version);
  friend class StoreAccess;  // store/store_access.h: SQL stays inside store/
  Store(const std::filesystem::path& path);
  std::filesystem::path path_;
  SQLite::Database db_;
  dev_t device_ = 0;  // identity of the file opened, for replaced()
  ino_t inode_ = 0;
};

// Reads made while one is alive see one state of the store, and take its read lock once: a
// statement run alone is a read transaction of its own, and each costs the lock and its
// release (two system calls), which for a lookup per pupil came to most of a cycle's. Inside
// a transaction already open it does nothing. It never writes: its end only closes the read.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Store& store);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  SQLite::Database* db_ = nullptr;  // set when this snapshot began the transaction
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
