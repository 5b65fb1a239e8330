// `[store] retain` (SPEC §2): what iesync keeps about children is kept no longer than the
// school's retention period. Once per cycle purge_expired() deletes, in one transaction:
//   - IE sessions (and the lessons each covered) dated before the cutoff day,
//   - bookings dated before the cutoff day (a later bookings export that still holds them
//     brings them back until the next purge: the MIS export should be limited in time),
//   - behaviour incidents dated before the cutoff day (the same holds for the behaviour
//     export),
//   - outbox items in a final state (anything but `pending`) last changed before the cutoff,
//   - audit rows older than the cutoff, except erasure records (they hold no personal data
//     and are the school's proof that an erasure happened),
//   - Classroom cache rows not fetched since the cutoff,
//   - `cycles` rows started before the cutoff,
//   - queued emails about a day before the cutoff day, or sent/failed and last changed before
//     the cutoff, and chase records of lessons before the cutoff day (both name pupils).
// Log files are swept by SyncLog itself (daemon/sync_log.h).
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "base/events.h"
#include "base/result.h"
#include "store/store.h"

namespace iesync {

struct PurgeCounts {
  long long sessions = 0;
  long long session_lessons = 0;
  long long bookings = 0;
  long long incidents = 0;
  long long outbox = 0;
  long long audit = 0;
  long long classroom = 0;  // rows over all the Classroom cache tables
  long long cycles = 0;
  long long notify_messages = 0;  // notify_queue rows
  long long notify_chased = 0;

  long long total() const {
    return sessions + session_lessons + bookings + incidents + outbox + audit + classroom + cycles +
           notify_messages + notify_chased;
  }
  // "3 IE session(s), 12 lesson(s), ..." naming only what was removed; "" when nothing.
  std::string describe() const;
};

// The audit action of an erasure record (kept by the purge; written by store/student_data).
inline constexpr const char* kErasureAuditAction = "student_erased";

// Everything older than `now - retain`. Day-dated rows (sessions, bookings) go when their day
// is before the UTC day of the cutoff. A zero or negative `retain` purges nothing.
Result<PurgeCounts> purge_expired(Store& store, std::chrono::seconds retain, TimePoint now);

// What a cycle calls: purges, and says so in one event ("store.purged") when anything was
// removed, or one error event when the purge failed. Silent when there was nothing to do.
void purge_expired_and_report(Store& store, std::chrono::seconds retain, TimePoint now,
                              EventSink& events);

}  // namespace iesync
