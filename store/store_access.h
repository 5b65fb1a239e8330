// The SQLite connection behind a Store, for code inside store/ (and the store's own tests,
// which look at tables directly). Nothing outside store/ includes this: the rest of iesync
// asks the store's classes, so every statement lives in store/.
#pragma once

#include "store/store.h"

namespace iesync {

class StoreAccess {
 public:
  static SQLite::Database& db(Store& s) { return s.db_; }
};

}  // namespace iesync
