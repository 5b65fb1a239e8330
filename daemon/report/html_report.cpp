#include "daemon/report/html_report.h"

#include <cctype>
#include <cmath>
#include <sstream>

#include "daemon/report/format.h"
#include "daemon/report/svg_chart.h"

namespace iesync {

namespace {

constexpr const char* kCss = R"css(
@page { size: A4; margin: 15mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 4pt; }
h2 { font-size: 15pt; border-bottom: 2px solid #2b6cb0; padding-bottom: 2pt; margin: 0 0 8pt; }
section { break-before: page; page-break-before: always; }
section:first-of-type { break-before: auto; page-break-before: auto; }
table { border-collapse: collapse; margin: 6pt 0; width: 100%; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: right; vertical-align: top; }
th { background: #e8eef6; }
th:first-child, td:first-child, td.text { text-align: left; }
tr { break-inside: avoid; }
tr.whole td { font-weight: bold; background: #f3f3f3; }
.supp { font-style: italic; }
.banner { border: 2px solid #c53030; background: #fff5f5; padding: 6pt; font-weight: bold; margin: 8pt 0; }
.banner.anon { border-color: #2f855a; background: #f0fff4; }
.empty { font-size: 13pt; font-weight: bold; margin: 18pt 0; }
.key td:first-child { width: 65%; }
figure { margin: 8pt 0; break-inside: avoid; }
figcaption { font-size: 9.5pt; margin-top: 3pt; }
.small { font-size: 9pt; color: #333; }
@media screen { section { border-top: 1px dashed #bbb; padding-top: 12pt; margin-top: 18pt; } }
)css";

// More weeks than this (about half a term) are charted by month instead.
constexpr size_t kMaxWeekBars = 16;

const char* kSupp = "<span class=\"supp\">&lt;5</span>";
constexpr const char* kSuppKey =
    "<p class=\"small\">&lt;5 means fewer than 5 pupils in the group or in internal exclusion: "
    "the figure is hidden so that no child can be identified.</p>\n";

std::string num(int n) {
  return std::to_string(n);
}

std::string cell(const std::string& s, bool text = false) {
  return text ? "<td class=\"text\">" + s + "</td>" : "<td>" + s + "</td>";
}

std::string range_words(const DateRange& r) {
  return long_date(r.first) + " to " + long_date(r.last);
}

const GroupRow& whole_of(const GroupTable& t) {
  return t.rows.back();
}

// "Year group" -> "year group", "SEN status" -> "SEN status group": for running sentences.
std::string group_noun(const std::string& dimension) {
  if (dimension == "Year group") return "year group";
  if (dimension == "SEN status") return "SEN status group";
  std::string s = dimension + " group";
  s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

void banner(std::ostringstream& o, const ReportData& d) {
  if (d.anonymised)
    o << "<div class=\"banner anon\">Anonymised for governors: no pupil is named, and groups of "
         "fewer than 5 pupils are hidden.</div>\n";
  else
    o << "<div class=\"banner\">Contains named pupils: SLT only. Do not share outside the senior "
         "leadership team; for governors, make the report again with --anonymise.</div>\n";
}

void summary(std::ostringstream& o, const ReportData& d, Date generated_on) {
  o << "<section id=\"summary\">\n<h1>Internal exclusion report</h1>\n<p><strong>"
    << html_escape(d.school_name) << "</strong><br>" << range_words(d.range) << "<br>"
    << "<span class=\"small\">Made on " << long_date(generated_on)
    << " by iesync from its own records of the internal exclusion room.</span></p>\n";
  banner(o, d);
  if (d.empty()) {
    o << "<p class=\"empty\">No internal exclusion sessions were recorded between "
      << long_date(d.range.first) << " and " << long_date(d.range.last) << ".</p>\n";
    o << "<p>The comparison with the previous period and the notes follow.</p>\n</section>\n";
    return;
  }
  const auto& whole = whole_of(d.groups.front());
  auto hidden = [&](int n) { return whole.suppressed ? std::string(kSupp) : num(n); };
  o << "<table class=\"key\"><tr><th>In this period</th><th>Figure</th></tr>\n"
    << "<tr>" << cell("Internal exclusion sessions") << cell(hidden(d.totals.sessions)) << "</tr>\n"
    << "<tr>" << cell("Pupils with at least one session") << cell(hidden(d.totals.pupils))
    << "</tr>\n"
    << "<tr>" << cell("Lessons missed") << cell(hidden(d.totals.lessons)) << "</tr>\n"
    << "<tr>" << cell("Pupils on roll") << cell(num(d.on_roll)) << "</tr>\n"
    << "<tr>" << cell("Sessions per 100 pupils on roll")
    << cell(whole.suppressed ? std::string(kSupp) : rate_or_na(whole.sessions_rate())) << "</tr>\n"
    << "</table>\n";
  if (whole.suppressed) o << kSuppKey;
  BarChart c;
  c.id = "weeks";
  c.one_decimal = false;
  if (d.weeks.size() <= kMaxWeekBars) {
    c.title = "Internal exclusion sessions per week";
    c.caption =
        "Each bar is one school week, labelled with the date of its Monday, and shows how "
        "many internal exclusion sessions took place that week.";
    for (const auto& w : d.weeks)
      c.rows.push_back({"w/c " + long_date(w.monday), {double(w.sessions)}, "", false});
  } else {
    // A term or a year: one bar per month keeps the chart on one page.
    c.title = "Internal exclusion sessions per month";
    c.caption =
        "Each bar is one month (weeks counted in the month their Monday falls in) and "
        "shows how many internal exclusion sessions took place that month.";
    for (const auto& w : d.weeks) {
      auto label = long_date(w.monday);
      label = label.substr(label.find(' ') + 1);  // "November 2026"
      if (c.rows.empty() || c.rows.back().label != label)
        c.rows.push_back({label, {0.0}, "", false});
      *c.rows.back().values[0] += w.sessions;
    }
  }
  o << render_bar_chart(c) << "</section>\n";
}

void group_section(std::ostringstream& o, const GroupTable& t, int index) {
  const auto& whole = whole_of(t);
  o << "<section id=\"group-" << index << "\">\n<h2>By " << html_escape(t.dimension) << "</h2>\n"
    << "<p>How many pupils in each " << html_escape(group_noun(t.dimension))
    << " were in internal exclusion, as counts and per 100 pupils on roll in that group. "
       "Compare each group's rate with the whole-school rate in the last row: a higher rate means "
       "the group is over-represented.</p>\n";
  o << "<table><tr><th>" << html_escape(t.dimension)
    << "</th><th>Pupils on roll</th><th>Pupils in IE</th><th>Per 100</th><th>Sessions</th>"
       "<th>Per 100</th><th>Lessons missed</th><th>Per 100</th><th>Sessions rate compared with "
       "whole school</th></tr>\n";
  bool any_supp = false;
  for (const auto& r : t.rows) {
    const bool is_whole = &r == &whole;
    o << "<tr" << (is_whole ? " class=\"whole\"" : "") << ">" << cell(html_escape(r.label), true)
      << cell(num(r.on_roll));
    if (r.suppressed) {
      any_supp = true;
      for (int i = 0; i < 7; ++i) o << cell(kSupp);
    } else {
      o << cell(num(r.pupils)) << cell(rate_or_na(r.pupils_rate())) << cell(num(r.sessions))
        << cell(rate_or_na(r.sessions_rate())) << cell(num(r.lessons))
        << cell(rate_or_na(r.lessons_rate()));
      auto g = r.sessions_rate();
      auto w = whole.sessions_rate();
      if (is_whole)
        o << cell("");
      else if (g && w && *w > 0 && !whole.suppressed)
        o << cell(format_rate(*g / *w) + " times");
      else
        o << cell("n/a");
    }
    o << "</tr>\n";
  }
  o << "</table>\n";
  if (any_supp) o << kSuppKey;
  BarChart c;
  c.id = "group-" + std::to_string(index);
  c.title = "Internal exclusion sessions per 100 pupils on roll, by " + t.dimension;
  c.caption = "Sessions per 100 pupils on roll in each " + group_noun(t.dimension) +
              "; the darker bar at the bottom is the whole school. A group whose bar is "
              "longer than the whole-school bar is over-represented. Groups of fewer than 5 "
              "pupils are hidden.";
  for (const auto& r : t.rows) {
    ChartRow row{r.label, {}, "fewer than 5 pupils: hidden", &r == &whole};
    row.values.push_back(r.suppressed ? std::nullopt : r.sessions_rate());
    if (!r.suppressed && !r.sessions_rate()) row.note = "nobody on roll";
    c.rows.push_back(std::move(row));
  }
  o << render_bar_chart(c) << "</section>\n";
}

void repeat_section(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"repeat\">\n<h2>Pupils with repeat internal exclusion</h2>\n";
  banner(o, d);
  if (d.repeat_students.empty()) {
    o << "<p>No pupil had more than one internal exclusion session in this "
         "period.</p>\n</section>\n";
    return;
  }
  o << "<p>The pupils with two or more sessions in this period, most sessions first.</p>\n"
    << "<table><tr><th>Pupil</th>" << (d.anonymised ? "" : "<th>Admission no.</th>")
    << "<th>Year</th><th>Sessions</th><th>Lessons missed</th><th>First session</th><th>Last "
       "session</th></tr>\n";
  for (const auto& r : d.repeat_students) {
    o << "<tr>" << cell(html_escape(r.label), true);
    if (!d.anonymised) o << cell(html_escape(r.id), true);
    o << cell(html_escape(year_label(r.year)), true) << cell(num(r.sessions))
      << cell(num(r.lessons)) << cell(long_date(r.first)) << cell(long_date(r.last)) << "</tr>\n";
  }
  o << "</table>\n</section>\n";
}

void return_section(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"return\">\n<h2>Return to internal exclusion</h2>\n"
    << "<p>Whether the sanction changed behaviour: for each session, did the same pupil have "
       "another internal exclusion session within 10 (or 20) school days afterwards? School days "
       "come from the school calendar, so weekends, holidays and closures are not counted. A "
       "session is only judged once its whole window has passed (by "
    << long_date(d.horizon) << ", the last date iesync has bookings for).</p>\n";
  o << "<table><tr><th>Window</th><th>Sessions judged</th><th>Followed by another session</th>"
       "<th>Per cent</th><th>Too recent to judge</th></tr>\n";
  for (const auto& r : d.returns)
    o << "<tr>" << cell("Within " + num(r.window) + " school days") << cell(num(r.judged))
      << cell(num(r.returned)) << cell(rate_or_na(r.percent())) << cell(num(r.too_recent))
      << "</tr>\n";
  o << "</table>\n";
  for (const auto& r : d.returns) {
    o << "<p>Of the " << r.judged << " sessions whose " << r.window
      << "-school-day follow-up has ended, " << r.returned;
    if (auto p = r.percent()) o << " (" << format_rate(*p) << "%)";
    o << " were followed by another session for the same pupil within " << r.window
      << " school days. " << r.too_recent << " were too recent to judge.</p>\n";
  }
  BarChart c;
  c.id = "return";
  c.title = "Per cent of sessions followed by another session";
  c.caption =
      "The share of judged sessions after which the same pupil was back in internal "
      "exclusion within 10 and within 20 school days. Shorter bars mean fewer returns.";
  for (const auto& r : d.returns)
    c.rows.push_back(
        {"Within " + num(r.window) + " school days", {r.percent()}, "none judged yet", false});
  o << render_bar_chart(c) << "</section>\n";
}

void reasons_section(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"reasons\">\n<h2>Reasons</h2>\n"
    << "<p>The reason recorded on each booking, as the DfE exclusion reason code and its "
       "meaning.</p>\n";
  if (d.reasons.empty()) {
    o << "<p>No sessions, so no reasons.</p>\n</section>\n";
    return;
  }
  o << "<table><tr><th>Code</th><th>Meaning</th><th>Sessions</th><th>Pupils</th></tr>\n";
  bool any = false;
  for (const auto& r : d.reasons) {
    o << "<tr>" << cell(html_escape(r.code.empty() ? "-" : r.code), true)
      << cell(html_escape(r.meaning), true);
    if (r.suppressed) {
      any = true;
      o << cell(kSupp) << cell(kSupp);
    } else {
      o << cell(num(r.sessions)) << cell(num(r.pupils));
    }
    o << "</tr>\n";
  }
  o << "</table>\n";
  if (any) o << kSuppKey;
  o << "</section>\n";
}

void impact_section(std::ostringstream& o, const ReportData& d) {
  const auto& im = d.impact;
  o << "<section id=\"impact\">\n<h2>Impact: incidents before and after IE</h2>\n";
  if (!im.available) {
    o << "<p>No behaviour feed has been applied, so incidents before and after IE cannot be "
         "compared.</p>\n</section>\n";
    return;
  }
  o << "<p><strong>This is a comparison, not a cause.</strong> For each IE starting in this "
       "period (consecutive IE days are one IE), the pupil's behaviour incidents in the "
    << im.window << " school days before it are set against those in the " << im.window
    << " school days after their return. Other things change too, so a fall or rise is not "
       "proof that IE caused it.</p>\n<p>IEs starting in the period: "
    << num(im.ies) << "; compared: " << num(im.compared)
    << "; too recent to judge (the window after has not ended): " << num(im.too_recent)
    << "; not enough behaviour data before: " << num(im.no_data_before) << ".</p>\n";
  bool any = false;
  for (const auto& t : im.groups) {
    o << "<h3>By " << html_escape(t.dimension) << "</h3>\n<table><tr><th>Group</th><th>Pupils "
      << "(n)</th><th>IEs compared</th><th>Incidents per pupil per 10 days before</th><th>... "
         "after</th><th>% fewer after</th><th>% same</th><th>% more after</th></tr>\n";
    for (const auto& g : t.rows) {
      o << "<tr>" << cell(html_escape(g.label), true);
      if (g.suppressed) {
        any = true;
        for (int i = 0; i < 7; ++i) o << cell(kSupp);
      } else {
        o << cell(num(g.pupils)) << cell(num(g.ies)) << cell(rate_or_na(g.before_rate(im.window)))
          << cell(rate_or_na(g.after_rate(im.window))) << cell(rate_or_na(g.fewer_percent()))
          << cell(rate_or_na(g.same_percent())) << cell(rate_or_na(g.more_percent()));
      }
      o << "</tr>\n";
    }
    o << "</table>\n";
  }
  if (any) o << kSuppKey;
  o << "</section>\n";
}

void patterns_section(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"patterns\">\n<h2>Where IE comes from</h2>\n"
    << "<p>Sessions in this period by who referred the pupil, day of the week, period of the "
       "day the session starts, and half-term (the school days between two holidays of "
    << kHolidayDays
    << " days or more). Referrers are shown whatever their count: the figures are about staff, "
       "not pupils. Department is not shown: the staff export has no department.</p>\n";
  bool any = false;
  for (const auto& t : d.patterns) {
    o << "<h3>" << html_escape(t.dimension) << "</h3>\n<table><tr><th>" << html_escape(t.dimension)
      << "</th><th>Sessions</th><th>Pupils (n)</th></tr>\n";
    for (const auto& p : t.rows) {
      o << "<tr>" << cell(html_escape(p.label), true);
      if (p.suppressed) {
        any = true;
        o << cell(kSupp) << cell(kSupp);
      } else {
        o << cell(num(p.sessions)) << cell(num(p.pupils));
      }
      o << "</tr>\n";
    }
    o << "</table>\n";
  }
  if (any) o << kSuppKey;
  o << "</section>\n";
}

void work_table(std::ostringstream& o, const std::vector<WorkRow>& rows, const char* first) {
  o << "<table><tr><th>" << first
    << "</th><th>Lessons missed</th><th>Work set</th><th>Handed in</th><th>Not set</th><th>No "
       "Classroom course</th><th>Not checked</th><th>% set</th><th>% of set handed in</th></tr>\n";
  for (const auto& r : rows)
    o << "<tr>" << cell(html_escape(r.label), true) << cell(num(r.lessons)) << cell(num(r.set))
      << cell(num(r.handed_in)) << cell(num(r.not_set)) << cell(num(r.no_course))
      << cell(num(r.not_checked)) << cell(rate_or_na(r.set_percent()))
      << cell(rate_or_na(r.handed_in_percent())) << "</tr>\n";
  o << "</table>\n";
}

void work_sections(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"work-subject\">\n<h2>Work set and handed in, by subject</h2>\n"
    << "<p>For every lesson missed in internal exclusion: was work set on Google Classroom for "
       "it, and did the pupil hand it in? \"% set\" is of the lessons checked that have a "
       "Classroom course; \"% of set handed in\" is of the lessons with work set.</p>\n";
  if (d.work_by_subject.empty()) {
    o << "<p>No lessons were missed in this period.</p>\n</section>\n";
  } else {
    work_table(o, d.work_by_subject, "Subject");
    BarChart c;
    c.id = "work";
    c.title = "Work set and handed in, by subject";
    c.caption =
        "For each subject, the number of missed lessons with work set (solid bar) and "
        "with the work handed in (hatched bar). A gap between the two is work still to "
        "chase.";
    c.series = {"Work set", "Handed in"};
    c.one_decimal = false;
    for (const auto& r : d.work_by_subject)
      c.rows.push_back({r.label, {double(r.set), double(r.handed_in)}, "", false});
    o << render_bar_chart(c) << "</section>\n";
  }
  o << "<section id=\"work-teacher\">\n<h2>Work set and handed in, by teacher</h2>\n"
    << "<p>The same figures for the teacher of each missed lesson.</p>\n";
  if (d.work_by_teacher.empty())
    o << "<p>No lessons were missed in this period.</p>\n";
  else
    work_table(o, d.work_by_teacher, "Teacher");
  o << "</section>\n";
}

void comparison_section(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"comparison\">\n<h2>Compared with the previous period</h2>\n"
    << "<p>This period (" << range_words(d.range) << ") against the period of the same length "
    << "just before it (" << range_words(d.previous) << ").</p>\n"
    << "<table><tr><th>Measure</th><th>This period</th><th>Previous "
       "period</th><th>Change</th></tr>\n";
  auto fmt = [](double v, bool dec) {
    return dec ? format_rate(v) : std::to_string(std::lround(v));
  };
  for (const auto& r : d.comparison) {
    double ch = r.change();
    std::string sign = ch > 0 ? "+" : "";
    o << "<tr>" << cell(html_escape(r.measure)) << cell(fmt(r.current, r.decimal))
      << cell(fmt(r.previous, r.decimal)) << cell(sign + fmt(ch, r.decimal)) << "</tr>\n";
  }
  o << "</table>\n</section>\n";
}

void notes_section(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n"
    << "<li>A session is an internal exclusion booking with status booked or attended on a day "
       "the school was open. Bookings marked absent or cancelled are not sessions";
  if (d.not_sessions_absent_cancelled > 0)
    o << " (" << d.not_sessions_absent_cancelled << " in this period were left out)";
  o << ".</li>\n";
  if (d.not_sessions_problem > 0)
    o << "<li>" << d.not_sessions_problem
      << " bookings in this period could not be matched to a school day, a pupil on roll or a "
         "valid time, and are left out; the sync log names them.</li>\n";
  o << "<li>Rates are per 100 pupils on roll in the group, using the pupils on roll in the "
       "latest students export ("
    << d.on_roll
    << " pupils), to one decimal place. The previous "
       "period uses the same denominators.</li>\n"
    << "<li>SEN status, pupil premium and gender come from the students export; a pupil "
       "with no value, or a value iesync does not recognise, is counted under \"Not "
       "recorded\".</li>\n"
    << "<li>Any group with fewer than 5 pupils on roll or fewer than 5 pupils in internal "
       "exclusion is shown as &lt;5 (fewer than 5) instead of its count and rate, so that no "
       "child can be identified.</li>\n"
    << "<li>Return to internal exclusion counts school days from the school calendar, skipping "
       "weekends, holidays and closures. Sessions whose follow-up window ends after "
    << long_date(d.horizon) << " are shown as too recent to judge.</li>\n";
  if (d.unchecked_sessions > 0)
    o << "<li>" << d.unchecked_sessions
      << " sessions were on days iesync did not reconcile at the time; their lessons missed were "
         "worked out from the MIS timetable afterwards, but whether work was set was not checked "
         "(\"Not checked\").</li>\n";
  o << "<li>"
    << (d.anonymised ? "This copy is anonymised: pupils are shown as Pupil A, B, ... "
                       "and no admission numbers are given."
                     : "This copy names pupils and is for the senior leadership team "
                       "only.")
    << "</li>\n</ul>\n</section>\n";
}

}  // namespace

std::string render_report_html(const ReportData& d, Date generated_on) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>Internal "
       "exclusion report: "
    << html_escape(d.school_name) << ", " << range_words(d.range) << "</title>\n<style>" << kCss
    << "</style>\n</head>\n<body>\n";
  summary(o, d, generated_on);
  if (!d.empty()) {
    int i = 0;
    for (const auto& t : d.groups) group_section(o, t, ++i);
    repeat_section(o, d);
    return_section(o, d);
    reasons_section(o, d);
    work_sections(o, d);
    impact_section(o, d);
    patterns_section(o, d);
  }
  comparison_section(o, d);
  notes_section(o, d);
  o << "</body>\n</html>\n";
  return o.str();
}

}  // namespace iesync
