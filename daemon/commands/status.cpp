#include <boost/json.hpp>
#include <iostream>

#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "daemon/health.h"
#include "daemon/impact/pupil_impact.h"
#include "daemon/runtime.h"
#include "mapping/shown_text.h"
#include "mapping/timezone.h"

namespace iesync {

int cmd_status(const CommonOptions& common, const StatusOptions& o) {
  Clock& clock = common.env->clock();
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, false, clock, rc);
  if (!rt) return rc;
  namespace json = boost::json;
  auto h = read_store_health(*rt->store, clock);
  bool healthy = h.healthy();
  // Review flags are about pupils, not the service: shown, never "degraded" (SPEC §10).
  const auto tz = TimeZone::named(rt->config.school.timezone).value_or(TimeZone::london());
  auto flags = open_review_flags(rt->config, *rt->store, tz.to_local(clock.now()).date);
  if (o.json) {
    json::array cycles, warnings;
    for (auto& c : h.recent_cycles)
      cycles.push_back(
          json::object{{"started_at", c.started_at}, {"result", c.result}, {"summary", c.summary}});
    for (auto& w : h.warnings) warnings.push_back(json::value(w));
    json::array held;
    for (auto& x : h.held)
      held.push_back(
          json::object{{"feed", x.feed}, {"reason", x.reason}, {"apply_with", kApplyHeldCommand}});
    json::object counts;
    for (auto& [k, v] : h.outbox_by_state) counts[k] = v;
    json::array review;
    if (flags)
      for (auto& f : *flags)
        review.push_back(json::object{{"student_id", f.student_id},
                                      {"name", f.name},
                                      {"kind", flag_kind_name(f.flag.kind)},
                                      {"since", f.flag.since.iso()},
                                      {"advice", f.flag.advice}});
    std::cout << json::serialize(json::object{{"healthy", healthy},
                                              {"cycles", cycles},
                                              {"outbox", counts},
                                              {"warnings", warnings},
                                              {"held_exports", held},
                                              {"review_flags", std::move(review)}})
              << "\n";
  } else {
    std::cout << (healthy ? "healthy" : "degraded") << "\n\nLast cycles:\n";
    // Summaries and warnings quote export values and remote answers: escaped for the terminal.
    for (auto& c : h.recent_cycles)
      std::cout << "  " << c.started_at << "  " << shown(c.summary) << "\n";
    std::cout << "\nOutbox:";
    for (auto& [k, v] : h.outbox_by_state) std::cout << " " << k << "=" << v;
    std::cout << "\n";
    for (auto& w : h.warnings) std::cout << "WARN  " << shown(w) << "\n";
    if (!flags) {
      std::cout << "\nReview flags could not be worked out: " << shown(flags.error().to_string())
                << "\n";
    } else if (!flags->empty()) {
      std::cout << "\nReview flags (about pupils; the service itself is fine):\n";
      for (auto& f : *flags) std::cout << "FLAG  " << shown(f.sentence()) << "\n";
    }
  }
  return healthy ? ExitCode::ok : ExitCode::problems;
}

}  // namespace iesync
