#include "mapping/report/report_data.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "mapping/impact.h"

namespace iesync {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Exports pad values ("Y ", " N"): compare the word only.
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::optional<double> per_100(int count, int denominator) {
  if (denominator <= 0) return std::nullopt;
  return 100.0 * count / denominator;
}

bool is_session(const ReportSession& rs, const Calendar& cal) {
  const auto& s = rs.session;
  return (s.status == BookingStatus::booked || s.status == BookingStatus::attended) &&
         s.problem.empty() && cal.is_open(s.date);
}

constexpr const char* kNotRecorded = "Not recorded";

// Fixed row orders, so a governor sees the same table shape every term.
const std::vector<std::string> kSenOrder = {"No SEN", "SEN support", "EHC plan", kNotRecorded};
const std::vector<std::string> kPpOrder = {"Pupil premium", "Not pupil premium", kNotRecorded};
const std::vector<std::string> kGenderOrder = {"Female", "Male", kNotRecorded};

struct PerStudent {
  int sessions = 0;
  int lessons = 0;
  Date first;
  Date last;
};

PeriodTotals totals_for(DateRange range, const std::vector<const ReportSession*>& sessions) {
  PeriodTotals t;
  t.range = range;
  std::map<std::string, int> per;
  for (const auto* rs : sessions) {
    const auto& s = rs->session;
    if (!range.contains(s.date)) continue;
    ++t.sessions;
    ++per[s.student_id];
    t.lessons += static_cast<int>(s.lessons.size());
    if (!rs->work_checked) continue;
    for (const auto& l : s.lessons) {
      if (l.work.status == WorkStatus::handed_in) {
        ++t.work_set;
        ++t.handed_in;
      } else if (l.work.status == WorkStatus::set) {
        ++t.work_set;
      }
    }
  }
  t.pupils = static_cast<int>(per.size());
  for (const auto& [id, n] : per)
    if (n >= 2) ++t.repeat_pupils;
  return t;
}

int year_sort_key(const std::string& label) {
  if (label == kNotRecorded) return 1000;
  if (label.rfind("Year ", 0) == 0) {
    try {
      return std::stoi(label.substr(5));
    } catch (...) {
    }
  }
  return 999;
}

void count_work(WorkRow& row, const MissedLesson& l, bool checked) {
  ++row.lessons;
  if (!checked) {
    ++row.not_checked;
    return;
  }
  switch (l.work.status) {
    case WorkStatus::handed_in:
      ++row.set;
      ++row.handed_in;
      break;
    case WorkStatus::set:
      ++row.set;
      break;
    case WorkStatus::not_set:
      ++row.not_set;
      break;
    case WorkStatus::no_course:
      ++row.no_course;
      break;
    case WorkStatus::unknown:
      ++row.not_checked;
      break;
  }
}

std::vector<WorkRow> work_rows(const std::map<std::string, WorkRow>& m) {
  std::vector<WorkRow> out;
  for (const auto& [k, v] : m) out.push_back(v);
  std::stable_sort(out.begin(), out.end(),
                   [](const WorkRow& a, const WorkRow& b) { return a.lessons > b.lessons; });
  return out;
}

}  // namespace

std::optional<double> GroupRow::pupils_rate() const {
  return per_100(pupils, on_roll);
}
std::optional<double> GroupRow::sessions_rate() const {
  return per_100(sessions, on_roll);
}
std::optional<double> GroupRow::lessons_rate() const {
  return per_100(lessons, on_roll);
}

std::optional<double> ReturnRow::percent() const {
  return per_100(returned, judged);
}

std::optional<double> WorkRow::set_percent() const {
  return per_100(set, set + not_set);
}
std::optional<double> WorkRow::handed_in_percent() const {
  return per_100(handed_in, set);
}

std::string year_label(const std::string& year) {
  auto y = lower(year);
  if (y.empty()) return kNotRecorded;
  if (y.rfind("year", 0) == 0) y = lower(y.substr(4));
  bool digits = !y.empty() && y.size() <= 3 && std::all_of(y.begin(), y.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (digits) return "Year " + std::to_string(std::stoi(y));
  return year;
}

std::string sen_label(const std::string& sen) {
  auto s = lower(sen);
  if (s == "n" || s == "no" || s == "none" || s == "no sen") return "No SEN";
  if (s == "k" || s == "sen support" || s == "support") return "SEN support";
  if (s == "e" || s == "ehc plan" || s == "ehcp" || s == "s" || s == "statement") return "EHC plan";
  return kNotRecorded;
}

std::string pupil_premium_label(const std::string& pp) {
  auto s = lower(pp);
  if (s == "y" || s == "yes" || s == "true" || s == "1" || s == "t") return "Pupil premium";
  if (s == "n" || s == "no" || s == "false" || s == "0" || s == "f") return "Not pupil premium";
  return kNotRecorded;
}

std::string gender_label(const std::string& gender) {
  auto s = lower(gender);
  if (s == "f" || s == "female") return "Female";
  if (s == "m" || s == "male") return "Male";
  return kNotRecorded;
}

std::string format_rate(double v) {
  double r = std::round(v * 10.0) / 10.0;
  if (r == 0) r = 0;  // no "-0.0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

std::string pupil_letter_label(int index) {
  std::string letters;
  int n = index;
  do {
    letters.insert(letters.begin(), static_cast<char>('A' + n % 26));
    n = n / 26 - 1;
  } while (n >= 0);
  return "Pupil " + letters;
}

namespace {

using Sessions = std::vector<const ReportSession*>;
using StudentsById = std::unordered_map<std::string, const Student*>;

// The sessions, once, by date: booked/attended bookings on open days. Counts what the range
// holds that is not a session, so the report can say why numbers differ from the MIS.
Sessions pick_sessions(const ReportInput& in, const Calendar& cal, ReportData& d) {
  Sessions sessions;
  for (const auto& rs : in.sessions) {
    bool in_range = in.range.contains(rs.session.date);
    if (is_session(rs, cal)) {
      sessions.push_back(&rs);
      if (in_range && !rs.work_checked) ++d.unchecked_sessions;
    } else if (in_range) {
      if (rs.session.status == BookingStatus::absent ||
          rs.session.status == BookingStatus::cancelled)
        ++d.not_sessions_absent_cancelled;
      else
        ++d.not_sessions_problem;
    }
  }
  std::stable_sort(sessions.begin(), sessions.end(),
                   [](auto* a, auto* b) { return a->session.date < b->session.date; });
  return sessions;
}

std::map<std::string, PerStudent> per_student(const Sessions& current) {
  std::map<std::string, PerStudent> per;
  for (auto* rs : current) {
    auto& p = per[rs->session.student_id];
    if (p.sessions == 0) p.first = rs->session.date;
    ++p.sessions;
    p.lessons += static_cast<int>(rs->session.lessons.size());
    p.last = rs->session.date;
  }
  return per;
}

// The four ways the report groups pupils, in the order the tables appear.
using LabelFn = std::string (*)(const std::string&);
struct Dim {
  const char* name;
  LabelFn label;
  const std::string Student::*field;
  const std::vector<std::string>* order;  // nullptr: years, sorted by number
};
const Dim kDims[] = {{"Year group", year_label, &Student::year, nullptr},
                     {"SEN status", sen_label, &Student::sen, &kSenOrder},
                     {"Pupil premium", pupil_premium_label, &Student::pupil_premium, &kPpOrder},
                     {"Gender", gender_label, &Student::gender, &kGenderOrder}};

// Groups: the denominators come from the students on roll; a pupil in IE who has left the
// roll since counts under "Not recorded".
std::vector<GroupTable> group_tables(const ReportInput& in, const ReportData& d,
                                     const std::map<std::string, PerStudent>& per,
                                     const StudentsById& by_id) {
  std::vector<GroupTable> tables;
  for (const auto& dim : kDims) {
    std::map<std::string, GroupRow> rows;
    for (const auto& s : in.students) ++rows[dim.label(s.*dim.field)].on_roll;
    for (const auto& [id, p] : per) {
      auto it = by_id.find(id);
      auto label =
          it == by_id.end() ? std::string(kNotRecorded) : dim.label(it->second->*dim.field);
      auto& r = rows[label];
      ++r.pupils;
      r.sessions += p.sessions;
      r.lessons += p.lessons;
    }
    GroupTable t;
    t.dimension = dim.name;
    if (dim.order) {
      for (const auto& l : *dim.order)
        if (auto it = rows.find(l); it != rows.end()) {
          it->second.label = l;
          t.rows.push_back(it->second);
        }
    } else {
      for (auto& [l, r] : rows) {
        r.label = l;
        t.rows.push_back(r);
      }
      std::stable_sort(t.rows.begin(), t.rows.end(), [](const GroupRow& a, const GroupRow& b) {
        return year_sort_key(a.label) < year_sort_key(b.label);
      });
    }
    GroupRow whole;
    whole.label = "Whole school";
    whole.on_roll = d.on_roll;
    whole.pupils = d.totals.pupils;
    whole.sessions = d.totals.sessions;
    whole.lessons = d.totals.lessons;
    t.rows.push_back(whole);
    for (auto& r : t.rows) r.suppressed = r.on_roll < kSuppressBelow || r.pupils < kSuppressBelow;
    tables.push_back(std::move(t));
  }
  return tables;
}

// Repeat IE: pupils with two or more sessions, most first; letters instead of names when
// the report is anonymised.
std::vector<RepeatStudent> repeat_students(const std::map<std::string, PerStudent>& per,
                                           const StudentsById& by_id, bool anonymise) {
  std::vector<RepeatStudent> out;
  for (const auto& [id, p] : per) {
    if (p.sessions < 2) continue;
    RepeatStudent r;
    auto it = by_id.find(id);
    r.label = it == by_id.end() ? "(no longer on roll)"
                                : it->second->forename + " " + it->second->surname;
    r.id = id;
    r.year = it == by_id.end() ? "" : it->second->year;
    r.sessions = p.sessions;
    r.lessons = p.lessons;
    r.first = p.first;
    r.last = p.last;
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const RepeatStudent& a, const RepeatStudent& b) {
    if (a.sessions != b.sessions) return a.sessions > b.sessions;
    if (a.lessons != b.lessons) return a.lessons > b.lessons;
    return a.label < b.label;
  });
  if (anonymise)
    for (size_t i = 0; i < out.size(); ++i) {
      out[i].label = pupil_letter_label(static_cast<int>(i));
      out[i].id.clear();
    }
  return out;
}

// Return to IE: another session for the same pupil 1..N school days later. Later sessions
// are looked for up to the horizon, past the end of the range.
std::vector<ReturnRow> returns_to_ie(const ReportInput& in, const Calendar& cal,
                                     const Sessions& sessions, const Sessions& current) {
  std::map<std::string, std::vector<Date>> dates_of;
  for (auto* rs : sessions)
    if (rs->session.date <= in.horizon)
      dates_of[rs->session.student_id].push_back(rs->session.date);
  std::vector<ReturnRow> out;
  for (int window : {10, 20}) {
    ReturnRow r;
    r.window = window;
    for (auto* rs : current) {
      const auto& s = rs->session;
      if (cal.add_school_days(s.date, window) > in.horizon) {
        ++r.too_recent;
        continue;
      }
      ++r.judged;
      for (Date later : dates_of[s.student_id]) {
        if (later <= s.date) continue;
        int gap = cal.school_days_between(s.date, later);
        if (gap >= 1 && gap <= window) {
          ++r.returned;
          break;
        }
      }
    }
    out.push_back(r);
  }
  return out;
}

std::vector<ReasonRow> reason_rows(const ReportInput& in, const Sessions& current) {
  std::map<std::string, std::pair<int, std::set<std::string>>> reasons;
  for (auto* rs : current) {
    auto& e = reasons[rs->session.reason];
    ++e.first;
    e.second.insert(rs->session.student_id);
  }
  std::vector<ReasonRow> out;
  for (const auto& [code, e] : reasons) {
    ReasonRow r;
    r.code = code;
    if (code.empty())
      r.meaning = kNotRecorded;
    else if (auto it = in.reason_meanings.find(code); it != in.reason_meanings.end())
      r.meaning = it->second;
    else
      r.meaning = "Not a DfE reason code";
    r.sessions = e.first;
    r.pupils = static_cast<int>(e.second.size());
    r.suppressed = r.pupils < kSuppressBelow;
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ReasonRow& a, const ReasonRow& b) { return a.sessions > b.sessions; });
  return out;
}

// Work set and handed in, by subject and by teacher.
void count_work_by(const ReportInput& in, const Sessions& current, ReportData& d) {
  std::map<std::string, WorkRow> by_subject, by_teacher;
  for (auto* rs : current)
    for (const auto& l : rs->session.lessons) {
      std::string subject = l.subject.empty() ? l.class_code : l.subject;
      std::string teacher = "No teacher recorded";
      if (!l.teacher.empty()) {
        auto it = in.staff_names.find(l.teacher);
        teacher = it != in.staff_names.end() && !it->second.empty()
                      ? it->second + " (" + l.teacher + ")"
                      : l.teacher;
      }
      auto& sr = by_subject[subject];
      sr.label = subject;
      count_work(sr, l, rs->work_checked);
      auto& tr = by_teacher[teacher];
      tr.label = teacher;
      count_work(tr, l, rs->work_checked);
    }
  d.work_by_subject = work_rows(by_subject);
  d.work_by_teacher = work_rows(by_teacher);
}

// Sessions per week, every week of the range (weeks with none included).
std::vector<WeekCount> week_counts(DateRange range, const Sessions& current) {
  std::vector<WeekCount> out;
  for (Date m = range.first.monday(); m <= range.last; m = m.plus_days(7)) {
    WeekCount w{m, 0};
    for (auto* rs : current)
      if (rs->session.date.monday() == m) ++w.sessions;
    out.push_back(w);
  }
  return out;
}

// This period against the one of the same length before it.
auto comparison_rows(const ReportData& d) {
  const auto& c = d.totals;
  const auto& p = d.previous_totals;
  auto rate = [&](int n) { return d.on_roll > 0 ? 100.0 * n / d.on_roll : 0.0; };
  auto pct = [](int n, int of) { return of > 0 ? 100.0 * n / of : 0.0; };
  return decltype(d.comparison){
      {"IE sessions", double(c.sessions), double(p.sessions), false},
      {"Pupils with at least one session", double(c.pupils), double(p.pupils), false},
      {"Pupils with two or more sessions", double(c.repeat_pupils), double(p.repeat_pupils), false},
      {"Lessons missed", double(c.lessons), double(p.lessons), false},
      {"Sessions per 100 pupils on roll", rate(c.sessions), rate(p.sessions), true},
      {"Work handed in (% of lessons with work set)", pct(c.handed_in, c.work_set),
       pct(p.handed_in, p.work_set), true},
  };
}

// Before and after IE (SPEC §10): each IE (spell) starting in the range, with the pupil's
// counted incidents in the first [impact] window before it and after the return. Windows cut
// short are never compared: they are counted as too recent / no data before instead.
ImpactSection impact_section(const ReportInput& in, const Calendar& cal,
                             const StudentsById& by_id) {
  ImpactSection out;
  out.window = in.impact_window;
  out.available = in.behaviour_applied;
  if (!out.available) return out;
  std::map<std::string, std::vector<Booking>> bookings_of;
  for (const auto& b : in.bookings) bookings_of[b.student_id].push_back(b);
  std::map<std::string, std::vector<Incident>> incidents_of;
  for (const auto& i : in.incidents) incidents_of[i.student_id].push_back(i);
  const Coverage cov{in.behaviour_first.value_or(in.today), in.today};
  struct Sums {
    int ies = 0, before = 0, after = 0;
  };
  std::map<std::string, Sums> per;
  for (const auto& [id, bookings] : bookings_of) {
    const auto& incidents = incidents_of[id];
    for (const auto& spell : ie_spells(ie_days(bookings, cal, in.today), cal)) {
      if (!in.range.contains(spell.first)) continue;
      ++out.ies;
      auto w = compare_window(spell, out.window, incidents, cal, cov);
      if (w.after.cut_short) {
        ++out.too_recent;
        continue;
      }
      if (w.before.cut_short) {
        ++out.no_data_before;
        continue;
      }
      ++out.compared;
      auto& p = per[id];
      ++p.ies;
      p.before += w.before.incidents;
      p.after += w.after.incidents;
    }
  }
  auto add = [](ImpactRow& r, const Sums& p) {
    ++r.pupils;
    r.ies += p.ies;
    r.before += p.before;
    r.after += p.after;
    if (p.after < p.before)
      ++r.fewer;
    else if (p.after == p.before)
      ++r.same;
    else
      ++r.more;
  };
  for (const auto& dim : kDims) {
    std::map<std::string, ImpactRow> rows;
    ImpactRow whole;
    whole.label = "Whole school";
    for (const auto& [id, p] : per) {
      auto it = by_id.find(id);
      add(rows[it == by_id.end() ? std::string(kNotRecorded) : dim.label(it->second->*dim.field)],
          p);
      add(whole, p);
    }
    ImpactTable t;
    t.dimension = dim.name;
    for (auto& [l, r] : rows) r.label = l;
    if (dim.order) {
      for (const auto& l : *dim.order)
        if (auto it = rows.find(l); it != rows.end()) t.rows.push_back(it->second);
    } else {
      for (const auto& [l, r] : rows) t.rows.push_back(r);
      std::stable_sort(t.rows.begin(), t.rows.end(), [](const ImpactRow& a, const ImpactRow& b) {
        return year_sort_key(a.label) < year_sort_key(b.label);
      });
    }
    t.rows.push_back(whole);
    for (auto& r : t.rows) r.suppressed = r.pupils < kSuppressBelow;
    out.groups.push_back(std::move(t));
  }
  return out;
}

// The [calendar.periods] period a session starts in, else its start time.
std::string period_label(TimeOfDay start, const Calendar& cal) {
  for (const auto& [name, tr] : cal.config().periods)
    if (tr.start <= start && start < tr.end) return name;
  return "Starts " + start.str();
}

struct PatternAcc {
  int sessions = 0;
  std::set<std::string> pupils;
  std::string sort_key;  // the smallest key seen
};

PatternTable pattern_table(const char* dimension, const std::map<std::string, PatternAcc>& m,
                           bool suppress) {
  std::vector<std::pair<std::string, PatternRow>> keyed;
  for (const auto& [label, a] : m) {
    PatternRow r;
    r.label = label;
    r.sessions = a.sessions;
    r.pupils = static_cast<int>(a.pupils.size());
    r.suppressed = suppress && r.pupils < kSuppressBelow;
    keyed.emplace_back(a.sort_key, r);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  PatternTable t;
  t.dimension = dimension;
  for (auto& [k, r] : keyed) t.rows.push_back(r);
  return t;
}

// Where IE comes from (SPEC §10): the range's sessions by referring staff member, weekday,
// period and half-term. Referrer rows are about staff, not pupils, so they are never hidden
// (a governor needs to see who refers); under --anonymise they are "Teacher A", ... The other
// rows hide counts under kSuppressBelow pupils, like the reasons table.
std::vector<PatternTable> pattern_tables(const ReportInput& in, const Calendar& cal,
                                         const Sessions& current) {
  std::unordered_map<std::string, const Booking*> booking_by_id;
  for (const auto& b : in.bookings) booking_by_id[b.id] = &b;
  std::map<std::string, PatternAcc> by_ref, by_day, by_period, by_half;
  auto add = [](std::map<std::string, PatternAcc>& m, const std::string& label,
                const std::string& student, const std::string& key) {
    auto& a = m[label];
    if (a.sessions == 0 || key < a.sort_key) a.sort_key = key;
    ++a.sessions;
    a.pupils.insert(student);
  };
  for (auto* rs : current) {
    const auto& s = rs->session;
    auto b = booking_by_id.find(s.booking_id);
    std::string code = b == booking_by_id.end() ? "" : b->second->referred_by;
    std::string ref = kNotRecorded;
    if (!code.empty()) {
      auto n = in.staff_names.find(code);
      ref = n != in.staff_names.end() && !n->second.empty() ? n->second + " (" + code + ")" : code;
    }
    add(by_ref, ref, s.student_id, "");
    add(by_day, std::string(weekday_name(s.date.weekday())), s.student_id,
        std::to_string(s.date.weekday()));
    add(by_period, period_label(s.window.start, cal), s.student_id, s.window.start.str());
    add(by_half, half_term_label(s.date, cal), s.student_id, s.date.iso());
  }
  auto refs = pattern_table("Referred by", by_ref, false);
  // Most referrals first; "Not recorded" last.
  std::stable_sort(refs.rows.begin(), refs.rows.end(),
                   [](const PatternRow& a, const PatternRow& b) {
                     bool an = a.label == kNotRecorded, bn = b.label == kNotRecorded;
                     if (an != bn) return bn;
                     return a.sessions > b.sessions;
                   });
  if (in.anonymise) {
    int i = 0;
    for (auto& r : refs.rows)
      if (r.label != kNotRecorded) r.label = "Teacher" + pupil_letter_label(i++).substr(5);
  }
  return {refs, pattern_table("Day of the week", by_day, true),
          pattern_table("Period", by_period, true), pattern_table("Half-term", by_half, true)};
}

}  // namespace

std::optional<double> ImpactRow::before_rate(int window) const {
  if (ies <= 0 || window <= 0) return std::nullopt;
  return 10.0 * before / (static_cast<double>(ies) * window);
}
std::optional<double> ImpactRow::after_rate(int window) const {
  if (ies <= 0 || window <= 0) return std::nullopt;
  return 10.0 * after / (static_cast<double>(ies) * window);
}
std::optional<double> ImpactRow::fewer_percent() const {
  return per_100(fewer, pupils);
}
std::optional<double> ImpactRow::same_percent() const {
  return per_100(same, pupils);
}
std::optional<double> ImpactRow::more_percent() const {
  return per_100(more, pupils);
}

std::string half_term_label(Date d, const Calendar& cal) {
  std::optional<Date> prev_end, next_start;
  for (const auto& c : cal.config().closed) {
    if (days_between(c.first, c.last) + 1 < kHolidayDays) continue;
    if (c.contains(d)) return "Holiday " + c.first.iso() + " to " + c.last.iso();
    if (c.last < d && (!prev_end || c.last > *prev_end)) prev_end = c.last;
    if (c.first > d && (!next_start || c.first < *next_start)) next_start = c.first;
  }
  // The first and last open days of the stretch, so a holiday ending on a Friday does not
  // start the half-term on a Saturday.
  std::optional<Date> from, to;
  if (prev_end) from = cal.add_school_days(*prev_end, 1);
  if (next_start) {
    Date t = next_start->plus_days(-1);
    for (int i = 0; i < 14 && !cal.is_open(t) && t > d; ++i) t = t.plus_days(-1);
    to = t;
  }
  if (from && to) return from->iso() + " to " + to->iso();
  if (from) return "from " + from->iso();
  if (to) return "up to " + to->iso();
  return "Whole calendar";
}

namespace {}  // namespace

ReportData build_report(const ReportInput& in, const Calendar& cal) {
  ReportData d;
  d.school_name = in.school_name;
  d.range = in.range;
  const int len = days_between(in.range.first, in.range.last) + 1;
  d.previous = {in.range.first.plus_days(-len), in.range.first.plus_days(-1)};
  d.horizon = in.horizon;
  d.on_roll = static_cast<int>(in.students.size());
  d.anonymised = in.anonymise;

  StudentsById by_id;
  for (const auto& s : in.students) by_id[s.id] = &s;
  const Sessions sessions = pick_sessions(in, cal, d);
  Sessions current;
  for (auto* rs : sessions)
    if (in.range.contains(rs->session.date)) current.push_back(rs);

  d.totals = totals_for(in.range, sessions);
  d.previous_totals = totals_for(d.previous, sessions);
  const auto per = per_student(current);
  d.groups = group_tables(in, d, per, by_id);
  d.repeat_students = repeat_students(per, by_id, in.anonymise);
  d.returns = returns_to_ie(in, cal, sessions, current);
  d.reasons = reason_rows(in, current);
  count_work_by(in, current, d);
  d.weeks = week_counts(in.range, current);
  d.comparison = comparison_rows(d);
  d.impact = impact_section(in, cal, by_id);
  d.patterns = pattern_tables(in, cal, current);
  return d;
}

}  // namespace iesync
