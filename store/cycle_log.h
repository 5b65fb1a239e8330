// The cycle log (the `cycles` table): one row per sync cycle, what it did and how it ended.
// Written at the end of each cycle, read by `iesync status`, the daemon's status server and
// /healthz.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace iesync {

struct CycleRecord {
  std::string started_at;  // UTC, RFC 3339 (format_utc)
  std::string finished_at;
  std::string result;  // ok, record_errors, failed
  std::string summary;
};

class CycleLog {
 public:
  explicit CycleLog(Store& store) : store_(store) {}

  Result<void> record(const CycleRecord& c);
  // The last `n` cycles, newest first.
  Result<std::vector<CycleRecord>> recent(int n);

 private:
  Store& store_;
};

}  // namespace iesync
