// What `iesync report` reads from the store: the students on roll, staff names, and every
// IE booking from the start of the comparison range to the last booking the store knows,
// as ReportSessions. Days the daemon reconciled come from ie_sessions + session_lessons;
// bookings it never reconciled are worked out here from the MIS tables with build_session
// (lessons missed are counted, work status is marked as not checked).
#pragma once

#include "base/result.h"
#include "config/config.h"
#include "mapping/calendar.h"
#include "mapping/report/report_data.h"
#include "store/store.h"

namespace iesync {

// Fills everything in ReportInput except `anonymise` and `today`; `range` is the report's range.
Result<ReportInput> load_report_input(Store& store, const Config& cfg, const Calendar& cal,
                                      DateRange range);

}  // namespace iesync
