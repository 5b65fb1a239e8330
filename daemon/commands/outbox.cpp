#include "store/outbox.h"

#include <iostream>

#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "daemon/runtime.h"
#include "mapping/shown_text.h"

namespace iesync {

namespace {

std::string column(std::string_view text) {
  std::string out = shown(text);
  for (std::size_t at = 0; (at = out.find('\t', at)) != std::string::npos; at += 4)
    out.replace(at, 1, "\\x09");
  return out;
}

}  // namespace

int cmd_outbox(const CommonOptions& common, const OutboxOptions& o) {
  Clock& clock = common.env->clock();
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, false, clock, rc);
  if (!rt) return rc;
  Outbox outbox(*rt->store, clock);
  if (o.action == "retry" || o.action == "discard") {
    if (o.id <= 0) {
      std::cerr << "outbox " << o.action << ": give the item's id (see `iesync outbox list`)\n";
      return ExitCode::invalid;
    }
    if (o.action == "discard" && o.reason.empty()) {
      std::cerr << "outbox discard: say why with --reason TEXT (it is kept in the audit trail)\n";
      return ExitCode::invalid;
    }
    auto r = o.action == "retry" ? outbox.retry(o.id) : outbox.discard(o.id, o.reason);
    if (!r) {
      std::cerr << shown(r.error().to_string()) << "\n";
      return ExitCode::problems;
    }
    std::cout << "item " << o.id
              << (o.action == "retry" ? " will be sent again on the next cycle\n" : " discarded\n");
    return ExitCode::ok;
  }
  OutboxFilter f;
  if (!o.state.empty()) {
    f.state = outbox_state_from_name(o.state);
    if (!f.state) {
      std::cerr << "--state " << o.state
                << ": use pending, sent, confirmed, conflict, failed, superseded or discarded\n";
      return ExitCode::invalid;
    }
  }
  auto rows = outbox.list(f);
  if (!rows) {
    std::cerr << rows.error().to_string() << "\n";
    return ExitCode::failed;
  }
  if (rows->empty()) std::cout << "The outbox is empty.\n";
  // Keys hold student ids and class codes, and last_error the MIS's own answer: both are
  // escaped, and a tab in either would shift the columns a script reads by.
  for (const auto& r : *rows) {
    std::cout << r.id << "\t" << outbox_state_name(r.state) << "\t" << column(r.item.key)
              << "\ttries " << r.tries;
    if (!r.last_error.empty()) std::cout << "\t" << column(r.last_error);
    std::cout << "\n";
  }
  return ExitCode::ok;
}

}  // namespace iesync
