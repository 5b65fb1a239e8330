// Which lessons a booking makes a student miss (SPEC §4).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "mapping/calendar.h"
#include "mapping/rules.h"
#include "mapping/school.h"
#include "mapping/session.h"

namespace iesync {

// The window a booking covers: "HH:MM" as is; a period name as start means that period's
// start, as end its end; "AM", "PM" or "ALL" as start covers that part of the day (end then
// empty). An unknown period name or an end not after the start is an Error.
Result<TimeRange> booking_window(const Booking& b, const Calendar& cal);

// Builds the session for one booking: its window and the lessons it misses, with each
// lesson's course (work status is filled in later, from Classroom). `student` is null when
// the student is unknown. `memberships` are the student's; `day_lessons` every lesson on the
// booking date's cycle day (any class). Problems (closed day, unknown student, bad window)
// leave the session with no lessons and `problem` saying why and what to do.
IeSession build_session(const Booking& b, const Student* student, const Calendar& cal,
                        std::span<const Membership> memberships,
                        std::span<const Lesson> day_lessons, const Mapping& mapping);

// The DfE reason code for a booking's reason: [codes.reasons] first, else as written.
std::string reason_code(const std::string& reason, const CodesConfig& codes);

}  // namespace iesync
