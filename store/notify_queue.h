// The notification queue (SPEC §9, schema v8): every email iesync sends goes here first, one
// row per message per recipient, keyed so the same message is never queued twice.
//
// States:
//   pending  waiting to be sent, or to be tried again at next_try_at
//   sent     the mail server answered 250 and the answer was committed
//   failed   refused for good (a 5xx for this recipient), or deferred (4xx) max_tries times
//
// A message is marked sent only after the server accepted it, so a crash between the
// server's 250 and that commit sends it once more on restart; its Message-ID is derived from
// the key, so that duplicate is recognisable. A server that cannot be reached costs no try:
// the message waits for it however long it is down.
//
// Beside the queue: which (teacher, lesson, pupil) has been chased, committed with the chase
// message that covers it, and which chase and digest times have run.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "mapping/civil.h"
#include "mapping/notify/chase.h"
#include "mapping/notify/mail.h"
#include "store/store.h"

namespace iesync {

enum class MailState { pending, sent, failed };
const char* mail_state_name(MailState s);

struct QueuedMail {
  std::int64_t id = 0;
  MailMessage message;  // message.date is the row's created_at
  Date day;
  MailState state = MailState::pending;
  int tries = 0;
  int smtp_code = 0;
  std::string last_error;
  std::string next_try_at;
  std::string sent_at;
  std::string created_at;
};

class NotifyQueue {
 public:
  // After `max_tries` deferrals (4xx) a message becomes failed.
  NotifyQueue(Store& store, Clock& clock, int max_tries = 8);

  // Queues the messages and records `chased` as chased now, in one transaction. A key already
  // queued is left as it is (whatever its state); a chased lesson already recorded keeps its
  // first time. Returns how many messages were new.
  Result<int> enqueue(std::span<const MailMessage> messages, Date day,
                      std::span<const ChasedLesson> chased = {});

  // Pending messages whose next_try_at has come, oldest first.
  Result<std::vector<QueuedMail>> due(TimePoint now, int limit = 200);
  Result<void> mark_sent(std::int64_t id);
  // A 4xx: pending again at next_try_at, or failed after max_tries. Returns the new state.
  Result<MailState> mark_deferred(std::int64_t id, int smtp_code, const std::string& error,
                                  TimePoint next_try_at);
  // A 5xx for this recipient: failed now.
  Result<void> mark_failed(std::int64_t id, int smtp_code, const std::string& error);
  // The server could not be reached: waits until next_try_at, no try counted.
  Result<void> postpone(std::int64_t id, const std::string& error, TimePoint next_try_at);

  // Newest first.
  Result<std::vector<QueuedMail>> list(int limit = 200);
  // Every state, 0 when empty.
  Result<std::map<MailState, int>> counts();
  // By kind and state ("chase"/"digest" -> state -> n), for metrics.
  Result<std::map<std::string, std::map<std::string, int>>> counts_by_kind();
  // The oldest pending message's last error, when the queue is waiting for the server.
  Result<std::optional<std::string>> waiting_reason();

  // What `status` and the dashboard warn about: messages still pending `grace` after they
  // were queued (the mail server is down or deferring), with when the oldest was queued,
  // and messages that failed for good in the last `recent` (older failures stay in `notify
  // list`, not among the warnings for ever).
  struct Trouble {
    int overdue = 0;
    std::string oldest_due;  // when the oldest overdue one was queued, RFC 3339 UTC
    int failed = 0;
  };
  Result<Trouble> trouble(TimePoint now, std::chrono::seconds grace, std::chrono::seconds recent);

  // Lessons chased on [first, last] with when (RFC 3339 UTC).
  Result<std::map<ChasedLesson, std::string>> chased_between(Date first, Date last);

  // Chase and digest times already run ("chase 2026-12-01 15:45", "digest 2026-12-01").
  Result<bool> ran(const std::string& slot);
  Result<void> mark_ran(const std::string& slot);

 private:
  Store& store_;
  Clock& clock_;
  int max_tries_;
};

}  // namespace iesync
