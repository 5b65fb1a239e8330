// The reconciled view of one day, as `iesync plan`, `GET /api/v1/plan` and the dashboard
// show it. Built from the store alone.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "store/store.h"

namespace iesync {

// The JSON document of docs/plan.md.
Result<boost::json::object> build_plan(const Config& cfg, Store& store, Date date, Clock& clock);

// A terminal table grouped by student.
std::string render_plan_text(const boost::json::object& plan);

}  // namespace iesync
