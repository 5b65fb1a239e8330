#include "daemon/schedule.h"

#include <algorithm>

namespace iesync {

namespace {

bool scheduled_day(const ScheduleConfig& s, Date d) {
  return std::find(s.days.begin(), s.days.end(), d.weekday()) != s.days.end();
}

}  // namespace

bool in_school_hours(const ScheduleConfig& s, const TimeZone& tz, TimePoint t) {
  auto local = tz.to_local(t);
  return scheduled_day(s, local.date) && s.school_hours.start <= local.time &&
         local.time < s.school_hours.end;
}

TimePoint next_cycle_at(const ScheduleConfig& s, const TimeZone& tz, TimePoint now,
                        std::optional<TimePoint> last_start) {
  TimePoint want = last_start ? std::max(now, *last_start + s.interval) : now;
  if (in_school_hours(s, tz, want)) return want;
  // Outside hours: the next opening. Eight days covers any set of weekdays; with no days at
  // all (check-config refuses that) there is nothing to schedule, so wait a week and ask again.
  Date d = tz.to_local(want).date;
  for (int i = 0; i <= 8; ++i, d = d.plus_days(1)) {
    if (!scheduled_day(s, d)) continue;
    TimePoint open = tz.to_utc(d, s.school_hours.start);
    if (open >= want) return open;
  }
  return want + std::chrono::days{7};
}

}  // namespace iesync
