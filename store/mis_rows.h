// Each MIS feed's table as the diff apply writes it: its TableSpec and how one record of the
// school (mapping/school.h, mapping/behaviour.h) becomes one row. Shared by a whole apply
// (MisStore::replace_*) and the record cache's quick path, so both write the same rows.
#pragma once

#include <optional>
#include <vector>

#include "mapping/behaviour.h"
#include "mapping/school.h"
#include "store/feed_apply.h"

namespace iesync {

const TableSpec& table_of(Feed f);

void row_of(const Student& s, RowImage& r);
void row_of(const Staff& s, RowImage& r);
void row_of(const Membership& m, RowImage& r);
void row_of(const Lesson& l, RowImage& r);
void row_of(const Booking& b, RowImage& r);
void row_of(const Incident& i, RowImage& r);

template <class T>
Result<ApplyCounts> replace_rows(Store& store, Feed f, const std::vector<T>& v,
                                 const AppliedFeed& a, const RecordHashes* records = nullptr) {
  return apply_feed(
      store, f, table_of(f), v.size(), [&](std::size_t i, RowImage& r) { row_of(v[i], r); }, a,
      records);
}

template <class T>
Result<std::optional<ChangedApplied>> apply_changed_rows(Store& store, Feed f,
                                                         const std::vector<T>& v,
                                                         const ChangedRecords& changed,
                                                         const AppliedFeed& a) {
  return apply_changed(
      store, f, table_of(f), v.size(), [&](std::size_t i, RowImage& r) { row_of(v[i], r); },
      changed, a);
}

}  // namespace iesync
