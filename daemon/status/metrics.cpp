#include "daemon/status/metrics.h"

#include <chrono>
#include <cstdio>
#include <map>

namespace iesync {

namespace {

// Prometheus floats: plain decimal, no locale, enough digits for a duration.
std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

double epoch_seconds(StatusSnapshot::TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, const std::string& value,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels = {}) {
    out_ += name;
    if (labels.size()) {
      out_ += '{';
      bool first = true;
      for (auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += escape_label_value(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_metrics(const StatusSnapshot& s) {
  Writer w;
  w.family("iesync_up", "gauge", "1 while the iesync daemon is running and answering.");
  w.sample("iesync_up", "1");
  w.family("iesync_healthy", "gauge",
           "1 when the last successful cycle ended within 3 schedule intervals (as /healthz).");
  w.sample("iesync_healthy", s.healthy() ? "1" : "0");

  w.family("iesync_cycles_total", "counter",
           "Sync cycles finished since the daemon started, by result.");
  // The three results always appear, so a rate() over "failed" works before the first failure.
  std::map<std::string, std::uint64_t> cycles{{"ok", 0}, {"record_errors", 0}, {"failed", 0}};
  for (auto& [k, v] : s.cycles_by_result) cycles[k] = v;
  for (auto& [k, v] : cycles) w.sample("iesync_cycles_total", std::to_string(v), {{"result", k}});

  w.family(
      "iesync_last_success_timestamp_seconds", "gauge",
      "When the last successful cycle ended, Unix time; 0 when none has since the daemon started.");
  w.sample("iesync_last_success_timestamp_seconds",
           s.last_success ? number(epoch_seconds(*s.last_success)) : "0");
  w.family("iesync_cycle_duration_seconds", "gauge", "How long the last cycle took.");
  w.sample("iesync_cycle_duration_seconds", number(s.last_cycle_seconds));
  w.family("iesync_cycle_running", "gauge", "1 while a cycle is running.");
  w.sample("iesync_cycle_running", s.cycle_running ? "1" : "0");
  if (s.next_cycle) {
    w.family("iesync_next_cycle_timestamp_seconds", "gauge",
             "When the scheduler starts the next cycle, Unix time.");
    w.sample("iesync_next_cycle_timestamp_seconds", number(epoch_seconds(*s.next_cycle)));
  }

  w.family("iesync_records_imported_total", "counter",
           "MIS export records accepted since the daemon started, by feed.");
  for (auto& [feed, n] : s.records_imported_by_feed)
    w.sample("iesync_records_imported_total", std::to_string(n), {{"feed", feed}});
  w.family("iesync_rejected_feeds_total", "counter",
           "MIS exports rejected (moved to rejected/) since the daemon started, by feed.");
  for (auto& [feed, n] : s.rejected_feeds_by_feed)
    w.sample("iesync_rejected_feeds_total", std::to_string(n), {{"feed", feed}});

  w.family("iesync_classroom_requests_total", "counter",
           "Google Classroom API requests by method and HTTP status (0: no response).");
  for (auto& r : s.classroom_requests) {
    std::string status = std::to_string(r.status);
    w.sample("iesync_classroom_requests_total", std::to_string(r.count),
             {{"method", r.method}, {"status", status}});
  }

  w.family("iesync_outbox_items", "gauge", "Write-back outbox items by state.");
  for (auto& [state, n] : s.outbox_by_state)
    w.sample("iesync_outbox_items", std::to_string(n), {{"state", state}});
  w.family("iesync_notify_messages", "gauge",
           "Emails in the notification queue by kind (chase, digest) and state (pending, sent, "
           "failed).");
  for (auto& [kind, states] : s.mail_by_kind_state)
    for (auto& [state, n] : states)
      w.sample("iesync_notify_messages", std::to_string(n), {{"kind", kind}, {"state", state}});
  w.family("iesync_warnings", "gauge",
           "Warnings iesync status shows (held exports, failed writes, ...).");
  w.sample("iesync_warnings", std::to_string(s.warnings.size()));
  return w.take();
}

}  // namespace iesync
