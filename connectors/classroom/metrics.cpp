#include "connectors/classroom/metrics.h"

namespace iesync {

void ClassroomMetrics::count(std::string_view method, int status) {
  std::lock_guard lock(mu_);
  ++counts_[{std::string(method), status}];
}

std::vector<ClassroomMetrics::Row> ClassroomMetrics::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<Row> rows;
  for (const auto& [k, n] : counts_) rows.push_back({k.first, k.second, n});
  return rows;
}

std::uint64_t ClassroomMetrics::requests(std::string_view method) const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [k, c] : counts_)
    if (method.empty() || k.first == method) n += c;
  return n;
}

void ClassroomMetrics::reset() {
  std::lock_guard lock(mu_);
  counts_.clear();
}

}  // namespace iesync
