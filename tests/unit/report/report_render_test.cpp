// The rendered report: HTML content, suppression and anonymising as a reader sees them, the
// CSV tables, and the HTML printed to PDF by headless Chromium.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "daemon/report/csv_report.h"
#include "daemon/report/html_report.h"
#include "mapping/report/report_data.h"
#include "report_school.h"
#include "tests/support/shell.h"

namespace iesync {
namespace {

using namespace iesync::testing;
namespace fs = std::filesystem;

ReportData school_report(bool anonymise = false) {
  auto in = report_input();
  in.anonymise = anonymise;
  return build_report(in, *Calendar::build(small_school_mapping().calendar));
}

ReportData empty_report() {
  auto in = report_input();
  in.range = {Date::from_ymd(2026, 12, 1), Date::from_ymd(2026, 12, 4)};
  return build_report(in, *Calendar::build(small_school_mapping().calendar));
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::string table_row(const std::string& html, const std::string& first_cell) {
  auto p = html.find("<td class=\"text\">" + first_cell + "</td>");
  if (p == std::string::npos) return "";
  return html.substr(p, html.find("</tr>", p) - p);
}

TEST(ReportHtml, SelfContainedWithChartsAndBanner) {
  auto html = render_report_html(school_report(), Date::from_ymd(2026, 11, 23));
  EXPECT_TRUE(has(html, "<!DOCTYPE html>"));
  EXPECT_FALSE(has(html, "<script")) << "no JavaScript";
  EXPECT_FALSE(has(html, "http://")) << "nothing fetched from a network";
  EXPECT_FALSE(has(html, "https://"));
  EXPECT_FALSE(has(html, "<link"));
  EXPECT_TRUE(has(html, "@page { size: A4"));
  EXPECT_TRUE(has(html, "Contains named pupils: SLT only"));
  EXPECT_TRUE(has(html, "Hand-built Academy"));
  EXPECT_TRUE(has(html, "12 October 2026 to 23 October 2026"));
  // Every chart is SVG with a <title> and a caption sentence.
  size_t svgs = 0, titles = 0, captions = 0;
  for (size_t p = 0; (p = html.find("<svg", p)) != std::string::npos; ++p) ++svgs;
  for (size_t p = 0; (p = html.find("</title>\n<defs>", p)) != std::string::npos; ++p) ++titles;
  for (size_t p = 0; (p = html.find("<figcaption>", p)) != std::string::npos; ++p) ++captions;
  EXPECT_EQ(svgs, 7u) << "weeks, 4 groups, return, work by subject";
  EXPECT_EQ(titles, svgs);
  EXPECT_EQ(captions, svgs);
}

TEST(ReportHtml, GroupRowsShowRatesAndHideSmallGroups) {
  auto html = render_report_html(school_report(), Date::from_ymd(2026, 11, 23));
  // Year 9: on roll 10, 5 in IE (50.0), 7 sessions (70.0), 10 lessons (100.0), 1.6 times
  // the whole-school 45.0.
  EXPECT_EQ(
      table_row(html, "Year 9"),
      "<td class=\"text\">Year 9</td><td>10</td><td>5</td><td>50.0</td><td>7</td><td>70.0</td>"
      "<td>10</td><td>100.0</td><td>1.6 times</td>");
  // Year 10: 2 pupils in IE: counts and rates hidden, the roll shown.
  auto y10 = table_row(html, "Year 10");
  EXPECT_TRUE(has(y10, "<td>10</td>"));
  EXPECT_TRUE(has(y10, "&lt;5"));
  EXPECT_FALSE(has(y10, "<td>2</td>")) << y10;
  EXPECT_TRUE(has(html, "fewer than 5 pupils in the group or in internal exclusion"));
  EXPECT_TRUE(has(html, "Persistent or general disruptive behaviour"));
  EXPECT_TRUE(has(html, "How many pupils in each year group were in internal exclusion"));
  EXPECT_TRUE(has(html, "in each pupil premium group; the darker bar"));
}

TEST(ReportHtml, AnonymisedCopyNamesNobody) {
  auto html = render_report_html(school_report(true), Date::from_ymd(2026, 11, 23));
  EXPECT_TRUE(has(html, "Pupil A"));
  EXPECT_TRUE(has(html, "Pupil B"));
  for (const auto& s : report_students()) {
    EXPECT_FALSE(has(html, s.surname)) << s.surname;
    EXPECT_FALSE(has(html, ">" + s.id + "<")) << s.id;
  }
  EXPECT_FALSE(has(html, "Admission no."));
  EXPECT_FALSE(has(html, "Contains named pupils"));
  EXPECT_TRUE(has(html, "Anonymised for governors"));
}

TEST(ReportHtml, EmptyRangeSaysSoPlainly) {
  auto html = render_report_html(empty_report(), Date::from_ymd(2026, 11, 23));
  EXPECT_TRUE(has(html,
                  "No internal exclusion sessions were recorded between 1 December 2026 and 4 "
                  "December 2026."));
  EXPECT_FALSE(has(html, "id=\"group-1\""));
  EXPECT_TRUE(has(html, "Compared with the previous period"));
}

TEST(ReportHtml, ALongRangeIsChartedByMonth) {
  auto in = report_input();
  in.range = {Date::from_ymd(2026, 9, 7), Date::from_ymd(2026, 12, 31)};  // 17 weeks
  auto html =
      render_report_html(build_report(in, *Calendar::build(small_school_mapping().calendar)),
                         Date::from_ymd(2026, 12, 19));
  EXPECT_TRUE(has(html, "Internal exclusion sessions per month"));
  // Weeks count in the month their Monday falls in.
  EXPECT_TRUE(has(html, ">October 2026</text>"));
  EXPECT_FALSE(has(html, "w/c "));
}

TEST(ReportHtml, ImpactIsAComparisonAndPatternsShowWhereIeComesFrom) {
  auto html = render_report_html(
      build_report(impact_input(), *Calendar::build(small_school_mapping().calendar)),
      Date::from_ymd(2026, 11, 3));
  EXPECT_TRUE(has(html, "This is a comparison, not a cause."));
  EXPECT_TRUE(has(html,
                  "IEs starting in the period: 7; compared: 5; too recent to judge (the "
                  "window after has not ended): 1; not enough behaviour data before: 1."));
  // Whole school: 5 pupils, 5 IEs, 7.0 and 5.0 incidents per 10 days, 60/20/20 %.
  auto impact = html.substr(html.find("id=\"impact\""));
  auto whole = table_row(impact, "Whole school");
  EXPECT_TRUE(
      has(whole, ">5</td><td>5</td><td>7.0</td><td>5.0</td><td>60.0</td><td>20.0</td><td>20.0<"))
      << whole;
  EXPECT_TRUE(has(table_row(impact, "Year 9"), "&lt;5")) << "4 pupils: hidden";
  auto patterns = html.substr(html.find("id=\"patterns\""));
  EXPECT_TRUE(has(table_row(patterns, "Mr T One (T1)"), ">4</td><td>3<"));
  EXPECT_TRUE(has(patterns, "Department is not shown"));

  auto none = impact_input();
  none.behaviour_applied = false;
  auto plain =
      render_report_html(build_report(none, *Calendar::build(small_school_mapping().calendar)),
                         Date::from_ymd(2026, 11, 3));
  EXPECT_TRUE(has(plain, "No behaviour feed has been applied"));
}

TEST(ReportCsv, ImpactAndPatternsTables) {
  auto files = render_report_csv(
      build_report(impact_input(), *Calendar::build(small_school_mapping().calendar)));
  std::map<std::string, std::string> by;
  for (auto& f : files) by[f.name] = f.content;
  ASSERT_TRUE(by.count("impact.csv"));
  ASSERT_TRUE(by.count("patterns.csv"));
  EXPECT_TRUE(
      has(by["impact.csv"], "Year group,Whole school,5,5,7,5,7.0,5.0,3,1,1,60.0,20.0,20.0,2\r\n"))
      << by["impact.csv"];
  EXPECT_TRUE(has(by["impact.csv"], "Year group,Year 9,<5,<5,<5,<5,<5,<5,<5,<5,<5,<5,<5,<5,2\r\n"));
  EXPECT_TRUE(has(by["impact.csv"], "not a measure of what caused any change"));
  EXPECT_TRUE(has(by["patterns.csv"], "Referred by,Mr T One (T1),4,3\r\n"));
  EXPECT_TRUE(has(by["patterns.csv"], "Referred by,T3,1,1\r\n"));  // staff: never hidden
  EXPECT_TRUE(has(by["patterns.csv"], "Day of the week,Mon,<5,<5\r\n"));
  EXPECT_TRUE(has(by["patterns.csv"], "Period,1,6,5\r\n"));
  EXPECT_TRUE(has(by["patterns.csv"], "Half-term,up to 2026-10-23,8,7\r\n"));
}

TEST(ReportCsv, OneFilePerTableWithHeadersAndQuoting) {
  auto files = render_report_csv(school_report());
  std::map<std::string, std::string> by;
  for (auto& f : files) by[f.name] = f.content;
  for (const char* n :
       {"summary.csv", "by_group.csv", "repeat_students.csv", "return_to_ie.csv", "reasons.csv",
        "work_by_subject.csv", "work_by_teacher.csv", "comparison.csv", "sessions_by_week.csv"})
    ASSERT_TRUE(by.count(n)) << n;
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_EQ(by["by_group.csv"].substr(0, bom.size() + 10), bom + "dimension,");
  EXPECT_TRUE(has(by["by_group.csv"], "Year group,Year 9,10,5,50.0,7,70.0,10,100.0,45.0\r\n"));
  EXPECT_TRUE(has(by["by_group.csv"], "Year group,Year 10,10,<5,<5,<5,<5,<5,<5,45.0\r\n"));
  EXPECT_TRUE(has(by["repeat_students.csv"],
                  "pupil,id,year,sessions,lessons_missed,first_session,last_session\r\n"));
  EXPECT_TRUE(has(by["repeat_students.csv"], "Alex Able,S01,9,2,3,2026-10-12,2026-10-19\r\n"));
  EXPECT_TRUE(has(by["return_to_ie.csv"], "10,9,3,33.3,0,2026-11-20\r\n"));
  EXPECT_TRUE(has(by["return_to_ie.csv"], "20,5,4,80.0,4,2026-11-20\r\n"));
  EXPECT_TRUE(has(by["reasons.csv"], "DB,Persistent or general disruptive behaviour,6,5\r\n"));
  EXPECT_TRUE(has(by["reasons.csv"], "PP,Physical assault against a pupil,<5,<5\r\n"));
  EXPECT_TRUE(has(by["work_by_subject.csv"], "Ma,5,2,2,1,1,1,66.7,100.0\r\n"));
  EXPECT_TRUE(has(by["work_by_teacher.csv"], "Mr T One (T1),5,2,2,1,1,1,66.7,100.0\r\n"));
  EXPECT_TRUE(has(by["comparison.csv"], "IE sessions,9,1,8,"));
  EXPECT_TRUE(
      has(by["comparison.csv"], "Work handed in (% of lessons with work set),66.7,100.0,-33.3,"));

  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("O'Neil, Sam"), "\"O'Neil, Sam\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
  EXPECT_EQ(csv_field("-33.3"), "-33.3");
}

TEST(ReportCsv, AnonymisedRepeatListHasNoIds) {
  auto files = render_report_csv(school_report(true));
  for (auto& f : files) {
    if (f.name != "repeat_students.csv") continue;
    EXPECT_TRUE(has(f.content, "pupil,year,sessions,"));
    EXPECT_TRUE(has(f.content, "Pupil A,9,2,3,"));
    EXPECT_FALSE(has(f.content, "S01"));
    EXPECT_FALSE(has(f.content, "Able"));
  }
}

// --- HTML -> PDF with headless Chromium, read back with poppler ---

test::ShellResult sh(const std::string& cmd) {
  return test::shell(cmd + " 2>/dev/null");
}

bool have(const char* tool) {
  return sh(std::string("command -v ") + tool).code == 0;
}

class ReportPdf : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("chromium") || !have("pdftotext") || !have("pdfinfo"))
      GTEST_SKIP() << "chromium or poppler-utils not installed";
    dir =
        fs::temp_directory_path() / ("iesync-report-pdf-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
  }
  void TearDown() override {
    if (!dir.empty()) fs::remove_all(dir);
  }

  // Prints `html` to PDF; returns the page count and fills `text`.
  int print(const std::string& html, std::string& text) {
    auto in = dir / "report.html";
    auto pdf = dir / "report.pdf";
    std::ofstream(in) << html;
    auto r = sh(
        "timeout 90 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer "
        "--user-data-dir=" +
        (dir / "profile").string() + " --print-to-pdf=" + pdf.string() + " file://" + in.string());
    EXPECT_TRUE(fs::exists(pdf)) << "chromium exit " << r.code;
    if (!fs::exists(pdf)) return -1;
    text = sh("pdftotext -layout " + pdf.string() + " -").out;
    auto info = sh("pdfinfo " + pdf.string()).out;
    auto p = info.find("Pages:");
    if (p == std::string::npos) return -1;
    return std::stoi(info.substr(p + 6));
  }

  fs::path dir;
};

TEST_F(ReportPdf, EachSectionOnItsOwnA4Page) {
  std::string text;
  int pages = print(render_report_html(school_report(), Date::from_ymd(2026, 11, 23)), text);
  // Summary, 4 groups, repeat, return, reasons, work by subject, by teacher, impact,
  // patterns, comparison, notes: fourteen sections, each short enough for one page.
  EXPECT_EQ(pages, 14) << text;
  for (const char* s :
       {"Internal exclusion report", "By Year group", "By SEN status", "By Pupil premium",
        "By Gender", "Pupils with repeat internal exclusion", "Return to internal exclusion",
        "Reasons", "Work set and handed in, by subject", "Compared with the previous period",
        "Impact: incidents before and after IE", "Where IE comes from", "Notes",
        "Contains named pupils: SLT only"})
    EXPECT_TRUE(has(text, s)) << s;
  // The sentences under the charts survive printing.
  EXPECT_TRUE(has(text, "Each bar is one school week"));
  // Sections start on new pages: pdftotext separates pages with form feeds.
  std::vector<std::string> page;
  std::stringstream ss(text);
  for (std::string p; std::getline(ss, p, '\f');) page.push_back(p);
  ASSERT_GE(page.size(), 14u);
  EXPECT_FALSE(has(page[0], "By Year group"));
  EXPECT_TRUE(has(page[1], "By Year group"));
  EXPECT_FALSE(has(page[1], "By SEN status"));
  EXPECT_TRUE(has(page[13], "Notes"));
}

TEST_F(ReportPdf, EmptyRangePrintsThreePagesThatSaySo) {
  std::string text;
  int pages = print(render_report_html(empty_report(), Date::from_ymd(2026, 11, 23)), text);
  EXPECT_EQ(pages, 3) << text;  // summary, comparison, notes
  EXPECT_TRUE(has(text, "No internal exclusion sessions were recorded between")) << text;
}

}  // namespace
}  // namespace iesync
