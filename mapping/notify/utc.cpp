#include "mapping/notify/utc.h"

namespace iesync {

std::optional<TimePoint> parse_utc_text(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return std::nullopt;
  int v[6];
  const int at[6] = {0, 5, 8, 11, 14, 17};
  const int len[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    v[i] = 0;
    for (int k = 0; k < len[i]; ++k) {
      char c = s[std::size_t(at[i] + k)];
      if (c < '0' || c > '9') return std::nullopt;
      v[i] = v[i] * 10 + (c - '0');
    }
  }
  std::chrono::year_month_day ymd{std::chrono::year{v[0]}, std::chrono::month{unsigned(v[1])},
                                  std::chrono::day{unsigned(v[2])}};
  if (!ymd.ok() || v[3] > 23 || v[4] > 59 || v[5] > 59) return std::nullopt;
  return TimePoint{std::chrono::sys_days{ymd}} + std::chrono::hours{v[3]} +
         std::chrono::minutes{v[4]} + std::chrono::seconds{v[5]};
}

}  // namespace iesync
