// The diff apply's plan, pure: given the rows a feed's table holds (rowid, identity hash,
// content hash) and the rows the new export maps to (identity and content hash, in order),
// which stored rows to delete, which to update in place with which new row, and which new
// rows to insert. Applying the plan (deletes, then updates, then inserts) leaves the table
// holding exactly the new rows, as a full replace would.
//
// Only the hashes are compared. A stored identity hash shared by two rows (two rows with the
// same key, which a keyless table may have; or, about once in 2^64, two keys that hash alike)
// is not trusted to say which is which: those rows are all deleted and the new rows with that
// identity inserted. An update rewrites every column, the key included, so a new row that
// takes a stored row whose key only hashes alike still ends with its own key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace iesync {

struct StoredRowHash {
  long long rowid = 0;
  // nullopt for a row written before the store kept hashes: it is replaced.
  std::optional<std::uint64_t> key, content;
};

struct NewRowHash {
  std::uint64_t key = 0, content = 0;
};

struct RowPlan {
  std::vector<long long> deletes;                          // rowids
  std::vector<std::pair<std::size_t, long long>> updates;  // (new row, rowid it rewrites)
  std::vector<std::size_t> inserts;                        // new rows, in export order
  std::size_t unchanged = 0;
  // (new row, rowid it already is) for each unchanged row, when asked for.
  std::vector<std::pair<std::size_t, long long>> kept;
  bool delete_all = false;  // every stored row goes: one DELETE of the table will do
};

RowPlan plan_rows(std::vector<StoredRowHash> stored, const std::vector<NewRowHash>& fresh,
                  bool list_kept = false);

}  // namespace iesync
