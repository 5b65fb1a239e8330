#include "daemon/health.h"

#include "store/cycle_log.h"
#include "store/mis_store.h"
#include "store/notify_queue.h"
#include "store/outbox.h"

namespace iesync {

bool StoreHealth::healthy() const {
  return warnings.empty() && !recent_cycles.empty() && recent_cycles.front().result == "ok";
}

namespace {

// Emails waiting for the mail server, or refused: nothing is lost, but teachers are not being
// chased, so whoever looks at `status` or the dashboard must see it (SPEC §9).
void mail_health(Store& store, Clock& clock, StoreHealth& h) {
  NotifyQueue queue(store, clock);
  auto c = queue.counts_by_kind();
  if (!c) {
    h.warnings.push_back(c.error().to_string());
    return;
  }
  h.mail_by_kind_state = std::move(*c);
  auto t = queue.trouble(clock.now(), kMailWaitingAfter, kMailFailedWarnFor);
  if (!t) {
    h.warnings.push_back(t.error().to_string());
    return;
  }
  if (t->overdue > 0) {
    std::string w = "Mail waiting: " + std::to_string(t->overdue) +
                    " email(s) not sent yet, the oldest queued at " + t->oldest_due;
    if (auto why = queue.waiting_reason(); why && *why) w += "; the mail server: " + **why;
    w += ". Nothing is lost: they are sent when the mail server takes them. Check [notify] "
         "and the relay; `iesync notify list` shows each.";
    h.warnings.push_back(std::move(w));
  }
  if (t->failed > 0)
    h.warnings.push_back(std::to_string(t->failed) +
                         " email(s) failed in the last 7 days (refused by the mail server, or "
                         "deferred too many times); `iesync notify list` shows to whom and why.");
}

}  // namespace

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
  mail_health(store, clock, h);
  if (h.recent_cycles.empty() && h.fault.empty())
    h.warnings.push_back("no cycle has run yet; run `iesync sync`");
  return h;
}

}  // namespace iesync
