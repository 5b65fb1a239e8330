#include <iostream>

#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "daemon/plan_view.h"
#include "daemon/runtime.h"

namespace iesync {

int cmd_plan(const CommonOptions& common, const PlanOptions& o) {
  Clock& clock = common.env->clock();
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, false, clock, rc);
  if (!rt) return rc;
  Date date = school_today(rt->config, clock);
  if (!o.date.empty()) {
    auto d = Date::parse_iso(o.date);
    if (!d) {
      std::cerr << "--date " << o.date << ": not a date; write it as YYYY-MM-DD\n";
      return ExitCode::invalid;
    }
    date = *d;
  }
  auto plan = build_plan(rt->config, *rt->store, date, clock);
  if (!plan) {
    std::cerr << plan.error().to_string() << "\n";
    return ExitCode::failed;
  }
  if (o.json)
    std::cout << boost::json::serialize(*plan) << "\n";
  else
    std::cout << render_plan_text(*plan);
  return ExitCode::ok;
}

}  // namespace iesync
