// generate-school: writes a synthetic school's five MIS feeds, for the demo and benchmarks.
//   generate-school --students 2000 --seed 1 --start 2026-11-23 --format xml --out DIR
//                   [--classroom-fixture FILE]   (the Classroom fake's courses, work, hand-ins)
#include <CLI/CLI.hpp>
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
  CLI11_PARSE(app, argc, argv);

  auto d = iesync::Date::parse_iso(start);
  if (!d) {
    std::fprintf(stderr, "--start %s: not a date; write it as YYYY-MM-DD\n", start.c_str());
    return 2;
  }
  opt.start = *d;
  auto school = iesync::gen::generate(opt);
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
