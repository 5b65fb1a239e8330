// The Clock seam: everything that asks "what time is it" asks a Clock, so tests can
// run a school day (or ten thousand cycles) without waiting for it.
#pragma once

#include <atomic>
#include <chrono>

namespace iesync {

using TimePoint = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint t) : t_(t.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint{std::chrono::seconds{t_.load()}}; }
  void set(TimePoint t) { t_ = t.time_since_epoch().count(); }
  void advance(std::chrono::seconds d) { t_ += d.count(); }

 private:
  std::atomic<long long> t_;
};

// RFC 3339 UTC, "2026-11-23T09:05:00Z".
std::string format_utc(TimePoint t);

}  // namespace iesync
