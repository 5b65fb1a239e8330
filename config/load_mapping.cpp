// mapping.toml (SPEC §2): feed captions, subjects, calendar, courses, the work rule and the
// codes iesync writes. Statutory codes are checked against config/dfe_codes.h.
#include <algorithm>
#include <set>
#include <sstream>

#include "config/dfe_codes.h"
#include "config/load_parts.h"
#include "config/suggest.h"

namespace iesync::cfg {

namespace {

// ---- [fields.FEED] --------------------------------------------------------------------

struct LogicalField {
  const char* name;
  bool required;
  const char* example;  // a typical SIMS caption, for messages
};

std::vector<LogicalField> logical_fields(Feed f) {
  switch (f) {
    case Feed::students:
      return {{"id", true, "Adno"},
              {"forename", true, "Forename"},
              {"surname", true, "Legal Surname"},
              {"year", true, "Year"},
              {"reg_group", false, "Reg"},
              {"email", false, "Primary Email"},
              {"upn", false, "UPN"},
              {"sen", false, "SEN Status"},
              {"pupil_premium", false, "Pupil Premium"},
              {"gender", false, "Gender"}};
    case Feed::staff:
      return {{"code", true, "Staff Code"}, {"name", true, "Name"}, {"email", false, "Email"}};
    case Feed::memberships:
      return {{"student_id", true, "Adno"},
              {"class", true, "Class"},
              {"start_date", false, "Start Date"},
              {"end_date", false, "End Date"}};
    case Feed::timetable:
      return {{"class", true, "ShortName"}, {"day", true, "DayName"},
              {"start", true, "StartTime"}, {"end", true, "EndTime"},
              {"room", false, "Name"},      {"teacher", false, "Staff Code"},
              {"subject", false, "Subject"}};
    case Feed::bookings:
      return {{"id", true, "Booking ID"},
              {"student_id", true, "Adno"},
              {"date", true, "Date"},
              {"start", true, "Start"},
              {"end", true, "End"},
              {"reason", false, "Reason"},
              {"room", false, "Room"},
              {"status", false, "Status"},
              {"referred_by", false, "Referred By"},
              {"incident_id", false, "Incident ID"}};
    case Feed::behaviour:
      return {{"id", true, "Incident ID"},
              {"student_id", true, "Adno"},
              {"date", true, "Date"},
              {"time", false, "Time"},
              {"type", false, "Type"},
              {"points", false, "Points"},
              {"recorded_by", false, "Recorded By"},
              {"status", false, "Status"}};
  }
  return {};
}

void read_fields(TableReader& root, Mapping& m) {
  const toml::table* fields = root.subtable("fields", Need::optional);
  if (!fields) {
    if (!root.table().get("fields"))
      root.doc().error(root.table(), "there are no [fields.FEED] tables",
                       "add [fields.students], [fields.staff], [fields.memberships], "
                       "[fields.timetable] and [fields.bookings], each mapping logical fields "
                       "to the column captions of that export");
    return;
  }
  TableReader fr(root.doc(), *fields, "fields");
  fr.set_nouns("feed", "feed");
  for (Feed f : kAllFeeds) {
    const std::string feed = feed_name(f);
    const toml::table* t = fr.subtable(feed, Need::optional);
    if (!t) {
      if (!fields->get(feed) && !feed_optional(f))
        root.doc().error(*fields, "there is no [fields." + feed + "] table",
                         "add [fields." + feed +
                             "] mapping each logical field to its column "
                             "caption in the " +
                             feed + " export");
      continue;
    }
    TableReader r(root.doc(), *t, "fields." + feed);
    r.set_nouns("field", "table");
    FieldMap map;
    for (const auto& lf : logical_fields(f)) {
      const toml::node* n = r.get(lf.name);
      if (!n) {
        if (lf.required)
          root.doc().error(*t, "[fields." + feed + "] has no " + dq(lf.name),
                           "add " + std::string(lf.name) +
                               " = \"COLUMN CAPTION\" (the caption of "
                               "that column in the " +
                               feed + " export)");
        continue;
      }
      auto s = r.string(lf.name, Need::optional, dq(lf.example));
      if (!s) continue;
      if (s->empty()) {
        root.doc().error(*n, "[fields." + feed + "] " + lf.name + " is empty",
                         "write the column caption from the export, or remove the line");
        continue;
      }
      map[lf.name] = *s;
    }
    r.finish();
    m.fields[f] = std::move(map);
  }
  fr.finish();
}

// ---- [subjects] ---------------------------------------------------------------------------

void read_string_map(Doc& doc, const toml::table& t, const std::string& where_name,
                     std::string_view example, std::map<std::string, std::string>& out) {
  for (const auto& [k, v] : t) {
    if (auto s = v.as_string()) {
      if (s->get().empty())
        doc.error(v, where_name + " " + dq(k.str()) + " is empty",
                  "write a value, like " + std::string(example));
      else
        out[std::string(k.str())] = s->get();
    } else {
      doc.error(v,
                where_name + " " + dq(k.str()) + ": expected a string like " +
                    std::string(example) + ", not " + type_phrase(v),
                "put the value in double quotes");
    }
  }
}

// ---- [calendar] ---------------------------------------------------------------------------

const std::vector<std::string> kPlaceholders = {"cycle_day", "weekday", "week_letter",
                                                "week_number"};

// The canonical name of each cycle day (index cycle_day - 1) as the day_name pattern gives it.
std::vector<std::string> day_names(const std::string& pattern, int cycle) {
  std::vector<std::string> names;
  for (int d = 1; d <= 5 * cycle; ++d) {
    int week = (d - 1) / 5;
    std::string out;
    for (size_t i = 0; i < pattern.size();) {
      if (pattern[i] == '{') {
        auto close = pattern.find('}', i);
        std::string ph = pattern.substr(i + 1, close - i - 1);
        if (ph == "cycle_day")
          out += std::to_string(d);
        else if (ph == "weekday")
          out += weekday_name((d - 1) % 5);
        else if (ph == "week_letter")
          out += char('A' + week);
        else if (ph == "week_number")
          out += std::to_string(week + 1);
        i = close + 1;
      } else {
        out += pattern[i++];
      }
    }
    names.push_back(out);
  }
  return names;
}

// Checks the placeholders; returns false (after reporting) when the pattern is unusable.
bool check_day_name(Doc& doc, const toml::node& at, const std::string& pattern, int cycle) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '}') {
      doc.error(at, "[calendar] day_name " + dq(pattern) + " has a } without a {",
                "write placeholders as {cycle_day}, {weekday}, {week_letter} or {week_number}");
      return false;
    }
    if (pattern[i] != '{') continue;
    auto close = pattern.find('}', i);
    if (close == std::string::npos) {
      doc.error(at, "[calendar] day_name " + dq(pattern) + " has a { without a }",
                "write placeholders as {cycle_day}, {weekday}, {week_letter} or {week_number}");
      return false;
    }
    std::string ph = pattern.substr(i + 1, close - i - 1);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), ph) == kPlaceholders.end()) {
      auto near = nearest(ph, kPlaceholders);
      doc.error(at, "[calendar] day_name: unknown placeholder {" + ph + "}",
                near ? "did you mean {" + *near + "}?"
                     : "use {cycle_day}, {weekday}, {week_letter} or {week_number}");
      return false;
    }
    i = close;
  }
  auto names = day_names(pattern, cycle);
  for (size_t a = 0; a < names.size(); ++a) {
    for (size_t b = a + 1; b < names.size(); ++b) {
      if (names[a] != names[b]) continue;
      doc.error(at,
                "[calendar] day_name " + dq(pattern) + " gives cycle days " +
                    std::to_string(a + 1) + " and " + std::to_string(b + 1) + " the same name " +
                    dq(names[a]),
                "include {cycle_day}, or {weekday} with {week_letter} or {week_number} when "
                "cycle > 1, like \"Day{cycle_day}\" or \"{weekday}{week_letter}\"");
      return false;
    }
  }
  return true;
}

void read_closed(TableReader& r, CalendarConfig& cal) {
  auto list = r.string_array("closed", Need::optional, "[\"2026-10-26..2026-10-30\"]");
  if (!list) return;
  const auto& arr = *r.table().get("closed")->as_array();
  std::vector<std::pair<DateRange, size_t>> ok;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& s = (*list)[i];
    auto dr = parse_date_range(s);
    if (!dr) {
      r.doc().error(arr[i], "[calendar] closed: " + dq(s) + " is not a date or date range",
                    "write \"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\", like "
                    "\"2026-10-26..2026-10-30\"");
      continue;
    }
    if (dr->last < dr->first) {
      r.doc().error(
          arr[i], "[calendar] closed: " + dq(s) + " ends before it starts",
          "put the earlier date first: \"" + dr->last.iso() + ".." + dr->first.iso() + "\"");
      continue;
    }
    bool clash = false;
    for (const auto& [prev, j] : ok) {
      if (prev.overlaps(*dr)) {
        r.doc().error(arr[i], "[calendar] closed: " + dq(s) + " overlaps " + dq((*list)[j]),
                      "merge them into one range or correct the dates");
        clash = true;
        break;
      }
    }
    if (clash) continue;
    ok.emplace_back(*dr, i);
  }
  for (const auto& [dr, i] : ok) cal.closed.push_back(dr);
  std::sort(cal.closed.begin(), cal.closed.end(),
            [](const DateRange& a, const DateRange& b) { return a.first < b.first; });
}

void read_week_overrides(TableReader& r, CalendarConfig& cal) {
  const toml::table* t = r.subtable("week_overrides", Need::optional, "{ \"2026-11-02\" = \"A\" }");
  if (!t) return;
  std::string letters, numbers;
  for (int w = 0; w < cal.cycle; ++w) {
    letters += std::string(w ? ", " : "") + char('A' + w);
    numbers += std::string(w ? ", " : "") + std::to_string(w + 1);
  }
  for (const auto& [k, v] : *t) {
    std::string key(k.str());
    auto d = Date::parse_iso(key);
    if (!d) {
      r.doc().error(k.source(), "[calendar] week_overrides: " + dq(key) + " is not a date",
                    "write the Monday of the week as \"YYYY-MM-DD\", like \"2026-11-02\"");
      continue;
    }
    if (d->weekday() != 0) {
      r.doc().error(k.source(),
                    "[calendar] week_overrides: " + key + " is a " +
                        std::string(weekday_name(d->weekday())) + ", not a Monday",
                    "use the Monday of that week, " + d->monday().iso());
      continue;
    }
    auto s = v.as_string();
    if (!s) {
      r.doc().error(v,
                    "[calendar] week_overrides " + key + ": expected a string like \"A\", not " +
                        type_phrase(v),
                    "write the week letter in double quotes");
      continue;
    }
    const std::string& w = s->get();
    bool valid = false;
    if (w.size() == 1 && w[0] >= 'A' && w[0] < 'A' + cal.cycle) valid = true;
    if (w.size() == 1 && w[0] >= '1' && w[0] < '1' + cal.cycle) valid = true;
    if (!valid) {
      r.doc().error(v,
                    "[calendar] week_overrides " + key + ": " + dq(w) + " is not a week of the " +
                        std::to_string(cal.cycle) + "-week cycle",
                    "use a week letter (" + letters + ") or number (" + numbers + ")");
      continue;
    }
    cal.week_overrides[*d] = w;
  }
}

void read_periods(TableReader& r, CalendarConfig& cal) {
  const toml::table* t = r.subtable("periods", Need::optional);
  if (!t) return;
  // Periods may overlap (a registration "period" inside period 1, say): a booking only uses
  // them to name its start and end, so an overlap is not ambiguous.
  std::vector<std::pair<uint32_t, std::pair<std::string, TimeRange>>> ordered;
  for (const auto& [k, v] : *t) {
    std::string name(k.str());
    std::string upper = name;
    for (auto& ch : upper) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    if (upper == "AM" || upper == "PM" || upper == "ALL") {
      r.doc().error(k.source(),
                    "[calendar.periods] " + dq(name) +
                        " is reserved for a booking covering a part of the day",
                    "rename the period; AM, PM and ALL take their times from [calendar] am/pm");
      continue;
    }
    auto s = v.as_string();
    if (!s) {
      r.doc().error(v,
                    "[calendar.periods] " + dq(name) +
                        ": expected a string like \"08:50-09:50\", not " + type_phrase(v),
                    "write the period's times as \"HH:MM-HH:MM\"");
      continue;
    }
    auto tr = parse_time_range_strict(s->get());
    if (!tr) {
      r.doc().error(v,
                    "[calendar.periods] " + dq(name) + ": " + dq(s->get()) + " is not a time range",
                    "write HH:MM-HH:MM on the 24-hour clock, like \"08:50-09:50\"");
      continue;
    }
    if (!(tr->start < tr->end)) {
      r.doc().error(
          v,
          "[calendar.periods] " + dq(name) + ": " + dq(s->get()) + " does not end after it starts",
          "put the earlier time first, like \"" + tr->end.str() + "-" + tr->start.str() + "\"");
      continue;
    }
    ordered.push_back({v.source().begin.line, {name, *tr}});
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [line, p] : ordered) cal.periods.push_back(p);
}

void read_calendar(TableReader& root, Mapping& m) {
  const toml::table* t = root.subtable("calendar", Need::optional);
  if (!t) {
    if (!root.table().get("calendar"))
      root.doc().error(root.table(), "there is no [calendar] table",
                       "add [calendar] with cycle, first_monday, day_name, am and pm");
    return;
  }
  TableReader r(root.doc(), *t, "calendar");
  CalendarConfig& cal = m.calendar;
  if (auto c = r.integer("cycle", Need::optional, "2")) {
    if (*c < 1 || *c > 4)
      r.doc().error(*t->get("cycle"),
                    "[calendar] cycle: " + std::to_string(*c) + " weeks is not supported",
                    "use the number of weeks in the timetable cycle, 1 to 4");
    else
      cal.cycle = int(*c);
  }
  if (auto d = r.date("first_monday", Need::required, "2026-09-07")) {
    if (d->weekday() != 0)
      r.doc().error(*t->get("first_monday"),
                    "[calendar] first_monday: " + d->iso() + " is a " +
                        std::string(weekday_name(d->weekday())) + ", not a Monday",
                    "use the Monday of Week 1 / Week A, e.g. " + d->monday().iso());
    else
      cal.first_monday = *d;
  }
  bool names_ok = true;
  if (auto dn = r.string("day_name", Need::optional, "\"Day{cycle_day}\"")) {
    if (check_day_name(r.doc(), *t->get("day_name"), *dn, cal.cycle))
      cal.day_name = *dn;
    else
      names_ok = false;
  }
  if (auto al = r.subtable("day_aliases", Need::optional, "{ \"Da10\" = \"Day10\" }")) {
    std::map<std::string, std::string> aliases;
    read_string_map(r.doc(), *al, "[calendar] day_aliases", "\"Day10\"", aliases);
    auto names = day_names(cal.day_name, cal.cycle);
    for (const auto& [from, to] : aliases) {
      if (names_ok && std::find(names.begin(), names.end(), to) == names.end()) {
        r.doc().error(*al->get(from),
                      "[calendar] day_aliases: " + dq(from) + " maps to " + dq(to) +
                          ", which is not a day of the cycle",
                      "map it to a name day_name gives, " + names.front() + " to " + names.back());
        continue;
      }
      cal.day_aliases[from] = to;
    }
  }
  read_closed(r, cal);
  read_week_overrides(r, cal);
  auto am = r.time_range("am", Need::optional, "\"08:45-12:20\"");
  auto pm = r.time_range("pm", Need::optional, "\"13:10-15:15\"");
  if (am) cal.am = *am;
  if (pm) cal.pm = *pm;
  if (am && pm && pm->start < am->end)
    r.doc().error(*t->get("pm"),
                  "[calendar] pm " + pm->str() + " starts before am " + am->str() + " ends",
                  "make am end at or before pm starts");
  read_periods(r, cal);
  r.finish();
}

// ---- [classroom] --------------------------------------------------------------------------

void read_classroom(TableReader& root, Mapping& m) {
  const toml::table* t = root.subtable("classroom", Need::optional);
  if (!t) return;
  TableReader r(root.doc(), *t, "classroom");
  if (auto c = r.subtable("courses", Need::optional)) {
    TableReader cr(root.doc(), *c, "classroom.courses");
    if (auto a = cr.string("alias", Need::optional, "\"d:{class_code}\"")) {
      if (!a->empty() && a->find("{class_code}") == std::string::npos)
        root.doc().error(*c->get("alias"),
                         "[classroom.courses] alias " + dq(*a) +
                             " does not contain {class_code}, so every class would get one course",
                         "write it like \"d:{class_code}\", or \"\" to use overrides only");
      else
        m.courses.alias = *a;
    }
    if (auto o = cr.subtable("overrides", Need::optional, "{ \"9X1/Ma\" = \"123456789\" }"))
      read_string_map(root.doc(), *o, "[classroom.courses] overrides", "\"123456789\"",
                      m.courses.overrides);
    if (auto ig = cr.string_array("ignore", Need::optional, "[\"*/Tu\"]")) {
      const auto& arr = *c->get("ignore")->as_array();
      std::vector<std::string> out;
      for (size_t i = 0; i < ig->size(); ++i) {
        if ((*ig)[i].empty())
          root.doc().error(arr[i], "[classroom.courses] ignore has an empty pattern",
                           "remove it, or write a class code pattern like \"*/Tu\"");
        else
          out.push_back((*ig)[i]);
      }
      m.courses.ignore = out;
    }
    cr.finish();
  }
  if (auto w = r.subtable("work", Need::optional)) {
    TableReader wr(root.doc(), *w, "classroom.work");
    auto window = [&](const char* key, std::chrono::seconds& out, const char* example) {
      if (auto d = wr.duration(key, Need::optional, example)) {
        if (*d > std::chrono::days{30})
          root.doc().error(*w->get(key),
                           "[classroom.work] " + std::string(key) + ": " + format_duration(*d) +
                               " is longer than 30 days",
                           "use at most \"30d\"");
        else
          out = *d;
      }
    };
    window("set_before", m.work.set_before, "\"3d\"");
    window("set_after", m.work.set_after, "\"0m\"");
    wr.finish();
  }
  r.finish();
}

// ---- [codes] ------------------------------------------------------------------------------

void check_mark_code(Doc& doc, const toml::node& at, const std::string& key,
                     const std::string& code, std::string& out) {
  const std::string name = "[codes] " + key;
  if (code == "E") {
    doc.error(at, name +
                      ": E is for a pupil suspended off site; a pupil in internal exclusion "
                      "is on site — use / or \\ (or B only if your policy says so)");
    return;
  }
  if (code == "-") {
    doc.error(at, name + ": \"-\" is not a statutory code for writing (it means no mark yet)",
              "use / or \\ for a pupil in internal exclusion (on site)");
    return;
  }
  const AttendanceCode* c = find_attendance_code(code);
  if (!c) {
    doc.error(at, name + ": " + dq(code) + " is not on the DfE attendance code list",
              "use a code in force since August 2024; for a pupil in internal exclusion, / or \\");
    return;
  }
  if (!attendance_code_in_force(*c)) {
    doc.error(at,
              name + ": " + code + " (" + std::string(c->meaning) + ") was withdrawn" +
                  (code == "F" ? " before 2024" : " in August 2024"),
              "use " + std::string(c->replacement));
    return;
  }
  out = code;
}

void read_reasons(Doc& doc, const toml::table& t, CodesConfig& codes) {
  std::vector<std::string> current;
  for (const auto& r : exclusion_reasons())
    if (exclusion_reason_current(r)) current.emplace_back(r.code);
  const std::string list = join_words(current, " or ");
  for (const auto& [k, v] : t) {
    const std::string word(k.str());
    auto s = v.as_string();
    if (!s) {
      doc.error(
          v,
          "[codes.reasons] " + dq(word) + ": expected a string like \"DB\", not " + type_phrase(v),
          "write the DfE reason code in double quotes");
      continue;
    }
    const std::string& code = s->get();
    const ExclusionReason* r = find_exclusion_reason(code);
    if (!r) {
      doc.error(
          v,
          "[codes.reasons] " + dq(word) + ": " + dq(code) + " is not a DfE exclusion reason code",
          "use a current reason code: " + list);
      continue;
    }
    if (!exclusion_reason_current(*r)) {
      doc.error(v,
                "[codes.reasons] " + dq(word) + ": " + code + " (" + std::string(r->meaning) +
                    ") is not a current DfE exclusion reason (" + std::string(r->status) + ")",
                "use a current reason code: " + list);
      continue;
    }
    codes.reasons[word] = code;
  }
}

void read_codes(TableReader& root, Mapping& m) {
  const toml::table* t = root.subtable("codes", Need::optional);
  if (!t) return;
  TableReader r(root.doc(), *t, "codes");
  CodesConfig& codes = m.codes;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"lesson", &codes.lesson},
                          {"session_am", &codes.session_am},
                          {"session_pm", &codes.session_pm}}) {
    if (auto s = r.string(key, Need::optional, "\"/\""))
      check_mark_code(r.doc(), *t->get(key), key, *s, *out);
  }
  if (auto b = r.boolean("write_session_marks")) codes.write_session_marks = *b;
  auto am_reg = r.time("am_register", Need::optional, "\"08:45\"");
  auto pm_reg = r.time("pm_register", Need::optional, "\"13:30\"");
  if (am_reg) codes.am_register = *am_reg;
  if (pm_reg) codes.pm_register = *pm_reg;
  if (auto mo = r.string_array("may_overwrite", Need::optional, "[\"\", \"-\", \"N\"]")) {
    const auto& arr = *t->get("may_overwrite")->as_array();
    std::vector<std::string> out;
    for (size_t i = 0; i < mo->size(); ++i) {
      const std::string& c = (*mo)[i];
      // Existing marks may predate August 2024, so withdrawn codes may be named here.
      if (c.empty() || find_attendance_code(c)) {
        out.push_back(c);
      } else {
        r.doc().error(arr[i], "[codes] may_overwrite: " + dq(c) + " is not a DfE attendance code",
                      "list codes from the DfE list, \"\" (no mark) or \"-\"");
      }
    }
    codes.may_overwrite = out;
  }
  if (auto rs = r.subtable("reasons", Need::optional, "{ \"Disruption\" = \"DB\" }"))
    read_reasons(r.doc(), *rs, codes);
  r.finish();
}

// A session mark is written "when IE covers the register time": a register time outside its
// half of the day would make that impossible, so it is checked when session marks are on.
void check_registers(Doc& doc, const toml::table& root, const Mapping& m) {
  if (!m.codes.write_session_marks) return;
  const toml::table* codes = root.get_as<toml::table>("codes");
  if (!codes) return;
  auto check = [&](const char* key, TimeOfDay t, const TimeRange& half, const char* half_name) {
    if (t < half.start || !(t < half.end)) {
      const toml::node* n = codes->get(key);
      doc.error(n ? n->source() : codes->source(),
                "[codes] " + std::string(key) + " " + t.str() + " is outside [calendar] " +
                    half_name + " " + half.str(),
                "set it to the time the register is taken, within " + half.str());
    }
  };
  check("am_register", m.codes.am_register, m.calendar.am, "am");
  check("pm_register", m.codes.pm_register, m.calendar.pm, "pm");
}

}  // namespace

void read_mapping(Doc& doc, const toml::table& root, Mapping& out) {
  TableReader r(doc, root, "");
  read_fields(r, out);
  if (auto s = r.subtable("subjects", Need::optional, "{ Ma = \"Mathematics\" }"))
    read_string_map(doc, *s, "[subjects]", "\"Mathematics\"", out.subjects);
  read_calendar(r, out);
  read_classroom(r, out);
  read_codes(r, out);
  check_registers(doc, root, out);
  r.finish();
}

}  // namespace iesync::cfg
