// Mail header values (RFC 5322) for what libcurl's MIME API does not build itself: encoded
// words for non-ASCII text (RFC 2047), mailboxes, the Date and a Message-ID derived from the
// queue key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace iesync {

// Text for an unstructured header (Subject) or a display name: returned as it is when it is
// printable ASCII, else as "=?UTF-8?B?...?=" encoded words of at most 75 characters, split
// only between whole UTF-8 characters and joined by a space. CR and LF never pass
// through (a name from an export must not inject a header).
std::string encode_header_text(std::string_view utf8);

struct Mailbox {
  std::string name;     // UTF-8, may be empty
  std::string address;  // addr-spec
};
// "IE room <ie-room@example.sch.uk>" or "ie-room@example.sch.uk"; nullopt when there is no
// single plausible address.
std::optional<Mailbox> parse_mailbox(std::string_view s);
// The header form: the name encoded (or quoted when it holds specials), then <address>.
std::string format_mailbox(const Mailbox& m);

// RFC 5322 date-time in UTC: "Tue, 01 Dec 2026 15:45:00 +0000".
std::string format_mail_date(TimePoint t);

// "<HEX.iesync@DOMAIN>": a hash of the queue key, so the same message always carries the same
// id (a resend after a crash is a recognisable duplicate) and the key itself (which names a
// teacher code and a date) is not shown.
std::string message_id_for(std::string_view key, std::string_view from_address);

}  // namespace iesync
