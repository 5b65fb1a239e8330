// What happened during a cycle, told once and written twice: as a plain-English line in
// sync.log for the behaviour lead, and as a JSON object in sync.jsonl for machines.
// Producers (import, Classroom, reconcile, write-back) only see this interface.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace iesync {

enum class Severity { info, warning, error };
const char* severity_name(Severity s);

struct Event {
  Severity severity = Severity::info;
  std::string kind;     // stable machine name, e.g. "feed.rejected", "booking.unknown_student"
  std::string message;  // one plain-English sentence naming the student/class and what to do
  std::vector<std::pair<std::string, std::string>> fields;  // machine-readable detail
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(const Event& e) = 0;
};

// Keeps events in memory: for tests, and for commands that print what happened.
class CollectingSink final : public EventSink {
 public:
  void emit(const Event& e) override {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool has_kind(const std::string& kind) const {
    std::lock_guard lock(mu_);
    for (auto& e : events_)
      if (e.kind == kind) return true;
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

// Sends every event to several sinks.
class TeeSink final : public EventSink {
 public:
  explicit TeeSink(std::vector<EventSink*> sinks) : sinks_(std::move(sinks)) {}
  void emit(const Event& e) override {
    for (auto* s : sinks_) s->emit(e);
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace iesync
