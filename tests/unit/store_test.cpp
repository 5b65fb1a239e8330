#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <vector>

#include "store/migrations.h"
#include "store/store_access.h"

namespace iesync {
namespace {

std::vector<std::string> tables(Store& s) {
  std::vector<std::string> out;
  SQLite::Statement q(StoreAccess::db(s),
                      "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name");
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

TEST(Store, NewFileIsCreatedPrivateAtLatestVersionInWal) {
  TempStore t;
  auto& s = t.store();
  EXPECT_EQ(s.schema_version().value(), Store::latest_version());
  EXPECT_EQ(StoreAccess::db(s).execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(StoreAccess::db(s).execAndGet("PRAGMA foreign_keys").getInt(), 1);
  EXPECT_EQ(StoreAccess::db(s).execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
  struct stat st {};
  ASSERT_EQ(::stat(s.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077 & ~0040, 0u) << "store must not be readable by other users";
  auto names = tables(s);
  for (const char* want : {"students", "outbox", "ie_sessions", "classroom_coursework", "audit"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

// From every earlier version, opening migrates to the latest and keeps the data.
TEST(Store, MigratesFromEachEarlierVersionKeepingData) {
  for (int v = 1; v < Store::latest_version(); ++v) {
    TempStore dir;
    auto path = dir.dir() / ("v" + std::to_string(v) + ".db");
    {
      auto old = Store::open_at_version(path, v);
      ASSERT_TRUE(old) << old.error().to_string();
      EXPECT_EQ((*old)->schema_version().value(), v);
      StoreAccess::db(**old).exec(
          "INSERT INTO students(id, forename, surname, year) VALUES "
          "('001042','Ada','Lovelace','7')");
    }
    auto s = Store::open(path);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ((*s)->schema_version().value(), Store::latest_version());
    EXPECT_EQ(StoreAccess::db(**s)
                  .execAndGet("SELECT forename FROM students WHERE id='001042'")
                  .getString(),
              "Ada");
  }
}

// Migration 6 rebuilds the outbox (for the in_doubt state): every row, its id and its audit
// trail survive, and the new state is accepted.
TEST(Store, OutboxSurvivesTheInDoubtMigration) {
  TempStore dir;
  auto path = dir.dir() / "v5.db";
  {
    auto old = Store::open_at_version(path, 5);
    ASSERT_TRUE(old) << old.error().to_string();
    StoreAccess::db(**old).exec(
        "INSERT INTO outbox(id, key, kind, student_id, date, payload, state, revision, tries, "
        "target_ref, created_at, updated_at) VALUES (7, 'k1', 'lesson_mark', '001042', "
        "'2026-11-23', '{}', 'confirmed', 2, 1, 'WB9', 't0', 't1')");
  }
  auto s = Store::open(path);
  ASSERT_TRUE(s) << s.error().to_string();
  auto& db = StoreAccess::db(**s);
  EXPECT_EQ(
      db.execAndGet("SELECT state || '/' || revision || '/' || target_ref FROM outbox WHERE id = 7")
          .getString(),
      "confirmed/2/WB9");
  db.exec("UPDATE outbox SET state = 'in_doubt' WHERE id = 7");
  EXPECT_THROW(db.exec("UPDATE outbox SET state = 'maybe' WHERE id = 7"), SQLite::Exception);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM lookup_cache").getInt(), 0);
}

std::string schema_of(const std::filesystem::path& path) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  std::string out = "version " + std::to_string(db.execAndGet("PRAGMA user_version").getInt());
  SQLite::Statement q(db, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
  while (q.executeStep())
    out += "\n" + q.getColumn(0).getString() + " " + q.getColumn(1).getString() + ": " +
           q.getColumn(2).getString();
  return out;
}

// Commit frames in a store's write-ahead log (frame header bytes 4-7 hold the database size
// after a commit, zero otherwise; https://www.sqlite.org/fileformat.html#the_write_ahead_log).
int wal_commits(const std::filesystem::path& store_path) {
  std::ifstream in(store_path.string() + "-wal", std::ios::binary);
  if (!in) return 0;
  auto be32 = [](const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
  };
  unsigned char header[32];
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return 0;
  const std::uint32_t page_size = be32(header + 8);
  int commits = 0;
  std::vector<unsigned char> frame(24 + page_size);
  while (in.read(reinterpret_cast<char*>(frame.data()), static_cast<std::streamsize>(frame.size())))
    if (be32(frame.data() + 4) != 0) ++commits;
  return commits;
}

// A new store gets its whole schema at once, not a commit per migration (each commit is a
// sync of the log), and nothing is left beside it but SQLite's own log and index.
TEST(Store, NewStoreIsCreatedWholeAtTheLatestVersion) {
  TempStore dir;
  const auto folder = dir.dir() / "new";
  std::filesystem::create_directory(folder);
  auto path = folder / "fresh.db";
  {
    auto s = Store::open(path);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ((*s)->schema_version().value(), Store::latest_version());
    EXPECT_LE(wal_commits(path), 1);
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(folder))
    files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"fresh.db", "fresh.db-shm", "fresh.db-wal"}));
  auto again = Store::open(path);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(StoreAccess::db(**again).execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ((*again)->schema_version().value(), Store::latest_version());
}

// Closing leaves the last commits in the write-ahead log rather than copying them into the
// file (the copy cost a nightly re-export a second write of each page it changed, and two
// syncs): what was committed is still there when the store is opened again, by the next
// cycle or after a crash.
TEST(Store, ClosingLeavesCommitsInTheLogAndTheyAreThereOnReopening) {
  TempStore dir;
  const auto path = dir.dir() / "closed.db";
  {
    auto s = Store::open(path);
    ASSERT_TRUE(s) << s.error().to_string();
    StoreAccess::db(**s).exec(
        "INSERT INTO feed_state(feed, file, content_hash, applied_at, records) "
        "VALUES ('students', 'students.xml', 'h', '2026-12-07T08:00:00Z', 3)");
  }
  EXPECT_GE(wal_commits(path), 1) << "the close checkpointed the log into the file";
  auto again = Store::open(path);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(StoreAccess::db(**again)
                .execAndGet("SELECT records FROM feed_state WHERE feed = 'students'")
                .getInt(),
            3);
}

// All pending migrations are one transaction: when a later one fails, the earlier ones are
// rolled back too, the store stays at its old version with its old schema, and the error
// names the migration that failed. Once the cause is gone, opening migrates as usual.
TEST(Store, FailedMigrationLeavesTheOldVersionAndSchema) {
  TempStore dir;
  auto path = dir.dir() / "v7.db";
  {
    auto old = Store::open_at_version(path, 7);
    ASSERT_TRUE(old) << old.error().to_string();
    // Migration 9 creates this table; an object already there makes it fail after migration
    // 8 has run in the same transaction.
    StoreAccess::db(**old).exec("CREATE TABLE classroom_materials (x)");
  }
  const std::string before = schema_of(path);
  auto s = Store::open(path);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().to_string().find("schema migration 9 (Classroom course work materials) "
                                       "failed, the store is unchanged"),
            std::string::npos)
      << s.error().to_string();
  EXPECT_EQ(schema_of(path), before);
  EXPECT_EQ(before.find("notify_queue"), std::string::npos) << "migration 8 must not stay";

  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec("DROP TABLE classroom_materials");
  }
  auto again = Store::open(path);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ((*again)->schema_version().value(), Store::latest_version());
}

TEST(Store, RefusesAStoreFromANewerVersion) {
  TempStore dir;
  auto path = dir.dir() / "future.db";
  {
    auto s = Store::open(path);
    ASSERT_TRUE(s);
    StoreAccess::db(**s).exec("PRAGMA user_version = " +
                              std::to_string(Store::latest_version() + 1));
  }
  auto s = Store::open(path);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("newer iesync"), std::string::npos) << s.error().to_string();
  EXPECT_NE(s.error().fix.find("backup"), std::string::npos);
}

// Reads made under a ReadSnapshot see the store as it was at the first of them, whatever
// another process commits meanwhile (the status server's pages, a second `iesync` command);
// once it ends, the next read sees the commit. Inside a transaction already open it does
// nothing: in particular it does not end that transaction.
TEST(Store, AReadSnapshotSeesOneStateOfTheStore) {
  TempStore t;
  auto& db = StoreAccess::db(t.store());
  db.exec("INSERT INTO staff(code, name) VALUES ('AB', 'A. Brown')");
  SQLite::Database other(t.store().path().string(), SQLite::OPEN_READWRITE);
  auto count = [&] { return db.execAndGet("SELECT count(*) FROM staff").getInt(); };
  {
    ReadSnapshot snapshot(t.store());
    EXPECT_EQ(count(), 1);
    other.exec("INSERT INTO staff(code, name) VALUES ('CD', 'C. Davis')");
    EXPECT_EQ(count(), 1) << "the snapshot's reads see the store as at its first";
  }
  EXPECT_EQ(count(), 2) << "after it, the commit is seen";

  db.exec("BEGIN");
  db.exec("INSERT INTO staff(code, name) VALUES ('EF', 'E. Fox')");
  { ReadSnapshot inside(t.store()); }
  EXPECT_EQ(sqlite3_get_autocommit(db.getHandle()), 0) << "the open transaction goes on";
  db.exec("ROLLBACK");
  EXPECT_EQ(count(), 2);
}

TEST(Store, MissingFolderIsAClearError) {
  auto s = Store::open("/nonexistent-iesync-dir/iesync.db");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().to_string().find("mkdir -p /nonexistent-iesync-dir"), std::string::npos);
}

TEST(Store, MigrationVersionsAreConsecutive) {
  int want = 1;
  for (const auto& m : all_migrations()) EXPECT_EQ(m.version, want++) << m.name;
}

}  // namespace
}  // namespace iesync
