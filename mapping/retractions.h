// Which facts a cycle must take back from the MIS because the bookings changed: the
// retraction diff. Pure: given what the store held and what the MIS says now, the keys to
// retract. Whether a key was ever queued or sent is the outbox's business.
#pragma once

#include <string>
#include <vector>

#include "mapping/rules.h"
#include "mapping/school.h"
#include "mapping/session.h"

namespace iesync {

// Keys a day's sessions held before (`before`, from the store) that its sessions now (`now`,
// just reconciled) no longer hold: a lesson dropped from a shortened booking, a booking gone
// from the export, a booking that now covers nothing. In the order of `before`.
std::vector<std::string> retracted_keys(const std::vector<IeSession>& before,
                                        const std::vector<IeSession>& now,
                                        const CodesConfig& codes);

// Every key of the past sessions whose booking the MIS now says was absent or cancelled on
// that session's day (cancellations are often recorded a day or two late). `past` is the reconciled
// sessions of the days those bookings fall on.
std::vector<std::string> late_cancellation_keys(const std::vector<Booking>& bookings,
                                                const std::vector<IeSession>& past,
                                                const CodesConfig& codes);

}  // namespace iesync
