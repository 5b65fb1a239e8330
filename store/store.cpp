#include "store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "store/migrations.h"
#include "store/store_access.h"
#include "store/store_error.h"

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
  std::vector<const Migration*> pending;
  for (const auto& m : all_migrations())
    if (m.version > current && m.version <= target) pending.push_back(&m);
  if (pending.empty()) return {};
  // Every pending migration in one transaction: a fresh store is created with one commit (one
  // WAL sync instead of one per migration), and a failure anywhere leaves the version the store
  // had, never a half-way one.
  const Migration* running = nullptr;
  try {
    SQLite::Transaction tx(db);
    for (const Migration* m : pending) {
      running = m;
      db.exec(m->sql);
    }
    running = nullptr;
    db.exec("PRAGMA user_version = " + std::to_string(pending.back()->version));
    tx.commit();
  } catch (const std::exception& e) {
    if (running)
      return store_error(path,
                         "schema migration " + std::to_string(running->version) + " (" +
                             running->name + ") failed, the store is unchanged",
                         e);
    return store_error(path,
                       "saving schema migrations " + std::to_string(pending.front()->version) +
                           " to " + std::to_string(pending.back()->version) +
                           " failed, the store is unchanged",
                       e);
  }
  return {};
}

}  // namespace

Store::Store(const std::filesystem::path& path)
    : path_(path), db_(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    device_ = st.st_dev;
    inode_ = st.st_ino;
  }
}

int Store::latest_version() {
  return all_migrations().back().version;
}

Result<int> Store::schema_version() {
  return guarded(*this, "cannot read the schema version",
                 [&] { return db_.execAndGet("PRAGMA user_version").getInt(); });
}

void Store::set_busy_timeout(std::chrono::milliseconds t) {
  db_.setBusyTimeout(static_cast<int>(t.count()));
}

bool Store::replaced() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return true;
  return st.st_dev != device_ || st.st_ino != inode_;
}

Result<void> Store::check() {
  if (replaced())
    return make_error(path_.string(),
                      "the store cannot be read: the file was removed or replaced while iesync "
                      "had it open",
                      "put the store back (or restore it from a backup); iesync opens it again "
                      "at the next cycle");
  // BEGIN IMMEDIATE takes the write lock, so another process holding the store is seen here
  // as it would be by the next cycle's first write.
  return guarded(*this, "cannot use the store", [&] {
    db_.exec("BEGIN IMMEDIATE");
    try {
      db_.execAndGet("SELECT count(*) FROM sqlite_master");
    } catch (...) {
      db_.exec("ROLLBACK");
      throw;
    }
    db_.exec("ROLLBACK");
  });
}

Result<void> Store::copy_to(const std::filesystem::path& dest) {
  return guarded(*this, "cannot copy the store to " + dest.string(), [&] {
    SQLite::Statement q(db_, "VACUUM INTO ?");
    q.bind(1, dest.string());
    q.exec();
  });
}

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
    return make_error(
        path.string(), "the store's folder does not exist",
        "create it (e.g. mkdir -p " + path.parent_path().string() + ") or set [store] path");
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
    auto& db = s->db_;
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    db.setBusyTimeout(5000);
    if (auto r = migrate(db, path, version); !r) return r.error();
    return s;
  } catch (const std::exception& e) {
    return store_error(path, "cannot open the store", e);
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
