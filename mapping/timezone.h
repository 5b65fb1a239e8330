// School time. UK schools keep Europe/London (GMT in winter, BST from the last Sunday of
// March to the last Sunday of October, changing at 01:00 UTC). g++ 12 has no tz database
// in <chrono>, so the rule is written out here; it is the same rule for every UK school.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "mapping/civil.h"

namespace iesync {

struct LocalDateTime {
  Date date;
  TimeOfDay time;
  int seconds = 0;
};

class TimeZone {
 public:
  // "Europe/London" (also "GB", "Europe/Belfast") or "UTC" ("Etc/UTC").
  static std::optional<TimeZone> named(std::string_view name);
  static TimeZone london() { return TimeZone(true, "Europe/London"); }
  static TimeZone utc() { return TimeZone(false, "UTC"); }

  const std::string& name() const { return name_; }
  // Offset from UTC at instant t, in seconds.
  int offset_at(TimePoint t) const;
  LocalDateTime to_local(TimePoint t) const;
  // The instant a local wall-clock time names. In the autumn hour that happens twice the
  // earlier instant is taken; in the spring gap the time is read as if GMT.
  TimePoint to_utc(Date d, TimeOfDay t) const;

 private:
  TimeZone(bool bst, std::string name) : uk_rule_(bst), name_(std::move(name)) {}
  bool uk_rule_;
  std::string name_;
};

}  // namespace iesync
