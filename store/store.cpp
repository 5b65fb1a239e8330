#include "store/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

// fsync of a file or folder by name; false when it cannot be opened or synced.
bool sync_path(const std::filesystem::path& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Removes a half-built store and whatever SQLite left beside it, unless kept.
struct DiscardUnlessKept {
  std::filesystem::path path;
  bool keep = false;
  ~DiscardUnlessKept() {
    if (keep) return;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
      ::unlink((path.string() + suffix).c_str());
  }
};

enum class Built { yes, no };

// A new store is built whole under a temporary name beside `path`, without syncing as it goes,
// then synced once and renamed into place: its schema costs two syncs (the file and the
// folder) instead of a rollback journal's four for the switch to WAL and a commit's two, and
// `path` never names a half-made store, whatever happens meanwhile. The file is created 0640
// like the store itself. Built::no when the folder or file system cannot do this (the caller
// then creates the store in place); another process that made the store first wins and ours
// is dropped.
Result<Built> build_new_store(const std::filesystem::path& path, int version) {
  std::random_device rd;
  std::filesystem::path tmp = path;
  tmp += ".new-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640);
  if (fd < 0) return Built::no;  // in place, where an unwritable folder is reported
  ::close(fd);
  DiscardUnlessKept discard{tmp};
  try {
    SQLite::Database db(tmp.string(), SQLite::OPEN_READWRITE);
    // Nobody else can see this file, and it is synced before it is given the store's name.
    db.exec("PRAGMA journal_mode = MEMORY");
    db.exec("PRAGMA synchronous = OFF");
    if (auto r = migrate(db, path, version); !r) return r.error();
    db.exec("PRAGMA journal_mode = WAL");  // recorded in the file; every later open keeps it
  } catch (const std::exception& e) {
    return store_error(path, "cannot create the store", e);
  }
  if (!sync_path(tmp, O_RDONLY)) return Built::no;
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0)
    return errno == EEXIST ? Built::yes : Built::no;
  discard.keep = true;
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!sync_path(dir, O_RDONLY | O_DIRECTORY))
    return make_error(path.string(),
                      std::string("cannot sync the store's folder: ") + strerror(errno),
                      "check the disk and that the folder is writable by the iesync user");
  return Built::yes;
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
    auto built = build_new_store(path, version);
    if (!built) return built.error();
  }
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
    // Closing does not copy the write-ahead log into the file: every commit is already
    // durable in the log (synchronous = FULL), and SQLite checkpoints it as it passes 1,000
    // pages. Checkpointing at every close cost an `iesync sync` of a nightly re-export a
    // rewrite of each page it changed and two more syncs (~9 ms of 50 at 2,000 pupils). A
    // backup copies the -wal file with the store, or uses SQLite's .backup
    // (docs/data-protection.md). The log file is cut back to 16 MiB when it restarts, so a
    // first import's log (as large as the store) does not stay on disk.
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA journal_size_limit = 16777216");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    db.setBusyTimeout(5000);
    if (auto r = migrate(db, path, version); !r) return r.error();
    return s;
  } catch (const std::exception& e) {
    return store_error(path, "cannot open the store", e);
  }
}

ReadSnapshot::ReadSnapshot(Store& store) {
  auto& db = StoreAccess::db(store);
  if (sqlite3_get_autocommit(db.getHandle()) == 0) return;
  try {
    db.exec("BEGIN");  // deferred: the read lock is taken by the first read
    db_ = &db;
  } catch (const SQLite::Exception&) {
    // The reads then run one by one, and report the fault themselves.
  }
}

ReadSnapshot::~ReadSnapshot() {
  if (!db_ || sqlite3_get_autocommit(db_->getHandle()) != 0) return;
  try {
    db_->exec("COMMIT");
  } catch (const SQLite::Exception&) {
    // Ending a read cannot fail for want of anything to save; nothing is lost either way.
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
