// The feed readers and field mapping on their own: caption decoding, record and line
// numbers, the real SIMS excerpts, and the small rules (years, subjects) users rely on.
#include <gtest/gtest.h>

#include "connectors/mis/caption.h"
#include "connectors/mis/csv_reader.h"
#include "connectors/mis/feed_mapper.h"
#include "connectors/mis/text_encoding.h"
#include "connectors/mis/xml_reader.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

TEST(MisCaption, DecodesXmlConvertEscapes) {
  EXPECT_EQ(decode_caption("Legal_x0020_Surname"), "Legal Surname");
  EXPECT_EQ(decode_caption("Year_x0020_taught_x0020_in_x0020_Code"), "Year taught in Code");
  EXPECT_EQ(decode_caption("Class_x002F_Group"), "Class/Group");
  EXPECT_EQ(decode_caption("_x0031_st_x0020_Lang"), "1st Lang");
  EXPECT_EQ(decode_caption("Caf_x00E9_"), "Caf\u00e9");
  EXPECT_EQ(decode_caption("primary_id"), "primary_id");
  EXPECT_EQ(decode_caption("Odd_x00G0_"), "Odd_x00G0_") << "not an escape: left alone";
}

TEST(MisXmlReader, RecordsAreNumberedAndNullColumnsAbsent) {
  auto t = read_xml_feed(xml_report({{{"Adno", "001"}, {"Reg", "9X"}},
                                     {{"Adno", "002"}},
                                     {{"Adno", "003"}, {"Legal_x0020_Surname", " Lovelace "}}}),
                         "s.xml");
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ(t->columns, (std::vector<std::string>{"Adno", "Reg", "Legal Surname"}));
  EXPECT_EQ((*t)[2].number, 3u);
  EXPECT_FALSE((*t)[1].value(1)) << "NULL Reg is absent";
  EXPECT_FALSE((*t)[0].value(2)) << "a column first seen later is absent before";
  EXPECT_EQ(*(*t)[2].value(2), "Lovelace");
  EXPECT_EQ(t->where((*t)[2]), "s.xml:record 3");
}

TEST(MisXmlReader, ParseErrorsNameTheLine) {
  auto t = read_xml_feed("<SuperStarReport>\n<Record>\n<Adno>1</Adno>\n<Reg>9X</Adno>\n</Record>\n",
                         "s.xml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where, "s.xml:4");
}

TEST(MisXmlReader, DeepNestingIsRefusedBeforeParsing) {
  std::string s = "<SuperStarReport><Record><Adno>";
  for (int i = 0; i < kMaxXmlDepth; ++i) s += "<b>";
  auto t = read_xml_feed(s, "s.xml");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("nested more than"), std::string::npos);
  // Within the limit, nesting inside a column is not our concern: it parses.
  EXPECT_TRUE(read_xml_feed("<SuperStarReport><Record><A><b>x</b></A></Record></SuperStarReport>",
                            "s.xml"));
}

// Large reports are parsed a piece at a time (to bound memory), cut between two children of
// the root; what comes out must be what a whole-document parse gives, across piece boundaries
// and whatever the prolog, the root's attributes or what lies between the records.
void expect_same_tables(const FeedTable& a, const FeedTable& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(a.records_read, b.records_read);
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].number, b[i].number) << i;
    for (std::size_t c = 0; c <= a.columns.size(); ++c) ASSERT_EQ(a[i].value(c), b[i].value(c));
  }
  ASSERT_EQ(a.record_errors.size(), b.record_errors.size());
  for (std::size_t i = 0; i < a.record_errors.size(); ++i)
    EXPECT_EQ(a.record_errors[i].error.to_string(), b.record_errors[i].error.to_string());
}

void expect_read_as_one_document(const std::string& xml, const std::string& file) {
  auto pieces = read_xml_feed(xml, file);
  auto whole = read_xml_feed_as_one_document(xml, file);
  ASSERT_EQ(bool(pieces), bool(whole)) << (pieces ? whole.error() : pieces.error()).to_string();
  if (pieces)
    expect_same_tables(*pieces, *whole);
  else
    EXPECT_EQ(pieces.error().to_string(), whole.error().to_string());
}

TEST(MisXmlReader, ALargeReportReadsTheSameAcrossPieces) {
  std::string body;
  const int n = 40'000;  // ~93,000 elements: three pieces or more
  for (int i = 1; i <= n; ++i) {
    body += "<Record><Adno>" + std::to_string(i) + "</Adno>";
    if (i % 3 == 0) body += "<Reg>R&amp;" + std::to_string(i) + "</Reg>";
    if (i == 39000) body += "<Late_x0020_Column>x</Late_x0020_Column>";
    body += "</Record>\r\n";
  }
  const std::string prolog =
      "\xEF\xBB\xBF<?xml version=\"1.0\" standalone=\"yes\"?>\r\n<!-- excerpt -->\r\n";
  const std::string plain = prolog + "<SuperStarReport>\r\n" + body + "</SuperStarReport>\r\n";
  auto t = read_xml_feed(plain, "big.xml");
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->size(), static_cast<std::size_t>(n));
  EXPECT_EQ(t->columns, (std::vector<std::string>{"Adno", "Reg", "Late Column"}));
  for (int i = 1; i <= n; ++i) {
    const auto r = (*t)[static_cast<std::size_t>(i - 1)];
    ASSERT_EQ(r.number, static_cast<std::size_t>(i));
    ASSERT_EQ(*r.value(0), std::to_string(i));
    if (i % 3 == 0)
      ASSERT_EQ(*r.value(1), "R&" + std::to_string(i)) << i;
    else
      ASSERT_FALSE(r.value(1)) << i;
    ASSERT_EQ(r.value(2).has_value(), i == 39000) << i;
    ASSERT_FALSE(r.value(3)) << "no column past the last";
  }
  expect_read_as_one_document(plain, "big.xml");
  // Attributes on the root; comments, CDATA, other elements and text between the records; a
  // nested Record: each read as the whole document reads it.
  std::string odd = "<SuperStarReport xmlns=\"urn:x\" a='>'>" + body;
  odd += "<!-- </Record> --><Record><Adno><![CDATA[</Record>]]></Adno></Record></SuperStarReport>";
  auto o = read_xml_feed(odd, "odd.xml");
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(*(*o)[o->size() - 1].value(0), "</Record>");
  expect_read_as_one_document(odd, "odd.xml");
  std::string between = "<SuperStarReport>";
  for (int i = 1; i <= n; ++i)
    between += "<X n=\"" + std::to_string(i) + "\"/>text<!-- c --><Record><Adno>" +
               std::to_string(i) + "</Adno><Record>nested</Record></Record><?pi x?>\n";
  between += "</SuperStarReport>";
  expect_read_as_one_document(between, "between.xml");
  // A record nested in another element, where the pieces would otherwise be cut, is ignored
  // exactly as in the whole parse (only the report's own Record children count).
  std::string nested = "<SuperStarReport>" + body + "<Other>" +
                       body.substr(0, body.find("<Record>", 90'000)) + "</Other>" + body +
                       "</SuperStarReport>";
  auto w = read_xml_feed(nested, "nested.xml");
  ASSERT_TRUE(w) << w.error().to_string();
  EXPECT_EQ(w->size(), static_cast<std::size_t>(2 * n));
  expect_read_as_one_document(nested, "nested.xml");
  // A report cut short after many records still fails with the line of the cut, as does one
  // with a stray end tag after it, or a comment after it never closed.
  std::string cut = "<SuperStarReport>\n" + body.substr(0, body.size() - 20);
  auto c = read_xml_feed(cut, "cut.xml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().where, "cut.xml:" + std::to_string(n + 1));
  expect_read_as_one_document(cut, "cut.xml");
  expect_read_as_one_document("<SuperStarReport>\n" + body, "open.xml");
  expect_read_as_one_document(plain + "</SuperStarReport>", "stray.xml");
  expect_read_as_one_document(plain + "<!-- open", "comment.xml");
  expect_read_as_one_document(
      "<SuperStarReport>\n" + body + "<Record><A>1</B></Record>" + body + "</SuperStarReport>",
      "mismatch.xml");
}

// A large file with another root is refused for its root from its start tag, as the whole
// parse would refuse it, without that parse (many times the file's size; MisPeakRss measures
// it).
TEST(MisXmlReader, ALargeFileWithAnotherRootIsRefusedForItsRoot) {
  std::string records;
  for (int i = 0; i < 300'000; ++i) records += "<Record><Adno>1</Adno></Record>\n";
  ASSERT_GT(records.size(), std::size_t{8} << 20);
  for (std::string root : {"Report", "CommandReporterError"}) {
    const auto file = "<?xml version=\"1.0\"?>\n<" + root + ">\n" + records + "</" + root + ">\n";
    auto t = read_xml_feed(file, "big.xml");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().where, "big.xml");
    if (root == "Report")
      EXPECT_EQ(t.error().to_string(),
                read_xml_feed_as_one_document(file, "big.xml").error().to_string());
    else  // SIMS's own message is never this long: the file is not read for it
      EXPECT_NE(t.error().message.find("SIMS reported an error: (the file is 9 MB, too large"),
                std::string::npos)
          << t.error().message;
  }
}

// An element holding more elements than any record has columns would be one piece, parsed
// whole: such a file is refused before any parse, naming where the element starts.
TEST(MisXmlReader, AnElementHoldingMoreElementsThanAnyRecordIsRefused) {
  std::string many = "<SuperStarReport>\n<Record><Adno>1</Adno></Record>\n<Record>";
  for (int i = 0; i < 10'000; ++i) many += "<a/>";
  many += "</Record></SuperStarReport>";
  auto t = read_xml_feed(many, "many.xml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where, "many.xml:3");
  EXPECT_NE(t.error().message.find("more than 10000 elements"), std::string::npos);
  // One fewer is a record like any other (its one column has the last value).
  std::string fewer = many;
  fewer.erase(fewer.find("<a/>"), 4);
  EXPECT_TRUE(read_xml_feed(fewer, "fewer.xml"));
  // pugixml makes a node of each attribute and CDATA section too, and of the text after a
  // comment: they count alike.
  auto refused = [](const std::string& record) {
    auto t = read_xml_feed(
        "<SuperStarReport>\n<Record><Adno>1</Adno></Record>\n" + record + "</SuperStarReport>",
        "nodes.xml");
    return !t && t.error().where == "nodes.xml:3";
  };
  std::string attributes = "<Record", sections = "<Record><A>", comments = "<Record><A>";
  for (int i = 0; i < 10'000; ++i) {
    attributes += " a" + std::to_string(i) + "=\"\"";
    sections += "<![CDATA[x]]>";
    comments += "x<!---->";
  }
  EXPECT_TRUE(refused(attributes + "/>"));
  EXPECT_TRUE(refused(sections + "</A></Record>"));
  EXPECT_TRUE(refused(comments + "</A></Record>"));
  EXPECT_FALSE(refused("<Record a=\"1\"><A><![CDATA[x]]><!-- c -->y</A></Record>"));
}

TEST(MisXmlReader, RealCommandReporterExcerptsParseAndMap) {
  auto cal = Calendar::build(demo_mapping().calendar);
  ASSERT_TRUE(cal);
  FieldMap tt = {{"class", "ShortName"},
                 {"day", "DayName"},
                 {"start", "StartTime"},
                 {"end", "EndTime"},
                 {"room", "Name"}};
  struct Want {
    const char* file;
    std::size_t records, lessons, ignored;
  };
  for (auto w : {Want{"sims_commandreporter_staff_timetable_excerpt.xml", 90, 86, 4},
                 Want{"sims_commandreporter_room_timetable_excerpt.xml", 78, 72, 6}}) {
    SCOPED_TRACE(w.file);
    auto t = read_xml_feed(slurp(fixtures() / "reference" / w.file), w.file);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->size(), w.records);
    auto m = map_timetable(*t, tt, *cal, {});
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->items.size(), w.lessons);
    EXPECT_EQ(m->ignored, w.ignored);
    EXPECT_TRUE(m->skipped.empty()) << m->skipped.front().error.to_string();
    for (auto& l : m->items)
      if (l.day_name == "Da10") {
        EXPECT_EQ(l.cycle_day, 10);
      }
  }
}

TEST(MisCsvReader, RealCsvExamplesParse) {
  for (auto [file, rows, cols] : {std::tuple{"timetable_students_example.csv", 6u, 6u},
                                  std::tuple{"timetable_teachers_example.csv", 4u, 4u}}) {
    auto t = read_csv_feed(slurp(fixtures() / "reference" / file), file, FeedEncoding::utf8);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->size(), rows) << file;
    EXPECT_EQ(t->columns.size(), cols) << file;
    EXPECT_TRUE(t->record_errors.empty()) << file;
  }
  auto t = read_csv_feed(slurp(fixtures() / "reference" / "timetable_students_example.csv"),
                         "x.csv", FeedEncoding::utf8);
  EXPECT_EQ(t->columns[0], "Email") << "padded captions are trimmed";
  EXPECT_EQ(*(*t)[0].value(2), "Business");
  EXPECT_EQ(*(*t)[1].value(0), "") << "an empty padded value is empty";
}

TEST(MisCsvReader, RecordsCarryTheLineTheyStartOn) {
  auto t = read_csv_feed("A,B\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n3\r\n", "f.csv", FeedEncoding::utf8);
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].number, 2u);
  EXPECT_EQ(*(*t)[0].value(1), "x\r\ny");
  EXPECT_EQ((*t)[1].number, 5u);
  ASSERT_EQ(t->record_errors.size(), 1u);
  EXPECT_EQ(t->record_errors[0].number, 6u);
  EXPECT_EQ(t->record_errors[0].error.where, "f.csv:6");
}

// A row of nothing but spaces, or a carriage return alone at the end, is a blank line: not a
// record, and not counted as one read (a document of some of the file's rows, as the record
// cache reads, must count its rows as the file does).
TEST(MisCsvReader, ABlankRowIsNotARecordRead) {
  auto t = read_csv_feed("Adno,Name\n1,A\n   \n2,B\n\t \r\n3,C\n\r", "b.csv", FeedEncoding::utf8);
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->size(), 3u);
  EXPECT_EQ(t->records_read, 3u);
  EXPECT_TRUE(t->record_errors.empty());
  // With one column, an empty row is a record with an empty value; a carriage return alone at
  // the very end is still a line's end (a CRLF cut short), as it is in a document of some rows.
  auto one = read_csv_feed("Adno\n1\n \n2\n\r", "one.csv", FeedEncoding::utf8);
  ASSERT_TRUE(one) << one.error().to_string();
  EXPECT_EQ(one->size(), 3u);
  EXPECT_EQ(one->records_read, 3u);
}

TEST(MisCsvReader, InvalidUtf8NamesTheLineAndTheSetting) {
  auto t = read_csv_feed("A,B\n1,ok\n2,caf\xe9\n", "f.csv", FeedEncoding::utf8);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where, "f.csv:3");
  EXPECT_NE(t.error().fix.find("encoding = \"windows-1252\""), std::string::npos);
  auto ok = read_csv_feed("A,B\n1,ok\n2,caf\xe9 \x80\n", "f.csv", FeedEncoding::windows1252);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*(*ok)[1].value(1), "caf\u00e9 \u20ac");
}

TEST(MisTextEncoding, Utf8ValidationRejectsOverlongsAndSurrogates) {
  EXPECT_EQ(find_invalid_utf8("plain \u00e9\u20ac\U0001F600"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\xc0\xaf"), 2u);    // overlong "/"
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);  // a UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("x\xe2\x82"), 1u);     // cut short
}

TEST(MisMapping, YearsAndSubjects) {
  EXPECT_EQ(normalise_year("Year  9"), "9");
  EXPECT_EQ(normalise_year("Year 10"), "10");
  EXPECT_EQ(normalise_year(" 11 "), "11");
  EXPECT_EQ(normalise_year("Year R"), "R");
  std::map<std::string, std::string> subjects = {{"Ma", "Mathematics"}, {"MaF", "Further Maths"}};
  EXPECT_EQ(subject_code("9X1/MaH3", subjects), "Ma");
  EXPECT_EQ(subject_code("12A/MaF1", subjects), "MaF") << "the longest known code wins";
  EXPECT_EQ(subject_code("9X1/MaH3", {}), "Ma") << "SIMS style: capital then lower case";
  EXPECT_EQ(subject_code("13E/Hs1", {}), "Hs");
  EXPECT_EQ(subject_code("9C/Tu", {}), "Tu");
  EXPECT_EQ(subject_code("Registration", {}), "");
}

TEST(MisMapping, ASubjectColumnWinsOverTheClassCode) {
  auto cal = Calendar::build(demo_mapping().calendar);
  ASSERT_TRUE(cal);
  auto t = read_xml_feed(xml_report({{{"ShortName", "9X1/MaH3"},
                                      {"DayName", "Day1"},
                                      {"StartTime", "08:50"},
                                      {"EndTime", "09:50"},
                                      {"Subject", "Ma"}},
                                     {{"ShortName", "9X1/Xy"},
                                      {"DayName", "Day1"},
                                      {"StartTime", "08:50"},
                                      {"EndTime", "09:50"}}}),
                         "t.xml");
  ASSERT_TRUE(t);
  FieldMap f = {{"class", "ShortName"},
                {"day", "DayName"},
                {"start", "StartTime"},
                {"end", "EndTime"},
                {"subject", "Subject"}};
  auto m = map_timetable(*t, f, *cal, {{"Ma", "Mathematics"}});
  ASSERT_TRUE(m);
  ASSERT_EQ(m->items.size(), 2u);
  EXPECT_EQ(m->items[0].subject, "Mathematics");
  EXPECT_EQ(m->items[1].subject, "Xy") << "an unnamed code is shown as the code";
}

// A membership is the same when student, class and start date are: a second one is skipped
// and points at the first; a later spell in the same class (another start date) is not a
// duplicate, and a record skipped for another reason is never "the first".
TEST(MisMapping, DuplicateMembershipsPointAtTheFirst) {
  auto t = read_xml_feed(
      xml_report({{{"Adno", "001"}, {"Class", "9X/Ma"}, {"Start_x0020_Date", "2026-09-01"}},
                  {{"Adno", "001"}, {"Class", "9X/Ma"}, {"Start_x0020_Date", "2027-01-04"}},
                  {{"Adno", "002"}, {"Class", "9X/Ma"}, {"Start_x0020_Date", "not a date"}},
                  {{"Adno", "001"}, {"Class", "9X/Ma"}, {"Start_x0020_Date", "01/09/2026"}},
                  {{"Adno", "002"}, {"Class", "9X/Ma"}, {"Start_x0020_Date", "2026-09-01"}},
                  {{"Adno", "003"}, {"Class", "9X/En"}},
                  {{"Adno", "003"}, {"Class", "9X/En"}}}),
      "m.xml");
  ASSERT_TRUE(t) << t.error().to_string();
  FieldMap f = {{"student_id", "Adno"}, {"class", "Class"}, {"start_date", "Start Date"}};
  auto m = map_memberships(*t, f);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m->items.size(), 4u);
  EXPECT_EQ(m->numbers, (std::vector<std::size_t>{1, 2, 5, 6}));
  EXPECT_EQ(m->items[2].student_id, "002") << "the bad-date record 3 was not taken as the first";
  ASSERT_EQ(m->skipped.size(), 3u);
  EXPECT_EQ(m->skipped[0].number, 3u);
  EXPECT_EQ(m->skipped[1].number, 4u);
  EXPECT_EQ(m->skipped[1].error.to_string().find("m.xml:record 4: student 001 is in 9X/Ma twice "
                                                 "(first at m.xml:record 1)"),
            0u)
      << m->skipped[1].error.to_string();
  EXPECT_EQ(m->skipped[2].number, 7u);
  EXPECT_NE(m->skipped[2].error.message.find("first at m.xml:record 6"), std::string::npos)
      << "no start date on either: still the same membership";
}

// The table keeps each record's own values, whatever order the columns come in, and stays
// usable for messages once its records are freed.
TEST(MisFeedTable, ValuesStayWithTheirRecordAndColumn) {
  FeedTable t;
  t.file = "x.xml";
  t.columns = {"A", "B", "C"};
  t.set(1, "b1");
  t.set(0, "a1");
  t.set(1, "second B is ignored");
  t.end_record(1);
  t.end_record(2);  // a record with no values at all
  t.set(2, "");
  t.end_record(3);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].value(0), "a1");
  EXPECT_EQ(t[0].value(1), "b1") << "the first value of a column given twice is kept";
  EXPECT_FALSE(t[0].value(2));
  EXPECT_FALSE(t[1].value(0));
  EXPECT_FALSE(t[2].value(0));
  ASSERT_TRUE(t[2].value(2));
  EXPECT_EQ(*t[2].value(2), "") << "empty is not absent";
  std::size_t n = 0;
  for (const FeedRecord r : t) EXPECT_EQ(r.number, ++n);
  t.drop_records();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.where(3), "x.xml:record 3");
}

// A record that has few of many columns keeps only the cells it has: the same values, found
// by column, beside records that have them all.
TEST(MisFeedTable, ARecordWithFewOfManyColumnsKeepsOnlyItsOwn) {
  FeedTable t;
  t.file = "x.xml";
  for (int c = 0; c < 100; ++c) {
    t.columns.push_back("c" + std::to_string(c));
    t.set(static_cast<std::size_t>(c), "v" + std::to_string(c));
  }
  t.end_record(1);
  t.set(99, "far");
  t.set(40, "");
  t.set(3, "near");
  t.end_record(2);
  t.set(0, "first");
  t.end_record(3);
  ASSERT_EQ(t.size(), 3u);
  for (int c = 0; c < 100; ++c)
    EXPECT_EQ(t[0].value(static_cast<std::size_t>(c)), "v" + std::to_string(c));
  EXPECT_EQ(t[1].value(99), "far");
  EXPECT_EQ(t[1].value(3), "near");
  ASSERT_TRUE(t[1].value(40));
  EXPECT_EQ(*t[1].value(40), "");
  for (std::size_t c : {0u, 2u, 4u, 39u, 41u, 98u, 100u, 5000u}) EXPECT_FALSE(t[1].value(c)) << c;
  EXPECT_EQ(t[2].value(0), "first");
  EXPECT_FALSE(t[2].value(1));
  EXPECT_EQ(t[1].number, 2u);
  // Kept sparse, the 100-column record's cells are the table's only hundred.
  EXPECT_EQ(t.cell_count(), 100u + 1u);
}

// An export with more columns than any MIS writes is refused, naming where; a CSV row of very
// many values is a record error like any ragged row, counted, not held.
TEST(MisReaders, MoreColumnsThanAnExportHasAreRefused) {
  std::string xml = "<SuperStarReport>\n<Record><Adno>1</Adno></Record>\n<Record>";
  for (std::size_t c = 0; c < FeedTable::kMaxColumns; ++c) xml += "<c" + std::to_string(c) + "/>";
  xml += "</Record></SuperStarReport>\n";
  auto x = read_xml_feed(xml, "wide.xml");
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().where, "wide.xml:record 2");
  EXPECT_NE(x.error().message.find("more than 2048 different columns"), std::string::npos);
  // One column fewer reads.
  std::string fewer = xml;
  fewer.erase(fewer.find("<c0/>"), 5);
  EXPECT_TRUE(read_xml_feed(fewer, "wide.xml"));

  std::string header = "Adno";
  for (std::size_t c = 1; c <= FeedTable::kMaxColumns; ++c) header += ",c" + std::to_string(c);
  auto h = read_csv_feed(header + "\n1\n", "wide.csv", FeedEncoding::utf8);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().where, "wide.csv:1");
  EXPECT_NE(h.error().message.find("the header row has 2049 captions"), std::string::npos);
  auto row = read_csv_feed("Adno,Name\n1,A\n2" + std::string(100'000, ',') + "\n3,C\n", "row.csv",
                           FeedEncoding::utf8);
  ASSERT_TRUE(row) << row.error().to_string();
  EXPECT_EQ(row->size(), 2u);
  ASSERT_EQ(row->record_errors.size(), 1u);
  EXPECT_EQ(row->record_errors[0].error.where, "row.csv:3");
  EXPECT_NE(
      row->record_errors[0].error.message.find("the row has 100001 values but the header has 2"),
      std::string::npos)
      << row->record_errors[0].error.message;
}

}  // namespace
}  // namespace iesync
