#include <unistd.h>

#include <iostream>

#include "daemon/commands.h"
#include "daemon/cycle.h"
#include "daemon/runtime.h"
#include "mapping/marks.h"

namespace iesync {

int cmd_sync(const CommonOptions& common, const SyncOptions& o) {
  SystemClock clock;
  int rc = 0;
  auto rt = open_runtime(common.config_path, /*with_log=*/!o.dry_run, clock, rc);
  if (!rt) return rc;
  CycleOptions opts;
  opts.dry_run = o.dry_run;
  opts.accept_drop = o.accept_drop;
  if (!o.date.empty()) {
    opts.date = Date::parse_iso(o.date);
    if (!opts.date) {
      std::cerr << "--date " << o.date << ": not a date; write it as YYYY-MM-DD\n";
      return 2;
    }
  }
  CollectingSink printed;
  std::vector<EventSink*> sinks{&printed};
  if (rt->log) sinks.push_back(rt->log.get());
  TeeSink events(sinks);
  auto report = run_cycle(rt->config, *rt->store, events, clock, opts);
  if (o.dry_run) {
    // Nothing was logged or stored: say here what would have happened.
    for (const auto& e : printed.events())
      std::cout << (e.severity == Severity::info ? "" : e.severity == Severity::warning ? "WARN  " : "ERROR ")
                << e.message << "\n";
    for (const auto& w : report.to_queue)
      std::cout << "would queue " << write_kind_name(w.kind) << " " << w.key
                << (w.code.empty() ? "" : " code " + w.code) << "\n";
    for (const auto& k : report.retracts) std::cout << "would retract " << k << " if it was sent\n";
  } else if (!rt->log || !::isatty(2)) {
    std::cout << report.summary << "\n";
  }
  return report.exit_code;
}

}  // namespace iesync
