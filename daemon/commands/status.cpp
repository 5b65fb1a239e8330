#include <boost/json.hpp>
#include <iostream>

#include "daemon/commands.h"
#include "daemon/runtime.h"
#include "store/outbox.h"

namespace iesync {

int cmd_status(const CommonOptions& common, const StatusOptions& o) {
  SystemClock clock;
  int rc = 0;
  auto rt = open_runtime(common.config_path, false, clock, rc);
  if (!rt) return rc;
  namespace json = boost::json;
  json::array cycles;
  std::string last_result;
  SQLite::Statement q(rt->store->db(),
                      "SELECT started_at, result, summary FROM cycles ORDER BY id DESC LIMIT 5");
  while (q.executeStep()) {
    if (last_result.empty()) last_result = q.getColumn(1).getString();
    cycles.push_back(json::object{{"started_at", q.getColumn(0).getString()},
                                  {"result", q.getColumn(1).getString()},
                                  {"summary", q.getColumn(2).getString()}});
  }
  Outbox outbox(*rt->store, clock);
  json::object counts;
  std::vector<std::string> warnings;
  if (auto c = outbox.counts()) {
    for (auto& [state, n] : *c) counts[outbox_state_name(state)] = n;
    if ((*c)[OutboxState::failed] > 0)
      warnings.push_back(std::to_string((*c)[OutboxState::failed]) +
                         " write-back(s) failed; see `iesync outbox list --state failed`");
    if ((*c)[OutboxState::conflict] > 0)
      warnings.push_back(std::to_string((*c)[OutboxState::conflict]) +
                         " mark(s) were not written because the MIS already holds another mark; "
                         "see `iesync outbox list --state conflict`");
  }
  SQLite::Statement h(rt->store->db(), "SELECT feed, held_reason FROM feed_state WHERE held_hash IS NOT NULL AND held_hash != ''");
  while (h.executeStep())
    warnings.push_back(h.getColumn(0).getString() + " export held: " + h.getColumn(1).getString());
  if (cycles.empty()) warnings.push_back("no cycle has run yet; run `iesync sync`");
  bool healthy = warnings.empty() && last_result == "ok";
  if (o.json) {
    json::array w;
    for (auto& s : warnings) w.push_back(json::value(s));
    std::cout << json::serialize(json::object{{"healthy", healthy}, {"cycles", cycles},
                                              {"outbox", counts}, {"warnings", w}})
              << "\n";
  } else {
    std::cout << (healthy ? "healthy" : "degraded") << "\n\nLast cycles:\n";
    for (auto& c : cycles)
      std::cout << "  " << c.as_object().at("started_at").as_string().c_str() << "  "
                << c.as_object().at("summary").as_string().c_str() << "\n";
    std::cout << "\nOutbox:";
    for (auto& [k, v] : counts) std::cout << " " << std::string(k) << "=" << json::serialize(v);
    std::cout << "\n";
    for (auto& w : warnings) std::cout << "WARN  " << w << "\n";
  }
  return healthy ? 0 : 1;
}

}  // namespace iesync
