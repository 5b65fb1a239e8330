// GET /: the behaviour lead's page. Server-rendered HTML with inline CSS and no JavaScript,
// so it works in any browser the school has; every value from the plan is HTML-escaped.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "base/html.h"
#include "base/result.h"
#include "daemon/status/snapshot.h"
#include "mapping/civil.h"

namespace iesync {

// The page for `date` from its plan document (docs/plan.md) and the daemon's snapshot: the
// header (school, last sync, health, warnings), the date picker, "who to chase" and each
// student's missed lessons with their work and mark.
// `impact` (daemon/impact/pupil_impact.h): the "Back in mainstream" list and the review flags,
// shown below the day; left out when null.
std::string render_dashboard(const boost::json::object& plan, Date date, const StatusSnapshot& snap,
                             const boost::json::object* impact = nullptr);

// The "Back in mainstream" and "Review flags" sections, appended to `out`.
void render_impact_section(std::string& out, const boost::json::object& impact);

// The same page frame when the plan could not be read, saying why.
std::string render_dashboard_error(Date date, const StatusSnapshot& snap, const Error& error);

// "Monday 23 November 2026".
std::string dashboard_date(Date d);

}  // namespace iesync
