#include "mapping/notify/notify_schedule.h"

#include <algorithm>

namespace iesync {

std::string NotifySlot::id() const {
  return kind == MailKind::chase ? "chase " + date.iso() + " " + at.str() : "digest " + date.iso();
}

std::vector<NotifySlot> due_slots(const NotifyTimes& times, bool school_day, const TimeZone& tz,
                                  TimePoint now, const std::set<std::string>& ran) {
  std::vector<NotifySlot> out;
  if (!school_day) return out;
  const auto local = tz.to_local(now);
  std::vector<NotifySlot> all;
  for (auto t : times.chase_at) all.push_back({MailKind::chase, local.date, t});
  all.push_back({MailKind::digest, local.date, times.digest_at});
  std::stable_sort(all.begin(), all.end(),
                   [](const NotifySlot& a, const NotifySlot& b) { return a.at < b.at; });
  for (const auto& s : all)
    if (s.at <= local.time && !ran.count(s.id())) out.push_back(s);
  return out;
}

std::optional<TimePoint> next_slot_at(const NotifyTimes& times,
                                      const std::function<bool(Date)>& school_day,
                                      const TimeZone& tz, TimePoint now) {
  std::vector<TimeOfDay> at = times.chase_at;
  at.push_back(times.digest_at);
  std::sort(at.begin(), at.end());
  Date d = tz.to_local(now).date;
  for (int i = 0; i < 30; ++i, d = d.plus_days(1)) {
    if (!school_day(d)) continue;
    for (auto t : at) {
      TimePoint p = tz.to_utc(d, t);
      if (p > now) return p;
    }
  }
  return std::nullopt;
}

}  // namespace iesync
