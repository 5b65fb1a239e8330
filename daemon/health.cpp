#include "daemon/health.h"

#include "store/cycle_log.h"
#include "store/mis_store.h"
#include "store/outbox.h"

namespace iesync {

bool StoreHealth::healthy() const {
  return warnings.empty() && !recent_cycles.empty() && recent_cycles.front().result == "ok";
}

StoreHealth read_store_health(Store& store, Clock& clock, int cycles) {
  StoreHealth h;
  if (auto recent = CycleLog(store).recent(cycles)) {
    h.recent_cycles = std::move(*recent);
  } else {
    h.fault = recent.error().message;
    h.warnings.push_back(recent.error().to_string());
  }
  if (auto held = MisStore(store).held_feeds()) {
    for (auto& [feed, state] : *held) {
      h.held.push_back({feed, state.held_reason});
      h.warnings.push_back(held_export_warning(h.held.back()));
    }
  } else if (h.fault.empty()) {
    h.fault = held.error().message;
    h.warnings.push_back(held.error().to_string());
  }
  Outbox outbox(store, clock);
  if (auto c = outbox.counts()) {
    for (auto& [state, n] : *c) h.outbox_by_state[outbox_state_name(state)] = n;
    if ((*c)[OutboxState::failed] > 0)
      h.warnings.push_back(std::to_string((*c)[OutboxState::failed]) +
                           " write-back(s) failed; see `iesync outbox list --state failed`");
    if ((*c)[OutboxState::conflict] > 0)
      h.warnings.push_back(std::to_string((*c)[OutboxState::conflict]) +
                           " mark(s) were not written because the MIS already holds another "
                           "mark; see `iesync outbox list --state conflict`");
  } else {
    h.warnings.push_back(c.error().to_string());
  }
  if (h.recent_cycles.empty() && h.fault.empty()) h.warnings.push_back("no cycle has run yet; run `iesync sync`");
  return h;
}

}  // namespace iesync
