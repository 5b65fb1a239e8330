// Sends what the notification queue holds (store/notify_queue.h) through a MailSender, one
// message per recipient, and records each outcome: 250 -> sent; a 4xx -> tried again with
// backoff, failed after the queue's max tries; a 5xx -> failed for that recipient alone, the
// others still go; a server that cannot be reached (or refuses TLS or the sign-in) -> the run
// stops and everything waits, no try counted, so nothing is lost however long it is down.
#pragma once

#include <optional>
#include <string>

#include "base/events.h"
#include "connectors/email/mail_sender.h"
#include "store/notify_queue.h"

namespace iesync {

struct DeliveryReport {
  int sent = 0;
  int deferred = 0;  // 4xx, tried again later
  int failed = 0;    // refused for good this run
  // Set when the run stopped because the server could not be reached; plain English.
  std::optional<std::string> unavailable;
};

DeliveryReport deliver_mail(NotifyQueue& queue, MailSender& sender, Clock& clock,
                            EventSink& events);

// The wait before the next try after `tries` deferrals: 1, 2, 4 ... minutes, at most an hour.
std::chrono::seconds mail_backoff(int tries);

}  // namespace iesync
