// The notifications of SPEC §9 as one step the daemon runs after each cycle (and at each
// chase and digest time): queue the chase and digest emails whose time has come, then send
// what the queue holds. Also what `iesync notify` and POST /api/v1/chase use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/events.h"
#include "config/config.h"
#include "connectors/email/delivery.h"
#include "mapping/notify/chase.h"
#include "mapping/notify/mail.h"
#include "store/store.h"

namespace iesync {

// The chase emails that a chase at `now` would send (lessons from now to the end of the next
// school day, not chased before), with the lessons each covers. `slot` names the chase time
// in the keys ("15:45", or "now 12:03:10" for a chase sent by hand).
struct ComposedChase {
  std::vector<MailMessage> messages;
  std::vector<ChasedLesson> chased;
  std::vector<TeacherChase> could_not_chase;
};
Result<ComposedChase> compose_chase(const Config& cfg, Store& store, Clock& clock,
                                    const std::string& slot);

// The behaviour lead's digest of `day`, one message per address in [notify] behaviour_lead.
Result<std::vector<MailMessage>> compose_digest(const Config& cfg, Store& store, Clock& clock,
                                                Date day);

// The sender [notify] asks for; an error names what to fix.
Result<std::unique_ptr<MailSender>> make_mail_sender(const NotifyConfig& n);

struct NotifyStepReport {
  int queued = 0;
  std::vector<std::string> ran;  // slot ids run
  DeliveryReport delivery;
  bool failed = false;  // the store or the sender could not be used (said in events)
};

// Queues what is due at clock.now() (nothing unless [notify] enabled), then delivers.
NotifyStepReport run_notify_step(const Config& cfg, Store& store, EventSink& events, Clock& clock);

// `notify send --kind chase` and the dashboard's "Chase now": queue now what the next
// chase_at would send, then deliver.
NotifyStepReport chase_now(const Config& cfg, Store& store, EventSink& events, Clock& clock);
// `notify send --kind digest [--date D]`.
NotifyStepReport digest_now(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                            Date day);

// What the daemon runs after each round of cycles: the chase and digest times that have
// come, then (when the dashboard asked for it) a chase now, then the queue.
void notify_after_cycle(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                        bool chase_requested);

// When the daemon should next wake for a chase or digest time; nullopt when notify is off.
std::optional<TimePoint> next_notify_at(const Config& cfg, Clock& clock);

}  // namespace iesync
