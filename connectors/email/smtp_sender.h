// MailSender over SMTP with libcurl: STARTTLS (smtp://, required unless the config says
// "none") or TLS from the start (smtps://), AUTH with [notify] user and the password from
// password_file, and the message built with libcurl's MIME API (curl_mime_*) as
// multipart/alternative text and HTML parts, UTF-8, quoted-printable.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "connectors/email/mail_sender.h"

namespace iesync {

struct SmtpOptions {
  std::string url;                // smtp://HOST:PORT or smtps://HOST:PORT
  bool starttls_required = true;  // smtp:// only: refuse to go on without STARTTLS
  std::string user;               // empty: no AUTH
  std::string password;
  std::string password_file;  // named in the message when the server refuses the sign-in
  std::string from;           // "IE room <ie-room@example.sch.uk>"
  std::string ca_file;        // empty: the system's CA bundle (tests give their own CA)
  std::chrono::seconds timeout{60};
};

Result<std::unique_ptr<MailSender>> make_smtp_sender(const SmtpOptions& o);

// From [notify]: reads password_file (trailing newline dropped). An error names the file.
Result<SmtpOptions> smtp_options_from(const NotifyConfig& n);

}  // namespace iesync
