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
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/events.h"
#include "base/result.h"
#include "store/outbox.h"

namespace iesync {

enum class ItemResult {
  sent,       // handed over; the MIS has it (file target: the file is in the drop folder)
  confirmed,  // the MIS acknowledged it
  conflict,   // the MIS holds a mark iesync may not overwrite
  retry,      // temporary, and nothing was applied (429, 503, refused connection): try later
  failed,     // the MIS refused it; retrying will not help
  in_doubt,   // the request went out and its outcome is unknown (timeout, reset, 500):
              // read the MIS back before it is ever sent again
  not_there,  // recover() only: an in-doubt item the MIS does not hold; send it again
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
  // One per row the target dealt with. A row not mentioned stays as it was, no try counted:
  // e.g. everything after a lookup the MIS would not answer.
  std::vector<ItemOutcome> items;
  // Why the target stopped before dealing with every row, if it did (for the log).
  std::optional<Error> stopped;
};

// Called by a target with the ids of the rows a request is about to carry, just before it
// goes out; the Sender records them in_doubt. If it fails, the request is not sent.
using BeforePost = std::function<Result<void>(std::span<const std::int64_t>)>;

class WriteTarget {
 public:
  virtual ~WriteTarget() = default;
  virtual std::string name() const = 0;  // "file", "wonde": stored as the row's target

  // Before sending: which of `rows` already reached the MIS in a run whose outcome was lost.
  // The file target finds pending rows in its folder (killed between write and commit); the
  // Wonde target reads in_doubt rows back: `sent` (it is there) or `not_there`. A row not
  // mentioned stays as it is (an in_doubt row whose read-back failed is not sent).
  virtual Result<std::vector<ItemOutcome>> recover(std::span<const OutboxRow> rows) {
    (void)rows;
    return std::vector<ItemOutcome>{};
  }

  // An Error means nothing was sent (e.g. the drop folder is missing): every row is retried.
  // A target that can lose a request's answer calls before_post before each request.
  virtual Result<SendOutcome> send(std::span<const OutboxRow> rows,
                                   const BeforePost& before_post) = 0;
};

}  // namespace iesync
