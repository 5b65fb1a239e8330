// The impact of IE (SPEC §10) read from the store: one pupil's page document (the JSON of
// GET /api/v1/student/ID), the dashboard's "Back in mainstream" list and review flags, and the
// open review flags of every pupil (what `iesync status`, sync.log and the digest show).
// The counting itself is mapping/impact.h; this file only gathers its inputs.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/events.h"
#include "base/result.h"
#include "config/config.h"
#include "mapping/impact.h"
#include "store/store.h"

namespace iesync {

// A review flag with the pupil it is about.
struct PupilFlag {
  std::string student_id;
  std::string name;  // "Ada Lovelace"; empty when the pupil is no longer in the export
  std::string reg_group;
  ReviewFlag flag;
  // One plain-English sentence: who, what, since when and the advice.
  std::string sentence() const;
};

// Every open review flag on `today`, by pupil id then kind. For the digest (§9) as well.
Result<std::vector<PupilFlag>> open_review_flags(const Config& cfg, Store& store, Date today);

// GET /api/v1/student/ID: nullopt when nothing is known about the pupil.
Result<std::optional<boost::json::object>> student_impact_json(const Config& cfg, Store& store,
                                                               const std::string& id, Date today);

// The dashboard's impact part: {"back_in_mainstream": [...], "flags": [...],
// "behaviour_feed": bool}.
Result<boost::json::object> dashboard_impact_json(const Config& cfg, Store& store, Date today);

// Once per cycle: tells sync.log each review flag that has opened since the last cycle (one
// line each, once while it stays open), and forgets the ones that have closed.
void log_new_review_flags(const Config& cfg, Store& store, Date today, TimePoint now,
                          EventSink& events);

}  // namespace iesync
