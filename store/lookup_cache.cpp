#include "store/lookup_cache.h"

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

std::optional<std::string> LookupCache::get(const std::string& name, const std::string& day) {
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT value FROM lookup_cache WHERE name = ? AND day = ?");
    q.bind(1, name);
    q.bind(2, day);
    if (q.executeStep()) return q.getColumn(0).getString();
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void LookupCache::put(const std::string& name, const std::string& day, const std::string& value) {
  try {
    SQLite::Statement q(
        StoreAccess::db(store_),
        "INSERT INTO lookup_cache(name, day, value) VALUES (?,?,?) "
        "ON CONFLICT(name) DO UPDATE SET day = excluded.day, value = excluded.value");
    q.bind(1, name);
    q.bind(2, day);
    q.bind(3, value);
    q.exec();
  } catch (const std::exception&) {
  }
}

void LookupCache::forget(const std::string& name) {
  try {
    SQLite::Statement q(StoreAccess::db(store_), "DELETE FROM lookup_cache WHERE name = ?");
    q.bind(1, name);
    q.exec();
  } catch (const std::exception&) {
  }
}

}  // namespace iesync
