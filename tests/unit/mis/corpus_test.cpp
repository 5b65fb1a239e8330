// Every awkward or broken export in tests/fixtures/mis/corpus/ (plus two generated at test
// time; the fixtures are also the XML and CSV fuzzers' seeds) goes through the real Importer
// against a real temp store, with the exact outcome it must have: how many records are applied and
// which are skipped, or why the feed is rejected, and that a rejected feed leaves the store exactly
// as it was.
#include <gtest/gtest.h>

#include <functional>

#include "connectors/mis/importer.h"
#include "store/mis_store.h"
#include "store/store_access.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

struct Case {
  std::string file;
  Feed feed;
  FeedFormat format = FeedFormat::xml;
  FeedEncoding encoding = FeedEncoding::utf8;
  long accepted = -1;                // -1: the feed must be rejected
  std::vector<std::size_t> skipped;  // record numbers (XML) or lines (CSV)
  std::string reject;                // substring of the rejection message
  std::size_t ignored = 0;
  std::function<void(Store&)> check;
  std::function<std::string()> generate;  // bytes made at test time instead of a fixture
};

std::string text(Store& s, const std::string& sql) {
  return StoreAccess::db(s).execAndGet(sql).getString();
}

Case csv(Case c) {
  c.format = FeedFormat::csv;
  return c;
}

std::vector<Case> corpus() {
  return {
      {.file = "students_good.xml",
       .feed = Feed::students,
       .accepted = 5,
       .check =
           [](Store& s) {
             EXPECT_EQ(text(s, "SELECT surname FROM students WHERE id='001001'"), "Lovelace");
             EXPECT_EQ(text(s, "SELECT year FROM students WHERE id='001001'"), "9");
             EXPECT_EQ(text(s, "SELECT year FROM students WHERE id='001002'"), "10");
             EXPECT_EQ(text(s, "SELECT email FROM students WHERE id='001001'"),
                       "ada@example.sch.uk");
             EXPECT_EQ(
                 text(s, "SELECT sen || pupil_premium || gender FROM students WHERE id='001003'"),
                 "EYF");
           }},
      {.file = "students_truncated.xml", .feed = Feed::students, .reject = "not well-formed XML"},
      {.file = "students_wrong_root.xml",
       .feed = Feed::students,
       .reject = "not <SuperStarReport>"},
      {.file = "students_cr_error.xml",
       .feed = Feed::students,
       .reject = "SIMS reported an error: Report 'IE Students' does not exist"},
      {.file = "students_missing_column.xml",
       .feed = Feed::students,
       .reject = "required column \"Legal Surname\" (students surname) is not in the export"},
      {.file = "students_duplicate_id.xml",
       .feed = Feed::students,
       .accepted = 3,
       .skipped = {3},
       .check =
           [](Store& s) {  // the first record with the id wins
             EXPECT_EQ(text(s, "SELECT forename FROM students WHERE id='001001'"), "Ada");
           }},
      {.file = "students_empty.xml", .feed = Feed::students, .reject = "the file is empty"},
      {.file = "students_utf16le_bom.xml",
       .feed = Feed::students,
       .accepted = 3,
       .check =
           [](Store& s) {
             EXPECT_EQ(text(s, "SELECT surname FROM students WHERE id='001001'"), "Bront\u00eb");
             EXPECT_EQ(text(s, "SELECT forename FROM students WHERE id='001003'"), "\u0141ukasz");
           }},
      {.file = "students_utf16be_bom.xml", .feed = Feed::students, .accepted = 2},
      {.file = "students_utf8_bom.xml", .feed = Feed::students, .accepted = 3},
      {.file = "students_doctype_entities.xml", .feed = Feed::students, .reject = "DOCTYPE"},
      {.file = "students_xxe.xml", .feed = Feed::students, .reject = "DOCTYPE"},
      {.file = "students_null_required.xml",
       .feed = Feed::students,
       .accepted = 2,
       .skipped = {2, 3}},
      {.file = "students_no_records.xml", .feed = Feed::students, .accepted = 0},
      {.file = "students_invalid_utf8.xml",
       .feed = Feed::students,
       .reject = "students_invalid_utf8.xml:18: the file is not valid UTF-8"},
      {.file = "students_not_xml.xml", .feed = Feed::students, .reject = "not well-formed XML"},
      {.file = "students_escaped_values.xml",
       .feed = Feed::students,
       .accepted = 1,
       .check =
           [](Store& s) {
             EXPECT_EQ(text(s, "SELECT forename FROM students"), "Ada & Co");
             EXPECT_EQ(text(s, "SELECT surname FROM students"), "O'Neil \u00e9");
           }},
      csv({.file = "students_leading_zeros.csv",
           .feed = Feed::students,
           .accepted = 2,
           .check =
               [](Store& s) {
                 EXPECT_EQ(
                     text(
                         s,
                         "SELECT group_concat(id, ' ') FROM (SELECT id FROM students ORDER BY id)"),
                     "000123 0042");
               }}),
      csv({.file = "students_bom.csv",
           .feed = Feed::students,
           .accepted = 1,
           .check = [](Store& s) { EXPECT_EQ(text(s, "SELECT id FROM students"), "001001"); }}),
      csv({.file = "students_crlf.csv",
           .feed = Feed::students,
           .accepted = 3,
           .check =
               [](Store& s) {
                 EXPECT_EQ(text(s, "SELECT gender FROM students WHERE id='001002'"), "M");
               }}),
      csv({.file = "students_quoted_newline.csv",
           .feed = Feed::students,
           .accepted = 3,
           .skipped = {5},  // the record at line 2 spans two lines
           .check =
               [](Store& s) {
                 EXPECT_EQ(text(s, "SELECT forename FROM students WHERE id='001001'"),
                           "Ada \"Countess\"");
                 EXPECT_EQ(text(s, "SELECT surname FROM students WHERE id='001001'"),
                           "Lovelace,\nof Ockham");
               }}),
      csv({.file = "students_cp1252.csv",
           .feed = Feed::students,
           .encoding = FeedEncoding::windows1252,
           .accepted = 2,
           .check =
               [](Store& s) {
                 EXPECT_EQ(text(s, "SELECT forename FROM students WHERE id='001001'"), "Zo\u00eb");
                 EXPECT_EQ(text(s, "SELECT surname FROM students WHERE id='001002'"),
                           "O\u2019Brien");
               }}),
      csv({.file = "students_cp1252.csv",
           .feed = Feed::students,
           .reject = "students_cp1252.csv:2: this line is not valid UTF-8"}),
      csv({.file = "students_ragged.csv", .feed = Feed::students, .accepted = 2, .skipped = {3}}),
      csv({.file = "students_padded.csv",
           .feed = Feed::students,
           .accepted = 2,
           .check =
               [](Store& s) {
                 EXPECT_EQ(text(s, "SELECT forename FROM students WHERE id='001001'"), "Ada");
                 EXPECT_EQ(text(s, "SELECT forename FROM students WHERE id='001002'"), "  Alan  ");
               }}),
      csv({.file = "students_unclosed_quote.csv",
           .feed = Feed::students,
           .reject = "students_unclosed_quote.csv:2: a quoted value starting on this line is never "
                     "closed"}),
      csv({.file = "students_header_only.csv", .feed = Feed::students, .accepted = 0}),
      csv({.file = "students_empty.csv", .feed = Feed::students, .reject = "the file is empty"}),
      csv({.file = "students_blank_lines.csv", .feed = Feed::students, .accepted = 2}),
      csv({.file = "students_stray_quote.csv",
           .feed = Feed::students,
           .accepted = 1,
           .skipped = {2}}),
      csv({.file = "staff_good.csv", .feed = Feed::staff, .accepted = 2, .skipped = {4}}),
      csv({.file = "staff_missing_column.csv",
           .feed = Feed::staff,
           .reject = "required column \"Staff Code\""}),
      {.file = "memberships_unknown_student.xml",
       .feed = Feed::memberships,
       .accepted = 2,
       .skipped = {2, 4}},  // 009999 is unknown; 1001 is not 001001
      {.file = "memberships_dates.xml",
       .feed = Feed::memberships,
       .accepted = 3,
       .skipped = {3, 4, 5},
       .check =
           [](Store& s) {
             EXPECT_EQ(text(s,
                            "SELECT start_date || ' ' || end_date FROM memberships WHERE "
                            "class_code='9X1/Sc'"),
                       "2026-09-01 2026-12-18");
             EXPECT_TRUE(
                 StoreAccess::db(s)
                     .execAndGet("SELECT start_date FROM memberships WHERE class_code='9X/Tu'")
                     .isNull());
           }},
      {.file = "memberships_missing_class.xml",
       .feed = Feed::memberships,
       .reject = "required column \"Class\""},
      {.file = "timetable_good.xml",
       .feed = Feed::timetable,
       .accepted = 4,
       .ignored = 1,
       .check =
           [](Store& s) {
             EXPECT_EQ(
                 text(s,
                      "SELECT cycle_day || ' ' || day_name || ' ' || start_time || ' ' || subject "
                      "FROM lessons WHERE day_name='Da10'"),
                 "10 Da10 09:50 Mathematics");
             EXPECT_EQ(text(s, "SELECT subject FROM lessons WHERE class_code='10Y2/Sc'"),
                       "Science");
             EXPECT_TRUE(StoreAccess::db(s)
                             .execAndGet("SELECT room FROM lessons WHERE class_code='10Y2/Sc'")
                             .isNull());
           }},
      {.file = "timetable_bad_times.xml",
       .feed = Feed::timetable,
       .accepted = 1,
       .skipped = {1, 2, 3, 4, 5}},
      csv({.file = "timetable_missing_day.csv",
           .feed = Feed::timetable,
           .reject = "required column \"DayName\""}),
      {.file = "bookings_good.xml",
       .feed = Feed::bookings,
       .accepted = 5,
       .check =
           [](Store& s) {
             auto row = [&](const char* id) {
               return text(
                   s, std::string(
                          "SELECT date || '|' || start_spec || '|' || end_spec || '|' || status "
                          "FROM bookings WHERE id='") +
                          id + "'");
             };
             EXPECT_EQ(row("B1"), "2026-11-23|08:50|10:50|booked");
             EXPECT_EQ(row("B2"), "2026-11-24|2|4|attended");
             EXPECT_EQ(row("B3"), "2026-11-25|AM||booked");
             EXPECT_EQ(row("B4"), "2026-11-26|PM||cancelled");
             EXPECT_EQ(row("B5"), "2026-11-27|ALL||absent");
           }},
      {.file = "bookings_bad.xml",
       .feed = Feed::bookings,
       .accepted = 2,
       .skipped = {1, 2, 3, 4, 5, 6}},
      // The optional behaviour feed (issue 19): times as HH:MM, H:MM or a period name, points
      // whole numbers, status kept as exported (lower case) so withdrawn ones can be left out.
      {.file = "behaviour_good.xml",
       .feed = Feed::behaviour,
       .accepted = 4,
       .check =
           [](Store& s) {
             EXPECT_EQ(
                 text(s,
                      "SELECT student_id || '|' || date || '|' || time || '|' || type || '|' || "
                      "points || '|' || recorded_by || '|' || status FROM behaviour_incidents "
                      "WHERE id='88210'"),
                 "001001|2026-11-16|09:05|Defiance|2|GTU|resolved");
             EXPECT_EQ(
                 text(s, "SELECT date || '|' || time FROM behaviour_incidents WHERE id='88211'"),
                 "2026-11-17|3");
             EXPECT_EQ(text(s, "SELECT status FROM behaviour_incidents WHERE id='88212'"),
                       "withdrawn");
             EXPECT_EQ(text(s, "SELECT points FROM behaviour_incidents WHERE id='88213'"), "0");
             EXPECT_EQ(text(s, "SELECT records FROM feed_state WHERE feed='behaviour'"), "4");
           }},
      {.file = "behaviour_bad.xml",
       .feed = Feed::behaviour,
       .accepted = 2,
       .skipped = {2, 3, 4, 5, 6, 7, 9},
       .check =
           [](Store& s) {
             EXPECT_EQ(text(s,
                            "SELECT group_concat(id || ':' || points, ' ') FROM "
                            "(SELECT id, points FROM behaviour_incidents ORDER BY id)"),
                       "B1:1 B8:-1");
           }},
      csv({.file = "behaviour_missing_date.csv",
           .feed = Feed::behaviour,
           .reject = "required column \"Date\" (behaviour date) is not in the export"}),
      {.file = "behaviour_truncated.xml", .feed = Feed::behaviour, .reject = "not well-formed XML"},
      csv({.file = "bookings_referral.csv",
           .feed = Feed::bookings,
           .accepted = 2,
           .check =
               [](Store& s) {
                 EXPECT_EQ(
                     text(s,
                          "SELECT referred_by || '|' || incident_id FROM bookings WHERE id='IE1'"),
                     "GTU|88210");
                 EXPECT_TRUE(StoreAccess::db(s)
                                 .execAndGet("SELECT referred_by FROM bookings WHERE id='IE2'")
                                 .isNull());
               }}),
      // XML that XML 1.0 forbids and pugixml would take (issue 16): refused, naming the line.
      {.file = "students_control_char.xml",
       .feed = Feed::students,
       .reject = "students_control_char.xml:13: the character U+001B is here, and XML 1.0 does "
                 "not allow it"},
      {.file = "students_control_char_ref.xml",
       .feed = Feed::students,
       .reject = "students_control_char_ref.xml:14: &#x1B; stands for the character U+001B"},
      {.file = "students_undefined_entity.xml",
       .feed = Feed::students,
       .reject = "students_undefined_entity.xml:5: &nbsp; is an entity XML does not define"},
      {.file = "students_bare_ampersand.xml",
       .feed = Feed::students,
       .reject = "students_bare_ampersand.xml:14: an & here does not start a reference"},
      {.file = "students_two_documents.xml",
       .feed = Feed::students,
       .reject = "students_two_documents.xml:20: a second XML declaration"},
      {.file = "students_second_root.xml",
       .feed = Feed::students,
       .reject = "students_second_root.xml:12: a second top-level element starts here"},
      {.file = "students_long_value.xml",
       .feed = Feed::students,
       .accepted = 2,
       .skipped = {2},
       .check =
           [](Store& s) {
             EXPECT_EQ(StoreAccess::db(s)
                           .execAndGet("SELECT count(*) FROM students WHERE id='001002'")
                           .getInt(),
                       0);
           }},
      // C0 controls in a CSV value skip the row (a record error); in the header, the feed.
      csv({.file = "students_escape_sequence.csv",
           .feed = Feed::students,
           .accepted = 2,
           .skipped = {3, 5},
           .check =
               [](Store& s) {
                 EXPECT_EQ(
                     text(
                         s,
                         "SELECT group_concat(id, ' ') FROM (SELECT id FROM students ORDER BY id)"),
                     "001001 001003");
               }}),
      csv({.file = "students_control_header.csv",
           .feed = Feed::students,
           .reject = "students_control_header.csv:1: caption 2 of the header row holds the control "
                     "character U+001B"}),
      csv({.file = "students_long_value.csv",
           .feed = Feed::students,
           .accepted = 2,
           .skipped = {3, 5}}),
      csv({.file = "timetable_nul_room.csv",
           .feed = Feed::timetable,
           .accepted = 2,
           .skipped = {3},
           .check =
               [](Store& s) {
                 EXPECT_EQ(text(s,
                                "SELECT group_concat(room, '|') FROM (SELECT room FROM lessons "
                                "ORDER BY room)"),
                           "M\tquoted|M1");
                 EXPECT_EQ(
                     StoreAccess::db(s)
                         .execAndGet("SELECT count(*) FROM lessons WHERE instr(room, char(0)) > 0")
                         .getInt(),
                     0);
               }}),
      {.file = "students_nesting_bomb.xml",
       .feed = Feed::students,
       .reject = "nested more than",
       .generate =
           [] {
             std::string s = "<SuperStarReport><Record>";
             for (int i = 0; i < 200000; ++i) s += "<a>";
             return s;  // never closed: the scan must stop it before pugixml or the stack does
           }},
      // Over FeedTable::kMaxFieldBytes: the record is skipped, so the value never reaches the
      // table or the store.
      {.file = "students_10mb_value.xml",
       .feed = Feed::students,
       .accepted = 0,
       .skipped = {1},
       .generate =
           [] {
             return "<SuperStarReport><Record><Adno>001001</Adno><Forename>A</Forename>"
                    "<Legal_x0020_Surname>" +
                    std::string(10 << 20, 'x') +
                    "</Legal_x0020_Surname><Year>Year  9</Year></Record></SuperStarReport>";
           }},
  };
}

const char* kTables[] = {"students", "staff",    "memberships",
                         "lessons",  "bookings", "behaviour_incidents"};

std::vector<long long> snapshot(ImportFixture& fx) {
  std::vector<long long> out;
  for (auto t : kTables) out.push_back(fx.count(t));
  out.push_back(
      StoreAccess::db(fx.tmp.store()).execAndGet("SELECT count(*) FROM feed_state").getInt64());
  return out;
}

// Read whole, and read two records at a time through the store as a dense export is (the
// staged read): the same outcome either way, down to each skipped record.
TEST(MisCorpus, EveryExportHasItsExactOutcome) {
  auto cases = corpus();
  ASSERT_GE(cases.size(), 30u);
  std::size_t staged = 0;
  for (std::size_t pieces : {std::size_t{0}, std::size_t{2}}) {
    for (auto& c : cases) {
      SCOPED_TRACE(c.file + (c.encoding == FeedEncoding::windows1252 ? " (windows-1252)" : "") +
                   (pieces ? " (staged)" : ""));
      ImportFixture fx;
      // Five known students, so referential checks have something to check against.
      MisStore mis(fx.tmp.store());
      std::vector<Student> seed;
      for (int i = 1; i <= 5; ++i)
        seed.push_back(Student{"00100" + std::to_string(i), "F", "S", "9"});
      ASSERT_TRUE(mis.replace_students(seed, {"seed.xml", "seed-hash", "2026-11-01T00:00:00Z"}));

      auto bytes = c.generate ? c.generate() : slurp(fixtures() / "corpus" / c.file);
      ASSERT_TRUE(c.generate || !bytes.empty() || c.reject.find("empty") != std::string::npos)
          << "missing fixture";
      fx.put(c.file, bytes);
      auto cfg = demo_config(fx.exports);
      cfg.mis.feeds = {{c.feed, c.file}};
      cfg.mis.format = c.format;
      cfg.mis.encoding = c.encoding;
      cfg.safety.max_roster_drop = 1.0;  // [safety] has its own tests
      auto before = snapshot(fx);

      CollectingSink events;
      Importer imp(cfg, fx.tmp.store(), events, fx.clock);
      imp.set_staged_pieces(pieces);
      auto result = imp.run(false, false);
      const auto& o = result.feed(c.feed);
      EXPECT_TRUE(pieces || !o.staged) << "only a dense export is staged";
      staged += o.staged;

      if (c.accepted < 0) {
        EXPECT_EQ(o.status, FeedStatus::rejected) << o.message;
        EXPECT_NE(o.message.find(c.reject), std::string::npos) << o.message;
        EXPECT_EQ(snapshot(fx), before) << "a rejected feed must leave the store unchanged";
        EXPECT_FALSE(fs::exists(fx.exports / c.file));
        EXPECT_TRUE(result.rejected);
        EXPECT_TRUE(events.has_kind("feed.rejected"));
        continue;
      }
      ASSERT_EQ(o.status, FeedStatus::applied) << o.message;
      EXPECT_EQ(o.accepted, static_cast<std::size_t>(c.accepted)) << o.message;
      EXPECT_EQ(o.ignored, c.ignored) << o.message;
      std::vector<std::size_t> skipped;
      for (auto& e : events.events())
        if (e.kind == "feed.record_skipped")
          for (auto& [k, v] : e.fields)
            if (k == "record") skipped.push_back(std::stoul(v));
      EXPECT_EQ(skipped, c.skipped) << o.message;
      EXPECT_EQ(o.skipped, c.skipped.size());
      EXPECT_EQ(result.record_errors, c.skipped.size());
      const char* table = c.feed == Feed::timetable   ? "lessons"
                          : c.feed == Feed::behaviour ? "behaviour_incidents"
                                                      : feed_name(c.feed);
      EXPECT_EQ(fx.count(table), c.accepted);
      EXPECT_EQ(fs::exists(fx.exports / c.file), true) << "an applied export stays where it is";
      if (c.check) c.check(fx.tmp.store());
    }
  }
  // Most applied exports were staged when asked (the rest, of shapes the split does not take,
  // were read whole as they must be).
  EXPECT_GE(staged, 25u);
}

// A report whose every record lacks a required column is refused a piece at a time, in the
// words the whole read uses (the columns found are the pieces' together, in file order: here
// the last piece has one of them only), without the whole read, which takes several times the
// file. When only some pieces lack it, the file has the column: it is read whole, which says
// which records are missing the value.
TEST(MisCorpus, AReportWhoseEveryPieceLacksARequiredColumnIsRefusedWithoutAWholeRead) {
  auto record = [](int i, bool adno) {
    return std::string("<Record>") +
           (adno ? "<Adno>00" + std::to_string(1000 + i) + "</Adno>" : std::string()) +
           "<Forename>F</Forename><Legal_x0020_Surname>S</Legal_x0020_Surname>"
           "<Year>Year 9</Year><Other_x0020_" +
           std::to_string(i % 2) + ">x</Other_x0020_" + std::to_string(i % 2) + "></Record>\n";
  };
  auto report = [&](int with_adno_from) {
    std::string x = "<?xml version=\"1.0\"?>\n<SuperStarReport>\n";
    for (int i = 0; i < 9; ++i) x += record(i, i >= with_adno_from);
    return x + "</SuperStarReport>\n";
  };
  auto import = [](const std::string& bytes, std::size_t pieces) {
    ImportFixture fx;
    fx.put("students.xml", bytes);
    auto cfg = demo_config(fx.exports);
    cfg.mis.feeds = {{Feed::students, "students.xml"}};
    CollectingSink events;
    Importer imp(cfg, fx.tmp.store(), events, fx.clock);
    imp.set_staged_pieces(pieces);
    return imp.run(false, false).feed(Feed::students);
  };
  const auto none = report(99);
  const auto whole = import(none, 0);
  ASSERT_EQ(whole.status, FeedStatus::rejected);
  EXPECT_NE(whole.message.find("\"Adno\" (students id) is not in the export; columns found: "
                               "\"Forename\", \"Legal Surname\", \"Year\", \"Other 0\", "
                               "\"Other 1\""),
            std::string::npos)
      << whole.message;
  const auto staged = import(none, 2);
  EXPECT_EQ(staged.status, FeedStatus::rejected);
  EXPECT_TRUE(staged.staged) << "refused a piece at a time";
  EXPECT_EQ(staged.message, whole.message);
  // From the fifth record on the column is there: the file has it, and the first four
  // records are skipped for the missing value, as the whole read says.
  const auto some = report(4);
  const auto some_whole = import(some, 0);
  const auto some_staged = import(some, 2);
  EXPECT_FALSE(some_staged.staged);
  EXPECT_EQ(some_staged.status, some_whole.status);
  EXPECT_EQ(some_staged.message, some_whole.message);
  EXPECT_EQ(some_whole.skipped, 4u) << some_whole.message;
}

}  // namespace
}  // namespace iesync
