#include "mapping/rules.h"

namespace iesync {

const char* feed_name(Feed f) {
  switch (f) {
    case Feed::students:
      return "students";
    case Feed::staff:
      return "staff";
    case Feed::memberships:
      return "memberships";
    case Feed::timetable:
      return "timetable";
    case Feed::bookings:
      return "bookings";
    case Feed::behaviour:
      return "behaviour";
  }
  return "?";
}

std::optional<Feed> feed_from_name(std::string_view name) {
  for (Feed f : kAllFeeds)
    if (name == feed_name(f)) return f;
  return std::nullopt;
}

}  // namespace iesync
