#include "mapping/reconcile_days.h"

#include <algorithm>

namespace iesync {

std::vector<Date> days_to_reconcile(const Calendar& cal, Date today,
                                    std::optional<Date> last_reconciled, int catch_up,
                                    int look_ahead) {
  std::vector<Date> past;
  if (catch_up > 0) {
    // Walk back from yesterday over open days; a long holiday is crossed, a year is the limit.
    Date d = today.plus_days(-1);
    const Date stop = last_reconciled ? *last_reconciled : today.plus_days(-366);
    const int want = last_reconciled ? catch_up : 1;
    for (int i = 0; i < 366 && d > stop && int(past.size()) < want; ++i, d = d.plus_days(-1))
      if (cal.is_open(d)) past.push_back(d);
    std::reverse(past.begin(), past.end());
  }
  std::vector<Date> out = past;
  out.push_back(today);
  for (int i = 1; i <= look_ahead; ++i) out.push_back(cal.add_school_days(today, i));
  return out;
}

}  // namespace iesync
