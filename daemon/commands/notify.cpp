// `iesync notify preview|send|list` (SPEC §1, §9).
#include <iostream>

#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "daemon/notify/notify_step.h"
#include "daemon/runtime.h"
#include "mapping/shown_text.h"
#include "store/notify_queue.h"

namespace iesync {

namespace {

void print_message(const MailMessage& m) {
  std::cout << "To: "
            << shown(m.to_name.empty() ? m.to_address : m.to_name + " <" + m.to_address + ">")
            << "\nSubject: " << shown(m.subject) << "\n\n"
            << shown(m.text) << "\n----\n";
}

int print_report(const NotifyStepReport& r) {
  std::cout << r.queued << " email(s) queued; " << r.delivery.sent << " sent";
  if (r.delivery.deferred) std::cout << ", " << r.delivery.deferred << " deferred (tried again)";
  if (r.delivery.failed) std::cout << ", " << r.delivery.failed << " failed";
  std::cout << "\n";
  if (r.delivery.unavailable)
    std::cout << "Not sent yet: " << shown(*r.delivery.unavailable) << "\n";
  return r.failed || r.delivery.unavailable || r.delivery.failed || r.delivery.deferred
             ? ExitCode::problems
             : ExitCode::ok;
}

}  // namespace

int cmd_notify(const CommonOptions& common, const NotifyOptions& o) {
  SystemClock clock;
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, o.action == "send", clock, rc);
  if (!rt) return rc;
  Date day = school_today(rt->config, clock);
  if (!o.date.empty()) {
    auto d = Date::parse_iso(o.date);
    if (!d) {
      std::cerr << "--date " << o.date << ": write the day as YYYY-MM-DD\n";
      return ExitCode::invalid;
    }
    day = *d;
  }
  if (o.action == "list") {
    NotifyQueue q(*rt->store, clock);
    auto rows = q.list(200);
    if (!rows) {
      std::cerr << rows.error().to_string() << "\n";
      return ExitCode::failed;
    }
    if (rows->empty()) std::cout << "No emails queued.\n";
    for (const auto& m : *rows) {
      std::cout << m.id << "\t" << mail_state_name(m.state) << "\t"
                << mail_kind_name(m.message.kind) << "\t" << m.day.iso() << "\t"
                << shown(m.message.to_address) << "\ttries " << m.tries;
      if (!m.sent_at.empty()) std::cout << "\tsent " << m.sent_at;
      if (!m.last_error.empty() && m.state != MailState::sent)
        std::cout << "\t" << shown(m.last_error);
      std::cout << "\n";
    }
    return ExitCode::ok;
  }
  if (o.action == "preview") {
    auto chase = compose_chase(rt->config, *rt->store, clock, "preview");
    if (!chase) {
      std::cerr << shown(chase.error().to_string()) << "\n";
      return ExitCode::failed;
    }
    std::cout << "# Chase now: " << chase->messages.size() << " email(s)\n";
    for (const auto& m : chase->messages) print_message(m);
    for (const auto& t : chase->could_not_chase)
      std::cout << "Could not chase " << shown(t.teacher_name) << ": no email in the staff export ("
                << t.items.size() << " lesson(s))\n";
    auto digest = compose_digest(rt->config, *rt->store, clock, day);
    if (!digest) {
      std::cerr << shown(digest.error().to_string()) << "\n";
      return ExitCode::failed;
    }
    std::cout << "# Digest for " << day.iso() << ": " << digest->size() << " email(s)\n";
    for (const auto& m : *digest) print_message(m);
    return ExitCode::ok;
  }
  // send
  EventSink& events = *rt->log;
  int exit = 0;
  if (o.kind.empty() || o.kind == "chase")
    exit |= print_report(chase_now(rt->config, *rt->store, events, clock));
  if (o.kind.empty() || o.kind == "digest")
    exit |= print_report(digest_now(rt->config, *rt->store, events, clock, day));
  return exit;
}

}  // namespace iesync
