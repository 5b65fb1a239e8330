#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

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
