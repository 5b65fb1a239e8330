// What the store says about how iesync is doing: the last cycles, the outbox by state, and
// the warnings an admin should act on. Shared by `iesync status` and the daemon's snapshot.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "daemon/status/snapshot.h"
#include "store/store.h"

namespace iesync {

struct StoreHealth {
  std::vector<CycleRecord> recent_cycles;  // newest first
  std::map<std::string, std::int64_t> outbox_by_state;
  // The email queue (SPEC §9) by kind ("chase", "digest") and state, for /metrics.
  std::map<std::string, std::map<std::string, int>> mail_by_kind_state;
  std::vector<std::string> warnings;
  std::vector<HeldExport> held;  // each also has its line in warnings
  // Why the store could not be read ("...: the store is locked by another process (...)");
  // empty when it could. Also among the warnings.
  std::string fault;
  // The last cycle recorded ended ok (or with record-level errors only) and nothing needs the
  // admin.
  bool healthy() const;
};

StoreHealth read_store_health(Store& store, Clock& clock, int cycles = 5);

// An email pending this long after it was queued is "waiting" (the mail server is down or
// deferring); one that failed within kMailFailedWarnFor is warned about.
inline constexpr std::chrono::minutes kMailWaitingAfter{30};
inline constexpr std::chrono::days kMailFailedWarnFor{7};

}  // namespace iesync
