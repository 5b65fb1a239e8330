#include "mapping/session.h"

#include <array>

namespace iesync {

namespace {
constexpr std::array<const char*, 4> kNames = {"booked", "attended", "absent", "cancelled"};
}

const char* booking_status_name(BookingStatus s) {
  return kNames[static_cast<size_t>(s)];
}

std::optional<BookingStatus> booking_status_from_name(std::string_view s) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (s == kNames[i]) return static_cast<BookingStatus>(i);
  return std::nullopt;
}

}  // namespace iesync
