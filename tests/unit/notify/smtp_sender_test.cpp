// The SMTP sender against a real SMTP server on loopback (aiosmtpd): what arrives is decoded
// with Python's email package, as a mail client would read it.
#include "connectors/email/smtp_sender.h"

#include <gtest/gtest.h>

#include "connectors/email/headers.h"
#include "tests/support/smtp_server.h"

namespace iesync {
namespace {

using test::SmtpServer;
using test::SmtpServerOptions;
using Kind = MailSendOutcome::Kind;

MailMessage chloe_message() {
  MailMessage m;
  m.key = "chase|2026-12-01|15:45|T01";
  m.to_name = "Zoë Brontë";
  m.to_address = "z.bronte@example.sch.uk";
  m.subject = "IE work to set: Chloé Martin (9X), Tuesday 1 December";
  m.text = "Chloé Martin (9X) misses your lesson 9X1/Ma at 09:50–10:50.\n";
  m.html = "<p>Chloé Martin (9X) misses your lesson 9X1/Ma at 09:50&ndash;10:50.</p>";
  m.date = TimePoint{std::chrono::seconds{1796139900}};  // 2026-12-01T15:45:00Z
  return m;
}

SmtpOptions options_for(const SmtpServer& s) {
  SmtpOptions o;
  o.url = s.url();
  o.starttls_required = !s.ca_file().empty();
  o.ca_file = s.ca_file();
  o.from = "IE room <ie-room@example.sch.uk>";
  o.timeout = std::chrono::seconds{20};
  return o;
}

std::string header(const boost::json::object& mail, const char* name) {
  const auto& h = mail.at("headers").as_object();
  auto it = h.find(name);
  return it == h.end() ? std::string() : std::string(it->value().as_string());
}

TEST(SmtpSender, UtfEightSurvivesInHeadersAndBothParts) {
  SmtpServer server;
  auto sender = make_smtp_sender(options_for(server));
  ASSERT_TRUE(sender);
  auto out = (*sender)->send(chloe_message());
  ASSERT_EQ(out.kind, Kind::accepted) << out.detail;
  auto msgs = server.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(SmtpServer::recipients(msgs[0]), "z.bronte@example.sch.uk\n");
  auto mail = SmtpServer::decode(msgs[0]);
  EXPECT_EQ(header(mail, "Subject"), "IE work to set: Chloé Martin (9X), Tuesday 1 December");
  EXPECT_EQ(header(mail, "To"), "Zoë Brontë <z.bronte@example.sch.uk>");
  EXPECT_EQ(header(mail, "From"), "IE room <ie-room@example.sch.uk>");
  EXPECT_EQ(header(mail, "Date"), "Tue, 01 Dec 2026 15:45:00 +0000");
  EXPECT_EQ(header(mail, "Message-ID"),
            message_id_for("chase|2026-12-01|15:45|T01", "ie-room@example.sch.uk"));
  EXPECT_TRUE(mail.at("defects").as_array().empty()) << boost::json::serialize(mail.at("defects"));
  const auto& parts = mail.at("parts").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].at("type").as_string(), "text/plain");
  EXPECT_EQ(parts[0].at("charset").as_string(), "utf-8");
  EXPECT_EQ(parts[0].at("text").as_string(),
            "Chloé Martin (9X) misses your lesson 9X1/Ma at 09:50–10:50.\n");
  EXPECT_EQ(parts[1].at("type").as_string(), "text/html");
  EXPECT_NE(std::string(parts[1].at("text").as_string()).find("<p>Chloé Martin (9X)"),
            std::string::npos);
  // The raw bytes carry the names encoded (7-bit clean headers), not as raw UTF-8.
  auto raw = test::slurp(msgs[0]);
  EXPECT_NE(raw.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(raw.find("multipart/alternative"), std::string::npos);
  // Line breaks travel as CRLF line breaks, not as an encoded LF a mail client may show.
  EXPECT_EQ(raw.find("=0A"), std::string::npos) << raw;
}

TEST(SmtpSender, StartTlsAndAuth) {
  SmtpServerOptions so;
  so.tls = true;
  so.auth = "iesync@example.sch.uk:s3cret word";
  SmtpServer server(so);
  auto o = options_for(server);
  o.user = "iesync@example.sch.uk";
  o.password = "s3cret word";
  auto sender = make_smtp_sender(o);
  ASSERT_TRUE(sender);
  auto out = (*sender)->send(chloe_message());
  ASSERT_EQ(out.kind, Kind::accepted) << out.detail;
  ASSERT_EQ(server.messages().size(), 1u);
  auto mail = SmtpServer::decode(server.messages()[0]);
  EXPECT_EQ(header(mail, "Subject"), "IE work to set: Chloé Martin (9X), Tuesday 1 December");
}

TEST(SmtpSender, RefusedCredentialsNamePasswordFile) {
  SmtpServerOptions so;
  so.tls = true;
  so.auth = "iesync@example.sch.uk:right";
  SmtpServer server(so);
  auto o = options_for(server);
  o.user = "iesync@example.sch.uk";
  o.password = "wrong";
  o.password_file = "/etc/iesync/smtp-password";
  auto out = (*make_smtp_sender(o))->send(chloe_message());
  EXPECT_EQ(out.kind, Kind::unavailable);
  EXPECT_NE(out.detail.find("/etc/iesync/smtp-password"), std::string::npos) << out.detail;
  EXPECT_EQ(out.detail.find("wrong"), std::string::npos) << "the password must never be shown";
  EXPECT_TRUE(server.messages().empty());
}

TEST(SmtpSender, AnUntrustedCertificateIsAnErrorNotADowngrade) {
  SmtpServerOptions so;
  so.tls = true;
  SmtpServer server(so);
  auto o = options_for(server);
  o.ca_file.clear();  // the system's CAs do not know the test certificate
  auto out = (*make_smtp_sender(o))->send(chloe_message());
  EXPECT_EQ(out.kind, Kind::unavailable);
  EXPECT_NE(out.detail.find("TLS"), std::string::npos) << out.detail;
  EXPECT_TRUE(server.messages().empty());
}

TEST(SmtpSender, StartTlsRequiredButNotOffered) {
  SmtpServer server;  // plain
  auto o = options_for(server);
  o.starttls_required = true;
  auto out = (*make_smtp_sender(o))->send(chloe_message());
  EXPECT_EQ(out.kind, Kind::unavailable);
  EXPECT_NE(out.detail.find("STARTTLS"), std::string::npos) << out.detail;
  EXPECT_TRUE(server.messages().empty());
}

TEST(SmtpSender, FourXxIsTemporaryFiveXxIsPermanent) {
  SmtpServerOptions so;
  so.rcpt_codes = {"later@example.sch.uk=451", "gone@example.sch.uk=550"};
  SmtpServer server(so);
  auto sender = *make_smtp_sender(options_for(server));
  auto m = chloe_message();
  m.to_address = "later@example.sch.uk";
  auto t = sender->send(m);
  EXPECT_EQ(t.kind, Kind::temporary) << t.detail;
  EXPECT_EQ(t.smtp_code, 451);
  m.to_address = "gone@example.sch.uk";
  auto p = sender->send(m);
  EXPECT_EQ(p.kind, Kind::permanent) << p.detail;
  EXPECT_EQ(p.smtp_code, 550);
  EXPECT_TRUE(server.messages().empty());
}

TEST(SmtpSender, ServerDownIsUnavailable) {
  SmtpServer server;
  auto o = options_for(server);
  server.stop();
  auto out = (*make_smtp_sender(o))->send(chloe_message());
  EXPECT_EQ(out.kind, Kind::unavailable) << out.detail;
}

TEST(MailHeaders, EncodedWordsSplitOnlyBetweenCharacters) {
  std::string long_name;
  for (int i = 0; i < 40; ++i) long_name += "é";
  auto enc = encode_header_text(long_name);
  // Each encoded word is at most 75 characters (RFC 2047 §2).
  std::size_t start = 0;
  int words = 0;
  while ((start = enc.find("=?UTF-8?B?", start)) != std::string::npos) {
    auto end = enc.find("?=", start + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - start, 75u);
    start = end + 2;
    ++words;
  }
  EXPECT_GE(words, 2);
  EXPECT_EQ(encode_header_text("Plain\r\nBcc: x@y"), "Plain  Bcc: x@y");
  EXPECT_EQ(format_mailbox({"Smith, J.", "j@x.sch.uk"}), "\"Smith, J.\" <j@x.sch.uk>");
  EXPECT_FALSE(parse_mailbox("no address"));
  EXPECT_EQ(parse_mailbox("IE room <ie@x.sch.uk>")->name, "IE room");
}

}  // namespace
}  // namespace iesync
