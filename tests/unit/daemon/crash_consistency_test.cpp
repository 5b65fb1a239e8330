// SIGKILL during import or reconcile (not only write-back): whatever instant the process dies,
// the store opens, passes PRAGMA integrity_check, and the next cycle brings it to exactly what
// an uninterrupted run gives.
#include <SQLiteCpp/SQLiteCpp.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/demo_school.h"
#include "tests/support/files.h"
#include "tests/support/process.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test::slurp;

std::optional<int> sync(const fs::path& dir, std::optional<std::chrono::microseconds> kill_after) {
  test::Process p(
      {IESYNC_BINARY, "sync", "--config", (dir / "iesync.toml").string(), "--date", "2026-11-23"},
      dir / "out.txt", [kill_after] {
        if (kill_after) test::end_abruptly_after(*kill_after);
      });
  auto code = p.wait_for(60s);
  // -1 is our kill; any other signal (a crash of iesync itself) fails here, not counted as one.
  if (code == -1) {
    EXPECT_TRUE(test::ended_abruptly(p.wait_status()))
        << "iesync died of signal " << WTERMSIG(p.wait_status());
  }
  return code;
}

// What a finished cycle leaves, independent of when it ran: every MIS table, the sessions and
// their lessons, and the outbox's keys and kinds.
std::string store_digest(const fs::path& db_path) {
  SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
  std::string out;
  for (const char* q :
       {"SELECT id, forename, surname, year, reg_group FROM students ORDER BY id",
        "SELECT student_id, class_code, start_date, end_date FROM memberships ORDER BY 1, 2, 3",
        "SELECT class_code, cycle_day, start_time, end_time, teacher FROM lessons ORDER BY 1, 2, 3",
        "SELECT id, student_id, date, start_spec, end_spec, status FROM bookings ORDER BY id",
        "SELECT feed, content_hash, records FROM feed_state ORDER BY feed",
        "SELECT booking_id, student_id, date, start_time, end_time, status FROM ie_sessions ORDER "
        "BY 1",
        "SELECT booking_id, class_code, start_time, work_status FROM session_lessons ORDER BY 1, "
        "2, 3",
        "SELECT key, kind FROM outbox WHERE state != 'superseded' ORDER BY key"}) {
    SQLite::Statement s(db, q);
    while (s.executeStep()) {
      for (int i = 0; i < s.getColumnCount(); ++i) out += s.getColumn(i).getString() + "|";
      out += "\n";
    }
    out += "--\n";
  }
  return out;
}

std::string integrity(const fs::path& db_path) {
  SQLite::Database db(db_path.string(), SQLite::OPEN_READWRITE);  // replays a left-over WAL
  return db.execAndGet("PRAGMA integrity_check").getString();
}

TEST(CrashConsistency, KilledAnywhereInImportOrReconcileTheStoreStaysSoundAndConverges) {
  // The reference: one uninterrupted run, timed.
  fs::path ref = test::copy_demo_school("iesync-crash-ref");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(sync(ref, std::nullopt), 0) << slurp(ref / "out.txt");
  auto run_time =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  // The first run is slowed by cold caches; kills drawn over its length would miss the warm
  // runs' ends too often, so the shorter of it and a second run sets the range.
  {
    fs::path warm = test::copy_demo_school("iesync-crash-warm");
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_EQ(sync(warm, std::nullopt), 0) << slurp(warm / "out.txt");
    run_time = std::min(run_time, std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::steady_clock::now() - t1));
    fs::remove_all(warm);
  }
  std::string want = store_digest(ref / "var/iesync.db");
  ASSERT_NE(want.find("IE"), std::string::npos) << "the reference run reconciled sessions";

  std::mt19937 rng(20261123);
  std::uniform_int_distribution<long> when(0, run_time.count());
  // Kills are drawn until ten have hit a running sync: a loaded machine runs some syncs faster
  // than the reference and some kills land after their end, which prove nothing.
  const int wanted = 10, most_trials = 60;
  int killed_midway = 0;
  for (int t = 0; t < most_trials && killed_midway < wanted; ++t) {
    fs::path dir = test::copy_demo_school("iesync-crash");
    auto code = sync(dir, std::chrono::microseconds(when(rng)));
    if (code == -1) ++killed_midway;
    fs::path db = dir / "var/iesync.db";
    if (fs::exists(db)) {
      EXPECT_EQ(integrity(db), "ok") << "trial " << t;
    }
    // The next cycle finishes the job: the same store as the uninterrupted run.
    auto again = sync(dir, std::nullopt);
    EXPECT_TRUE(again == 0) << "trial " << t << ": " << slurp(dir / "out.txt");
    EXPECT_EQ(integrity(db), "ok") << "trial " << t;
    EXPECT_EQ(store_digest(db), want) << "trial " << t << " did not converge";
    fs::remove_all(dir);
  }
  // The kills must land inside runs, not all after them, or the test proves nothing.
  EXPECT_GE(killed_midway, wanted)
      << "only " << killed_midway << " of " << most_trials << " kills hit a running sync";
  fs::remove_all(ref);
}

}  // namespace
}  // namespace iesync

namespace iesync {
namespace {

// The disk fills while the store is written (RLIMIT_FSIZE: it binds root too): the cycle
// fails with exit 3 and a plain-English line, the store keeps its last good state, and once
// there is room the next cycle applies everything.
TEST(DiskFull, AFullDiskFailsTheCycleCleanlyAndTheNextRunCatchesUp) {
  fs::path ref = test::copy_demo_school("iesync-full-ref");
  ASSERT_EQ(sync(ref, std::nullopt), 0) << slurp(ref / "out.txt");
  std::string want = store_digest(ref / "var/iesync.db");

  fs::path dir = test::copy_demo_school("iesync-full");
  {
    test::Process p(
        {IESYNC_BINARY, "sync", "--config", (dir / "iesync.toml").string(), "--date", "2026-11-23"},
        dir / "out.txt", [] {
          ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
          // Room for the schema (a new store's file is about 256 KB) and the small feeds, not
          // for the memberships and timetable (the whole store is about 490 KB).
          struct rlimit rl {
            384 * 1024, 384 * 1024
          };
          ::setrlimit(RLIMIT_FSIZE, &rl);
        });
    auto code = p.wait_for(60s);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 3) << slurp(dir / "out.txt");
  }
  std::string said = slurp(dir / "out.txt") + slurp(dir / "var/log/sync.log");
  std::string lower = said;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(lower.find("check the disk is not full"), std::string::npos)
      << "the log says the disk is the problem:\n"
      << said;
  if (fs::exists(dir / "var/iesync.db")) {
    EXPECT_EQ(integrity(dir / "var/iesync.db"), "ok");
  }

  EXPECT_EQ(sync(dir, std::nullopt), 0) << slurp(dir / "out.txt");
  EXPECT_EQ(store_digest(dir / "var/iesync.db"), want);
  fs::remove_all(dir);
  fs::remove_all(ref);
}

// The export folder cannot be written (a share mounted read-only, a permission changed by
// hand): a broken export cannot be moved to rejected/, but it is still refused, the last good
// data stays, the rest of the cycle runs, and the log says what to fix. Once the folder is
// writable again the next cycle moves it aside as usual. As root, permissions do not bind, so
// iesync runs as `nobody` then, as it runs as its own unprivileged user in production.
TEST(ExportFolder, UnwritableFolderStillRefusesABrokenExportAndSaysWhatToFix) {
  fs::path dir = test::copy_demo_school("iesync-ro-exports");
  const bool root = ::geteuid() == 0;
  static constexpr uid_t nobody = 65534;
  auto as_iesync = [root] {
    if (root) {
      ::setgroups(0, nullptr);
      if (::setgid(nobody) != 0 || ::setuid(nobody) != 0) ::_exit(126);
    }
  };
  if (root) {
    for (auto& e : fs::recursive_directory_iterator(dir))
      ::lchown(e.path().c_str(), nobody, nobody);
    ::lchown(dir.c_str(), nobody, nobody);
  }
  auto run = [&] {
    test::Process p(
        {IESYNC_BINARY, "sync", "--config", (dir / "iesync.toml").string(), "--date", "2026-11-23"},
        dir / "out.txt", as_iesync);
    return p.wait_for(60s);
  };
  ASSERT_EQ(run(), 0) << slurp(dir / "out.txt");
  auto students = [&] {
    SQLite::Database db((dir / "var/iesync.db").string(), SQLite::OPEN_READONLY);
    return db
        .execAndGet(
            "SELECT group_concat(id || ':' || surname, ',') FROM (SELECT * FROM students ORDER BY "
            "id)")
        .getString();
  };
  const std::string before = students();
  ASSERT_FALSE(before.empty());

  // A truncated students export arrives, settled, into a folder iesync may not write.
  std::string xml = slurp(dir / "exports/students.xml");
  std::ofstream(dir / "exports/students.xml", std::ios::trunc) << xml.substr(0, xml.size() / 2);
  test::backdate(dir / "exports/students.xml");
  ASSERT_EQ(::chmod((dir / "exports").c_str(), 0555), 0);

  std::ofstream(dir / "out.txt", std::ios::trunc).close();
  auto code = run();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1) << "a refused feed is something to look at, not a failed cycle:\n"
                      << slurp(dir / "out.txt");
  std::string log = slurp(dir / "var/log/sync.log");
  EXPECT_NE(log.find("the iesync user can write to the export folder"), std::string::npos) << log;
  EXPECT_NE(log.find("last good students data is kept"), std::string::npos) << log;
  EXPECT_NE(log.find("stays in the export folder"), std::string::npos) << log;
  EXPECT_NE(log.find("Cycle for 2026-11-23:"), std::string::npos) << "the rest of the cycle ran:\n"
                                                                  << log;
  EXPECT_EQ(students(), before);
  EXPECT_TRUE(fs::exists(dir / "exports/students.xml"));
  EXPECT_FALSE(fs::exists(dir / "exports/rejected"));

  ASSERT_EQ(::chmod((dir / "exports").c_str(), 0755), 0);
  EXPECT_EQ(run(), 1);
  EXPECT_FALSE(fs::exists(dir / "exports/students.xml"))
      << "moved aside once the folder is writable";
  int moved = 0, notes = 0;
  for (auto& e : fs::directory_iterator(dir / "exports/rejected")) {
    auto name = e.path().filename().string();
    if (name.rfind("students.", 0) == 0)
      (name.size() > 8 && name.ends_with(".why.txt")) ? ++notes : ++moved;
  }
  EXPECT_EQ(moved, 1);
  EXPECT_EQ(notes, 1);
  EXPECT_EQ(students(), before);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace iesync
