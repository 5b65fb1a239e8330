#include "mapping/retractions.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "mapping/marks.h"

namespace iesync {

std::vector<std::string> retracted_keys(const std::vector<IeSession>& before,
                                        const std::vector<IeSession>& now,
                                        const CodesConfig& codes) {
  std::map<std::string, std::vector<std::string>> now_keys;  // booking id -> keys
  for (const auto& s : now)
    now_keys[s.booking_id] = s.problem.empty() ? all_keys(s, codes) : std::vector<std::string>{};
  std::vector<std::string> out;
  for (const auto& old : before) {
    const auto& kept = now_keys[old.booking_id];
    for (auto& k : all_keys(old, codes))
      if (std::find(kept.begin(), kept.end(), k) == kept.end()) out.push_back(std::move(k));
  }
  return out;
}

std::vector<std::string> late_cancellation_keys(const std::vector<Booking>& bookings,
                                                const std::vector<IeSession>& past,
                                                const CodesConfig& codes) {
  std::set<std::pair<std::string, Date>> called_off;  // booking id, and the day it is on
  for (const auto& b : bookings)
    if (b.status == BookingStatus::absent || b.status == BookingStatus::cancelled)
      called_off.insert({b.id, b.date});
  std::vector<std::string> out;
  for (const auto& s : past)
    if (called_off.count({s.booking_id, s.date}))
      for (auto& k : all_keys(s, codes)) out.push_back(std::move(k));
  return out;
}

}  // namespace iesync
