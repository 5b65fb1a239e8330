// The Importer against a real temp store and export folder: the whole demo school in order,
// rejection to rejected/ with a note, the hash skip, the 30 s settle, the [safety] hold and
// --accept-drop, dry runs, and a school of 50,000.
#include "connectors/mis/importer.h"

#include <gtest/gtest.h>

#include <chrono>

#include "connectors/mis/feed_files.h"
#include "store/mis_store.h"
#include "store/store_access.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;
using std::chrono::seconds;

std::string corpus_file(const std::string& name) {
  return slurp(fixtures() / "corpus" / name);
}

bool any_message(const CollectingSink& s, const std::string& kind, const std::string& part) {
  for (auto& e : s.events())
    if (e.kind == kind && e.message.find(part) != std::string::npos) return true;
  return false;
}

std::string dump(const CollectingSink& s) {
  std::string out;
  for (auto& e : s.events())
    out += std::string(severity_name(e.severity)) + " " + e.kind + ": " + e.message + "\n";
  return out;
}

// The demo school's five feeds, applied in order: memberships and bookings are checked
// against the students applied earlier in the same run.
TEST(MisImporter, AppliesAllFiveFeedsInOrder) {
  ImportFixture fx;
  fx.put("students.xml", corpus_file("students_good.xml"));
  fx.put("staff.xml", xml_report({{{"Staff_x0020_Code", "ABC"}, {"Name", "Ms A Brown"}}}));
  fx.put("memberships.xml", corpus_file("memberships_unknown_student.xml"));
  fx.put("timetable.xml", corpus_file("timetable_good.xml"));
  fx.put("ie-bookings.xml", corpus_file("bookings_good.xml"));
  CollectingSink ev;
  Importer imp(demo_config(fx.exports), fx.tmp.store(), ev, fx.clock);
  auto r = imp.run(false, false);
  EXPECT_EQ(r.feed(Feed::students).accepted, 5u);
  EXPECT_EQ(r.feed(Feed::staff).accepted, 1u);
  EXPECT_EQ(r.feed(Feed::memberships).accepted, 2u);
  EXPECT_EQ(r.feed(Feed::timetable).accepted, 4u);
  EXPECT_EQ(r.feed(Feed::bookings).accepted, 5u);
  EXPECT_EQ(r.record_errors, 2u);
  EXPECT_FALSE(r.failed || r.rejected || r.held);
  EXPECT_TRUE(any_message(ev, "feed.applied", "students.xml: 5 students imported.")) << dump(ev);
  EXPECT_TRUE(any_message(ev, "feed.applied",
                          "memberships.xml: 2 class memberships imported (2 skipped: see below)"))
      << dump(ev);
  EXPECT_TRUE(
      any_message(ev, "feed.record_skipped",
                  "memberships.xml:record 2: student 009999 is not in the students export; "
                  "the membership was skipped. Check the student's admission number in the MIS."))
      << dump(ev);
  // Lessons of classes nobody is in are kept and counted.
  EXPECT_TRUE(any_message(ev, "feed.applied", "of classes nobody is a member of")) << dump(ev);
  auto st = MisStore(fx.tmp.store()).feed_state(Feed::students).value();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->records, 5);
  EXPECT_EQ(st->file, "students.xml");
  EXPECT_EQ(st->applied_at, "2026-11-23T09:00:00Z");
  EXPECT_EQ(st->content_hash, export_hash(corpus_file("students_good.xml")));
}

TEST(MisImporter, RejectMovesTheFileAsideWithANoteAndKeepsTheLastGoodData) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  fx.put("students.xml", corpus_file("students_good.xml"));
  CollectingSink ev;
  ASSERT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).status,
      FeedStatus::applied);

  // Two broken exports in the same second must not overwrite each other's evidence.
  for (int round = 0; round < 2; ++round) {
    fx.put("students.xml", corpus_file("students_truncated.xml"));
    auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
    EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::rejected);
    EXPECT_TRUE(r.rejected);
    EXPECT_EQ(fx.count("students"), 5) << "last good data kept";
  }
  EXPECT_FALSE(fs::exists(fx.exports / "students.xml"));
  auto first = fx.exports / "rejected" / "students.20261123T090000Z.xml";
  auto second = fx.exports / "rejected" / "students.20261123T090000Z-2.xml";
  ASSERT_TRUE(fs::exists(first));
  ASSERT_TRUE(fs::exists(second));
  EXPECT_EQ(slurp(first), corpus_file("students_truncated.xml"));
  auto why = slurp(first.string() + ".why.txt");
  EXPECT_NE(why.find("Where:      students.xml:27"), std::string::npos) << why;
  EXPECT_NE(why.find("not well-formed XML"), std::string::npos) << why;
  EXPECT_NE(why.find("What to do: export the report again"), std::string::npos) << why;
  EXPECT_TRUE(any_message(ev, "feed.rejected", "rejected/students.20261123T090000Z.xml"))
      << dump(ev);
  for (auto& e : ev.events())
    if (e.kind == "feed.rejected") {
      EXPECT_EQ(e.severity, Severity::error);
    }
}

TEST(MisImporter, UnchangedContentIsNotEvenParsed) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  fx.put("students.xml", corpus_file("students_good.xml"));
  CollectingSink ev;
  ASSERT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).status,
      FeedStatus::applied);
  auto again = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(again.feed(Feed::students).status, FeedStatus::unchanged);

  // Proof that the hash alone decides: a broken file whose hash is recorded as applied is
  // left alone (parsing it would reject it).
  auto broken = corpus_file("students_truncated.xml");
  fx.put("students.xml", broken);
  StoreAccess::db(fx.tmp.store())
      .exec("UPDATE feed_state SET content_hash = '" + export_hash(broken) +
            "' WHERE feed = 'students'");
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::unchanged);
  EXPECT_TRUE(fs::exists(fx.exports / "students.xml"));
  EXPECT_EQ(fx.count("students"), 5);
}

TEST(MisImporter, AFileStillBeingWrittenIsLeftForTheNextCycle) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  auto p = fx.put("students.xml", corpus_file("students_truncated.xml"));  // half written
  set_mtime(p, fx.clock.now() - seconds{10});
  CollectingSink ev;
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::settling);
  EXPECT_FALSE(r.rejected);
  EXPECT_TRUE(fs::exists(p)) << "not rejected while being written";
  EXPECT_TRUE(any_message(ev, "feed.settling", "next cycle"));

  // The writer finishes; 30 s after its last write the file is read.
  spit(p, corpus_file("students_good.xml"));
  set_mtime(p, fx.clock.now());
  fx.clock.advance(seconds{29});
  EXPECT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).status,
      FeedStatus::settling);
  fx.clock.advance(seconds{1});
  auto done = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(done.feed(Feed::students).status, FeedStatus::applied);
  EXPECT_EQ(fx.count("students"), 5);
}

TEST(MisImporter, ARosterDropIsHeldUntilAccepted) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);  // max_roster_drop 15%
  fx.put("students.xml", students_xml(100));
  CollectingSink ev;
  ASSERT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).accepted,
      100u);

  // 86 of 100: a 14% drop is within the limit... but first a real drop to 80.
  fx.put("students.xml", students_xml(80));
  auto held = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(held.feed(Feed::students).status, FeedStatus::held);
  EXPECT_TRUE(held.held);
  EXPECT_EQ(fx.count("students"), 100) << "store unchanged while held";
  auto st = MisStore(fx.tmp.store()).feed_state(Feed::students).value();
  EXPECT_EQ(st->held_hash, export_hash(students_xml(80)));
  EXPECT_NE(st->held_reason.find("80 students, 20% fewer than the 100"), std::string::npos)
      << st->held_reason;
  EXPECT_TRUE(any_message(ev, "feed.held", "iesync sync --accept-drop")) << dump(ev);

  // Still held next cycle, without --accept-drop.
  auto still = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(still.feed(Feed::students).status, FeedStatus::held);
  EXPECT_EQ(fx.count("students"), 100);

  // A dry run with --accept-drop changes nothing.
  auto dry = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(true, true);
  EXPECT_EQ(dry.feed(Feed::students).status, FeedStatus::applied);
  EXPECT_EQ(fx.count("students"), 100);

  auto accepted = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(true, false);
  EXPECT_EQ(accepted.feed(Feed::students).status, FeedStatus::applied);
  EXPECT_NE(accepted.feed(Feed::students).message.find("accepted with --accept-drop"),
            std::string::npos);
  EXPECT_EQ(fx.count("students"), 80);
  st = MisStore(fx.tmp.store()).feed_state(Feed::students).value();
  EXPECT_TRUE(st->held_hash.empty());
  EXPECT_TRUE(st->held_reason.empty());

  // Within the limit: 80 -> 69 is a 13.75% drop, applied without asking.
  fx.put("students.xml", students_xml(69));
  EXPECT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).status,
      FeedStatus::applied);
  EXPECT_EQ(fx.count("students"), 69);
}

// The MIS put back the export in use (the cut-short report was a mistake): nothing is held
// any more, so the dashboard and `iesync status` stop asking for --accept-drop.
TEST(MisImporter, AHeldExportReplacedByTheOneInUseIsNoLongerHeld) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students_xml(100));
  CollectingSink ev;
  ASSERT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).status,
      FeedStatus::applied);
  fx.put("students.xml", students_xml(50));
  ASSERT_EQ(
      Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false).feed(Feed::students).status,
      FeedStatus::held);
  ASSERT_EQ(MisStore(fx.tmp.store()).held_feeds().value().size(), 1u);

  fx.put("students.xml", students_xml(100));
  CollectingSink back;
  auto r = Importer(cfg, fx.tmp.store(), back, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::unchanged);
  EXPECT_FALSE(r.held);
  EXPECT_TRUE(MisStore(fx.tmp.store()).held_feeds().value().empty());
  EXPECT_TRUE(any_message(back, "feed.unchanged", "so nothing is held any more")) << dump(back);
  EXPECT_EQ(fx.count("students"), 100);
}

TEST(MisImporter, LosingTooManyClassesHoldsTheMemberships) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  cfg.mis.feeds = {{Feed::students, "students.xml"}, {Feed::memberships, "memberships.xml"}};
  fx.put("students.xml", students_xml(10));
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  for (int c = 0; c < 10; ++c)
    rows.push_back({{"Adno", "000001"}, {"Class", "9X" + std::to_string(c) + "/Ma"}});
  fx.put("memberships.xml", xml_report(rows));
  CollectingSink ev;
  ASSERT_EQ(Importer(cfg, fx.tmp.store(), ev, fx.clock)
                .run(false, false)
                .feed(Feed::memberships)
                .accepted,
            10u);
  rows.resize(5);  // half the classes gone
  fx.put("memberships.xml", xml_report(rows));
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::memberships).status, FeedStatus::held);
  EXPECT_EQ(fx.count("memberships"), 10);
  EXPECT_NE(r.feed(Feed::memberships).message.find("5 classes, 50% fewer"), std::string::npos)
      << r.feed(Feed::memberships).message;
}

TEST(MisImporter, DryRunChangesNothing) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  fx.put("students.xml", corpus_file("students_good.xml"));
  fx.put("memberships.xml", corpus_file("memberships_unknown_student.xml"));
  fx.put("timetable.xml", corpus_file("students_truncated.xml"));  // would be rejected
  CollectingSink ev;
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, true);
  EXPECT_TRUE(r.dry_run);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::applied);
  EXPECT_EQ(r.feed(Feed::students).accepted, 5u);
  // Memberships are checked against the students this run would import.
  EXPECT_EQ(r.feed(Feed::memberships).accepted, 2u);
  EXPECT_EQ(r.feed(Feed::timetable).status, FeedStatus::rejected);
  EXPECT_EQ(fx.count("students"), 0);
  EXPECT_EQ(fx.count("memberships"), 0);
  EXPECT_EQ(StoreAccess::db(fx.tmp.store()).execAndGet("SELECT count(*) FROM feed_state").getInt(),
            0);
  EXPECT_TRUE(fs::exists(fx.exports / "timetable.xml"));
  EXPECT_FALSE(fs::exists(fx.exports / "rejected"));
  for (auto& e : ev.events()) EXPECT_EQ(e.message.rfind("(dry run) ", 0), 0u) << e.message;
  EXPECT_TRUE(any_message(ev, "feed.applied", "5 students would be imported")) << dump(ev);
}

TEST(MisImporter, NewestMatchOfAGlobIsUsedAndAMissingFeedIsAWarning) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  cfg.mis.feeds = {{Feed::students, "students-*.xml"}, {Feed::staff, "staff.xml"}};
  auto old = fx.put("students-20261120.xml", students_xml(3));
  auto newer = fx.put("students-20261122.xml", students_xml(4));
  set_mtime(old, fx.clock.now() - std::chrono::hours{48});
  CollectingSink ev;
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::students).file, "students-20261122.xml");
  EXPECT_EQ(fx.count("students"), 4);
  EXPECT_EQ(r.feed(Feed::staff).status, FeedStatus::missing);
  EXPECT_EQ(r.feed(Feed::memberships).status, FeedStatus::not_configured);
  EXPECT_TRUE(any_message(ev, "feed.missing", "No staff export matching \"staff.xml\""))
      << dump(ev);
}

TEST(MisImporter, AnUnmappedRequiredFieldIsAConfigFailureNotTheFilesFault) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  cfg.mapping.fields[Feed::students].erase("surname");
  fx.put("students.xml", corpus_file("students_good.xml"));
  CollectingSink ev;
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::students).status, FeedStatus::failed);
  EXPECT_TRUE(r.failed);
  EXPECT_TRUE(fs::exists(fx.exports / "students.xml")) << "the export is fine; it stays";
  EXPECT_NE(r.feed(Feed::students).message.find("[fields.students]"), std::string::npos);
}

// A 50,000-student school is imported whole, and the import's larger page cache is given
// back. (Its speed and memory are measured in bench/, not here.)
TEST(MisImporter, FiftyThousandStudentsAllImportAndTheCacheIsGivenBack) {
  ImportFixture fx;
  fx.put("students.xml", students_xml(50000));
  auto cfg = demo_config(fx.exports);
  cfg.mis.feeds = {{Feed::students, "students.xml"}};
  CollectingSink ev;
  auto cache_size = [&] {
    return StoreAccess::db(fx.tmp.store()).execAndGet("PRAGMA cache_size").getInt();
  };
  int before = cache_size();
  auto r = Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, false);
  EXPECT_EQ(r.feed(Feed::students).accepted, 50000u);
  EXPECT_EQ(fx.count("students"), 50000);
  EXPECT_TRUE(any_message(ev, "feed.applied", "50,000 students imported"));
  EXPECT_EQ(cache_size(), before);
}

}  // namespace
}  // namespace iesync
