#include "mapping/notify/mail.h"

namespace iesync {

const char* mail_kind_name(MailKind k) {
  return k == MailKind::chase ? "chase" : "digest";
}

}  // namespace iesync
