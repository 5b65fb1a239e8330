// When the chase and digest emails fall due (SPEC §9), as pure logic tested with a fake clock:
// each `chase_at` and the `digest_at` on a school day. A time the service missed (it was
// down, or busy) is run once when it next looks, the same day only: chases missed at 08:00
// and 15:45 become one chase at 16:30, and yesterday's digest is not sent tomorrow.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "mapping/civil.h"
#include "mapping/notify/mail.h"
#include "mapping/timezone.h"

namespace iesync {

struct NotifySlot {
  MailKind kind = MailKind::chase;
  Date date;
  TimeOfDay at;
  // "chase 2026-12-01 15:45", "digest 2026-12-01": what the store records as run.
  std::string id() const;
};

struct NotifyTimes {
  std::vector<TimeOfDay> chase_at;
  TimeOfDay digest_at;
};

// The slots of today (school time) whose time has come and that have not run, oldest first.
// None on a day that is not a school day.
std::vector<NotifySlot> due_slots(const NotifyTimes& times, bool school_day, const TimeZone& tz,
                                  TimePoint now, const std::set<std::string>& ran);

// The next instant after `now` at which a slot falls due; `school_day` says which dates are
// school days. nullopt when none within the next 30 days.
std::optional<TimePoint> next_slot_at(const NotifyTimes& times,
                                      const std::function<bool(Date)>& school_day,
                                      const TimeZone& tz, TimePoint now);

}  // namespace iesync
