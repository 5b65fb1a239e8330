// The cycle log (the `cycles` table): one row per sync cycle, what it did and how it ended.
// Written at the end of each cycle, read by `iesync status`, the daemon's status server and
// /healthz.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "mapping/civil.h"
#include "store/store.h"

namespace iesync {

struct CycleRecord {
  std::string started_at;  // UTC, RFC 3339 (format_utc)
  std::string finished_at;
  std::string result;  // ok, record_errors, failed
  std::string summary;
  // The school day reconciled, and how it stood to the day the cycle ran on: "catch_up"
  // (before), "today", "look_ahead" (after). Empty for cycles that reconciled no day.
  std::string day;
  std::string day_kind;
};

class CycleLog {
 public:
  explicit CycleLog(Store& store) : store_(store) {}

  Result<void> record(const CycleRecord& c);
  // The last `n` cycles, newest first.
  Result<std::vector<CycleRecord>> recent(int n);
  // The latest day reconciled as that day's own cycle by a cycle that did not fail (ok or
  // record errors): where catching up starts after a restart. nullopt when there is none.
  Result<std::optional<Date>> last_day_caught_up();

 private:
  Store& store_;
};

}  // namespace iesync
