// Shared by the status-server tests: a synthetic school day (no real people), a snapshot of
// a daemon that synced four minutes ago, and a StatusSource a test can steer.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>

#include "base/clock.h"
#include "daemon/status/snapshot.h"

namespace iesync::statustest {

namespace json = boost::json;

inline Date day() {
  return Date::from_ymd(2026, 11, 23);
}  // a Monday, GMT

inline StatusSnapshot::TimePoint at(int h, int m) {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{h} +
         std::chrono::minutes{m};
}

// 10:30 on Monday 23 November; the last cycle succeeded at 10:26.
inline StatusSnapshot healthy_snapshot() {
  StatusSnapshot s;
  s.school_name = "Northfield Test Academy";
  s.version = "0.1.0";
  s.now = at(10, 30);
  s.today = day();
  s.interval = std::chrono::minutes{15};
  s.last_success = at(10, 26);
  s.last_cycle_end = at(10, 26);
  s.next_cycle = at(10, 41);
  s.last_cycle_seconds = 3.25;
  s.recent_cycles.push_back(
      {"2026-11-23T10:26:00Z", "2026-11-23T10:26:03Z", "ok", "imported 3 feeds"});
  s.cycles_by_result = {{"ok", 40}, {"failed", 2}};
  s.records_imported_by_feed = {{"students", 1200}, {"timetable", 5400}};
  s.rejected_feeds_by_feed = {{"bookings", 1}};
  s.classroom_requests = {{"courses.get", 200, 12}, {"courseWork.list", 429, 3}};
  s.outbox_by_state = {{"pending", 2}, {"confirmed", 30}};
  return s;
}

inline json::object lesson(const std::string& cls, const std::string& subject,
                           const std::string& teacher, const std::string& start,
                           const std::string& end, const std::string& status,
                           json::array items = {}, const std::string& mark_state = "sent") {
  json::object work{
      {"status", status}, {"items", std::move(items)}, {"checked_at", "2026-11-23T10:26:00Z"}};
  if (status == "unknown") work["last_known"] = "set";
  return json::object{
      {"class", cls},
      {"subject", subject},
      {"teacher", teacher},
      {"room", "R1"},
      {"start", start},
      {"end", end},
      {"course_id", status == "no_course" ? json::value(nullptr) : json::value("c-" + cls)},
      {"work", std::move(work)},
      {"mark", json::object{{"code", "/"}, {"state", mark_state}}}};
}

inline json::object item(const std::string& title, const std::string& link,
                         const std::string& state) {
  return json::object{{"id", "cw-" + title},
                      {"title", title},
                      {"link", link},
                      {"state", state},
                      {"due", "2026-11-23 15:00"}};
}

inline json::object session(const std::string& id, const std::string& name, const std::string& reg,
                            const std::string& status, json::array lessons) {
  return json::object{
      {"booking_id", "IE-" + id},
      {"student", json::object{{"id", id}, {"name", name}, {"year", "9"}, {"reg_group", reg}}},
      {"start", "08:50"},
      {"end", "15:10"},
      {"status", status},
      {"room", "Focus Room"},
      {"reason", "DB"},
      {"lessons", std::move(lessons)}};
}

inline const char* kHostileName = "<script>alert(\"x\")</script> O'Neil & Co";

// Three students at 10:30: lessons before now, after now, not set, set, handed in, unknown.
inline json::object busy_plan() {
  json::array sam{
      lesson("9X1/Ma", "Mathematics", "Turner, George (GTU)", "08:50", "09:50", "not_set", {},
             "confirmed"),
      lesson(
          "9X1/En", "English", "Hale, Priya (PHA)", "09:50", "10:50", "handed_in",
          {item("Poetry essay", "https://classroom.google.com/c/AAA/a/BBB/details", "TURNED_IN")}),
      lesson("9X1/Sc", "Science", "Okafor, Bea (BOK)", "11:10", "12:10", "not_set", {}, "planned"),
      lesson("9X1/Hi", "History", "Turner, George (GTU)", "13:10", "14:10", "set",
             {item("Castles", "https://classroom.google.com/c/AAA/a/CCC/details", "CREATED")},
             "planned"),
  };
  json::array hostile{
      lesson("9Y2/Sc", "Science", "Okafor, Bea (BOK)", "11:10", "12:10", "not_set", {}, "planned"),
      lesson("9Y2/Fr", "French", "Dubois, Anne (ADU)", "09:50", "10:50", "unknown", {}, "conflict"),
      lesson("9Y2/Dr", "Drama", "Ward, Kim (KWA)", "13:10", "14:10", "no_course",
             {item("Bad link", "javascript:alert(1)", "NEW")}, "planned"),
  };
  json::array cancelled{
      lesson("9Z3/Gg", "Geography", "Nash, Lee (LNA)", "13:10", "14:10", "not_set", {},
             "not written"),
  };
  return json::object{
      {"date", "2026-11-23"},
      {"generated_at", "2026-11-23T10:30:00Z"},
      {"sessions",
       json::array{session("S001", "Sam Carter", "9X", "attended", std::move(sam)),
                   session("S002", kHostileName, "9Y", "booked", std::move(hostile)),
                   session("S003", "Pat Moved", "9Z", "cancelled", std::move(cancelled))}},
      {"summary", json::object{{"students", 2},
                               {"lessons", 7},
                               {"handed_in", 1},
                               {"set", 1},
                               {"not_set", 3},
                               {"no_course", 1},
                               {"unknown", 1}}}};
}

inline json::object empty_plan(Date d) {
  return json::object{{"date", d.iso()},
                      {"generated_at", "2026-11-23T10:30:00Z"},
                      {"sessions", json::array{}},
                      {"summary", json::object{{"students", 0}, {"lessons", 0}}}};
}

// A StatusSource for server tests: a fixed snapshot, the busy plan for day() (else empty),
// an optional gate that holds plan() until opened, and a count of request_sync calls.
class FakeSource final : public StatusSource {
 public:
  StatusSnapshot snap = healthy_snapshot();
  std::atomic<int> sync_calls{0};
  std::atomic<int> plan_calls{0};
  std::atomic<bool> accept_sync{true};

  StatusSnapshot snapshot() override {
    std::lock_guard lock(mu_);
    return snap;
  }
  Result<json::object> plan(Date d) override {
    ++plan_calls;
    std::unique_lock lock(mu_);
    gate_cv_.wait(lock, [&] { return gate_open_; });
    if (d == day()) return busy_plan();
    return empty_plan(d);
  }
  bool request_sync() override {
    ++sync_calls;
    return accept_sync;
  }
  std::atomic<int> chase_calls{0};
  std::atomic<bool> accept_chase{true};
  bool request_chase() override {
    ++chase_calls;
    return accept_chase;
  }
  void close_gate() {
    std::lock_guard lock(mu_);
    gate_open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mu_);
      gate_open_ = true;
    }
    gate_cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = true;
};

}  // namespace iesync::statustest
