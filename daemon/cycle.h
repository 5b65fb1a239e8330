// One sync cycle (SPEC §1 `iesync sync`, and each scheduled cycle of `iesync run`):
// import the MIS exports, read Classroom for the day's IE lessons, reconcile the sessions,
// queue the marks and records that are due, and send the outbox.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/events.h"
#include "config/config.h"
#include "connectors/classroom/api_result.h"
#include "connectors/classroom/metrics.h"
#include "connectors/classroom/pass_cache.h"
#include "connectors/mis/importer.h"
#include "daemon/env.h"
#include "mapping/session.h"
#include "mapping/writes.h"
#include "store/store.h"

namespace iesync {

struct CycleOptions {
  std::optional<Date> date;  // default: today in school time
  bool dry_run = false;      // change nothing anywhere; report what would happen
  bool accept_drop = false;  // apply exports held by [safety]
};

struct CycleReport {
  int exit_code = 0;  // an ExitCode: ok, problems (record-level errors) or failed
  Date date;
  ImportResult import;
  std::vector<IeSession> sessions;
  int problems = 0;                   // bookings that cover nothing, with a reason
  std::vector<WriteItem> to_queue;    // due now (in a dry run: would be queued)
  std::vector<std::string> retracts;  // keys retracted (or that would be)
  int queued = 0;
  int sent = 0;
  int conflicts = 0;
  int in_doubt = 0;  // write-backs whose outcome is unknown: read back next cycle
  int failed = 0;
  bool classroom_stale = false;
  std::string summary;  // the one-line summary also logged
};

struct CycleDeps {
  ClassroomMetrics* classroom_metrics = nullptr;
  // Shared by the cycles of one pass over several days, so a course is read once per pass;
  // null: this cycle reads what it needs itself.
  ClassroomPass* classroom_pass = nullptr;
  Sleeper sleep;  // empty: the Env's sleeps
  // Asked between steps; true makes the cycle stop there (the daemon is shutting down). What
  // was committed stays; the next cycle redoes the rest.
  std::function<bool()> stop_requested;
};

// The time, HTTP clients and the write-back target come from `env`.
CycleReport run_cycle(const Config& cfg, Store& store, EventSink& events, Env& env,
                      const CycleOptions& opts, const CycleDeps& deps = {});

}  // namespace iesync
