// A synthetic secondary school (SPEC §3 feeds) for the demo, the tests and the benchmarks.
// Seeded and deterministic: the same options give byte-identical feeds on the same platform,
// so examples/demo/exports/ can be regenerated and checked. All names are synthetic,
// combined from short lists of common first names and surnames.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "mapping/civil.h"
#include "mapping/rules.h"

namespace iesync::gen {

struct Options {
  int students = 150;
  std::uint32_t seed = 1;
  // Bookings are made for the Monday..Friday of this date's week; memberships start on
  // 1 September of the academic year that contains it.
  Date start = Date::from_ymd(2026, 11, 23);
  int bookings_per_day = 0;  // 0: about one per 30 students, at least 4
};

struct Student {
  std::string id;  // Adno, "001001" (leading zeros kept)
  std::string forename, surname;
  int year = 7;           // 7..13
  std::string reg_group;  // "9X"
  std::string email, upn, sen, pupil_premium, gender;
};

struct StaffMember {
  std::string code;  // "JPA"
  std::string name;  // "Patel, Jasmine" (a comma, so CSV quoting is exercised)
  std::string email;
};

struct Membership {
  std::string student_id, class_code;
  Date start;
  std::optional<Date> end;
};

struct Lesson {
  std::string class_code;  // empty for a staff free (the importer must skip it)
  int cycle_day = 1;       // 1..10
  TimeRange time;
  std::string room, teacher;
};

struct Booking {
  std::string id, student_id;
  Date date;
  std::string start, end;  // "1", "08:50", "AM"...; end empty for AM/PM/ALL
  std::string reason, room;
  std::string status;  // empty: the column is left out (NULL), which means "booked"
};

// A behaviour incident (the optional behaviour feed).
struct Incident {
  std::string id, student_id;
  Date date;
  std::string time;  // "09:50" or empty
  std::string type;
  int points = 1;
  std::string recorded_by;
  std::string status;  // empty, or "withdrawn"
};

struct School {
  std::vector<Student> students;
  std::vector<StaffMember> staff;
  std::vector<Membership> memberships;
  std::vector<Lesson> lessons;
  std::vector<Booking> bookings;
  std::vector<Incident> incidents;
};

School generate(const Options& opt);

// A MIS re-export of `school`, in place: about `fraction` (0 < fraction <= 1) of the records
// of every feed changed, at least one per feed, as a mix of updates of non-key fields,
// deletions and insertions of new records (Adnos, staff codes, booking and incident ids above
// any the school holds; new memberships, bookings and incidents name existing students and
// classes). A deleted student's memberships, bookings and incidents go with them, and a
// leaver's lessons go to a colleague (these count towards those feeds' deletions and
// updates), so the result stays an export the importer takes without a record error.
// Deterministic for the same school, fraction and seed; may be applied again to its own
// result. At large fractions the deletions alone (a third of the changes) can exceed
// [safety] max_roster_drop.
void edit(School& school, double fraction, std::uint32_t seed);

enum class Format { xml, csv };

// The demo captions (examples/demo/mapping.toml), in column order.
const std::vector<std::string>& captions(Feed feed);
// "students.xml", "ie-bookings.csv", ...
std::string file_name(Feed feed, Format format);
// "Legal Surname" -> "Legal_x0020_Surname", as CommandReporter writes element names.
std::string encode_caption(std::string_view caption);

// One feed as a CommandReporter XML document or an RFC 4180 CSV (CRLF, header row).
std::string render(const School& school, Feed feed, Format format);

// Writes every feed (the five and behaviour) into dir (created if missing).
Result<void> write_feeds(const School& school, Format format, const std::filesystem::path& dir);

}  // namespace iesync::gen
