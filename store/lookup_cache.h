// A day's cache of what a write-back target looked up in the MIS (its students, attendance
// codes, behaviour attributes): a school's whole roll is not worth fetching every cycle, and
// the ids it maps to do not change within a day. A value is kept per name for one day; a
// value from another day is not returned.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"

namespace iesync {

class LookupCache {
 public:
  explicit LookupCache(Store& store) : store_(store) {}
  // The value stored under `name` for `day` (YYYY-MM-DD), if any. A store error reads as a
  // miss: the caller then fetches afresh, which is always correct.
  std::optional<std::string> get(const std::string& name, const std::string& day);
  // Best effort: a value that cannot be stored is fetched again next time.
  void put(const std::string& name, const std::string& day, const std::string& value);
  void forget(const std::string& name);

 private:
  Store& store_;
};

}  // namespace iesync
