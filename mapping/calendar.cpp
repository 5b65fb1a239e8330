// The school calendar. Week alternation is computed arithmetically so day() stays cheap
// when called per booking per cycle: from the nearest week override (or first_monday) at or
// before the date's week, count whole weeks and subtract the weeks that have no open day
// (half terms, holidays), which build() precomputes as a sorted list of Mondays.
#include "mapping/calendar.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace iesync {

namespace {

constexpr const char* kWhere = "mapping.toml [calendar]";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string range_text(const DateRange& r) {
  return r.first == r.last ? r.first.iso() : r.first.iso() + ".." + r.last.iso();
}

// Expands the day_name pattern for one cycle day, or says which placeholder is unknown.
Result<std::string> expand(std::string_view pattern, int cycle_day) {
  const int week = (cycle_day - 1) / 5 + 1;
  const int weekday = (cycle_day - 1) % 5;
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    auto close = pattern.find('}', i);
    if (close == std::string_view::npos)
      return make_error(std::string(kWhere) + " day_name",
                        "day_name \"" + std::string(pattern) + "\" has a '{' without a closing '}'",
                        "use {cycle_day}, {weekday}, {week_letter} or {week_number}");
    auto name = pattern.substr(i + 1, close - i - 1);
    if (name == "cycle_day") {
      out += std::to_string(cycle_day);
    } else if (name == "weekday") {
      out += weekday_name(weekday);
    } else if (name == "week_letter") {
      out += char('A' + week - 1);
    } else if (name == "week_number") {
      out += std::to_string(week);
    } else {
      return make_error(std::string(kWhere) + " day_name",
                        "day_name \"" + std::string(pattern) + "\" uses an unknown placeholder {" +
                            std::string(name) + "}",
                        "use {cycle_day}, {weekday}, {week_letter} or {week_number}");
    }
    i = close + 1;
  }
  return Result<std::string>(boost::system::in_place_value, std::move(out));
}

// "A".."Z" or "1".."cycle" -> 0-based week index.
std::optional<int> parse_week(std::string_view v, int cycle) {
  v = trim(v);
  if (v.size() == 1 && v[0] >= 'A' && v[0] <= 'Z') {
    int w = v[0] - 'A';
    if (w < cycle) return w;
    return std::nullopt;
  }
  int n = 0;
  if (v.empty() || v.size() > 2) return std::nullopt;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > cycle) return std::nullopt;
  return n - 1;
}

// The two numbers everything else is computed from.
Result<void> check_cycle(const CalendarConfig& cfg) {
  // 26 weeks is where week letters run out; no real timetable comes near it.
  if (cfg.cycle < 1 || cfg.cycle > 26)
    return make_error(
        std::string(kWhere) + " cycle",
        "cycle = " + std::to_string(cfg.cycle) + " is not a number of weeks from 1 to 26",
        "set cycle to the number of weeks in the timetable (1 for a weekly timetable, "
        "2 for Week A/Week B)");
  if (cfg.first_monday.weekday() != 0)
    return make_error(std::string(kWhere) + " first_monday",
                      "first_monday = " + cfg.first_monday.iso() + " is a " +
                          std::string(weekday_name(cfg.first_monday.weekday())) + ", not a Monday",
                      "set first_monday to the Monday of Week 1 (Week A), e.g. " +
                          cfg.first_monday.monday().iso());
  return {};
}

Result<void> check_closed_ranges(const CalendarConfig& cfg) {
  for (const auto& r : cfg.closed) {
    if (r.last < r.first)
      return make_error(
          std::string(kWhere) + " closed",
          "closed range " + r.first.iso() + ".." + r.last.iso() + " ends before it starts",
          "write the earlier date first");
  }
  return {};
}

}  // namespace

Result<Calendar> Calendar::build(const CalendarConfig& cfg) {
  if (auto ok = check_cycle(cfg); !ok) return ok.error();
  Calendar cal(cfg);
  if (auto ok = cal.name_days(); !ok) return ok.error();
  if (auto ok = cal.add_aliases(); !ok) return ok.error();
  if (auto ok = check_closed_ranges(cfg); !ok) return ok.error();
  if (auto ok = cal.add_week_overrides(); !ok) return ok.error();
  cal.find_dead_weeks();
  return cal;
}

// One distinct name per cycle day, from the day_name pattern.
Result<void> Calendar::name_days() {
  const int days = 5 * cfg_.cycle;
  std::unordered_map<std::string, int> seen;
  for (int cd = 1; cd <= days; ++cd) {
    auto name = expand(cfg_.day_name, cd);
    if (!name) return name.error();
    if (name->empty())
      return make_error(std::string(kWhere) + " day_name", "day_name is empty",
                        "set day_name to e.g. \"Day{cycle_day}\" or \"{weekday}{week_letter}\"");
    auto [it, fresh] = seen.emplace(*name, cd);
    if (!fresh)
      return make_error(std::string(kWhere) + " day_name",
                        "day_name \"" + cfg_.day_name + "\" gives the same name \"" + *name +
                            "\" to cycle day " + std::to_string(it->second) + " and cycle day " +
                            std::to_string(cd) + " of a " + std::to_string(cfg_.cycle) +
                            "-week cycle",
                        "include {cycle_day}, or {weekday} with {week_letter} or {week_number}, "
                        "so every day of the cycle has its own name");
    names_.push_back(*name);
  }
  by_name_ = std::move(seen);
  return {};
}

// Other names the export uses for a cycle day ("Mon A" for "MonA").
Result<void> Calendar::add_aliases() {
  for (const auto& [alias, target] : cfg_.day_aliases) {
    auto it = by_name_.find(target);
    if (it == by_name_.end())
      return make_error(std::string(kWhere) + " day_aliases",
                        "day alias \"" + alias + "\" points at \"" + target +
                            "\", which is not a day name of this cycle (they run " +
                            names_.front() + ".." + names_.back() + ")",
                        "point the alias at one of the canonical day names");
    auto clash = by_name_.find(alias);
    if (clash != by_name_.end() && clash->second != it->second)
      return make_error(std::string(kWhere) + " day_aliases",
                        "day alias \"" + alias + "\" is already the name of cycle day " +
                            std::to_string(clash->second),
                        "remove the alias or correct its target");
    aliases_.emplace(alias, it->second);
  }
  return {};
}

// Weeks the school declared to be a given week of the cycle, sorted by Monday.
Result<void> Calendar::add_week_overrides() {
  for (const auto& [monday, value] : cfg_.week_overrides) {
    if (monday.weekday() != 0)
      return make_error(
          std::string(kWhere) + " week_overrides",
          "week override " + monday.iso() + " is not a Monday",
          "key each override by the Monday of its week, e.g. " + monday.monday().iso());
    auto w = parse_week(value, cfg_.cycle);
    if (!w)
      return make_error(std::string(kWhere) + " week_overrides",
                        "week override " + monday.iso() + " = \"" + value +
                            "\" is not a week of a " + std::to_string(cfg_.cycle) + "-week cycle",
                        "use a week letter A.." + std::string(1, char('A' + cfg_.cycle - 1)) +
                            " or a week number 1.." + std::to_string(cfg_.cycle));
    overrides_.emplace_back(monday, *w);
  }
  std::sort(overrides_.begin(), overrides_.end());
  return {};
}

// Weeks with no open weekday do not advance the cycle. Only weeks touched by a closed
// range can be such weeks, so look at those alone.
void Calendar::find_dead_weeks() {
  std::set<Date> dead;
  for (const auto& r : cfg_.closed) {
    for (Date m = r.first.monday(); m <= r.last; m = m.plus_days(7)) {
      if (m < cfg_.first_monday) continue;
      bool any_open = false;
      for (int wd = 0; wd < 5 && !any_open; ++wd)
        if (!closed_by_config(m.plus_days(wd), nullptr)) any_open = true;
      if (!any_open) dead.insert(m);
    }
  }
  dead_weeks_.assign(dead.begin(), dead.end());
}

bool Calendar::closed_by_config(Date d, std::string* why) const {
  for (const auto& r : cfg_.closed) {
    if (r.contains(d)) {
      if (why) *why = "closed " + range_text(r);
      return true;
    }
  }
  return false;
}

int Calendar::dead_weeks_in(Date after, Date upto) const {
  // Mondays m with after < m <= upto.
  auto lo = std::upper_bound(dead_weeks_.begin(), dead_weeks_.end(), after);
  auto hi = std::upper_bound(dead_weeks_.begin(), dead_weeks_.end(), upto);
  return int(hi - lo);
}

SchoolDay Calendar::day(Date d) const {
  SchoolDay out;
  out.date = d;
  const int wd = d.weekday();
  if (wd >= 5) {
    out.closed_reason = "weekend";
    return out;
  }
  if (d < cfg_.first_monday) {
    out.closed_reason = "before the timetable's first Monday (" + cfg_.first_monday.iso() + ")";
    return out;
  }
  if (closed_by_config(d, &out.closed_reason)) return out;

  const Date monday = d.monday();
  Date base = cfg_.first_monday;
  int base_week = 0;
  // The latest override at or before this week sets the count.
  auto it = std::upper_bound(overrides_.begin(), overrides_.end(),
                             std::pair<Date, int>{monday, cfg_.cycle});
  if (it != overrides_.begin()) {
    --it;
    base = it->first;
    base_week = it->second;
  }
  const int weeks = days_between(base, monday) / 7 - dead_weeks_in(base, monday);
  const int week = (base_week + weeks) % cfg_.cycle;

  out.open = true;
  out.week = week + 1;
  out.week_letter = char('A' + week);
  out.cycle_day = week * 5 + wd + 1;
  out.day_name = names_[out.cycle_day - 1];
  return out;
}

std::optional<int> Calendar::cycle_day_from_name(std::string_view exported) const {
  std::string key(trim(exported));
  if (auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  if (auto it = aliases_.find(key); it != aliases_.end()) return it->second;
  return std::nullopt;
}

std::string Calendar::day_name(int cycle_day) const {
  if (cycle_day < 1 || cycle_day > int(names_.size())) return {};
  return names_[cycle_day - 1];
}

int Calendar::cycle_days() const {
  return 5 * cfg_.cycle;
}

std::optional<TimeRange> Calendar::period(std::string_view name) const {
  name = trim(name);
  for (const auto& [n, r] : cfg_.periods)
    if (n == name) return r;
  return std::nullopt;
}

TimeRange Calendar::am() const {
  return cfg_.am;
}
TimeRange Calendar::pm() const {
  return cfg_.pm;
}
TimeRange Calendar::all_day() const {
  return TimeRange{cfg_.am.start, cfg_.pm.end};
}

Date Calendar::add_school_days(Date d, int n) const {
  // Closed ranges are finite, so walking forward always reaches n open days.
  Date cur = d;
  for (int left = n; left > 0;) {
    cur = cur.plus_days(1);
    if (is_open(cur)) --left;
  }
  return cur;
}

int Calendar::school_days_between(Date a, Date b) const {
  int n = 0;
  for (Date cur = a.plus_days(1); cur <= b; cur = cur.plus_days(1))
    if (is_open(cur)) ++n;
  return n;
}

bool Calendar::is_open(Date d) const {
  return d.weekday() < 5 && !(d < cfg_.first_monday) && !closed_by_config(d, nullptr);
}

}  // namespace iesync
