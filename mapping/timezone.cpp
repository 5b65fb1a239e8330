#include "mapping/timezone.h"

namespace iesync {

namespace {

using namespace std::chrono;

// 01:00 UTC on the last Sunday of the given month.
TimePoint last_sunday_0100(int year, unsigned month) {
  year_month_day_last last{std::chrono::year{year}, month_day_last{std::chrono::month{month}}};
  sys_days d{last};
  Date date{d};
  d -= days{(date.weekday() + 1) % 7};  // back to Sunday (weekday 6)
  return TimePoint{duration_cast<seconds>(d.time_since_epoch()) + hours{1}};
}

}  // namespace

std::optional<TimeZone> TimeZone::named(std::string_view name) {
  if (name == "Europe/London" || name == "GB" || name == "Europe/Belfast")
    return TimeZone(true, std::string(name));
  if (name == "UTC" || name == "Etc/UTC") return TimeZone(false, std::string(name));
  return std::nullopt;
}

int TimeZone::offset_at(TimePoint t) const {
  if (!uk_rule_) return 0;
  int year = int(year_month_day{floor<days>(t)}.year());
  return (t >= last_sunday_0100(year, 3) && t < last_sunday_0100(year, 10)) ? 3600 : 0;
}

LocalDateTime TimeZone::to_local(TimePoint t) const {
  auto local = t + seconds{offset_at(t)};
  auto day = floor<days>(local);
  auto secs = (local - day).count();
  return LocalDateTime{Date{day}, TimeOfDay{int(secs / 60)}, int(secs % 60)};
}

TimePoint TimeZone::to_utc(Date d, TimeOfDay t) const {
  TimePoint naive{duration_cast<seconds>(d.days.time_since_epoch()) + minutes{t.minutes}};
  if (!uk_rule_) return naive;
  // Try BST first so the repeated autumn hour resolves to its earlier instant.
  TimePoint as_bst = naive - hours{1};
  if (offset_at(as_bst) == 3600) return as_bst;
  return naive;
}

}  // namespace iesync
