#include "store/row_plan.h"

#include <algorithm>

namespace iesync {

RowPlan plan_rows(std::vector<StoredRowHash> stored, const std::vector<NewRowHash>& fresh) {
  RowPlan plan;
  const std::size_t stored_rows = stored.size();
  // Rows without hashes cannot be matched: they go first.
  std::erase_if(stored, [&](const StoredRowHash& s) {
    if (s.key && s.content) return false;
    plan.deletes.push_back(s.rowid);
    return true;
  });
  std::sort(stored.begin(), stored.end(),
            [](const StoredRowHash& a, const StoredRowHash& b) { return *a.key < *b.key; });
  // A key held by more than one stored row is ambiguous: all of them are deleted, and the
  // new rows with that key are inserted.
  struct Entry {
    std::uint64_t key, content;
    long long rowid;
    bool ambiguous, taken;
  };
  std::vector<Entry> keys;
  keys.reserve(stored.size());
  for (std::size_t i = 0; i < stored.size();) {
    std::size_t j = i + 1;
    while (j < stored.size() && *stored[j].key == *stored[i].key) ++j;
    const bool ambiguous = j - i > 1;
    if (ambiguous)
      for (std::size_t k = i; k < j; ++k) plan.deletes.push_back(stored[k].rowid);
    keys.push_back({*stored[i].key, *stored[i].content, stored[i].rowid, ambiguous, false});
    i = j;
  }
  for (std::size_t n = 0; n < fresh.size(); ++n) {
    auto it = std::lower_bound(keys.begin(), keys.end(), fresh[n].key,
                               [](const Entry& e, std::uint64_t k) { return e.key < k; });
    if (it == keys.end() || it->key != fresh[n].key || it->ambiguous || it->taken) {
      plan.inserts.push_back(n);
      continue;
    }
    it->taken = true;
    if (it->content == fresh[n].content)
      ++plan.unchanged;
    else
      plan.updates.emplace_back(n, it->rowid);
  }
  for (auto& e : keys)
    if (!e.ambiguous && !e.taken) plan.deletes.push_back(e.rowid);
  plan.delete_all = !plan.deletes.empty() && plan.deletes.size() == stored_rows;
  return plan;
}

}  // namespace iesync
