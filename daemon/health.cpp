#include "daemon/health.h"

#include "store/outbox.h"

namespace iesync {

bool StoreHealth::healthy() const {
  return warnings.empty() && !recent_cycles.empty() && recent_cycles.front().result == "ok";
}

StoreHealth read_store_health(Store& store, Clock& clock, int cycles) {
  StoreHealth h;
  try {
    SQLite::Statement q(store.db(),
                        "SELECT started_at, COALESCE(finished_at, ''), COALESCE(result, ''), "
                        "COALESCE(summary, '') FROM cycles ORDER BY id DESC LIMIT ?");
    q.bind(1, cycles);
    while (q.executeStep())
      h.recent_cycles.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                                 q.getColumn(2).getString(), q.getColumn(3).getString()});
    SQLite::Statement held(store.db(),
                           "SELECT feed, COALESCE(held_reason, '') FROM feed_state "
                           "WHERE held_hash IS NOT NULL AND held_hash != '' ORDER BY feed");
    while (held.executeStep()) {
      h.held.push_back({held.getColumn(0).getString(), held.getColumn(1).getString()});
      h.warnings.push_back(held_export_warning(h.held.back()));
    }
  } catch (const SQLite::Exception& e) {
    h.warnings.push_back(std::string("cannot read the store: ") + e.what());
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
  if (h.recent_cycles.empty()) h.warnings.push_back("no cycle has run yet; run `iesync sync`");
  return h;
}

}  // namespace iesync
