// Which marks and records a session should write back, and when (SPEC §6).
#pragma once

#include <string>
#include <vector>

#include "mapping/rules.h"
#include "mapping/session.h"
#include "mapping/timezone.h"
#include "mapping/writes.h"

namespace iesync {

struct WritePlan {
  std::vector<WriteItem> due;    // to queue now
  std::vector<WriteItem> later;  // will be queued when their time comes (plan shows them)
  // Keys of facts this session must not (or no longer) hold: the caller retracts whichever
  // of them were already queued or sent.
  std::vector<std::string> retract;
};

// `school_day_end` is when "the end of its day" falls for an exclusion record of a session
// that is still `booked` (the later of the window's end and this time).
WritePlan plan_writes(const IeSession& s, const CodesConfig& codes, TimeOfDay school_day_end,
                      const TimeZone& tz, TimePoint now);

// Every key a session could ever produce, for retracting all of them.
std::vector<std::string> all_keys(const IeSession& s, const CodesConfig& codes);

}  // namespace iesync
