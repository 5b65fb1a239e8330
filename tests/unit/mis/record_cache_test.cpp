// The record cache (issue 20): a changed export is read from its changed records alone only
// when that gives what reading it whole gives. A student left out while their memberships
// stay, a duplicate of a kept record, a changed mapping, a cache that no longer matches its
// table, an erasure: each sends the export to be read whole, and the outcome is what a whole
// read reports. A record error in a changed record names its place in the file.
#include "store/record_cache.h"

#include <gtest/gtest.h>

#include "connectors/mis/importer.h"
#include "store/store_access.h"
#include "store/student_data.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

std::string dump(const CollectingSink& s) {
  std::string out;
  for (auto& e : s.events()) out += e.kind + ": " + e.message + "\n";
  return out;
}

bool any_message(const CollectingSink& s, const std::string& kind, const std::string& part) {
  for (auto& e : s.events())
    if (e.kind == kind && e.message.find(part) != std::string::npos) return true;
  return false;
}

std::string adno(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "%06d", i);
  return id;
}

std::string students(const std::vector<int>& ids, const std::string& extra = {}) {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  for (int i : ids)
    rows.push_back({{"Adno", adno(i)},
                    {"Forename", "F" + std::to_string(i)},
                    {"Legal_x0020_Surname", "S" + std::to_string(i)},
                    {"Year", "Year  9"},
                    {"Reg", "9X"}});
  auto s = xml_report(rows);
  s.insert(s.rfind("</SuperStarReport>"), extra);
  return s;
}

std::string memberships(const std::vector<std::pair<int, std::string>>& m) {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  for (auto& [i, cls] : m) rows.push_back({{"Adno", adno(i)}, {"Class", cls}});
  return xml_report(rows);
}

std::string lessons(int n) {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  for (int i = 0; i < n; ++i)
    rows.push_back({{"ShortName", "9X/Ma" + std::to_string(i)},
                    {"DayName", "Day" + std::to_string(1 + i % 10)},
                    {"StartTime", "08:50"},
                    {"EndTime", "09:50"}});
  return xml_report(rows);
}

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i <= to; ++i) v.push_back(i);
  return v;
}

struct Run {
  ImportResult result;
  CollectingSink events;
};

std::unique_ptr<Run> import(ImportFixture& fx, const Config& cfg) {
  auto r = std::make_unique<Run>();
  r->result = Importer(cfg, fx.tmp.store(), r->events, fx.clock).run(true, false);
  return r;
}

TEST(RecordCache, AStudentLeftOutWhileTheirMembershipsStayIsReportedAsAWholeReadWould) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  std::vector<std::pair<int, std::string>> m;
  for (int i = 1; i <= 20; ++i) m.emplace_back(i, "9X/Ma1");
  m.emplace_back(5, "9X/Sc1");
  fx.put("students.xml", students(range(1, 20)));
  fx.put("memberships.xml", memberships(m));
  auto first = import(fx, cfg);
  ASSERT_EQ(first->result.feed(Feed::memberships).status, FeedStatus::applied)
      << dump(first->events);

  // Student 5 leaves the students export; their two memberships stay in the next one, which
  // also has one new membership, so both files change.
  std::vector<int> without5 = range(1, 20);
  without5.erase(without5.begin() + 4);
  fx.put("students.xml", students(without5));
  m.emplace_back(1, "9X/Tu");
  fx.put("memberships.xml", memberships(m));
  auto next = import(fx, cfg);
  const auto& s = next->result.feed(Feed::students);
  const auto& o = next->result.feed(Feed::memberships);
  ASSERT_EQ(s.status, FeedStatus::applied) << dump(next->events);
  EXPECT_EQ(s.records_parsed, std::optional<std::size_t>(0)) << "nothing new to read";
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_FALSE(o.records_parsed) << "kept records name a student gone: read whole";
  EXPECT_EQ(o.skipped, 2u);
  EXPECT_EQ(o.accepted, 20u);
  EXPECT_TRUE(any_message(next->events, "feed.record_skipped",
                          "memberships.xml:record 5: student 000005 is not in the students "
                          "export; the membership was skipped"))
      << dump(next->events);
  EXPECT_EQ(fx.count("memberships"), 20);
}

TEST(RecordCache, AClassLosingItsLastMemberIsCountedByAWholeRead) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  std::vector<std::pair<int, std::string>> m;
  for (int i = 1; i <= 20; ++i) m.emplace_back(i, "9X/Ma1");
  m.emplace_back(5, "9X/Sc1");
  fx.put("students.xml", students(range(1, 20)));
  fx.put("memberships.xml", memberships(m));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::memberships).status, FeedStatus::applied);

  // One membership goes from a class that keeps others: read from the changed records.
  m.erase(m.begin());
  fx.put("memberships.xml", memberships(m));
  auto next = import(fx, cfg);
  EXPECT_EQ(next->result.feed(Feed::memberships).records_parsed, std::optional<std::size_t>(0))
      << dump(next->events);

  // 9X/Sc1 loses its only member: [safety] counts classes, so the export is read whole.
  m.pop_back();
  fx.put("memberships.xml", memberships(m));
  auto third = import(fx, cfg);
  const auto& o = third->result.feed(Feed::memberships);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(third->events);
  EXPECT_FALSE(o.records_parsed);
  EXPECT_EQ(o.accepted, 19u);
  EXPECT_EQ(fx.count("memberships"), 19);
}

TEST(RecordCache, ADuplicateOfAKeptRecordIsReportedAsAWholeReadWould) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students(range(1, 10)));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);

  // The MIS writes student 3 twice: the copy's bytes are a kept record's.
  auto twice = students(range(1, 10));
  auto from = twice.find("<Record>\n    <Adno>000003");
  auto to = twice.find("</Record>", from) + 9;
  fx.put("students.xml", students(range(1, 10), twice.substr(from, to - from) + "\n"));
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_FALSE(o.records_parsed);
  EXPECT_EQ(o.accepted, 10u);
  EXPECT_TRUE(any_message(next->events, "feed.record_skipped",
                          "students.xml:record 11: student 000003 appears twice (first at "
                          "students.xml:record 3)"))
      << dump(next->events);
}

TEST(RecordCache, ARecordErrorInAChangedRecordNamesItsPlaceInTheFileEveryTime) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students(range(1, 20)));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);

  // Record 7 loses its surname; record 20 changes form.
  auto text = students(range(1, 20));
  const std::string surname7 = "<Legal_x0020_Surname>S7<";
  text.replace(text.find(surname7), surname7.size(), "<Legal_x0020_Surname><");
  text.replace(text.rfind("<Reg>9X</Reg>"), 13, "<Reg>9Y</Reg>");
  fx.put("students.xml", text);
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_EQ(o.records_parsed, std::optional<std::size_t>(2));
  EXPECT_EQ(o.skipped, 1u);
  EXPECT_TRUE(any_message(next->events, "feed.record_skipped",
                          "students.xml:record 7: Legal Surname (surname) is empty"))
      << dump(next->events);

  // The next export changes elsewhere but still has the bad record: it is read again (a
  // skipped record is never cached) and reported again, at its new place.
  text.insert(text.find("  <Record>"),
              "  <Record><Adno>000099</Adno><Forename>N</Forename>"
              "<Legal_x0020_Surname>New</Legal_x0020_Surname><Year>9"
              "</Year></Record>\n");
  fx.put("students.xml", text);
  auto third = import(fx, cfg);
  const auto& t = third->result.feed(Feed::students);
  ASSERT_EQ(t.status, FeedStatus::applied) << dump(third->events);
  EXPECT_EQ(t.records_parsed, std::optional<std::size_t>(2)) << "the new record and the bad one";
  EXPECT_EQ(t.accepted, 20u);
  EXPECT_TRUE(any_message(third->events, "feed.record_skipped",
                          "students.xml:record 8: Legal Surname (surname) is empty"))
      << dump(third->events);
}

TEST(RecordCache, AChangedMappingReadsTheExportWholeOnce) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  fx.put("timetable.xml", lessons(10));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::timetable).status, FeedStatus::applied);

  cfg.mapping.subjects["Ma"] = "Maths";
  fx.put("timetable.xml", lessons(11));
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::timetable);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_FALSE(o.records_parsed) << "the cached lessons were mapped with the old subjects";
  EXPECT_EQ(StoreAccess::db(fx.tmp.store())
                .execAndGet("SELECT count(*) FROM lessons WHERE subject = 'Maths'")
                .getInt64(),
            11);

  fx.put("timetable.xml", lessons(12));
  auto third = import(fx, cfg);
  EXPECT_EQ(third->result.feed(Feed::timetable).records_parsed, std::optional<std::size_t>(1));
  EXPECT_EQ(fx.count("lessons"), 12);
}

TEST(RecordCache, ACacheThatNoLongerMatchesItsTableIsNotUsed) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students(range(1, 10)));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);
  // A row goes behind the importer's back (a hand edit, a restored backup).
  StoreAccess::db(fx.tmp.store()).exec("DELETE FROM students WHERE id = '000004'");

  fx.put("students.xml", students(range(1, 11)));
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_FALSE(o.records_parsed);
  EXPECT_EQ(fx.count("students"), 11) << "read whole, the lost row is back";
}

// A changed record's row is rewritten by setting only the columns past its identity (its
// indexes are then left alone), matched on the identity's columns as well as the row: a row
// whose identity was changed behind the importer's back is rewritten whole, whether the
// export is read from its changed records or whole.
TEST(RecordCache, AChangedRowWhoseIdentityWasEditedIsRewrittenWhole) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students(range(1, 10)));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);
  StoreAccess::db(fx.tmp.store()).exec("UPDATE students SET id = '999999' WHERE id = '000004'");

  auto changed = students(range(1, 10));
  changed.replace(changed.find("F4<"), 2, "G4");
  fx.put("students.xml", changed);
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_EQ(o.records_parsed, std::optional<std::size_t>(1)) << "read from its changed record";
  auto& db = StoreAccess::db(fx.tmp.store());
  EXPECT_EQ(db.execAndGet("SELECT forename FROM students WHERE id = '000004'").getString(), "G4");
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM students WHERE id = '999999'").getInt(), 0);
  EXPECT_EQ(fx.count("students"), 10);

  // The same through an export read whole (no record cache): its rewrite is the same.
  db.exec("UPDATE students SET id = '999999' WHERE id = '000004'");
  db.exec("DELETE FROM feed_records");
  changed.replace(changed.find("G4<"), 2, "H4");
  fx.put("students.xml", changed);
  auto whole = import(fx, cfg);
  const auto& w = whole->result.feed(Feed::students);
  ASSERT_EQ(w.status, FeedStatus::applied) << dump(whole->events);
  EXPECT_FALSE(w.records_parsed) << "read whole";
  EXPECT_EQ(db.execAndGet("SELECT forename FROM students WHERE id = '000004'").getString(), "H4");
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM students WHERE id = '999999'").getInt(), 0);
  EXPECT_EQ(fx.count("students"), 10);
}

// Only the columns past a changed row's identity are set, so a keyed table's indexes on its
// identity are not rewritten; the row reads as a whole read would leave it.
TEST(RecordCache, AChangedRowIsRewrittenAsAWholeReadWouldLeaveIt) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students(range(1, 10)));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);
  auto row = [&](const char* id) {
    SQLite::Statement q(StoreAccess::db(fx.tmp.store()),
                        "SELECT id, forename, surname, year, reg_group, row_key, row_hash FROM "
                        "students WHERE id = ?");
    q.bind(1, id);
    EXPECT_TRUE(q.executeStep());
    std::string out;
    for (int c = 0; c < 7; ++c) out += q.getColumn(c).getString() + "|";
    return out;
  };
  auto changed = students(range(1, 10));
  changed.replace(changed.find("F4<"), 2, "G4");
  fx.put("students.xml", changed);
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).records_parsed,
            std::optional<std::size_t>(1));
  const auto by_diff = row("000004");

  ImportFixture whole;
  whole.put("students.xml", changed);
  ASSERT_EQ(import(whole, demo_config(whole.exports))->result.feed(Feed::students).status,
            FeedStatus::applied);
  SQLite::Statement q(StoreAccess::db(whole.tmp.store()),
                      "SELECT id, forename, surname, year, reg_group, row_key, row_hash FROM "
                      "students WHERE id = '000004'");
  ASSERT_TRUE(q.executeStep());
  std::string expected;
  for (int c = 0; c < 7; ++c) expected += q.getColumn(c).getString() + "|";
  EXPECT_EQ(by_diff, expected);
}

TEST(RecordCache, AnExportOfMostlyNewRecordsIsReadWhole) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  cfg.safety.max_roster_drop = 1.0;
  fx.put("students.xml", students(range(1, 10)));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);
  // A new school year: the ten are still there, among 2,000 new pupils.
  fx.put("students.xml", students(range(1, 2010)));
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_FALSE(o.records_parsed) << "too many fresh records to hold their places";
  EXPECT_EQ(o.accepted, 2010u);
  // The export read whole left a cache of all of them: the next small change uses it.
  fx.put("students.xml", students(range(1, 2011)));
  auto third = import(fx, cfg);
  EXPECT_EQ(third->result.feed(Feed::students).records_parsed, std::optional<std::size_t>(1));
}

TEST(RecordCache, AWindows1252CsvIsReadFromItsChangedRowsAndDecodedAsAWholeReadWould) {
  ImportFixture fx;
  auto cfg = demo_config(fx.exports);
  cfg.mis.format = FeedFormat::csv;
  cfg.mis.encoding = FeedEncoding::windows1252;
  cfg.mis.feeds = {{Feed::students, "students.csv"}};
  auto csv = [](int last, const std::string& extra) {
    std::string s = "Adno,Forename,Legal Surname,Year,Reg\r\n";
    for (int i = 1; i <= last; ++i)
      s += adno(i) + ",F" + std::to_string(i) + ",\"S" + std::to_string(i) +
           ", \xEB\",Year  9,9X\r\n";
    return s + extra;
  };
  fx.put("students.csv", csv(10, ""));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::students).status, FeedStatus::applied);
  // Zo\xEB joins on a row that spans two lines.
  fx.put("students.csv", csv(10, "000011,Zo\xEB,\"Two\nLines\",Year  9,9X\r\n"));
  auto next = import(fx, cfg);
  const auto& o = next->result.feed(Feed::students);
  ASSERT_EQ(o.status, FeedStatus::applied) << dump(next->events);
  EXPECT_EQ(o.records_parsed, std::optional<std::size_t>(1));
  EXPECT_EQ(o.accepted, 11u);
  auto& db = StoreAccess::db(fx.tmp.store());
  EXPECT_EQ(db.execAndGet("SELECT forename || '|' || surname FROM students WHERE id = '000011'")
                .getString(),
            "Zo\u00EB|Two\nLines");
  EXPECT_EQ(db.execAndGet("SELECT surname FROM students WHERE id = '000004'").getString(),
            "S4, \u00EB");
  // A bad row after the two-line one is named by the line it starts on in the file.
  fx.put("students.csv", csv(10, "000011,Zo\xEB,\"Two\nLines\",Year  9,9X\r\n000012,Ann\r\n"));
  auto third = import(fx, cfg);
  EXPECT_EQ(third->result.feed(Feed::students).records_parsed, std::optional<std::size_t>(1));
  EXPECT_TRUE(any_message(third->events, "feed.record_skipped",
                          "students.csv:14: the row has 2 values but the header has 5"))
      << dump(third->events);
}

TEST(RecordCache, AnErasureDropsEveryFeedsCache) {
  ImportFixture fx;
  const auto cfg = demo_config(fx.exports);
  fx.put("students.xml", students(range(1, 10)));
  fx.put("memberships.xml", memberships({{1, "9X/Ma1"}, {2, "9X/Ma1"}}));
  ASSERT_EQ(import(fx, cfg)->result.feed(Feed::memberships).status, FeedStatus::applied);
  for (Feed f : {Feed::students, Feed::memberships}) {
    auto c = read_record_cache(fx.tmp.store(), f);
    ASSERT_TRUE(c && *c) << feed_name(f);
    EXPECT_EQ((*c)->records.size(), f == Feed::students ? 10u : 2u);
  }

  auto erased = erase_student(fx.tmp.store(), {"000002", ""}, fx.clock.now());
  ASSERT_TRUE(erased && *erased);
  for (Feed f : {Feed::students, Feed::memberships}) {
    auto c = read_record_cache(fx.tmp.store(), f);
    ASSERT_TRUE(c);
    EXPECT_FALSE(*c) << feed_name(f);
  }
}

}  // namespace
}  // namespace iesync
