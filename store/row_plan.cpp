#include "store/row_plan.h"

#include <algorithm>

namespace iesync {

namespace {

struct Stored {
  std::uint64_t key, content;
  long long rowid;
};

}  // namespace

RowPlan plan_rows(std::vector<StoredRowHash> stored_rows, const std::vector<NewRowHash>& fresh,
                  bool list_kept) {
  RowPlan plan;
  const std::size_t stored_count = stored_rows.size();
  // Rows without hashes cannot be matched: they go.
  std::vector<Stored> stored;
  stored.reserve(stored_rows.size());
  for (const auto& s : stored_rows) {
    if (s.key && s.content)
      stored.push_back({*s.key, *s.content, s.rowid});
    else
      plan.deletes.push_back(s.rowid);
  }
  std::vector<StoredRowHash>().swap(stored_rows);
  // Both sides sorted by key and walked together: two sorts and a merge, rather than a
  // binary search per new row, which at 650,000 memberships is mostly cache misses.
  std::sort(stored.begin(), stored.end(),
            [](const Stored& a, const Stored& b) { return a.key < b.key; });
  std::vector<std::pair<std::uint64_t, std::size_t>> keys(fresh.size());
  for (std::size_t n = 0; n < fresh.size(); ++n) keys[n] = {fresh[n].key, n};
  std::sort(keys.begin(), keys.end());  // by key, then export order

  std::vector<char> insert(fresh.size(), 0);
  std::size_t i = 0, j = 0;
  while (i < stored.size() || j < keys.size()) {
    const std::uint64_t key = j == keys.size()     ? stored[i].key
                              : i == stored.size() ? keys[j].first
                                                   : std::min(stored[i].key, keys[j].first);
    std::size_t i_end = i, j_end = j;
    while (i_end < stored.size() && stored[i_end].key == key) ++i_end;
    while (j_end < keys.size() && keys[j_end].first == key) ++j_end;
    if (i_end - i == 1 && j_end > j) {
      // The first new row with the key (in export order) takes the stored row.
      const std::size_t n = keys[j].second;
      if (stored[i].content == fresh[n].content) {
        ++plan.unchanged;
        if (list_kept) plan.kept.emplace_back(n, stored[i].rowid);
      } else
        plan.updates.emplace_back(n, stored[i].rowid);
      ++j;
    } else {
      // No new row has the key, or more than one stored row has it: a key held twice is
      // not trusted to say which row is which, so all of them go.
      for (std::size_t k = i; k < i_end; ++k) plan.deletes.push_back(stored[k].rowid);
    }
    for (; j < j_end; ++j) insert[keys[j].second] = 1;
    i = i_end;
  }
  for (std::size_t n = 0; n < fresh.size(); ++n)
    if (insert[n]) plan.inserts.push_back(n);
  plan.delete_all = !plan.deletes.empty() && plan.deletes.size() == stored_count;
  return plan;
}

}  // namespace iesync
