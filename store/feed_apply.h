// Applying a changed feed as a diff (issue 20): the new export's rows are compared with what
// the feed's table holds, by a hash of each row's identity and of its whole content (kept in
// the row_key and row_hash columns), and only the inserts, updates and deletes are written.
// The table ends exactly as a full replace would leave it; a nightly re-export with a handful
// of changes writes a handful of rows instead of the whole school.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "mapping/rules.h"
#include "store/record_cache.h"
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

// Brings t to exactly rows 0..n-1 of `row`. With `refs`, also says which rowid and identity
// hash each new row has (raw left 0). Throws SQLite::Exception: the caller's savepoint rolls
// back.
ApplyCounts apply_rows(SQLite::Database& db, const TableSpec& t, std::size_t n,
                       const RowSource& row, std::vector<CachedRecord>* refs = nullptr);

// What a feed read whole needs to leave a record cache: the context of its records, and the
// hash of the raw record each new row came from (nullopt when unknown: then no cache).
struct RecordHashes {
  std::uint64_t context = 0;
  std::function<std::optional<std::uint64_t>(std::size_t)> raw_of;
};

// One feed applied whole or not at all: its rows, its feed_state row and its record cache
// (written from `records`, else dropped) in one savepoint (inside the import's transaction
// when there is one).
Result<ApplyCounts> apply_feed(Store& store, Feed f, const TableSpec& t, std::size_t n,
                               const RowSource& row, const AppliedFeed& a,
                               const RecordHashes* records = nullptr);

// A changed export applied from its changed records alone (the record cache's quick path).
struct ChangedRecords {
  std::uint64_t context = 0;           // of the new export's records, for its cache
  const RecordCache* cache = nullptr;  // the feed's cache, as read
  std::vector<CachedRecord> gone;      // its records the new export no longer has, sorted
                                       // (every other is kept)
  std::vector<std::uint64_t> raw;      // the raw hash of each new row's record, in row order
  // Students that went from the students table in this import, and the column of this
  // table naming a student: no row kept may still name one of them (else each must be
  // reported as a skipped record, which only reading the export whole can do).
  std::vector<std::string> students_gone;
  const char* student_column = nullptr;
  // The column of each deleted row that gone_keys holds (students: the id; memberships: the
  // class).
  std::size_t gone_column = 0;
  // Asked once the rows are written, before they are kept, with gone_keys: false rolls them
  // back (and the feed is read whole). For checks of the table as a whole, e.g. whether a
  // class lost its last member.
  std::function<bool(const std::vector<std::string>& gone_keys)> accept;
};

struct ChangedApplied {
  ApplyCounts counts;
  std::vector<std::string> gone_keys;  // gone_column of each row deleted
};

// Brings t from the cache's rows to the kept ones + the n new rows, which equals what apply_feed
// would make of the whole export, counts included. nullopt, with nothing written, when that cannot
// be known from the changed records alone: the cache does not match the table, a new row's
// identity is a kept row's (a duplicate the mapper must report), two stored rows share an
// identity, or a kept row names a student gone. The feed must then be read whole.
Result<std::optional<ChangedApplied>> apply_changed(Store& store, Feed f, const TableSpec& t,
                                                    std::size_t n, const RowSource& row,
                                                    const ChangedRecords& changed,
                                                    const AppliedFeed& a);

// A feed read a piece at a time (issue 16): its new rows wait in a temp table of the store,
// not in memory, and the diff against the feed's table is made there, so an export of millions
// of short records costs memory for one piece of it. apply_staged leaves the table, the counts
// and feed_state exactly as apply_feed would from the same rows in the same order; the record
// cache is dropped (the next export is read whole, or staged again).
class StagedRows {
 public:
  // Creates the temp tables; throws SQLite::Exception.
  StagedRows(Store& store, const TableSpec& t);
  ~StagedRows();  // drops them
  StagedRows(const StagedRows&) = delete;
  StagedRows& operator=(const StagedRows&) = delete;

  // The next new row, and the hash of the raw record it came from (for the record cache;
  // nullopt when unknown: then no cache). Throws SQLite::Exception.
  void add(const RowImage& row, std::optional<std::uint64_t> raw);
  std::size_t size() const { return rows_; }
  // The record that first had `key` (a mapper's duplicate check across pieces), or nullopt
  // when new, and now held with `number`. Throws SQLite::Exception.
  std::optional<std::size_t> first(std::string_view key, std::size_t number);
  // Distinct values of column `c` among the rows (memberships: the classes).
  std::size_t distinct(std::size_t c);
  // Rows whose column `c` is not among `in_column` of `table` (lessons of classes nobody is a
  // member of), and the least such value.
  std::pair<std::size_t, std::string> not_in(std::size_t c, const char* table,
                                             const char* in_column);

 private:
  friend Result<ApplyCounts> apply_staged(Store&, Feed, StagedRows&, const AppliedFeed&,
                                          std::optional<std::uint64_t>);
  SQLite::Database& db_;
  const TableSpec& t_;
  std::optional<SQLite::Statement> insert_, key_insert_, key_find_;
  std::size_t rows_ = 0;
  bool all_raw_ = true;  // every row has its raw record's hash
  std::optional<int> temp_cache_before_;
};

// With `cache_context`, the feed's record cache is written from the rows' raw hashes (as
// apply_feed writes it from RecordHashes), so the next export can be read from its changed
// records; without, it is dropped.
Result<ApplyCounts> apply_staged(Store& store, Feed f, StagedRows& rows, const AppliedFeed& a,
                                 std::optional<std::uint64_t> cache_context);

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
  // True once SQLite has rolled the transaction back by itself, which it does on a full disk,
  // an I/O error or running out of memory in some statements: nothing applied in it is kept,
  // and a feed applied after would commit on its own, out of step with those it was checked
  // against.
  bool lost() const;

 private:
  Store& store_;
  bool open_ = false;
};

}  // namespace iesync
