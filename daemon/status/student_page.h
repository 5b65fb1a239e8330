// GET /student/ID: one pupil's IE history and its impact (SPEC §10), from the same document
// as GET /api/v1/student/ID. Server-rendered HTML and inline SVG, no JavaScript; every value
// from the store is escaped.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "daemon/status/snapshot.h"

namespace iesync {

std::string render_student_page(const boost::json::object& doc, const StatusSnapshot& snap);

// The SVG timeline of one IE: its days shaded, each incident a dot (larger for more points)
// over the span of its widest window. `day_first`..`day_last` are the IE's days.
std::string ie_timeline_svg(const boost::json::object& widest_window, Date day_first, Date day_last,
                            const boost::json::array& incidents);

}  // namespace iesync
