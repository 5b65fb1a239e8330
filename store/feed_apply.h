// Applying a changed feed as a diff (issue 20): the new export's rows are compared with what
// the feed's table holds, by a hash of each row's identity and of its whole content (kept in
// the row_key and row_hash columns), and only the inserts, updates and deletes are written.
// The table ends exactly as a full replace would leave it; a nightly re-export with a handful
// of changes writes a handful of rows instead of the whole school.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "mapping/rules.h"
#include "store/row_image.h"
#include "store/store.h"

namespace iesync {

struct AppliedFeed;

struct TableSpec {
  const char* table;
  std::vector<const char*> columns;  // in the order rows are built, the key's columns first
  std::size_t key_columns;           // 0: no natural key; a row is known by all its values
};

struct ApplyCounts {
  std::size_t inserted = 0, updated = 0, deleted = 0, unchanged = 0;
};

// Builds new row i (the image comes cleared).
using RowSource = std::function<void(std::size_t, RowImage&)>;

// Brings t to exactly rows 0..n-1 of `row`. Throws SQLite::Exception: the caller's savepoint
// rolls back.
ApplyCounts apply_rows(SQLite::Database& db, const TableSpec& t, std::size_t n,
                       const RowSource& row);

// One feed applied whole or not at all: its rows and its feed_state row in one savepoint
// (inside the import's transaction when there is one). `what` names the feed in the error,
// e.g. "the students feed".
Result<ApplyCounts> apply_feed(Store& store, Feed f, const TableSpec& t, std::size_t n,
                               const RowSource& row, const AppliedFeed& a);

// A savepoint that rolls back unless released. SQLiteCpp's own leaves the transaction open
// after a rollback, so this one releases it too.
class Savepoint {
 public:
  Savepoint(SQLite::Database& db, std::string name);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();  // throws SQLite::Exception

 private:
  SQLite::Database& db_;
  std::string name_;
  bool done_ = false;
};

// Every feed of one import in one transaction: one commit (one sync of the write-ahead log)
// however many feeds changed, each feed in its own savepoint so a bad feed rolls back alone.
// When the transaction cannot begin, the feeds' savepoints each commit on their own, as
// before.
class ImportTransaction {
 public:
  explicit ImportTransaction(Store& store);
  ~ImportTransaction();  // rolls back unless committed
  ImportTransaction(const ImportTransaction&) = delete;
  ImportTransaction& operator=(const ImportTransaction&) = delete;
  Result<void> commit();

 private:
  Store& store_;
  bool open_ = false;
};

}  // namespace iesync
