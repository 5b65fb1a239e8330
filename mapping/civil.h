// Civil dates, times of day and durations as the school writes them.
// Dates are "YYYY-MM-DD"; times "HH:MM" (feeds may also write "H:MM").
#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace iesync {

struct Date {
  std::chrono::sys_days days{};

  static Date from_ymd(int y, unsigned m, unsigned d);
  // Accepts YYYY-MM-DD only.
  static std::optional<Date> parse_iso(std::string_view s);
  // Accepts what MIS feeds write: YYYY-MM-DD, YYYY-MM-DDThh:mm:ss (time ignored), DD/MM/YYYY.
  static std::optional<Date> parse_feed(std::string_view s);

  std::string iso() const;
  std::chrono::year_month_day ymd() const { return std::chrono::year_month_day{days}; }
  // 0 = Monday ... 6 = Sunday.
  int weekday() const;
  Date plus_days(int n) const { return Date{days + std::chrono::days{n}}; }
  // The Monday of this date's week.
  Date monday() const { return plus_days(-weekday()); }

  friend auto operator<=>(const Date&, const Date&) = default;
  friend bool operator==(const Date&, const Date&) = default;
};

// Difference in days, b - a.
int days_between(Date a, Date b);

// Minutes since midnight.
struct TimeOfDay {
  int minutes = 0;

  static TimeOfDay hm(int h, int m) { return TimeOfDay{h * 60 + m}; }
  // Accepts HH:MM and H:MM with hours 0-23 and minutes 00-59 (two digits).
  static std::optional<TimeOfDay> parse(std::string_view s);
  std::string str() const;  // always HH:MM

  friend auto operator<=>(const TimeOfDay&, const TimeOfDay&) = default;
  friend bool operator==(const TimeOfDay&, const TimeOfDay&) = default;
};

// A half-open window [start, end) within one day.
struct TimeRange {
  TimeOfDay start;
  TimeOfDay end;

  // "HH:MM-HH:MM"; end must be after start.
  static std::optional<TimeRange> parse(std::string_view s);
  bool overlaps(const TimeRange& o) const { return start < o.end && o.start < end; }
  std::string str() const { return start.str() + "-" + end.str(); }
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

// An inclusive range of dates: "YYYY-MM-DD..YYYY-MM-DD" or a single "YYYY-MM-DD".
struct DateRange {
  Date first;
  Date last;
  bool contains(Date d) const { return first <= d && d <= last; }
  bool overlaps(const DateRange& o) const { return first <= o.last && o.first <= last; }
  friend bool operator==(const DateRange&, const DateRange&) = default;
};
// Returns nullopt on syntax errors; a reversed range parses (callers report it).
std::optional<DateRange> parse_date_range(std::string_view s);

// "15m", "3d", "1h", "30s", "3y" (a year is 365 days), "0m". Whole numbers only.
std::optional<std::chrono::seconds> parse_duration(std::string_view s);
std::string format_duration(std::chrono::seconds s);

// "15%" -> 0.15. 0-100 inclusive.
std::optional<double> parse_percent(std::string_view s);

// Weekday names as the config writes them: Mon..Sun -> 0..6.
std::optional<int> parse_weekday(std::string_view s);
std::string_view weekday_name(int wd);  // "Mon".."Sun"

}  // namespace iesync
