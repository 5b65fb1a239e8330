// What the readers refuse in a hostile or careless export (issue 16): XML that XML 1.0
// forbids but pugixml would accept, control characters in CSV values, and values too long
// for any field. XML refusals must be the same whichever way the report is parsed: a plain
// report goes through the piece-by-piece parse, one with an attribute on its root through the
// whole-document parse, and a large one is refused even when the fault is past the first piece.
#include <gtest/gtest.h>

#include <map>

#include "connectors/mis/csv_reader.h"
#include "connectors/mis/feed_mapper.h"
#include "connectors/mis/xml_reader.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;
using namespace std::string_literals;

// A students report whose last record's forename is `forename` (raw XML), in three shapes
// that take the reader's different paths. The bad record is always on line `bad_line()`.
struct Shapes {
  std::string forename;
  std::string tail;  // after </SuperStarReport>

  static constexpr int kLeading = 5000;  // records before the bad one in the large shape

  std::string records(int n) const {
    std::string s;
    for (int i = 1; i <= n; ++i)
      s += "<Record><Adno>" + std::to_string(i) + "</Adno><Forename>F</Forename></Record>\n";
    return s;
  }
  std::string bad_record() const {
    return "<Record><Adno>0</Adno><Forename>" + forename + "</Forename></Record>\n";
  }
  std::string plain() const {
    return "<?xml version=\"1.0\"?>\n<SuperStarReport>\n" + records(2) + bad_record() +
           "</SuperStarReport>\n" + tail;
  }
  std::string whole() const {
    return "<?xml version=\"1.0\"?>\n<SuperStarReport a=\"1\">\n" + records(2) + bad_record() +
           "</SuperStarReport>\n" + tail;
  }
  std::string large() const {
    return "<?xml version=\"1.0\"?>\n<SuperStarReport>\n" + records(kLeading) + bad_record() +
           "</SuperStarReport>\n" + tail;
  }
};

// Each shape is refused with exactly the same error but for the line, which is given.
void expect_refused(const Shapes& x, const std::string& message_part, int small_line,
                    int large_line) {
  auto p = read_xml_feed(x.plain(), "s.xml");
  auto w = read_xml_feed(x.whole(), "s.xml");
  auto l = read_xml_feed(x.large(), "s.xml");
  ASSERT_FALSE(p) << "plain report accepted";
  ASSERT_FALSE(w) << "whole-document report accepted";
  ASSERT_FALSE(l) << "large report accepted";
  EXPECT_NE(p.error().message.find(message_part), std::string::npos) << p.error().to_string();
  EXPECT_EQ(p.error().where, "s.xml:" + std::to_string(small_line));
  EXPECT_EQ(w.error().to_string(), p.error().to_string()) << "same refusal on both paths";
  EXPECT_EQ(l.error().where, "s.xml:" + std::to_string(large_line));
  EXPECT_EQ(l.error().message, p.error().message);
  EXPECT_EQ(l.error().fix, p.error().fix);
}

constexpr int kBadLine = 5, kLargeBadLine = 3 + Shapes::kLeading;

TEST(MisXmlStrict, ARawControlCharacterRefusesTheFeed) {
  expect_refused({"Al\x1b[2Jan"}, "the character U+001B is here, and XML 1.0 does not allow it",
                 kBadLine, kLargeBadLine);
  expect_refused({"M\0"
                  "1"s},
                 "U+0000", kBadLine, kLargeBadLine);
  expect_refused({"x\xEF\xBF\xBF"}, "U+FFFF", kBadLine, kLargeBadLine);
  // TAB, CR and LF are allowed; so are DEL and C1, which XML 1.0 permits (they are escaped
  // wherever a value is shown).
  auto ok = read_xml_feed(Shapes{"a\tb\x7f\xc2\x85"}.plain(), "s.xml");
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(*(*ok)[2].value(1), "a\tb\x7f\xc2\x85");
}

// The character checks read eight bytes at a time: a forbidden character is found at
// every offset within a word, and the characters XML allows beside it never are.
TEST(MisXmlStrict, AForbiddenCharacterIsFoundAtEveryOffsetOfALongValue) {
  for (std::size_t at = 0; at < 24; ++at)
    for (std::string bad : {"\x01"s, "\x1f"s, "\xEF\xBF\xBE"s, "\xC3"s, "\x80"s}) {
      std::string name(at, 'a');
      name += bad;
      name += std::string(24, 'b');
      auto r = read_xml_feed(Shapes{name}.plain(), "s.xml");
      EXPECT_FALSE(r) << "offset " << at << ": byte " << int(static_cast<unsigned char>(bad[0]));
      if (!r) {
        EXPECT_EQ(r.error().where, "s.xml:" + std::to_string(kBadLine));
      }
    }
  for (std::size_t at = 0; at < 24; ++at) {
    std::string name = std::string(at, 'a') + "\xC3\xA9\xEF\xBC\x81~\x7f" + std::string(9, 'z');
    auto r = read_xml_feed(Shapes{name}.plain(), "s.xml");
    ASSERT_TRUE(r) << "offset " << at << ": " << r.error().to_string();
    EXPECT_EQ(*(*r)[2].value(1), name);
  }
}

TEST(MisXmlStrict, AReferenceToAForbiddenCharacterRefusesTheFeed) {
  expect_refused({"x&#x1B;y"},
                 "&#x1B; stands for the character U+001B, which XML 1.0 does not "
                 "allow",
                 kBadLine, kLargeBadLine);
  expect_refused({"x&#0;y"}, "&#0; stands for the character U+0000", kBadLine, kLargeBadLine);
  expect_refused({"x&#xD800;"}, "U+D800", kBadLine, kLargeBadLine);
  expect_refused({"&#x110000;"}, "stands for no character at all", kBadLine, kLargeBadLine);
  expect_refused({"&#x" + std::string(1000, '0') + "1B;"}, "...", kBadLine, kLargeBadLine);
  auto ok =
      read_xml_feed(Shapes{"&#233;&#xe9;&#x1F600;&#9;&amp;&lt;&gt;&quot;&apos;"}.plain(), "s.xml");
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(*(*ok)[2].value(1), "\u00e9\u00e9\U0001F600\t&<>\"'");
}

TEST(MisXmlStrict, AnUndefinedEntityRefusesTheFeed) {
  expect_refused({"Ada&nbsp;Mary"}, "&nbsp; is an entity XML does not define", kBadLine,
                 kLargeBadLine);
  expect_refused({"Smith & Jones"}, "an & here does not start a reference", kBadLine,
                 kLargeBadLine);
  expect_refused({"AT&T;"}, "&T; is an entity XML does not define", kBadLine, kLargeBadLine);
  expect_refused({"&#xZZ;"}, "does not start a reference", kBadLine, kLargeBadLine);
  // In an attribute too, and the fix says what to write instead.
  auto a = read_xml_feed(
      "<SuperStarReport>\n<Record a=\"&nbsp;\"><Adno>1</Adno></Record>\n"
      "</SuperStarReport>",
      "s.xml");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().where, "s.xml:2");
  EXPECT_NE(a.error().fix.find("&#160;"), std::string::npos) << a.error().fix;
  // In a comment or CDATA an & is only a character.
  auto c = read_xml_feed(
      "<SuperStarReport><!-- R&D --><Record><Adno><![CDATA[R&D &nbsp;]]></Adno>"
      "</Record></SuperStarReport>",
      "s.xml");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(*(*c)[0].value(0), "R&D &nbsp;");
}

TEST(MisXmlStrict, ASecondDocumentAfterTheReportRefusesTheFeed) {
  const std::string second =
      "<?xml version=\"1.0\"?>\n<SuperStarReport>\n" + Shapes{}.records(3) + "</SuperStarReport>\n";
  expect_refused({"F", second}, "a second XML declaration (<?xml ...?>) starts here", 7,
                 Shapes::kLeading + 5);
  expect_refused({"F", "<SuperStarReport><Record><Adno>9</Adno></Record></SuperStarReport>"},
                 "a second top-level element starts here", 7, Shapes::kLeading + 5);
  expect_refused({"F", "  \n trailing words"}, "there is text after the end of the report", 8,
                 Shapes::kLeading + 6);
  // Nor may text come before it (pugixml would drop it too).
  auto before = read_xml_feed("<?xml version=\"1.0\"?>\nstray words\n<SuperStarReport/>", "s.xml");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().where, "s.xml:2");
  EXPECT_NE(before.error().message.find("there is text before the report starts"),
            std::string::npos);
  // Only white space, comments and processing instructions may follow the report.
  auto ok = read_xml_feed(Shapes{"F", "\n<!-- written 09:00 -->\n<?pi x?>\n\n"}.plain(), "s.xml");
  EXPECT_TRUE(ok) << ok.error().to_string();
  auto ws = read_xml_feed("  \n<?xml version=\"1.0\"?><SuperStarReport/>", "s.xml");
  EXPECT_TRUE(ws) << "white space before the declaration is tolerated: " << ws.error().to_string();
  auto stylesheet = read_xml_feed(
      "<?xml version=\"1.0\"?><?xml-stylesheet href=\"a\"?>"
      "<SuperStarReport/>",
      "s.xml");
  EXPECT_TRUE(stylesheet) << "xml-stylesheet is not a declaration: "
                          << stylesheet.error().to_string();
}

TEST(MisXmlStrict, AValueOverTheCapIsARecordError) {
  const std::size_t cap = FeedTable::kMaxFieldBytes;
  auto t = read_xml_feed(
      xml_report(
          {{{"Adno", "1"}, {"Forename", std::string(cap, 'a')}},
           {{"Adno", "2"}, {"Reg", "9X"}, {"Legal_x0020_Surname", std::string(cap + 1, 'b')}},
           {{"Adno", "3"}, {"Forename", "  " + std::string(cap, 'c') + "  "}}}),
      "s.xml");
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].number, 1u);
  EXPECT_EQ((*t)[1].number, 3u) << "padding SIMS adds does not count";
  EXPECT_EQ((*t)[1].value(0), "3") << "the skipped record left nothing behind";
  EXPECT_FALSE((*t)[1].value(2)) << "not even its Reg, set before the long value";
  ASSERT_EQ(t->record_errors.size(), 1u);
  const auto& e = t->record_errors[0];
  EXPECT_EQ(e.number, 2u);
  EXPECT_EQ(e.error.where, "s.xml:record 2");
  EXPECT_EQ(e.error.message,
            "the Legal Surname value is 4097 bytes long, over the limit of 4096 "
            "bytes for one value; the record was skipped");
}

TEST(MisCsvStrict, AControlCharacterInAValueSkipsItsRow) {
  auto t = read_csv_feed(
      "Adno,Room\n1,M1\n2,M\0"
      "1\n3,\"a\x1b[2J\"\n4,\"tab\there\r\nand a new line\"\n5,ok\n"s,
      "t.csv", FeedEncoding::utf8);
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ(*(*t)[1].value(1), "tab\there\r\nand a new line") << "TAB, CR and LF are fine";
  EXPECT_EQ((*t)[2].number, 7u);
  ASSERT_EQ(t->record_errors.size(), 2u);
  EXPECT_EQ(t->record_errors[0].error.where, "t.csv:3");
  EXPECT_EQ(t->record_errors[0].error.message,
            "the Room value holds the control character U+0000, which no MIS value should "
            "contain; the row was skipped");
  EXPECT_EQ(t->record_errors[1].error.where, "t.csv:4");
  EXPECT_NE(t->record_errors[1].error.message.find("U+001B"), std::string::npos);
  EXPECT_NE(t->record_errors[1].error.fix.find("remove the character"), std::string::npos);
  // Windows-1252 has the same control bytes.
  auto w = read_csv_feed(
      "Adno,Room\n1,a\x07"
      "b\n",
      "t.csv", FeedEncoding::windows1252);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->size(), 0u);
  ASSERT_EQ(w->record_errors.size(), 1u);
  EXPECT_NE(w->record_errors[0].error.message.find("U+0007"), std::string::npos);
}

TEST(MisCsvStrict, AControlCharacterInTheHeaderRefusesTheFeed) {
  auto t = read_csv_feed("Adno,\"Ro\0om\"\n1,M1\n"s, "t.csv", FeedEncoding::utf8);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where, "t.csv:1");
  EXPECT_NE(
      t.error().message.find("caption 2 of the header row holds the control character U+0000"),
      std::string::npos)
      << t.error().message;
}

TEST(MisCsvStrict, AValueOverTheCapIsARecordError) {
  const std::size_t cap = FeedTable::kMaxFieldBytes;
  std::string csv = "Adno,Name\n";
  csv += "1," + std::string(cap, 'a') + "\n";          // line 2: at the cap
  csv += "2,\"" + std::string(cap + 1, 'b') + "\"\n";  // line 3: quoted, over
  csv += "3," + std::string(cap + 1, 'c') + "\n";      // line 4: unquoted, over
  csv += "4,\"" + std::string(cap / 2, 'q') + "\"\"" + std::string(cap / 2, 'q') + "\"\n";  // 5
  csv += "5," + std::string(cap, 'd') + "   \n";  // line 6: padding trimmed
  auto t = read_csv_feed(csv, "n.csv", FeedEncoding::utf8);
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].number, 2u);
  EXPECT_EQ((*t)[1].number, 6u);
  ASSERT_EQ(t->record_errors.size(), 3u);
  EXPECT_EQ(t->record_errors[0].error.where, "n.csv:3");
  EXPECT_EQ(t->record_errors[0].error.message,
            "the Name value is 4097 bytes long, over the limit of 4096 bytes for one value; the "
            "row was skipped");
  EXPECT_EQ(t->record_errors[1].error.where, "n.csv:4");
  EXPECT_EQ(t->record_errors[2].error.where, "n.csv:5") << "a doubled quote counts as one byte, "
                                                           "so cap + 1 bytes is over";
  // A header caption that long is not a header.
  auto h =
      read_csv_feed("Adno," + std::string(cap + 1, 'h') + "\n1,2\n", "n.csv", FeedEncoding::utf8);
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message.find("so this is not a header row"), std::string::npos);
}

// Every row of a hostile export can be a record error: only the first kMaxKeptSkips keep
// their message (a few hundred bytes each), the rest are counted, and the first of all are
// kept whichever step (reader or mapper) found them.
TEST(MisSkips, TheFirstSkippedRecordsAreKeptAndAllAreCounted) {
  std::string csv = "Adno,Forename,Legal Surname,Year\n";
  for (int i = 0; i < 3000; ++i)
    csv += i % 2 == 0 ? "ragged\n" : std::to_string(i) + ",,Surname,Year 9\n";  // no forename
  auto t = read_csv_feed(csv, "s.csv", FeedEncoding::utf8);
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->record_errors.size(), 1000u);
  EXPECT_EQ(t->record_errors_not_kept, 500u);
  auto m = map_students(*t, demo_mapping().fields.at(Feed::students));
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_TRUE(m->items.empty());
  EXPECT_EQ(m->skipped_count(), 3000u);
  ASSERT_EQ(m->skipped.size(), kMaxKeptSkips);
  for (std::size_t i = 0; i < m->skipped.size(); ++i)
    ASSERT_EQ(m->skipped[i].number, i + 2) << "lines 2 to 1001, in order";
  EXPECT_NE(m->skipped[1].error.message.find("Forename (forename) is empty"), std::string::npos);
}

// Duplicates among many memberships: each later copy is skipped and named against the first,
// and every other membership is kept, however the keys fall in the mapper's table.
TEST(StrictReader, EveryDuplicateMembershipAmongManyIsFoundAgainstItsFirst) {
  std::string csv = "Adno,Class,Start Date,End Date\n";
  for (int i = 0; i < 60000; ++i) {
    // Every seventh row repeats an earlier row's student and class (and start date).
    const int k = i % 7 == 6 ? (i * 13) % (i - 5) : i;
    char row[64];
    std::snprintf(row, sizeof row, "%06d,%dX/Ma%d,01/09/2026,\n", k % 5000, k / 5000, k % 11);
    csv += row;
  }
  auto t = read_csv_feed(csv, "m.csv", FeedEncoding::utf8);
  ASSERT_TRUE(t) << t.error().to_string();
  auto m = map_memberships(*t, demo_mapping().fields.at(Feed::memberships));
  ASSERT_TRUE(m) << m.error().to_string();
  // What a plain map of keys says, in file order: each duplicate's line and its first's.
  std::map<std::string, std::size_t> first;
  std::vector<std::pair<std::size_t, std::size_t>> duplicates;
  for (const FeedRecord r : *t) {
    auto [it, added] =
        first.try_emplace(std::string(*r.value(0)) + "|" + std::string(*r.value(1)), r.number);
    if (!added) duplicates.emplace_back(r.number, it->second);
  }
  EXPECT_EQ(m->items.size(), first.size());
  ASSERT_GT(duplicates.size(), kMaxKeptSkips);
  EXPECT_EQ(m->skipped_count(), duplicates.size());
  ASSERT_EQ(m->skipped.size(), kMaxKeptSkips);
  for (std::size_t i = 0; i < m->skipped.size(); ++i) {
    EXPECT_EQ(m->skipped[i].number, duplicates[i].first);
    EXPECT_NE(m->skipped[i].error.message.find(
                  "twice (first at m.csv:" + std::to_string(duplicates[i].second) + ")"),
              std::string::npos)
        << m->skipped[i].error.message;
  }
}

}  // namespace
}  // namespace iesync
