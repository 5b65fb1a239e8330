#include "store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "store/migrations.h"

namespace iesync {

namespace {

Result<void> migrate(SQLite::Database& db, const std::filesystem::path& path, int target) {
  int current = db.execAndGet("PRAGMA user_version").getInt();
  if (current > Store::latest_version()) {
    return make_error(path.string(),
                      "this store was written by a newer iesync (schema version " +
                          std::to_string(current) + ", this build knows up to " +
                          std::to_string(Store::latest_version()) + ")",
                      "install the newer iesync again, or restore the store from a backup");
  }
  for (const auto& m : all_migrations()) {
    if (m.version <= current || m.version > target) continue;
    try {
      SQLite::Transaction tx(db);
      db.exec(m.sql);
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    } catch (const SQLite::Exception& e) {
      return make_error(path.string(),
                        std::string("schema migration ") + std::to_string(m.version) + " (" +
                            m.name + ") failed: " + e.what(),
                        "the store is unchanged; check the disk and file permissions");
    }
  }
  return {};
}

}  // namespace

Store::Store(const std::filesystem::path& path)
    : path_(path), db_(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {}

int Store::latest_version() { return all_migrations().back().version; }

int Store::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path) {
  return open_impl(path, latest_version());
}

Result<std::unique_ptr<Store>> Store::open_at_version(const std::filesystem::path& path,
                                                      int version) {
  return open_impl(path, version);
}

Result<std::unique_ptr<Store>> Store::open_impl(const std::filesystem::path& path, int version) {
  std::error_code ec;
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), ec)) {
    return make_error(path.string(), "the store's folder does not exist",
                      "create it (e.g. mkdir -p " + path.parent_path().string() +
                          ") or set [store] path");
  }
  // Create the file ourselves so it is never group- or world-readable: it holds
  // children's behaviour records. SQLite gives -wal and -shm the same mode.
  if (!std::filesystem::exists(path, ec)) {
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640);
    if (fd < 0 && errno != EEXIST) {
      return make_error(path.string(), std::string("cannot create the store: ") + strerror(errno),
                        "check that the folder is writable by the iesync user");
    }
    if (fd >= 0) ::close(fd);
  }
  try {
    std::unique_ptr<Store> s(new Store(path));
    auto& db = s->db();
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    db.setBusyTimeout(5000);
    if (auto r = migrate(db, path, version); !r) return r.error();
    return s;
  } catch (const SQLite::Exception& e) {
    return make_error(path.string(), std::string("cannot open the store: ") + e.what(),
                      "check the file is an iesync store and the disk is not full");
  }
}

TempStore::TempStore() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("iesync-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
  auto s = Store::open(dir_ / "iesync.db");
  if (!s) throw ErrorException(s.error());
  store_ = std::move(*s);
}

TempStore::~TempStore() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace iesync
