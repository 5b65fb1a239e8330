#include "connectors/email/smtp_sender.h"

#include <fstream>
#include <sstream>

#include "connectors/email/headers.h"
#include "connectors/http/curl_library.h"

namespace iesync {

namespace {

// RAII for the three libcurl objects a send needs.
struct Easy {
  const curl::Library& lib;
  CURL* h = lib.easy_init();
  ~Easy() {
    if (h) lib.easy_cleanup(h);
  }
};
struct Slist {
  const curl::Library& lib;
  curl_slist* l = nullptr;
  void add(const std::string& s) { l = lib.slist_append(l, s.c_str()); }
  ~Slist() { lib.slist_free_all(l); }
};
struct Mime {
  const curl::Library& lib;
  curl_mime* m = nullptr;
  ~Mime() {
    if (m) lib.mime_free(m);
  }
};

// The server's address for messages: scheme, host and port (a URL never holds the password,
// which goes through CURLOPT_PASSWORD, but keep messages to what the admin recognises).
std::string server_of(const std::string& url) {
  auto p = url.find("://");
  auto rest = p == std::string::npos ? url : url.substr(p + 3);
  return rest.substr(0, rest.find('/'));
}

// Every line break as CRLF, whether the text had LF or CRLF.
std::string crlf(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  return out;
}

class SmtpSender final : public MailSender {
 public:
  SmtpSender(SmtpOptions o, Mailbox from) : o_(std::move(o)), from_(std::move(from)) {}
  std::string name() const override { return "smtp"; }

  MailSendOutcome send(const MailMessage& m) override {
    const curl::Library* loaded = curl::library();
    if (!loaded) return {MailSendOutcome::Kind::unavailable, 0, curl::load_error()};
    const curl::Library& lib = *loaded;
    Easy easy{lib};
    if (!easy.h) return {MailSendOutcome::Kind::unavailable, 0, "libcurl could not start"};
    CURL* c = easy.h;
    Mailbox to{m.to_name, m.to_address};

    // Both parts go in one multipart/alternative part, as libcurl's own smtp-mime example
    // builds it; libcurl adds MIME-Version and the boundaries.
    Mime mime{lib}, alt{lib};
    mime.m = lib.mime_init(c);
    alt.m = lib.mime_init(c);
    // A text part's line breaks are CRLF (RFC 2045): libcurl's quoted-printable encoder keeps
    // CRLF as a line break but writes a bare LF as "=0A", which some clients show literally.
    const std::string text_crlf = crlf(m.text), html_crlf = crlf(m.html);
    curl_mimepart* text = lib.mime_addpart(alt.m);
    lib.mime_data(text, text_crlf.data(), text_crlf.size());
    lib.mime_type(text, "text/plain; charset=UTF-8");
    lib.mime_encoder(text, "quoted-printable");
    curl_mimepart* html = lib.mime_addpart(alt.m);
    lib.mime_data(html, html_crlf.data(), html_crlf.size());
    lib.mime_type(html, "text/html; charset=UTF-8");
    lib.mime_encoder(html, "quoted-printable");
    curl_mimepart* body = lib.mime_addpart(mime.m);
    lib.mime_subparts(body, alt.m);
    alt.m = nullptr;  // owned by `mime` now
    lib.mime_type(body, "multipart/alternative");

    Slist headers{lib};
    headers.add("Date: " + format_mail_date(m.date));
    headers.add("From: " + format_mailbox(from_));
    headers.add("To: " + format_mailbox(to));
    headers.add("Subject: " + encode_header_text(m.subject));
    headers.add("Message-ID: " + message_id_for(m.key, from_.address));
    headers.add("Auto-Submitted: auto-generated");  // RFC 3834: no auto-replies to a robot
    Slist rcpt{lib};
    rcpt.add("<" + m.to_address + ">");
    const std::string mail_from = "<" + from_.address + ">";

    lib.easy_setopt(c, CURLOPT_URL, o_.url.c_str());
    lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    lib.easy_setopt(c, CURLOPT_TIMEOUT, long(o_.timeout.count()));
    // TLS is verified always: a certificate failure is an error, never a quiet downgrade.
    lib.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    lib.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!o_.ca_file.empty()) lib.easy_setopt(c, CURLOPT_CAINFO, o_.ca_file.c_str());
    lib.easy_setopt(c, CURLOPT_USE_SSL,
                    o_.starttls_required ? long(CURLUSESSL_ALL) : long(CURLUSESSL_NONE));
    if (!o_.user.empty()) {
      lib.easy_setopt(c, CURLOPT_USERNAME, o_.user.c_str());
      lib.easy_setopt(c, CURLOPT_PASSWORD, o_.password.c_str());
    }
    lib.easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
    lib.easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.l);
    lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers.l);
    lib.easy_setopt(c, CURLOPT_MIMEPOST, mime.m);
    char errbuf[CURL_ERROR_SIZE] = {0};
    lib.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

    CURLcode rc = lib.easy_perform(c);
    long code = 0;
    lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    return classify(rc, int(code), errbuf[0] ? errbuf : lib.easy_strerror(rc), m.to_address);
  }

 private:
  MailSendOutcome classify(CURLcode rc, int code, const std::string& why,
                           const std::string& rcpt) const {
    using K = MailSendOutcome::Kind;
    const std::string server = server_of(o_.url);
    switch (rc) {
      case CURLE_OK:
        return {K::accepted, code, "accepted by " + server};
      case CURLE_LOGIN_DENIED:
        return {K::unavailable, code,
                "the mail server " + server + " refused to sign in as " + dq_user() +
                    ": check [notify] user and the password in " +
                    (o_.password_file.empty() ? std::string("[notify] password_file")
                                              : o_.password_file + " ([notify] password_file)")};
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return {K::unavailable, code,
                "the TLS connection to the mail server " + server + " failed (" + why +
                    "); nothing was sent. Check the server's certificate and name in smtp_url"};
      case CURLE_USE_SSL_FAILED:
        return {K::unavailable, code,
                "the mail server " + server +
                    " does not offer STARTTLS, which [notify] starttls "
                    "requires; nothing was sent. Use the relay's TLS port (smtps://HOST:465 or "
                    "smtp://HOST:587)"};
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_GOT_NOTHING:
        return {K::unavailable, code,
                "the mail server " + server + " cannot be reached (" + why +
                    "); the messages stay queued and are sent when it answers"};
      default:
        break;
    }
    if (code >= 500 && code < 600)
      return {K::permanent, code,
              "the mail server refused the message to " + rcpt + " with " + std::to_string(code) +
                  " (" + why + "); check the teacher's email in the staff export"};
    if (code >= 400 && code < 500)
      return {K::temporary, code,
              "the mail server deferred the message to " + rcpt + " with " + std::to_string(code) +
                  " (" + why + "); it is tried again"};
    return {K::unavailable, code,
            "sending to the mail server " + server + " failed (" + why +
                "); the messages stay queued and are tried again"};
  }
  std::string dq_user() const { return "\"" + o_.user + "\""; }

  SmtpOptions o_;
  Mailbox from_;
};

}  // namespace

Result<std::unique_ptr<MailSender>> make_smtp_sender(const SmtpOptions& o) {
  auto from = parse_mailbox(o.from);
  if (!from)
    return make_error("[notify] from", "\"" + o.from + "\" is not an email address",
                      "write it like \"IE room <ie-room@example.sch.uk>\"");
  if (o.url.rfind("smtp://", 0) != 0 && o.url.rfind("smtps://", 0) != 0)
    return make_error("[notify] smtp_url",
                      "\"" + o.url + "\" is not an smtp:// or smtps:// address",
                      "write \"smtp://HOST:587\" or \"smtps://HOST:465\"");
  return std::unique_ptr<MailSender>(new SmtpSender(o, *from));
}

Result<SmtpOptions> smtp_options_from(const NotifyConfig& n) {
  SmtpOptions o;
  o.url = n.smtp_url;
  o.starttls_required = n.starttls_required;
  o.user = n.user;
  o.from = n.from;
  o.password_file = n.password_file.string();
  if (!n.user.empty()) {
    std::ifstream in(n.password_file, std::ios::binary);
    if (!in)
      return make_error(n.password_file.string(), "cannot read the mail password",
                        "check [notify] password_file names a file the iesync user can read");
    std::stringstream ss;
    ss << in.rdbuf();
    o.password = ss.str();
    while (!o.password.empty() && (o.password.back() == '\n' || o.password.back() == '\r'))
      o.password.pop_back();
  }
  return o;
}

}  // namespace iesync
