#include "store/report_query.h"

#include <map>
#include <unordered_map>

#include "config/dfe_codes.h"
#include "mapping/missed_lessons.h"
#include "store/impact_store.h"
#include "store/mis_store.h"
#include "store/session_store.h"
#include "store/store_error.h"

namespace iesync {

Result<ReportInput> load_report_input(Store& store, const Config& cfg, const Calendar& cal,
                                      DateRange range) {
  ReportInput in;
  in.school_name = cfg.school.name;
  in.range = range;
  const int len = days_between(range.first, range.last) + 1;
  const Date from = range.first.plus_days(-len);  // start of the comparison range
  // Far enough ahead to see every booking already made; the horizon is the last one found.
  const Date far = Date::from_ymd(9999, 12, 31);
  // Inside guarded(), value() of a failed read throws its Error, which guarded() returns.
  return guarded(store, "cannot read the store for the report", [&]() -> Result<ReportInput> {
    MisStore mis(store);
    SessionStore sessions_db(store);
    in.students = mis.students().value();
    for (const auto& s : mis.staff().value()) in.staff_names[s.code] = s.name;
    for (const auto& r : exclusion_reasons())
      in.reason_meanings[std::string(r.code)] = std::string(r.meaning);

    auto reconciled = sessions_db.load_range(from, far);
    if (!reconciled) return reconciled.error();
    auto bookings = mis.bookings_between(from, far).value();

    in.horizon = range.last;
    std::unordered_map<std::string, const Booking*> booking_by_id;
    for (const auto& b : bookings) {
      booking_by_id[b.id] = &b;
      if (b.date > in.horizon) in.horizon = b.date;
    }

    // A reconciled day is used as reconciled, with the MIS's latest status for the booking
    // (a booking cancelled after its day counts as cancelled). A booking the MIS has since
    // moved to another date is worked out again on its new date below.
    std::unordered_map<std::string, bool> used;
    for (auto& s : *reconciled) {
      if (s.date > in.horizon) in.horizon = s.date;
      auto it = booking_by_id.find(s.booking_id);
      if (it != booking_by_id.end()) {
        if (it->second->date != s.date) continue;
        s.status = it->second->status;
      }
      used[s.booking_id] = true;
      in.sessions.push_back(ReportSession{std::move(s), true});
    }

    std::map<int, std::vector<Lesson>> lessons_by_day;
    for (const auto& b : bookings) {
      if (used.count(b.id)) continue;
      auto st = mis.student(b.student_id).value();
      auto memberships = mis.memberships_of(b.student_id).value();
      auto day = cal.day(b.date);
      std::vector<Lesson> none;
      const std::vector<Lesson>* lessons = &none;
      if (day.open) {
        auto it = lessons_by_day.find(day.cycle_day);
        if (it == lessons_by_day.end())
          it = lessons_by_day.emplace(day.cycle_day, mis.lessons_on(day.cycle_day).value()).first;
        lessons = &it->second;
      }
      auto s = build_session(b, st ? &*st : nullptr, cal, memberships, *lessons, cfg.mapping);
      in.sessions.push_back(ReportSession{std::move(s), false});
    }
    // SPEC §10: the Impact and Patterns sections. Every incident is read (a window before
    // an IE reaches back before the range); a school's export is small.
    ImpactStore impact(store);
    auto behaviour = mis.feed_state(Feed::behaviour).value();
    in.behaviour_applied = behaviour.has_value() && !behaviour->applied_at.empty();
    if (in.behaviour_applied) {
      in.incidents = impact.incidents_between(Date::from_ymd(1900, 1, 1), far).value();
      in.behaviour_first = impact.first_incident_date().value();
    }
    if (!cfg.impact.windows.empty()) in.impact_window = cfg.impact.windows.front();
    in.bookings = std::move(bookings);
    return in;
  });
}

}  // namespace iesync
