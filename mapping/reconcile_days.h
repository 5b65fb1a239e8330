// Which school days a cycle reconciles ([schedule] catch_up and look_ahead), oldest first:
// every open school day after the last one reconciled, up to yesterday (at most `catch_up` of
// them, the most recent), then today, then the next `look_ahead` school days, so tomorrow's
// room is known (and chased) tonight. Pure, so a week of downtime is tested without waiting.
#pragma once

#include <optional>
#include <vector>

#include "mapping/calendar.h"
#include "mapping/civil.h"

namespace iesync {

// `last_reconciled`: the last day a successful cycle covered, or nullopt when not known (a
// fresh start), in which case only the previous school day is caught up: its exclusion
// records fall due at the end of that day.
std::vector<Date> days_to_reconcile(const Calendar& cal, Date today,
                                    std::optional<Date> last_reconciled, int catch_up,
                                    int look_ahead);

}  // namespace iesync
