// Shared by the XML and CSV feed fuzzers: every table a reader accepts also goes through the
// behaviour feed's mapper (the demo captions, which the corpus's behaviour_* seeds use), so
// dates, times and points from hostile exports are parsed too. Every record must end up
// mapped or skipped, never both, never a crash.
#pragma once

#include "connectors/mis/feed_mapper.h"

namespace iesync::fuzz {

inline void map_as_behaviour(const FeedTable& table) {
  static const FieldMap kFields = {{"id", "Incident ID"},
                                   {"student_id", "Adno"},
                                   {"date", "Date"},
                                   {"time", "Time"},
                                   {"type", "Type"},
                                   {"points", "Points"},
                                   {"recorded_by", "Recorded By"},
                                   {"status", "Status"}};
  static const Calendar kCalendar = [] {
    CalendarConfig c;
    c.first_monday = Date::from_ymd(2026, 9, 7);
    c.periods.emplace_back("3", *TimeRange::parse("11:10-12:10"));
    return Calendar::build(c).value();
  }();
  auto m = map_behaviour(table, kFields, kCalendar);
  if (m && m->items.size() + m->skipped_count() >
               table.size() + table.record_errors.size() + table.record_errors_not_kept)
    __builtin_trap();
}

}  // namespace iesync::fuzz
