#include <unistd.h>

#include <iostream>

#include "daemon/commands.h"
#include "daemon/cycle.h"
#include "daemon/exit_code.h"
#include "daemon/runtime.h"
#include "daemon/status/snapshot.h"
#include "mapping/marks.h"
#include "mapping/shown_text.h"

namespace iesync {

int cmd_sync(const CommonOptions& common, const SyncOptions& o) {
  Clock& clock = common.env->clock();
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, /*with_log=*/!o.dry_run, clock, rc);
  if (!rt) return rc;
  CycleOptions opts;
  opts.dry_run = o.dry_run;
  opts.accept_drop = o.accept_drop;
  if (!o.date.empty()) {
    opts.date = Date::parse_iso(o.date);
    if (!opts.date) {
      std::cerr << "--date " << o.date << ": not a date; write it as YYYY-MM-DD\n";
      return ExitCode::invalid;
    }
  }
  CollectingSink printed;
  std::vector<EventSink*> sinks{&printed};
  if (rt->log) sinks.push_back(rt->log.get());
  TeeSink events(sinks);
  auto report = run_cycle(rt->config, *rt->store, events, *common.env, opts);
  if (o.dry_run) {
    // Nothing was logged or stored: say here what would have happened. Messages and keys
    // carry export values, so the terminal gets them as sync.log does, escaped.
    for (const auto& e : printed.events())
      std::cout << (e.severity == Severity::info      ? ""
                    : e.severity == Severity::warning ? "WARN  "
                                                      : "ERROR ")
                << shown(e.message) << "\n";
    for (const auto& w : report.to_queue)
      std::cout << "would queue " << write_kind_name(w.kind) << " " << shown(w.key)
                << (w.code.empty() ? "" : " code " + shown(w.code)) << "\n";
    for (const auto& k : report.retracts)
      std::cout << "would retract " << shown(k) << " if it was sent\n";
  } else if (!rt->log || !::isatty(2)) {
    std::cout << shown(report.summary) << "\n";
    // The summary counts the day's sessions; a held export is the one thing in this run the
    // admin must act on, so it is said here too (on a terminal, the log's echo says it).
    for (const auto& f : report.import.feeds) {
      if (f.status != FeedStatus::held) continue;
      std::cout << "WARN  " << shown(f.message);
      if (f.message.find(kApplyHeldCommand) == std::string::npos)
        std::cout << (f.message.ends_with('.') ? " " : ". ") << "If the drop is real, run `"
                  << kApplyHeldCommand << "`.";
      std::cout << "\n";
    }
  }
  return report.exit_code;
}

}  // namespace iesync
