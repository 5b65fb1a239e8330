// [notify] (SPEC §2, §9): how chase emails and the digest leave. Read whether or not it is
// enabled, so a typo is caught before the admin turns it on; the keys a transport needs are
// required only when notify is enabled.
#include <algorithm>

#include "config/load_parts.h"

namespace iesync::cfg {

namespace {

// "ie-room@example.sch.uk" or "IE room <ie-room@example.sch.uk>": an address with one '@'
// that has text on both sides. Deliverability is the relay's to judge.
bool plausible_address(std::string_view s) {
  auto lt = s.rfind('<');
  if (lt != std::string_view::npos) {
    if (s.empty() || s.back() != '>') return false;
    s = s.substr(lt + 1, s.size() - lt - 2);
  }
  auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
         s.find('@', at + 1) == std::string_view::npos &&
         s.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

}  // namespace

void read_notify(TableReader& r, Config& c, const std::filesystem::path& config_path,
                 const LoadOptions& opts) {
  NotifyConfig& n = c.notify;
  if (auto b = r.boolean("enabled")) n.enabled = *b;
  if (auto t = r.string("transport", Need::optional, "\"smtp\"")) {
    if (*t == "smtp")
      n.transport = MailTransport::smtp;
    else if (*t == "dir")
      n.transport = MailTransport::dir;
    else
      r.doc().error(*r.table().get("transport"),
                    "[notify] transport: " + dq(*t) + " is not a mail transport",
                    "use \"smtp\" (a mail relay) or \"dir\" (each message as an .eml file in dir)");
  }
  const bool smtp = n.transport == MailTransport::smtp;
  const Need smtp_need = n.enabled && smtp ? Need::required : Need::optional;
  if (auto u = r.string("smtp_url", smtp_need, "\"smtp://mail.example.sch.uk:587\"")) {
    if (u->rfind("smtp://", 0) == 0 || u->rfind("smtps://", 0) == 0)
      n.smtp_url = *u;
    else
      r.doc().error(*r.table().get("smtp_url"),
                    "[notify] smtp_url: " + dq(*u) + " is not an smtp:// or smtps:// address",
                    "write \"smtp://HOST:587\" (STARTTLS) or \"smtps://HOST:465\" (TLS from the "
                    "start)");
  }
  if (auto s = r.string("starttls", Need::optional, "\"required\"")) {
    if (*s == "required")
      n.starttls_required = true;
    else if (*s == "none")
      n.starttls_required = false;
    else
      r.doc().error(*r.table().get("starttls"),
                    "[notify] starttls: " + dq(*s) + " is not \"required\" or \"none\"",
                    "use \"required\"; \"none\" only for a relay on this machine (127.0.0.1)");
  }
  if (!n.starttls_required && n.smtp_url.rfind("smtp://", 0) == 0) {
    // Without TLS the password and the pupils' names would cross the network in clear.
    std::string host = n.smtp_url.substr(7);
    host = host.substr(0, host.find_first_of(":/"));
    if (host != "127.0.0.1" && host != "localhost" && host != "[::1]")
      r.doc().error(
          *r.table().get("starttls"),
          "[notify] starttls = \"none\" for " + dq(n.smtp_url) + ", which is not on this machine",
          "use starttls = \"required\", or smtps:// on port 465");
  }
  if (auto s = r.string("user", Need::optional, "\"iesync@example.sch.uk\"")) n.user = *s;
  std::optional<ResolvedPath> password;
  if (auto s = r.string("password_file", Need::optional, "\"/etc/iesync/smtp-password\"")) {
    if (!s->empty()) {
      password = resolve_path(config_path, *s);
      n.password_file = password->absolute;
    }
  }
  if (!n.user.empty() && !password)
    r.doc().error(r.table(), "[notify] has a user but no password_file",
                  "add password_file = \"/etc/iesync/smtp-password\" (a file holding the "
                  "password, chmod 600), or remove user for a relay that needs no sign-in");
  if (password && n.enabled && smtp && opts.check_secrets)
    check_secret(r.doc(), *r.table().get("password_file"), "[notify] password_file", *password);
  if (auto s = r.string("from", n.enabled ? Need::required : Need::optional,
                        "\"IE room <ie-room@example.sch.uk>\"")) {
    if (plausible_address(*s))
      n.from = *s;
    else
      r.doc().error(*r.table().get("from"), "[notify] from: " + dq(*s) + " is not an email address",
                    "write it like \"IE room <ie-room@example.sch.uk>\"");
  }
  if (auto list =
          r.string_array("behaviour_lead", Need::optional, "[\"behaviour@example.sch.uk\"]")) {
    const auto& arr = *r.table().get("behaviour_lead")->as_array();
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (plausible_address((*list)[i]))
        n.behaviour_lead.push_back((*list)[i]);
      else
        r.doc().error(arr[i],
                      "[notify] behaviour_lead: " + dq((*list)[i]) + " is not an email address",
                      "write each address like \"behaviour@example.sch.uk\"");
    }
  }
  if (auto times = r.string_array("chase_at", Need::optional, "[\"15:45\", \"08:00\"]")) {
    const auto& arr = *r.table().get("chase_at")->as_array();
    std::vector<TimeOfDay> out;
    for (std::size_t i = 0; i < times->size(); ++i) {
      auto t = TimeOfDay::parse((*times)[i]);
      if (!t)
        r.doc().error(arr[i], "[notify] chase_at: " + dq((*times)[i]) + " is not a time",
                      "write times as \"HH:MM\", like \"15:45\"");
      else if (std::find(out.begin(), out.end(), *t) != out.end())
        r.doc().error(arr[i], "[notify] chase_at: " + dq((*times)[i]) + " is listed twice",
                      "list each time once");
      else
        out.push_back(*t);
    }
    if (out.size() == times->size()) {
      std::sort(out.begin(), out.end());
      n.chase_at = out;
    }
  }
  if (auto t = r.time("digest_at", Need::optional, "\"16:15\"")) n.digest_at = *t;
  if (auto s = r.string("dir", n.enabled && !smtp ? Need::required : Need::optional,
                        "\"/var/spool/iesync/mail\"")) {
    if (!s->empty()) n.dir = resolve_path(config_path, *s).absolute;
  }
  r.finish();
}

}  // namespace iesync::cfg
