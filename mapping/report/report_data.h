// The figures of the senior-leadership / governors report (SPEC §8), as plain values.
// Pure: built by build_report() from students, sessions, the calendar and a date range;
// the store query (store/report_query.h) fills the input and daemon/report/ renders the
// result as HTML or CSV. No I/O here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mapping/behaviour.h"
#include "mapping/calendar.h"
#include "mapping/civil.h"
#include "mapping/school.h"
#include "mapping/session.h"

namespace iesync {

// A group cell with fewer than this many pupils on roll, or fewer than this many pupils in
// IE, is shown as "fewer than 5" so no child can be identified from a governors' report.
inline constexpr int kSuppressBelow = 5;

// One booking as the report sees it.
struct ReportSession {
  IeSession session;
  // False when the day was never reconciled by the daemon (no ie_sessions row): the lessons
  // were worked out from the MIS tables afterwards and the work status was not checked.
  bool work_checked = true;
};

struct ReportInput {
  std::string school_name;
  DateRange range;
  // The last date whose bookings are known: sessions whose 10/20-school-day follow-up window
  // ends after this are "too recent to judge".
  Date horizon;
  std::vector<Student> students;  // on roll now: the denominators
  // Every booking the store knows from the start of the previous range to the horizon, any
  // status; build_report picks the sessions (booked/attended, open day, no problem).
  std::vector<ReportSession> sessions;
  std::map<std::string, std::string> staff_names;      // code -> name
  std::map<std::string, std::string> reason_meanings;  // DfE code -> meaning
  bool anonymise = false;

  // SPEC §10, the Impact and Patterns sections.
  // Every booking from the start of the comparison range on, any status: who referred the
  // pupil (Booking::referred_by) and which days were IE (ie_days / ie_spells).
  std::vector<Booking> bookings;
  // True once a behaviour feed has been applied; without one the Impact section says so.
  bool behaviour_applied = false;
  std::vector<Incident> incidents;      // every pupil's, withdrawn ones included
  std::optional<Date> behaviour_first;  // the earliest incident date: where the data starts
  Date today;                           // incidents are known up to the day before
  int impact_window = 10;               // the first of [impact] windows, in school days
};

// Counts are raw; `suppressed` tells the renderer to show "fewer than 5" instead.
struct GroupRow {
  std::string label;
  int on_roll = 0;
  int pupils = 0;  // distinct pupils with at least one session
  int sessions = 0;
  int lessons = 0;  // lessons missed
  bool suppressed = false;
  // Per 100 pupils on roll in the group; nullopt when nobody is on roll.
  std::optional<double> pupils_rate() const;
  std::optional<double> sessions_rate() const;
  std::optional<double> lessons_rate() const;
};

struct GroupTable {
  std::string dimension;  // "Year group", "SEN status", "Pupil premium", "Gender"
  std::vector<GroupRow> rows;
};

struct RepeatStudent {
  std::string label;  // "Forename Surname", or "Pupil A" when anonymised
  std::string id;     // empty when anonymised
  std::string year;
  int sessions = 0;
  int lessons = 0;
  Date first;
  Date last;
};

struct ReturnRow {
  int window = 0;      // school days: 10 or 20
  int judged = 0;      // sessions whose window ended by the horizon
  int returned = 0;    // ... followed by another session 1..window school days later
  int too_recent = 0;  // sessions whose window had not ended
  std::optional<double> percent() const;
};

struct ReasonRow {
  std::string code;     // DfE reason code, or "" when the booking gave none
  std::string meaning;  // from the DfE list; "Not recorded" / "Not a DfE reason code"
  int sessions = 0;
  int pupils = 0;
  bool suppressed = false;
};

struct WorkRow {
  std::string label;  // subject, or "Teacher Name (CODE)"
  int lessons = 0;    // lessons missed
  int set = 0;        // work set (handed in or not)
  int handed_in = 0;
  int not_set = 0;
  int no_course = 0;
  int not_checked = 0;  // Classroom unreachable, or the day was never reconciled
  std::optional<double> set_percent() const;        // of lessons checked (set + not_set)
  std::optional<double> handed_in_percent() const;  // of work set
};

struct WeekCount {
  Date monday;
  int sessions = 0;
};

struct PeriodTotals {
  DateRange range;
  int sessions = 0;
  int pupils = 0;
  int lessons = 0;
  int repeat_pupils = 0;  // pupils with 2 or more sessions in the range
  int work_set = 0;
  int handed_in = 0;
};

struct ComparisonRow {
  std::string measure;
  double current = 0;
  double previous = 0;
  bool decimal = false;  // a rate or percentage, shown to one decimal place; else a count
  double change() const { return current - previous; }
};

// Before and after IE (SPEC §10) for one group of pupils. Only IEs (spells: consecutive IE
// days are one IE) whose both windows are whole are compared. Per pupil, the incidents in the
// windows before their compared IEs are summed, and so are those after; the pupil counts
// as fewer / same / more by comparing the two sums.
struct ImpactRow {
  std::string label;
  int pupils = 0;  // pupils with at least one compared IE
  int ies = 0;     // compared IEs
  int before = 0;  // counted incidents in the windows before
  int after = 0;   // ... and after
  int fewer = 0;   // pupils
  int same = 0;
  int more = 0;
  bool suppressed = false;  // fewer than kSuppressBelow pupils
  // Incidents per pupil per 10 school days: incidents / (IEs * window) * 10.
  std::optional<double> before_rate(int window) const;
  std::optional<double> after_rate(int window) const;
  std::optional<double> fewer_percent() const;
  std::optional<double> same_percent() const;
  std::optional<double> more_percent() const;
};

struct ImpactTable {
  std::string dimension;
  std::vector<ImpactRow> rows;  // ends with "Whole school"
};

struct ImpactSection {
  bool available = false;           // a behaviour feed has been applied
  int window = 10;                  // school days
  int ies = 0;                      // IEs starting in the range
  int compared = 0;                 // ... with both windows whole
  int too_recent = 0;               // ... whose window after is cut short by today
  int no_data_before = 0;           // ... whose window before is cut short by the start of the data
  std::vector<ImpactTable> groups;  // year, SEN, PP, gender
};

// Where IE comes from (SPEC §10): sessions in the range counted by one attribute.
struct PatternRow {
  std::string label;
  int sessions = 0;
  int pupils = 0;
  bool suppressed = false;  // fewer than kSuppressBelow pupils (never for referrers)
};

struct PatternTable {
  std::string dimension;  // "Referred by", "Day of the week", "Period", "Half-term"
  std::vector<PatternRow> rows;
};

struct ReportData {
  std::string school_name;
  DateRange range;
  DateRange previous;
  Date horizon;
  int on_roll = 0;
  PeriodTotals totals;
  PeriodTotals previous_totals;
  std::vector<GroupTable> groups;  // year, SEN, PP, gender; each ends with "Whole school"
  std::vector<RepeatStudent> repeat_students;
  std::vector<ReturnRow> returns;  // 10, 20
  std::vector<ReasonRow> reasons;
  std::vector<WorkRow> work_by_subject;
  std::vector<WorkRow> work_by_teacher;
  std::vector<WeekCount> weeks;
  std::vector<ComparisonRow> comparison;
  ImpactSection impact;
  std::vector<PatternTable> patterns;
  // Bookings left out, for the notes.
  int not_sessions_absent_cancelled = 0;
  int not_sessions_problem = 0;
  int unchecked_sessions = 0;  // sessions reconciled from the MIS tables by the report
  bool anonymised = false;
  bool empty() const { return totals.sessions == 0; }
};

// The year, SEN, pupil premium and gender labels a report groups a student under.
// Unmapped or empty values are "Not recorded".
std::string year_label(const std::string& year);
std::string sen_label(const std::string& sen);
std::string pupil_premium_label(const std::string& pp);
std::string gender_label(const std::string& gender);

// One decimal place, half away from zero: 12.345 -> "12.3", 2.25 -> "2.3".
std::string format_rate(double v);

// "Pupil A" .. "Pupil Z", "Pupil AA", ...
std::string pupil_letter_label(int index);

// The half-term a date falls in: the open stretch between two holidays, where a holiday is a
// [calendar] closed range of at least kHolidayDays days (shorter closures, such as INSET
// days, do not end a half-term). "2026-11-02 to 2026-12-18"; an end with no holiday beyond
// it is written as "from 2026-11-02" / "up to 2026-10-23".
inline constexpr int kHolidayDays = 5;
std::string half_term_label(Date d, const Calendar& cal);

ReportData build_report(const ReportInput& in, const Calendar& cal);

}  // namespace iesync
