// A changed export is applied as a diff (issue 20): rows that did not change are not
// written, the table still ends exactly as the export says, a feed the store refuses rolls
// back alone while the others are kept, and a commit that fails keeps every old feed.
#include <gtest/gtest.h>

#include "connectors/mis/importer.h"
#include "store/mis_store.h"
#include "store/store_access.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

std::string dump(const CollectingSink& s) {
  std::string out;
  for (auto& e : s.events())
    out += std::string(severity_name(e.severity)) + " " + e.kind + ": " + e.message + "\n";
  return out;
}

bool any_message(const CollectingSink& s, const std::string& kind, const std::string& part) {
  for (auto& e : s.events())
    if (e.kind == kind && e.message.find(part) != std::string::npos) return true;
  return false;
}

std::string student(int i, const std::string& surname, const std::string& reg = "9X") {
  char id[16];
  std::snprintf(id, sizeof id, "%06d", i);
  return std::string("  <Record><Adno>") + id + "</Adno><Forename>F" + std::to_string(i) +
         "</Forename><Legal_x0020_Surname>" + surname +
         "</Legal_x0020_Surname><Year>Year  9</Year><Reg>" + reg + "</Reg></Record>\n";
}

std::string report(const std::string& records) {
  return "<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n" + records +
         "</SuperStarReport>\n";
}

// Every row of a table, as text, in a fixed order: what a user of the store can see.
std::vector<std::string> rows(Store& s, const std::string& sql) {
  std::vector<std::string> out;
  SQLite::Statement q(StoreAccess::db(s), sql);
  while (q.executeStep()) {
    std::string r;
    for (int c = 0; c < q.getColumnCount(); ++c)
      r += (c ? "|" : "") + (q.getColumn(c).isNull() ? "NULL" : q.getColumn(c).getString());
    out.push_back(r);
  }
  return out;
}

ImportResult import(ImportFixture& fx, CollectingSink& ev) {
  return Importer(demo_config(fx.exports), fx.tmp.store(), ev, fx.clock).run(false, false);
}

TEST(DiffApply, OnlyTheChangedRowsAreWrittenAndTheTableIsAsExported) {
  ImportFixture fx;
  std::string before;
  for (int i = 1; i <= 40; ++i) before += student(i, "S" + std::to_string(i));
  fx.put("students.xml", report(before));
  CollectingSink ev1;
  ASSERT_EQ(import(fx, ev1).feed(Feed::students).status, FeedStatus::applied) << dump(ev1);
  auto rowid_of = [&](const std::string& id) {
    SQLite::Statement q(StoreAccess::db(fx.tmp.store()), "SELECT rowid FROM students WHERE id=?");
    q.bind(1, id);
    return q.executeStep() ? q.getColumn(0).getInt64() : -1;
  };
  const auto kept_rowid = rowid_of("000005");

  // The nightly re-export: student 3 changed form, student 7 left, student 41 joined.
  std::string after;
  for (int i = 1; i <= 40; ++i) {
    if (i == 7) continue;
    after += student(i, "S" + std::to_string(i), i == 3 ? "9Y" : "9X");
  }
  after += student(41, "S41");
  fx.put("students.xml", report(after));
  auto& db = StoreAccess::db(fx.tmp.store());
  const int changes_before = db.getTotalChanges();
  CollectingSink ev2;
  auto r = import(fx, ev2);
  const auto& o = r.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(ev2);
  ASSERT_TRUE(o.changes);
  EXPECT_EQ(o.changes->inserted, 1u);
  EXPECT_EQ(o.changes->updated, 1u);
  EXPECT_EQ(o.changes->deleted, 1u);
  EXPECT_EQ(o.changes->unchanged, 38u);
  EXPECT_TRUE(any_message(ev2, "feed.applied",
                          "students.xml: 40 students imported. Against what was in use: 1 new, "
                          "1 changed, 1 removed, 38 as before."))
      << dump(ev2);
  // Only the two records whose bytes changed were parsed (student 3's and student 41's)...
  EXPECT_EQ(o.records_parsed, std::optional<std::size_t>(2));
  // ...and three student rows written, besides the feed's state, its record cache and the
  // export's fingerprint: nothing else.
  EXPECT_LE(db.getTotalChanges() - changes_before, 3 + 3);
  EXPECT_EQ(rowid_of("000005"), kept_rowid) << "an unchanged row was rewritten";
  EXPECT_EQ(rowid_of("000007"), -1);
  EXPECT_EQ(rows(fx.tmp.store(), "SELECT reg_group FROM students WHERE id = '000003'"),
            std::vector<std::string>{"9Y"});

  // The same rows as a fresh store given only the new export.
  ImportFixture fresh;
  fresh.put("students.xml", report(after));
  CollectingSink ev3;
  ASSERT_EQ(import(fresh, ev3).feed(Feed::students).status, FeedStatus::applied);
  const std::string all =
      "SELECT id, forename, surname, year, reg_group, email, upn, sen, pupil_premium, gender "
      "FROM students ORDER BY id";
  EXPECT_EQ(rows(fx.tmp.store(), all), rows(fresh.tmp.store(), all));
}

TEST(DiffApply, RowsFromBeforeTheStoreKeptHashesAreReplaced) {
  ImportFixture fx;
  fx.put("students.xml", report(student(1, "Old") + student(2, "Same")));
  CollectingSink ev1;
  ASSERT_EQ(import(fx, ev1).feed(Feed::students).status, FeedStatus::applied);
  StoreAccess::db(fx.tmp.store()).exec("UPDATE students SET row_key = NULL, row_hash = NULL");
  fx.put("students.xml", report(student(1, "New") + student(2, "Same") + student(3, "Added")));
  CollectingSink ev2;
  auto r = import(fx, ev2);
  ASSERT_EQ(r.feed(Feed::students).status, FeedStatus::applied) << dump(ev2);
  EXPECT_EQ(rows(fx.tmp.store(), "SELECT id, surname FROM students ORDER BY id"),
            (std::vector<std::string>{"000001|New", "000002|Same", "000003|Added"}));
  EXPECT_EQ(rows(fx.tmp.store(), "SELECT count(*) FROM students WHERE row_hash IS NULL"),
            std::vector<std::string>{"0"});
}

TEST(DiffApply, AFeedTheStoreRefusesRollsBackAloneAndTheOthersAreKept) {
  ImportFixture fx;
  fx.put("students.xml", report(student(1, "A")));
  fx.put("staff.xml", xml_report({{{"Staff_x0020_Code", "ABC"}, {"Name", "Ms A Brown"}}}));
  CollectingSink ev1;
  ASSERT_FALSE(import(fx, ev1).failed) << dump(ev1);
  // The store refuses any new staff row (as a full disk or a broken index would).
  StoreAccess::db(fx.tmp.store())
      .exec(
          "CREATE TRIGGER refuse_staff BEFORE INSERT ON staff "
          "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END");
  fx.put("students.xml", report(student(1, "A") + student(2, "B")));
  fx.put("staff.xml", xml_report({{{"Staff_x0020_Code", "ABC"}, {"Name", "Ms A Brown"}},
                                  {{"Staff_x0020_Code", "DEF"}, {"Name", "Mr D Evans"}}}));
  CollectingSink ev2;
  auto r = import(fx, ev2);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::applied) << dump(ev2);
  EXPECT_EQ(r.feed(Feed::staff).status, FeedStatus::failed) << dump(ev2);
  EXPECT_TRUE(any_message(ev2, "feed.failed", "staff.xml: could not save the staff feed"))
      << dump(ev2);
  // Reopened from disk: the students were committed, the staff kept their last good data.
  auto reopened = Store::open(fx.tmp.store().path());
  ASSERT_TRUE(reopened) << reopened.error().to_string();
  EXPECT_EQ(rows(**reopened, "SELECT id FROM students ORDER BY id"),
            (std::vector<std::string>{"000001", "000002"}));
  EXPECT_EQ(rows(**reopened, "SELECT code FROM staff"), std::vector<std::string>{"ABC"});
  auto staff_state = MisStore(**reopened).feed_state(Feed::staff).value();
  ASSERT_TRUE(staff_state);
  EXPECT_EQ(staff_state->records, 1);
}

TEST(DiffApply, ACommitThatFailsKeepsEveryOldFeedAndSaysSo) {
  ImportFixture fx;
  fx.put("students.xml", report(student(1, "A")));
  CollectingSink ev1;
  ASSERT_FALSE(import(fx, ev1).failed) << dump(ev1);
  // A deferred constraint that only the commit checks: the whole import's commit fails.
  auto& db = StoreAccess::db(fx.tmp.store());
  db.exec(
      "CREATE TABLE commit_guard (student_id TEXT REFERENCES nowhere(id) "
      "DEFERRABLE INITIALLY DEFERRED); "
      "CREATE TABLE nowhere (id TEXT PRIMARY KEY); "
      "CREATE TRIGGER guard AFTER INSERT ON students "
      "BEGIN INSERT INTO commit_guard VALUES (NEW.id); END");
  fx.put("students.xml", report(student(1, "A") + student(2, "B")));
  CollectingSink ev2;
  auto r = import(fx, ev2);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::failed) << dump(ev2);
  EXPECT_TRUE(any_message(ev2, "feed.failed", "could not save the imported feeds")) << dump(ev2);
  EXPECT_EQ(rows(fx.tmp.store(), "SELECT id FROM students"), std::vector<std::string>{"000001"});
  // Nothing is left half done: the next import, with the fault gone, applies the export.
  db.exec("DROP TRIGGER guard");
  CollectingSink ev3;
  auto again = import(fx, ev3);
  EXPECT_EQ(again.feed(Feed::students).status, FeedStatus::applied) << dump(ev3);
  EXPECT_EQ(rows(fx.tmp.store(), "SELECT id FROM students ORDER BY id"),
            (std::vector<std::string>{"000001", "000002"}));
}

// On a full disk or an I/O error SQLite rolls back the whole transaction, not just the
// statement. The import stops there: every feed it applied is reported as not saved (it is
// not), and no later feed is applied on its own, out of step with those it was checked against.
TEST(DiffApply, AStoreThatRollsBackTheWholeImportStopsItAndKeepsEveryOldFeed) {
  ImportFixture fx;
  fx.put("students.xml", report(student(1, "A")));
  fx.put("staff.xml", xml_report({{{"Staff_x0020_Code", "ABC"}, {"Name", "Ms A Brown"}}}));
  CollectingSink ev1;
  ASSERT_FALSE(import(fx, ev1).failed) << dump(ev1);
  auto& db = StoreAccess::db(fx.tmp.store());
  db.exec(
      "CREATE TRIGGER lose_import BEFORE INSERT ON staff "
      "BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full'); END");
  fx.put("students.xml", report(student(1, "A") + student(2, "B")));
  fx.put("staff.xml", xml_report({{{"Staff_x0020_Code", "ABC"}, {"Name", "Ms A Brown"}},
                                  {{"Staff_x0020_Code", "DEF"}, {"Name", "Mr D Evans"}}}));
  fx.put("memberships.xml", xml_report({{{"Adno", "000002"}, {"Class", "9X/Ma1"}}}));
  CollectingSink ev2;
  auto r = import(fx, ev2);
  EXPECT_TRUE(r.failed);
  for (Feed f : {Feed::students, Feed::staff, Feed::memberships})
    EXPECT_EQ(r.feed(f).status, FeedStatus::failed) << feed_name(f) << "\n" << dump(ev2);
  EXPECT_TRUE(any_message(ev2, "feed.failed", "memberships: not imported: the store rolled back"))
      << dump(ev2);
  EXPECT_TRUE(any_message(ev2, "feed.failed", "the store rolled back this import")) << dump(ev2);
  auto reopened = Store::open(fx.tmp.store().path());
  ASSERT_TRUE(reopened) << reopened.error().to_string();
  EXPECT_EQ(rows(**reopened, "SELECT id FROM students"), std::vector<std::string>{"000001"});
  EXPECT_EQ(rows(**reopened, "SELECT code FROM staff"), std::vector<std::string>{"ABC"});
  EXPECT_EQ(rows(**reopened, "SELECT count(*) FROM memberships"), std::vector<std::string>{"0"});
  EXPECT_FALSE(MisStore(**reopened).feed_state(Feed::memberships).value());
  // With the fault gone, the next import applies all three.
  db.exec("DROP TRIGGER lose_import");
  CollectingSink ev3;
  auto again = import(fx, ev3);
  EXPECT_FALSE(again.failed) << dump(ev3);
  EXPECT_EQ(rows(fx.tmp.store(), "SELECT student_id, class_code FROM memberships"),
            std::vector<std::string>{"000002|9X/Ma1"});
}

}  // namespace
}  // namespace iesync
