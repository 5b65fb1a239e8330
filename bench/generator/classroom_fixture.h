// The Google Classroom that goes with a synthetic school (school_generator.h): courses for
// its classes, their rosters, a week of course work and the students' hand-ins, as a fixture
// for the local Classroom fake (tests/fakes/classroom/fake_classroom.h describes the format).
// The demo serves it so the dashboard shows real work statuses; the tests load it in-process.
//
// Deterministic from options.seed (its own random stream, so the feeds are not disturbed):
// - a course for about 7 in 8 subject classes (the rest show "No Classroom course"); none for
//   tutor or registration groups ("*/Tu", "*/Reg"), which the demo mapping ignores;
// - course alias "d:" + class code with "/" -> "-" (the demo's [classroom.courses] alias);
// - every student in the class during the booking week on its roster, user id "u" + Adno,
//   profile email = the students feed's email (iesync looks users up by that email);
// - for each Monday..Friday of options.start's week, with probability 0.4, one
//   PUBLISHED item for ALL_STUDENTS due that day 15:00 UTC (so it is set for every lesson of
//   the class that day), created the day before, after school;
// - for each weekday, a course work material for ALL_STUDENTS (a reading pack with a link)
//   posted the evening before: on about a third of the days without an item above (so some
//   lessons are set by a material alone), on about 1 in 8 with one; about 1 in 9 of them
//   still a DRAFT (drawn from a stream of its own, so the rest does not change with it);
// - a submission for every (item, roster member): TURNED_IN or RETURNED about half the time
//   (how often depends on the student), CREATED otherwise.
#pragma once

#include <boost/json/object.hpp>

#include "bench/generator/school_generator.h"

namespace iesync::gen {

// `school` must be generate(opt) for the same options (the roster comes from its memberships).
boost::json::object classroom_fixture(const School& school, const Options& opt);

// Writes classroom_fixture(...) as compact JSON (one line) to file.
Result<void> write_classroom_fixture(const School& school, const Options& opt,
                                     const std::filesystem::path& file);

}  // namespace iesync::gen
