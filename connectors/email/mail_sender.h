// The seam between the notification queue and the mail relay: one message to one recipient,
// and what became of it. The queue's logic is tested against this interface; the real one
// (smtp_sender.h) speaks SMTP through libcurl.
#pragma once

#include <string>

#include "mapping/notify/mail.h"

namespace iesync {

struct MailSendOutcome {
  enum class Kind {
    accepted,     // the server answered 250 to the message: done
    temporary,    // a 4xx for this recipient or message: try again later
    permanent,    // a 5xx for this recipient or message: retrying will not help; failed
    unavailable,  // no conversation (server down, TLS or sign-in refused): stop this run,
                  // keep everything queued
  };
  Kind kind = Kind::accepted;
  int smtp_code = 0;   // the server's last reply code, 0 when there was none
  std::string detail;  // plain English, safe to log (never the password)
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  virtual MailSendOutcome send(const MailMessage& m) = 0;
  // A short name for logs and the queue ("smtp", "dir").
  virtual std::string name() const = 0;
};

}  // namespace iesync
