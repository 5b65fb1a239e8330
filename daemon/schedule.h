// When `iesync run` starts its next cycle: every [schedule] interval inside school_hours on the
// scheduled days, and otherwise at the next opening. Pure, so a whole week of scheduling is
// tested without waiting for it.
#pragma once

#include <optional>

#include "base/clock.h"
#include "config/config.h"
#include "mapping/timezone.h"

namespace iesync {

// Whether `t` falls inside school hours on a scheduled day.
bool in_school_hours(const ScheduleConfig& s, const TimeZone& tz, TimePoint t);

// The next instant at or after `now` when a cycle should start. `last_start` is when the last
// scheduled cycle started (none yet: as soon as school hours allow).
TimePoint next_cycle_at(const ScheduleConfig& s, const TimeZone& tz, TimePoint now,
                        std::optional<TimePoint> last_start);

}  // namespace iesync
