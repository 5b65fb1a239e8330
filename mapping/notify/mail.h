// An email as the domain composes it (SPEC §9): who it is for, what it says in plain text and
// in HTML. Encoding it as MIME and sending it is the mail connector's job (connectors/email/).
#pragma once

#include <string>

#include "base/clock.h"

namespace iesync {

enum class MailKind { chase, digest };
const char* mail_kind_name(MailKind k);

struct MailMessage {
  // The queue's key for the message ("chase|2026-12-01|15:45|T01"). The Message-ID is derived
  // from it, so a message sent twice after a crash is recognisable as the same one.
  std::string key;
  MailKind kind = MailKind::chase;
  std::string to_name;     // display name, may be empty; UTF-8
  std::string to_address;  // one recipient per message
  std::string subject;     // UTF-8
  std::string text;        // the text/plain part, UTF-8
  std::string html;        // the text/html part, UTF-8
  TimePoint date{};        // the Date header
};

}  // namespace iesync
