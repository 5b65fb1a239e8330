#include "store/cycle_log.h"

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

Result<void> CycleLog::record(const CycleRecord& c) {
  return guarded(store_, "could not record the cycle", [&] {
    SQLite::Statement q(StoreAccess::db(store_),
                        "INSERT INTO cycles (started_at, finished_at, result, summary) "
                        "VALUES (?,?,?,?)");
    q.bind(1, c.started_at);
    q.bind(2, c.finished_at);
    q.bind(3, c.result);
    q.bind(4, c.summary);
    q.exec();
  });
}

Result<std::vector<CycleRecord>> CycleLog::recent(int n) {
  return guarded(store_, "cannot read the last cycles", [&] {
    std::vector<CycleRecord> out;
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT started_at, COALESCE(finished_at, ''), COALESCE(result, ''), "
                        "COALESCE(summary, '') FROM cycles ORDER BY id DESC LIMIT ?");
    q.bind(1, n);
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getString()});
    return out;
  });
}

}  // namespace iesync
