// The school calendar: for any date, whether the school is open, which week of the
// timetable cycle it is, and which cycle day; plus period and AM/PM windows.
// Pure: built from [calendar] in mapping.toml, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "mapping/civil.h"
#include "mapping/rules.h"

namespace iesync {

struct SchoolDay {
  Date date;
  bool open = false;
  // "weekend", "closed 2026-10-26..2026-10-30", "closed 2027-01-04",
  // "before the timetable's first Monday (2026-09-07)"; empty when open.
  std::string closed_reason;
  int week = 0;          // 1..cycle (1 = Week A / Week 1); 0 when closed
  char week_letter = 0;  // 'A', 'B', ...; 0 when closed
  int cycle_day = 0;     // 1..5*cycle; 0 when closed
  std::string day_name;  // canonical name from the day_name pattern, e.g. "Day7", "TueB"
};

class Calendar {
 public:
  // Fails when the day_name pattern cannot give every cycle day a distinct name.
  static Result<Calendar> build(const CalendarConfig& cfg);

  // Cheap (no allocation beyond the names): called per booking per cycle.
  SchoolDay day(Date d) const;
  // day(d).open without building the SchoolDay.
  bool is_open(Date d) const;
  // An exported day name ("Day7", "Da10", "MonB", "2Tue") -> cycle day; aliases applied.
  std::optional<int> cycle_day_from_name(std::string_view exported) const;
  std::string day_name(int cycle_day) const;
  int cycle_days() const;  // 5 * cycle

  // A period name from [calendar.periods].
  std::optional<TimeRange> period(std::string_view name) const;
  TimeRange am() const;
  TimeRange pm() const;
  TimeRange all_day() const;  // am.start .. pm.end

  // The date n open school days after d (n >= 1), closures and weekends skipped;
  // d itself for n <= 0.
  Date add_school_days(Date d, int n) const;
  // Number of open school days in (a, b]; 0 when b <= a.
  int school_days_between(Date a, Date b) const;

  const CalendarConfig& config() const { return cfg_; }

 private:
  explicit Calendar(CalendarConfig cfg) : cfg_(std::move(cfg)) {}
  // The steps of build(), in order; each fills its part or says what in the config is wrong.
  Result<void> name_days();
  Result<void> add_aliases();
  Result<void> add_week_overrides();
  void find_dead_weeks();
  bool closed_by_config(Date d, std::string* why) const;
  int dead_weeks_in(Date after, Date upto) const;  // dead Mondays m, after < m <= upto
  CalendarConfig cfg_;
  std::vector<std::string> names_;                // index cycle_day-1
  std::unordered_map<std::string, int> by_name_;  // canonical name -> cycle day
  std::unordered_map<std::string, int> aliases_;  // exported alias -> cycle day
  std::vector<std::pair<Date, int>> overrides_;   // Monday -> 0-based week, sorted
  std::vector<Date> dead_weeks_;                  // Mondays of weeks with no open day, sorted
};

}  // namespace iesync
