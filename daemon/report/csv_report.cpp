#include "daemon/report/csv_report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>
#include <tuple>

#include "daemon/report/format.h"

namespace iesync {

namespace {

constexpr const char* kBom = "\xEF\xBB\xBF";
constexpr const char* kSupp = "<5";

bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') return false;
  return true;
}

struct Table {
  std::string content = kBom;
  void row(const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) content += ',';
      content += csv_field(fields[i]);
    }
    content += "\r\n";
  }
};

std::string n(int v) {
  return std::to_string(v);
}
std::string r(const std::optional<double>& v) {
  return v ? format_rate(*v) : "";
}

}  // namespace

std::string csv_field(const std::string& s) {
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '@' || v[0] == '-') && !looks_numeric(v))
    v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<CsvFile> render_report_csv(const ReportData& d) {
  std::vector<CsvFile> files;

  Table summary;
  summary.row({"measure", "value"});
  summary.row({"school", d.school_name});
  summary.row({"from", d.range.first.iso()});
  summary.row({"to", d.range.last.iso()});
  summary.row({"pupils_on_roll", n(d.on_roll)});
  const bool whole_supp = d.groups.empty() || d.groups.front().rows.back().suppressed;
  summary.row({"sessions", whole_supp ? kSupp : n(d.totals.sessions)});
  summary.row({"pupils_in_ie", whole_supp ? kSupp : n(d.totals.pupils)});
  summary.row({"lessons_missed", whole_supp ? kSupp : n(d.totals.lessons)});
  summary.row({"anonymised", d.anonymised ? "yes" : "no"});
  if (d.empty())
    summary.row({"note", "No internal exclusion sessions were recorded between " +
                             long_date(d.range.first) + " and " + long_date(d.range.last) + "."});
  if (!d.anonymised) summary.row({"note", "Contains named pupils: SLT only."});
  summary.row({"note",
               "<5 = fewer than 5 pupils on roll or in IE in the group; hidden so no child can be "
               "identified."});
  summary.row({"note",
               "Sessions are bookings with status booked or attended on open school days; absent "
               "and cancelled bookings are not sessions."});
  files.push_back({"summary.csv", std::move(summary.content)});

  Table groups;
  groups.row({"dimension", "group", "pupils_on_roll", "pupils_in_ie", "pupils_in_ie_per_100",
              "sessions", "sessions_per_100", "lessons_missed", "lessons_missed_per_100",
              "whole_school_sessions_per_100"});
  for (const auto& t : d.groups) {
    const auto& whole = t.rows.back();
    std::string ws = whole.suppressed ? kSupp : r(whole.sessions_rate());
    for (const auto& g : t.rows) {
      if (g.suppressed)
        groups.row(
            {t.dimension, g.label, n(g.on_roll), kSupp, kSupp, kSupp, kSupp, kSupp, kSupp, ws});
      else
        groups.row({t.dimension, g.label, n(g.on_roll), n(g.pupils), r(g.pupils_rate()),
                    n(g.sessions), r(g.sessions_rate()), n(g.lessons), r(g.lessons_rate()), ws});
    }
  }
  files.push_back({"by_group.csv", std::move(groups.content)});

  Table repeat;
  if (d.anonymised)
    repeat.row({"pupil", "year", "sessions", "lessons_missed", "first_session", "last_session"});
  else
    repeat.row(
        {"pupil", "id", "year", "sessions", "lessons_missed", "first_session", "last_session"});
  for (const auto& s : d.repeat_students) {
    if (d.anonymised)
      repeat.row({s.label, s.year, n(s.sessions), n(s.lessons), s.first.iso(), s.last.iso()});
    else
      repeat.row({s.label, s.id, s.year, n(s.sessions), n(s.lessons), s.first.iso(), s.last.iso()});
  }
  files.push_back({"repeat_students.csv", std::move(repeat.content)});

  Table ret;
  ret.row({"window_school_days", "sessions_judged", "returned", "percent_returned",
           "too_recent_to_judge", "judged_up_to"});
  for (const auto& x : d.returns)
    ret.row({n(x.window), n(x.judged), n(x.returned), r(x.percent()), n(x.too_recent),
             d.horizon.iso()});
  files.push_back({"return_to_ie.csv", std::move(ret.content)});

  Table reasons;
  reasons.row({"code", "meaning", "sessions", "pupils"});
  for (const auto& x : d.reasons)
    reasons.row({x.code, x.meaning, x.suppressed ? kSupp : n(x.sessions),
                 x.suppressed ? kSupp : n(x.pupils)});
  files.push_back({"reasons.csv", std::move(reasons.content)});

  for (auto [name, rows, first] :
       {std::tuple{"work_by_subject.csv", &d.work_by_subject, "subject"},
        std::tuple{"work_by_teacher.csv", &d.work_by_teacher, "teacher"}}) {
    Table t;
    t.row({first, "lessons_missed", "work_set", "handed_in", "not_set", "no_course", "not_checked",
           "percent_set", "percent_handed_in"});
    for (const auto& w : *rows)
      t.row({w.label, n(w.lessons), n(w.set), n(w.handed_in), n(w.not_set), n(w.no_course),
             n(w.not_checked), r(w.set_percent()), r(w.handed_in_percent())});
    files.push_back({name, std::move(t.content)});
  }

  Table weeks;
  weeks.row({"week_commencing", "sessions"});
  for (const auto& w : d.weeks) weeks.row({w.monday.iso(), n(w.sessions)});
  files.push_back({"sessions_by_week.csv", std::move(weeks.content)});

  Table cmp;
  cmp.row({"measure", "this_period", "previous_period", "change", "this_from", "this_to",
           "previous_from", "previous_to"});
  auto fmt = [](double v, bool dec) {
    return dec ? format_rate(v) : std::to_string(std::lround(v));
  };
  for (const auto& c : d.comparison)
    cmp.row({c.measure, fmt(c.current, c.decimal), fmt(c.previous, c.decimal),
             fmt(c.change(), c.decimal), d.range.first.iso(), d.range.last.iso(),
             d.previous.first.iso(), d.previous.last.iso()});
  files.push_back({"comparison.csv", std::move(cmp.content)});

  // SPEC §10. A comparison, not a cause: the note says so in the file itself.
  Table impact;
  impact.row({"dimension", "group", "pupils", "ies_compared", "incidents_before", "incidents_after",
              "before_per_pupil_per_10_days", "after_per_pupil_per_10_days", "pupils_fewer",
              "pupils_same", "pupils_more", "percent_fewer", "percent_same", "percent_more",
              "window_school_days"});
  const int w = d.impact.window;
  for (const auto& t : d.impact.groups)
    for (const auto& g : t.rows) {
      if (g.suppressed)
        impact.row({t.dimension, g.label, kSupp, kSupp, kSupp, kSupp, kSupp, kSupp, kSupp, kSupp,
                    kSupp, kSupp, kSupp, kSupp, n(w)});
      else
        impact.row({t.dimension, g.label, n(g.pupils), n(g.ies), n(g.before), n(g.after),
                    r(g.before_rate(w)), r(g.after_rate(w)), n(g.fewer), n(g.same), n(g.more),
                    r(g.fewer_percent()), r(g.same_percent()), r(g.more_percent()), n(w)});
    }
  if (!d.impact.available)
    impact.row({"note", "No behaviour feed has been applied, so there is nothing to compare."});
  else
    impact.row(
        {"note", "IEs starting in the period: " + n(d.impact.ies) + "; compared: " +
                     n(d.impact.compared) + "; too recent to judge: " + n(d.impact.too_recent) +
                     "; not enough behaviour data before: " + n(d.impact.no_data_before) + "."});
  impact.row({"note",
              "A comparison of incidents before and after IE, not a measure of what "
              "caused any change. <5 = fewer than 5 pupils; hidden."});
  files.push_back({"impact.csv", std::move(impact.content)});

  Table patterns;
  patterns.row({"dimension", "value", "sessions", "pupils"});
  for (const auto& t : d.patterns)
    for (const auto& p : t.rows)
      patterns.row({t.dimension, p.label, p.suppressed ? kSupp : n(p.sessions),
                    p.suppressed ? kSupp : n(p.pupils)});
  patterns.row({"note",
                "Referrers are shown whatever their count (about staff, not pupils); "
                "other rows under 5 pupils are hidden (<5). Department is not shown: "
                "the staff export has no department."});
  files.push_back({"patterns.csv", std::move(patterns.content)});
  return files;
}

Result<void> write_private_file(const std::filesystem::path& path, const std::string& content) {
  auto fail = [&](const std::string& what) {
    return make_error(
        path.string(), what + ": " + std::strerror(errno),
        "check the folder exists and iesync may write there, or name another with --out");
  };
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return fail("cannot create " + tmp.filename().string());
  // The umask may have taken bits away; make the mode exactly 0640.
  ::fchmod(fd, 0640);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      auto e = fail("cannot write");
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto e = fail("cannot save");
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = fail("cannot rename into place");
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

}  // namespace iesync
