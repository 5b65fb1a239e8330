// The durable outbox (SPEC §6): every mark and record iesync writes back goes here first,
// one row per fact keyed by WriteItem::key, and every state change commits in the same
// transaction as an `audit` row saying what changed, when, towards which target and why.
//
// States:
//   pending    waiting to be sent (or to be re-sent after a retryable failure: next_try_at)
//   in_doubt   a request carrying it went out and its outcome is unknown (timeout, reset,
//              5xx, or a crash before the answer was recorded). Never sent again as it is:
//              the target reads the MIS back first (WriteTarget::recover) and the item
//              becomes sent (it is there) or pending again (it is not)
//   sent       handed to the target; final for the file target (the MIS import of the file
//              is invisible to us), the MIS has it
//   confirmed  the MIS acknowledged the write itself (Wonde target: 2xx with a writeback id)
//   conflict   the MIS holds a mark not in may_overwrite; never overwritten, reported
//   failed     gave up (too many tries, or the MIS refused the request); `outbox retry`
//   superseded dropped before it was sent (its booking was cancelled)
//   discarded  the admin discarded it (`outbox discard ID --reason`)
//
// Revisions: a mark that was sent, then retracted, then is wanted again (the booking was
// reinstated) goes back to pending with revision + 1. What a target sends as the item's
// identity is send_key(): the key itself for revision 1, "key#rN" after that, so the file
// target's crash recovery and the MIS's idempotency never mistake a new send for an old one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "mapping/writes.h"
#include "store/store.h"

namespace iesync {

enum class OutboxState {
  pending,
  in_doubt,
  sent,
  confirmed,
  conflict,
  failed,
  superseded,
  discarded
};
const char* outbox_state_name(OutboxState s);
std::optional<OutboxState> outbox_state_from_name(std::string_view s);

struct OutboxRow {
  std::int64_t id = 0;
  WriteItem item;  // item.key is the row's key
  OutboxState state = OutboxState::pending;
  int revision = 1;
  int tries = 0;
  std::string last_error;
  std::string target;       // "file" / "wonde": who sent it
  std::string target_ref;   // file name or Wonde writeback id
  std::string next_try_at;  // RFC 3339 UTC, empty = now
  std::string sent_at;
  std::string created_at;
  std::string updated_at;

  // The identity a target sends: key for revision 1, "key#rN" after.
  std::string send_key() const;
};

struct EnqueueSummary {
  int added = 0;
  int updated = 0;  // payload changed while pending/failed: updated in place
  int unchanged = 0;
  int requeued = 0;            // sent, retracted, wanted again: pending at revision + 1
  int changed_after_send = 0;  // payload changed after it was sent: left alone (audit row)
};

struct OutboxFilter {
  std::optional<OutboxState> state;
  std::string student_id;  // empty = all
  std::optional<Date> date;
  int limit = 1000;
};

// The JSON payload stored for an item (its CSV columns and the rest of WriteItem).
std::string write_item_to_json(const WriteItem& item);
Result<WriteItem> write_item_from_json(const std::string& json, const std::string& key);

// The key of the retraction that undoes mark `key` ("...|lesson_mark" -> "...|retraction").
std::string retraction_key_for(const std::string& mark_key);

class Outbox {
 public:
  // After `max_tries` retryable failures an item becomes `failed`.
  Outbox(Store& store, Clock& clock, int max_tries = 8);

  // Idempotent by key; see EnqueueSummary for what happens to an existing key.
  Result<EnqueueSummary> enqueue(std::span<const WriteItem> items);

  // Undo mark `key`: a pending (never sent) mark is superseded; a sent or confirmed one
  // gets a `retraction` item (code "-") queued. Repeating it changes nothing.
  // Returns true when something changed.
  Result<bool> retract(const std::string& key, const std::string& why);

  // Items to send now: pending and next_try_at empty or <= now, oldest first.
  Result<std::vector<OutboxRow>> due(TimePoint now, int limit);

  // Every in_doubt item (they are read back whatever their next_try_at), oldest first.
  Result<std::vector<OutboxRow>> in_doubt(int limit);

  // Just before a request carrying these pending items goes out: in_doubt, in one commit,
  // so a crash before the answer is recorded leaves them to be read back, never re-sent blind.
  Result<void> mark_in_doubt(std::span<const std::int64_t> ids, const std::string& target);
  // An in_doubt item the read-back did not find in the MIS: pending again, to send now (no
  // try counted). If its booking was cancelled meanwhile (a retraction of this revision is
  // queued), it is superseded instead. Returns the new state.
  Result<OutboxState> resend(std::int64_t id, const std::string& why);
  // A request's outcome is unknown again: stays in_doubt with the reason, a try counted.
  Result<void> note_in_doubt(std::int64_t id, const std::string& target, const std::string& why);

  // pending or in_doubt -> sent / confirmed (confirmed also from sent).
  Result<void> mark_sent(std::span<const std::int64_t> ids, const std::string& target,
                         const std::string& target_ref);
  Result<void> mark_confirmed(std::span<const std::int64_t> ids, const std::string& target,
                              const std::string& target_ref);
  Result<void> mark_conflict(std::int64_t id, const std::string& target, const std::string& detail);
  // A retryable failure: pending again at next_try_at, or `failed` after max_tries.
  // Returns the new state.
  Result<OutboxState> mark_failed_try(std::int64_t id, const std::string& target,
                                      const std::string& error, TimePoint next_try_at);
  // A failure retrying cannot fix (the MIS refused the request): `failed` now.
  Result<void> mark_failed(std::int64_t id, const std::string& target, const std::string& error);

  // Admin actions. retry: failed/conflict -> pending with tries reset. discard: any
  // unsent state -> discarded. Both error on an unknown id or a state they do not apply to.
  Result<void> retry(std::int64_t id);
  Result<void> discard(std::int64_t id, const std::string& reason);

  Result<std::vector<OutboxRow>> list(const OutboxFilter& filter);
  Result<std::optional<OutboxRow>> get(std::int64_t id);
  Result<std::optional<OutboxRow>> find(const std::string& key);
  // Every state appears, with 0 when empty.
  Result<std::map<OutboxState, int>> counts();

 private:
  Store& store_;
  Clock& clock_;
  int max_tries_;
};

}  // namespace iesync
