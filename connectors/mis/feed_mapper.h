// Turns a FeedTable into the school's records (mapping/school.h) through the admin's
// [fields.FEED] captions. A required column missing from the export is structural (the
// feed is rejected); a bad value skips only its record, reported with its number.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/mis/feed_table.h"
#include "mapping/behaviour.h"
#include "mapping/calendar.h"
#include "mapping/rules.h"
#include "mapping/school.h"

namespace iesync {

template <class T>
struct MappedFeed {
  std::vector<T> items;
  std::vector<std::size_t> numbers;    // record number of each item, for later checks
  std::vector<SkippedRecord> skipped;  // sorted by number; includes the reader's own
  std::size_t skipped_not_kept = 0;    // more skipped records, beyond kMaxKeptSkips
  std::size_t skipped_count() const { return skipped.size() + skipped_not_kept; }
  std::size_t ignored = 0;  // left out by design: timetable rows with no class
};

// Sorts `skipped` by record number and keeps the first kMaxKeptSkips, counting the rest in
// `not_kept`. Each source of skips must have kept its own first kMaxKeptSkips.
void settle_skipped(std::vector<SkippedRecord>& skipped, std::size_t& not_kept);

// The required logical fields of each feed (SPEC §3, bold).
const std::vector<std::string>& required_fields(Feed f);
// Fails when mapping.toml does not map a required field: a config problem, not the file's.
Result<void> check_field_map(Feed f, const FieldMap& fields);
// The first error every map_* gives before it maps a record, from the table's columns alone:
// a required field unmapped, or its column not in the export (with the columns found).
Result<void> check_columns(const FeedTable& t, const FieldMap& fields, Feed f);

// The keys a feed's mapper has met, when its records come a table at a time (the staged read
// of a large export): the number of the record that first had `key`, or nullopt when it is new
// (and now held). Without one, each mapper keeps its own for the one table it is given.
class SeenKeys {
 public:
  virtual ~SeenKeys() = default;
  virtual std::optional<std::size_t> first(std::string_view key, std::size_t number) = 0;
};

// A membership's key as SeenKeys holds it: student, class and start date.
std::string membership_key(const Membership& m);

Result<MappedFeed<Student>> map_students(const FeedTable& t, const FieldMap& fields,
                                         SeenKeys* seen = nullptr);
Result<MappedFeed<Staff>> map_staff(const FeedTable& t, const FieldMap& fields,
                                    SeenKeys* seen = nullptr);
Result<MappedFeed<Membership>> map_memberships(const FeedTable& t, const FieldMap& fields,
                                               SeenKeys* seen = nullptr);
Result<MappedFeed<Lesson>> map_timetable(const FeedTable& t, const FieldMap& fields,
                                         const Calendar& calendar,
                                         const std::map<std::string, std::string>& subjects);
Result<MappedFeed<Booking>> map_bookings(const FeedTable& t, const FieldMap& fields,
                                         const Calendar& calendar, SeenKeys* seen = nullptr);
// The optional behaviour feed: incidents with a date, an optional time (HH:MM or a period
// name), whole-number points; a withdrawn or deleted incident is kept (it is in the export)
// and left out of every count later.
Result<MappedFeed<Incident>> map_behaviour(const FeedTable& t, const FieldMap& fields,
                                           const Calendar& calendar, SeenKeys* seen = nullptr);

// "Year  9" -> "9", "Year 10" -> "10", "R" -> "R".
std::string normalise_year(std::string_view v);
// The subject code of a class: the letters after "/" ("9X1/MaH3" -> "MaH"), cut to the
// longest code known in `subjects` ("Ma"), else to the SIMS-style capital + lower-case
// letters ("Ma"). Empty when the class code has no "/".
std::string subject_code(std::string_view class_code,
                         const std::map<std::string, std::string>& subjects);

}  // namespace iesync
