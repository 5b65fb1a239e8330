// Reconciled IE sessions in the store (schema v3), kept so plan, the dashboard and the
// reports can look back over the year.
#pragma once

#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "mapping/session.h"
#include "store/store.h"

namespace iesync {

class SessionStore {
 public:
  explicit SessionStore(Store& store);

  // Replaces every session dated `d` with `sessions`, in one transaction.
  Result<void> save_day(Date d, const std::vector<IeSession>& sessions, TimePoint now);
  Result<std::vector<IeSession>> load_day(Date d);
  // Inclusive range, ordered by date then booking.
  Result<std::vector<IeSession>> load_range(Date first, Date last);

 private:
  Store& store_;
  SQLite::Database& db_;
};

}  // namespace iesync
