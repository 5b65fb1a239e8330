// Takes due items from the outbox, sends them through a WriteTarget and records the outcome.
//
// Crash safety (SIGKILL at any point loses and duplicates nothing):
//  - an item is marked only after the target reports it; a crash before that leaves it
//    pending, so it is sent again next run;
//  - "sent again" is made harmless by the target: the file target first looks for the
//    item's key in the files already in the folder (WriteTarget::recover). The Wonde API
//    has no idempotency key, so an item is recorded in_doubt in the store just before the
//    request carrying it goes out (BeforePost), and an in_doubt item is read back from the
//    MIS (WriteTarget::recover) before it is ever sent again;
//  - each outcome is committed with its audit row in one transaction (the items of one file
//    or one Wonde batch together).
#pragma once

#include <chrono>
#include <map>
#include <vector>

#include "base/clock.h"
#include "base/events.h"
#include "connectors/writeback/target.h"
#include "store/outbox.h"

namespace iesync {

struct SenderOptions {
  int batch_limit = 500;  // items taken from the outbox per run
  std::chrono::seconds base_backoff{60};
  std::chrono::seconds max_backoff{6 * 3600};
};

struct SendSummary {
  int recovered = 0;  // found already written by an interrupted run
  int sent = 0;
  int confirmed = 0;
  int conflict = 0;
  int retry = 0;
  int failed = 0;
  int in_doubt = 0;   // sent, outcome unknown: read back from the MIS next run
  int untouched = 0;  // left as they were by the target, no try counted
};

// Backoff before try `tries + 1`: base * 2^tries, capped; a longer Retry-After wins.
std::chrono::seconds writeback_backoff(int tries, std::optional<std::chrono::seconds> retry_after,
                                       const SenderOptions& opts);

class Sender {
 public:
  Sender(Outbox& outbox, WriteTarget& target, Clock& clock, EventSink& events,
         SenderOptions opts = {});

  // One pass over what is due now. An Error means the store could not record an outcome
  // (the item stays as it was and is dealt with next run).
  Result<SendSummary> run_once();

 private:
  Result<void> record(const OutboxRow& row, const ItemOutcome& o, SendSummary& sum);
  Result<void> record_all(const std::map<std::int64_t, const OutboxRow*>& rows,
                          const std::vector<ItemOutcome>& outcomes, SendSummary& sum);
  Outbox& outbox_;
  WriteTarget& target_;
  Clock& clock_;
  EventSink& events_;
  SenderOptions opts_;
};

// "lesson mark for student 001042 (9X1/Ma 09:50, 2026-11-23)": how Events name an item.
std::string describe_item(const WriteItem& item);

}  // namespace iesync
