// What the status server knows about the daemon: a copy taken under the daemon's lock, so the
// server's handlers are pure functions of (request, snapshot) and never touch the store on the
// I/O thread. The plan of a day is the one thing that needs the store; the server asks the
// StatusSource for it off the I/O thread.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "connectors/classroom/metrics.h"
#include "mapping/calendar.h"
#include "mapping/civil.h"
#include "store/cycle_log.h"

namespace iesync {

// A new export that [safety] max_roster_drop holds back: until it is applied (with the command
// below) or replaced by another export, iesync keeps using the old list, and the behaviour lead
// and the admin need to see that wherever they look, not only in sync.log.
struct HeldExport {
  std::string feed;    // "students", "memberships"
  std::string reason;  // "the new export has 610 students, 50% fewer than ..."
};

inline constexpr const char* kApplyHeldCommand = "iesync sync --accept-drop";

// The plain-English warning for a held export, as `iesync status` and the status JSON show it.
inline std::string held_export_warning(const HeldExport& h) {
  return "The new " + h.feed + " export is held, not applied: " + h.reason +
         ". iesync keeps using the old list. If the drop is real (a new school year, say), run `" +
         kApplyHeldCommand + "`; otherwise correct the export in the MIS.";
}

struct StatusSnapshot {
  using TimePoint = std::chrono::system_clock::time_point;

  std::string school_name;
  std::string version;
  std::string timezone = "Europe/London";  // [school] timezone: the dashboard shows school time
  TimePoint now{};
  Date today;  // school time zone
  // The school calendar, so the dashboard's previous/next links step over weekends, holidays
  // and INSET days; null when the daemon has none (then only weekends are skipped).
  std::shared_ptr<const Calendar> calendar;
  std::chrono::seconds interval{900};  // [schedule] interval
  bool notify_enabled = false;         // [notify] enabled: the dashboard offers "Chase now"
  bool cycle_running = false;
  bool cycle_queued = false;
  std::optional<TimePoint> last_success;    // end of the last cycle with result ok/record_errors
  std::optional<TimePoint> last_cycle_end;  // end of the last cycle, whatever its result
  std::optional<TimePoint> next_cycle;      // when the scheduler will start the next one
  double last_cycle_seconds = 0;
  std::vector<CycleRecord> recent_cycles;  // newest first, at most 10

  // Counters since the daemon started (Prometheus counters).
  std::map<std::string, std::uint64_t> cycles_by_result;          // "ok", "record_errors", "failed"
  std::map<std::string, std::uint64_t> records_imported_by_feed;  // "students", ... (accepted)
  std::map<std::string, std::uint64_t> rejected_feeds_by_feed;    // exports moved to rejected/
  std::vector<ClassroomMetrics::Row> classroom_requests;          // by method and status
  // Gauges read from the store after each cycle.
  std::map<std::string, std::int64_t>
      outbox_by_state;  // pending, sent, confirmed, conflict, failed, ...
  std::map<std::string, std::map<std::string, int>>
      mail_by_kind_state;                // chase/digest -> state -> n
  std::vector<std::string> warnings;     // plain English, as `iesync status`
  std::vector<HeldExport> held_exports;  // each also has its line in warnings
  // Why the store cannot be used right now (locked by another process, cannot be read), from
  // the daemon's check after a failed cycle; empty when it can. Cycles cannot succeed until it
  // clears, so the service is unhealthy whenever the last one succeeded.
  std::string store_fault;

  // 200 on /healthz when the last successful cycle ended within 3 intervals (SPEC §7) and
  // the store can be used.
  bool healthy() const {
    return store_fault.empty() && last_success && now - *last_success <= 3 * interval;
  }
  // Cycles succeed, but something needs the admin (a held export, failed write-backs): the
  // service is up, so /healthz stays 200, and every view says "degraded" with the warnings.
  bool degraded() const { return healthy() && !warnings.empty(); }
};

// Implemented by the daemon; the server's only way to reach it. Thread-safe.
class StatusSource {
 public:
  virtual ~StatusSource() = default;
  virtual StatusSnapshot snapshot() = 0;
  // The JSON document of docs/plan.md for a day. Reads the store: may block, so the server
  // calls it from a worker thread, never the I/O thread.
  virtual Result<boost::json::object> plan(Date date) = 0;
  // Starts a cycle now, or queues one if a cycle is running (never two in parallel).
  // Returns false when one is already queued.
  virtual bool request_sync() = 0;
  // Sends the chase of SPEC §9 now (after the running cycle, if any). Returns false when
  // notify is off or a chase is already queued.
  virtual bool request_chase() { return false; }
  // The dashboard's impact part (daemon/impact/pupil_impact.h, SPEC §10) for `today`; reads
  // the store like plan(). A source without one shows no impact part.
  virtual Result<boost::json::object> impact(Date /*today*/) { return boost::json::object{}; }
  // The pupil page's document (GET /api/v1/student/ID); nullopt for a pupil nobody knows.
  virtual Result<std::optional<boost::json::object>> student(const std::string& /*id*/,
                                                             Date /*today*/) {
    return std::optional<boost::json::object>{};
  }
};

}  // namespace iesync
