// The school calendar: for any date, whether the school is open, which week of the
// timetable cycle it is, and which cycle day; plus period and AM/PM windows.
// Pure: built from [calendar] in mapping.toml, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/civil.h"
#include "mapping/rules.h"
#include "mapping/result.h"

namespace iesync {

struct SchoolDay {
  Date date;
  bool open = false;
  std::string closed_reason;  // "weekend", "closed 2026-10-26..2026-10-30", "before first_monday"
  int week = 0;               // 1..cycle (1 = Week A / Week 1); 0 when closed
  char week_letter = 0;       // 'A', 'B', ...; 0 when closed
  int cycle_day = 0;          // 1..5*cycle; 0 when closed
  std::string day_name;       // canonical name from the day_name pattern, e.g. "Day7", "TueB"
};

class Calendar {
 public:
  // Fails when the day_name pattern cannot give every cycle day a distinct name.
  static Result<Calendar> build(const CalendarConfig& cfg);

  SchoolDay day(Date d) const;
  // An exported day name ("Day7", "Da10", "MonB", "2Tue") -> cycle day; aliases applied.
  std::optional<int> cycle_day_from_name(std::string_view exported) const;
  std::string day_name(int cycle_day) const;
  int cycle_days() const;  // 5 * cycle

  // A period name from [calendar.periods].
  std::optional<TimeRange> period(std::string_view name) const;
  TimeRange am() const;
  TimeRange pm() const;
  TimeRange all_day() const;  // am.start .. pm.end

  // The date n open school days after d (n >= 1), closures and weekends skipped.
  Date add_school_days(Date d, int n) const;
  // Number of open school days in (a, b].
  int school_days_between(Date a, Date b) const;

  const CalendarConfig& config() const { return cfg_; }

 private:
  explicit Calendar(CalendarConfig cfg) : cfg_(std::move(cfg)) {}
  bool closed_by_config(Date d, std::string* why) const;
  CalendarConfig cfg_;
  std::vector<std::string> names_;  // index cycle_day-1
};

}  // namespace iesync
