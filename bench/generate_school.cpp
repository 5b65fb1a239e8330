// generate-school: writes a synthetic school's five MIS feeds, for the demo and benchmarks.
//   generate-school --students 2000 --seed 1 --start 2026-11-23 --format xml --out DIR
//                   [--classroom-fixture FILE]   (the Classroom fake's courses, work, hand-ins)
//                   [--edit FRACTION [--edit-seed N]]  (a re-export: that share of each feed
//                   changed)
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>

#include "bench/generator/classroom_fixture.h"
#include "bench/generator/school_generator.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Write a synthetic school's MIS exports (students, staff, memberships, timetable, "
      "IE bookings)"};
  iesync::gen::Options opt;
  std::string start = opt.start.iso();
  std::string format = "xml";
  std::string out;
  std::string classroom_fixture;
  double edit_fraction = 0;
  std::uint32_t edit_seed = 1;
  app.add_option("--students", opt.students, "number of students")->check(CLI::Range(1, 1000000));
  app.add_option("--seed", opt.seed, "random seed; the same seed gives the same files");
  app.add_option("--start", start, "YYYY-MM-DD: bookings are made for this date's week");
  app.add_option("--bookings-per-day", opt.bookings_per_day, "0: one per 30 students, at least 4");
  app.add_option("--format", format, "xml (CommandReporter) or csv")
      ->check(CLI::IsMember({"xml", "csv"}));
  app.add_option("--out", out, "folder to write into")->required();
  app.add_option("--classroom-fixture", classroom_fixture,
                 "also write the matching Google Classroom (courses, work, hand-ins) as a "
                 "fixture for fake-classroom");
  auto* edit = app.add_option("--edit", edit_fraction,
                              "write a re-export of the school instead, with about this share "
                              "(0 < FRACTION <= 1) of every feed's records updated, deleted or "
                              "inserted (gen::edit)")
                   ->check(CLI::Range(0.0, 1.0));
  app.add_option("--edit-seed", edit_seed, "seed of the edit; the same seed gives the same edit")
      ->needs(edit);
  CLI11_PARSE(app, argc, argv);
  if (edit->count() && edit_fraction <= 0) {
    std::fprintf(stderr, "--edit %g: give a share above 0, e.g. 0.01 for 1%%\n", edit_fraction);
    return 2;
  }

  auto d = iesync::Date::parse_iso(start);
  if (!d) {
    std::fprintf(stderr, "--start %s: not a date; write it as YYYY-MM-DD\n", start.c_str());
    return 2;
  }
  opt.start = *d;
  auto school = iesync::gen::generate(opt);
  if (edit->count()) iesync::gen::edit(school, edit_fraction, edit_seed);
  auto r = iesync::gen::write_feeds(
      school, format == "xml" ? iesync::gen::Format::xml : iesync::gen::Format::csv, out);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
    return 1;
  }
  if (!classroom_fixture.empty()) {
    if (auto c = iesync::gen::write_classroom_fixture(school, opt, classroom_fixture); !c) {
      std::fprintf(stderr, "%s\n", c.error().to_string().c_str());
      return 1;
    }
  }
  std::printf("%zu students, %zu staff, %zu memberships, %zu lessons, %zu bookings -> %s\n",
              school.students.size(), school.staff.size(), school.memberships.size(),
              school.lessons.size(), school.bookings.size(), out.c_str());
  return 0;
}
