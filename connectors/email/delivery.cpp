#include "connectors/email/delivery.h"

#include <algorithm>

namespace iesync {

namespace {

// How long the queue waits for a server that could not be reached before asking again (the
// daemon also tries after every cycle).
constexpr std::chrono::minutes kUnavailableWait{5};

void emit(EventSink& events, Severity sev, std::string kind, std::string message,
          const QueuedMail& m) {
  events.emit(Event{sev,
                    std::move(kind),
                    std::move(message),
                    {{"mail_id", std::to_string(m.id)},
                     {"kind", mail_kind_name(m.message.kind)},
                     {"day", m.day.iso()}}});
}

}  // namespace

std::chrono::seconds mail_backoff(int tries) {
  const int shift = std::clamp(tries, 0, 6);
  return std::min<std::chrono::seconds>(std::chrono::minutes{1} * (1 << shift),
                                        std::chrono::hours{1});
}

DeliveryReport deliver_mail(NotifyQueue& queue, MailSender& sender, Clock& clock,
                            EventSink& events) {
  DeliveryReport r;
  auto due = queue.due(clock.now());
  if (!due) {
    events.emit(Event{Severity::error, "notify.store", due.error().to_string(), {}});
    r.unavailable = due.error().to_string();
    return r;
  }
  for (const auto& m : *due) {
    MailSendOutcome out = sender.send(m.message);
    const std::string what = std::string(mail_kind_name(m.message.kind)) + " email to " +
                             m.message.to_address + " (" + m.day.iso() + ")";
    using K = MailSendOutcome::Kind;
    if (out.kind == K::accepted) {
      // If iesync dies before this commit, the message goes again on restart, with the same
      // Message-ID (docs/notify.md).
      if (auto s = queue.mark_sent(m.id); !s) {
        events.emit(Event{Severity::error, "notify.store", s.error().to_string(), {}});
        r.unavailable = s.error().to_string();
        return r;
      }
      ++r.sent;
      emit(events, Severity::info, "notify.sent", "Sent the " + what, m);
    } else if (out.kind == K::temporary) {
      auto st =
          queue.mark_deferred(m.id, out.smtp_code, out.detail, clock.now() + mail_backoff(m.tries));
      if (st && *st == MailState::failed) {
        ++r.failed;
        emit(events, Severity::warning, "notify.failed",
             "Gave up on the " + what + " after " + std::to_string(m.tries + 1) +
                 " tries: " + out.detail,
             m);
      } else {
        ++r.deferred;
        emit(events, Severity::info, "notify.deferred", "The " + what + " waits: " + out.detail, m);
      }
    } else if (out.kind == K::permanent) {
      (void)queue.mark_failed(m.id, out.smtp_code, out.detail);
      ++r.failed;
      emit(events, Severity::warning, "notify.failed",
           "The " + what + " was refused: " + out.detail, m);
    } else {
      (void)queue.postpone(m.id, out.detail, clock.now() + kUnavailableWait);
      r.unavailable = out.detail;
      emit(events, Severity::error, "notify.unavailable",
           "Emails are waiting: " + out.detail +
               ". Nothing is lost; they are sent when the mail "
               "server answers.",
           m);
      break;
    }
  }
  return r;
}

}  // namespace iesync
