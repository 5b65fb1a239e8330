// Where the outbox's items go (SPEC §6). A target turns pending outbox rows into marks and
// records in the MIS and says, per row, what happened; the Sender (sender.h) records that in
// the outbox. Targets never touch the store themselves, so the outbox stays the single place
// that decides what has been written.
//
// Named WriteTarget because config/config.h already has the enum WritebackTarget
// ([writeback] target = "file" | "wonde").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mapping/events.h"
#include "mapping/result.h"
#include "store/outbox.h"

namespace iesync {

enum class ItemResult {
  sent,       // handed over; the MIS has it (file target: the file is in the drop folder)
  confirmed,  // the MIS acknowledged it
  conflict,   // the MIS holds a mark iesync may not overwrite
  retry,      // temporary (429, 5xx, timeout, reset): try again later
  failed,     // the MIS refused it; retrying will not help
};

struct ItemOutcome {
  std::int64_t id = 0;  // OutboxRow::id
  ItemResult result = ItemResult::sent;
  std::string target_ref;  // file name or writeback id (sent/confirmed)
  std::string detail;      // why (conflict/retry/failed), stored as last_error
  std::optional<std::chrono::seconds> retry_after;  // the MIS's Retry-After, if any
  std::optional<Event> event;  // a target-specific Event; else the Sender writes one
};

struct SendOutcome {
  // One per row the target dealt with. A row not mentioned stays pending untouched (no try
  // counted): e.g. the rest of a batch that a conflict stopped.
  std::vector<ItemOutcome> items;
};

class WriteTarget {
 public:
  virtual ~WriteTarget() = default;
  virtual std::string name() const = 0;  // "file", "wonde": stored as the row's target

  // Before sending: rows among `pending` that already reached the MIS in a run whose commit
  // was lost (killed between write and commit). The file target finds them in its folder.
  virtual Result<std::vector<ItemOutcome>> recover(std::span<const OutboxRow> pending) {
    (void)pending;
    return std::vector<ItemOutcome>{};
  }

  // An Error means nothing was sent (e.g. the drop folder is missing): every row is retried.
  virtual Result<SendOutcome> send(std::span<const OutboxRow> rows) = 0;
};

}  // namespace iesync
