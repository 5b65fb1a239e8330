#include "mapping/civil.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace iesync {

namespace {

std::optional<int> parse_digits(std::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<Date> checked(int y, int m, int d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(m)},
                                  std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{std::chrono::sys_days{ymd}};
}

}  // namespace

Date Date::from_ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::sys_days{std::chrono::year_month_day{
      std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}}};
}

std::optional<Date> Date::parse_iso(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = parse_digits(s.substr(0, 4), 4, 4);
  auto m = parse_digits(s.substr(5, 2), 2, 2);
  auto d = parse_digits(s.substr(8, 2), 2, 2);
  if (!y || !m || !d) return std::nullopt;
  return checked(*y, *m, *d);
}

std::optional<Date> Date::parse_feed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (s.size() > 10 && s[10] == 'T') return parse_iso(s.substr(0, 10));
  if (s.size() == 10 && s[2] == '/' && s[5] == '/') {
    auto d = parse_digits(s.substr(0, 2), 2, 2);
    auto m = parse_digits(s.substr(3, 2), 2, 2);
    auto y = parse_digits(s.substr(6, 4), 4, 4);
    if (!y || !m || !d) return std::nullopt;
    return checked(*y, *m, *d);
  }
  return parse_iso(s);
}

std::string Date::iso() const {
  auto v = ymd();
  const int y = int(v.year());
  const unsigned m = unsigned(v.month()), d = unsigned(v.day());
  if (y < 0 || y > 9999) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
  }
  // Written digit by digit: an import formats a date per membership, and snprintf was a
  // few percent of a large school's import.
  std::string s(10, '-');
  s[0] = char('0' + y / 1000);
  s[1] = char('0' + y / 100 % 10);
  s[2] = char('0' + y / 10 % 10);
  s[3] = char('0' + y % 10);
  s[5] = char('0' + m / 10);
  s[6] = char('0' + m % 10);
  s[8] = char('0' + d / 10);
  s[9] = char('0' + d % 10);
  return s;
}

int Date::weekday() const {
  // iso_encoding: Monday = 1 ... Sunday = 7.
  return int(std::chrono::weekday{days}.iso_encoding()) - 1;
}

int days_between(Date a, Date b) {
  return int((b.days - a.days).count());
}

std::optional<TimeOfDay> TimeOfDay::parse(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto h = parse_digits(s.substr(0, colon), 1, 2);
  auto rest = s.substr(colon + 1);
  // SIMS sometimes writes seconds ("09:05:00"); they are always zero for timetables.
  if (rest.size() == 5 && rest[2] == ':') {
    auto sec = parse_digits(rest.substr(3), 2, 2);
    if (!sec) return std::nullopt;
    rest = rest.substr(0, 2);
  }
  auto m = parse_digits(rest, 2, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return TimeOfDay{*h * 60 + *m};
}

std::string TimeOfDay::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
  return buf;
}

std::optional<TimeRange> TimeRange::parse(std::string_view s) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto a = TimeOfDay::parse(s.substr(0, dash));
  auto b = TimeOfDay::parse(s.substr(dash + 1));
  if (!a || !b) return std::nullopt;
  return TimeRange{*a, *b};
}

std::optional<DateRange> parse_date_range(std::string_view s) {
  auto dots = s.find("..");
  if (dots == std::string_view::npos) {
    auto d = Date::parse_iso(s);
    if (!d) return std::nullopt;
    return DateRange{*d, *d};
  }
  auto a = Date::parse_iso(s.substr(0, dots));
  auto b = Date::parse_iso(s.substr(dots + 2));
  if (!a || !b) return std::nullopt;
  return DateRange{*a, *b};
}

std::optional<std::chrono::seconds> parse_duration(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  char unit = s.back();
  auto n = parse_digits(s.substr(0, s.size() - 1), 1, 6);
  if (!n) return std::nullopt;
  long long v = *n;
  switch (unit) {
    case 's':
      return std::chrono::seconds{v};
    case 'm':
      return std::chrono::seconds{v * 60};
    case 'h':
      return std::chrono::seconds{v * 3600};
    case 'd':
      return std::chrono::seconds{v * 86400};
    case 'w':
      return std::chrono::seconds{v * 7 * 86400};
    case 'y':
      return std::chrono::seconds{v * 365 * 86400};
    default:
      return std::nullopt;
  }
}

std::string format_duration(std::chrono::seconds s) {
  long long v = s.count();
  if (v != 0 && v % 86400 == 0) return std::to_string(v / 86400) + "d";
  if (v != 0 && v % 3600 == 0) return std::to_string(v / 3600) + "h";
  if (v % 60 == 0) return std::to_string(v / 60) + "m";
  return std::to_string(v) + "s";
}

std::optional<double> parse_percent(std::string_view s) {
  if (s.size() < 2 || s.back() != '%') return std::nullopt;
  s.remove_suffix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0 || v > 100) return std::nullopt;
  return v / 100.0;
}

namespace {
constexpr std::array<std::string_view, 7> kWeekdays = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
}

std::optional<int> parse_weekday(std::string_view s) {
  for (int i = 0; i < 7; ++i)
    if (kWeekdays[i] == s) return i;
  return std::nullopt;
}

std::string_view weekday_name(int wd) {
  return kWeekdays.at(wd);
}

}  // namespace iesync
