#include "store/cycle_log.h"

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

Result<void> CycleLog::record(const CycleRecord& c) {
  return guarded(store_, "could not record the cycle", [&] {
    SQLite::Statement q(StoreAccess::db(store_),
                        "INSERT INTO cycles (started_at, finished_at, result, summary, day, "
                        "day_kind) VALUES (?,?,?,?,?,?)");
    q.bind(1, c.started_at);
    q.bind(2, c.finished_at);
    q.bind(3, c.result);
    q.bind(4, c.summary);
    if (c.day.empty())
      q.bind(5);
    else
      q.bind(5, c.day);
    if (c.day_kind.empty())
      q.bind(6);
    else
      q.bind(6, c.day_kind);
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

Result<std::optional<Date>> CycleLog::last_day_caught_up() {
  return guarded(store_, "cannot read the last day reconciled", [&] {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT max(day) FROM cycles WHERE day_kind = 'today' "
                        "AND result IN ('ok', 'record_errors')");
    std::optional<Date> out;
    if (q.executeStep() && !q.getColumn(0).isNull())
      out = Date::parse_iso(q.getColumn(0).getString());
    return out;
  });
}

}  // namespace iesync
