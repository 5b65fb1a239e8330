#include "daemon/report/format.h"

#include <array>

#include "mapping/report/report_data.h"

namespace iesync {

std::string long_date(Date d) {
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  auto ymd = d.ymd();
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         kMonths[static_cast<unsigned>(ymd.month()) - 1] + " " +
         std::to_string(static_cast<int>(ymd.year()));
}

std::string rate_or_na(const std::optional<double>& v) {
  return v ? format_rate(*v) : "n/a";
}

}  // namespace iesync
