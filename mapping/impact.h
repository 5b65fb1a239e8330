// The impact of IE on one pupil (SPEC §10), as pure logic over plain values: which days were
// IE, what counts as one IE, the behaviour incidents and points in the school days before an
// IE and after the pupil's return, and the review flags `[impact]` raises. No I/O: the store
// and the daemon hand in the bookings, incidents and calendar, and show what comes out.
//
// One IE: the IE days of a pupil on consecutive open school days (closed days and weekends
// in between do not break the run) are ONE IE, from its first day to its last. A pupil who
// spends Monday to Wednesday in the room has one IE, is compared over the school days before
// Monday and after Wednesday, and counts once towards a repeat-IE flag. docs/impact.md says
// why.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/behaviour.h"
#include "mapping/calendar.h"
#include "mapping/civil.h"
#include "mapping/school.h"

namespace iesync {

// `[impact]` of iesync.toml (SPEC §2).
struct ImpactThreshold {
  int count = 0;   // this many ...
  int within = 0;  // ... within this many school days
  friend bool operator==(const ImpactThreshold&, const ImpactThreshold&) = default;
};

struct ImpactConfig {
  std::vector<int> windows{10, 20};  // school days before and after an IE compared
  ImpactThreshold repeat_ie{3, 30};
  ImpactThreshold sen_repeat_ie{2, 30};
  ImpactThreshold incidents_after_return{2, 10};
};

// One day a pupil spent (or is spending) in IE: a booking on an open school day, up to today,
// that is neither cancelled nor absent. Several bookings on one day are one IE day (the first
// booking by start names it).
struct IeDay {
  Date date;
  std::string booking_id;
  BookingStatus status = BookingStatus::booked;
  std::string referred_by;
};

// Consecutive IE days: one IE.
struct IeSpell {
  Date first;
  Date last;
  std::vector<IeDay> days;
};

// The IE days of one pupil from their bookings, oldest first. Bookings after `today`, on
// closed days, cancelled or absent are not IE days.
std::vector<IeDay> ie_days(const std::vector<Booking>& bookings, const Calendar& cal, Date today);
// IE days grouped into spells: a day whose previous open school day was also an IE day joins
// that day's spell.
std::vector<IeSpell> ie_spells(const std::vector<IeDay>& days, const Calendar& cal);

// What the behaviour data covers: incidents are known from `first` (the earliest date in the
// behaviour export) up to the day before `today` (today's incidents may not be exported yet).
struct Coverage {
  Date first;
  Date today;
};

// The incidents and points of one pupil over the open school days of a window.
struct WindowCount {
  std::optional<Date> from;  // the first and last school day counted; none when no day was
  std::optional<Date> to;
  int school_days = 0;  // open school days counted (== the window's size unless cut short)
  int incidents = 0;
  int points = 0;
  bool cut_short = false;  // the start of the data or today cut the window short
};

struct WindowPair {
  int days = 0;  // the window's size in school days, from [impact] windows
  WindowCount before;
  WindowCount after;
  // Both sides whole: only then may the two be compared.
  bool comparable() const { return !before.cut_short && !after.cut_short; }
};

// The `days` open school days before the spell's first day, and the `days` open school days
// from the first school day after its last day, each counting the pupil's counted incidents.
// `incidents` are the pupil's; withdrawn and deleted ones are not counted.
WindowPair compare_window(const IeSpell& spell, int days, const std::vector<Incident>& incidents,
                          const Calendar& cal, const Coverage& cov);

// The review flags of SPEC §10.
enum class FlagKind { repeat_ie, sen_repeat_ie, incidents_after_return };
const char* flag_kind_name(FlagKind k);

struct ReviewFlag {
  FlagKind kind = FlagKind::repeat_ie;
  Date since;          // the IE or incident that reached the threshold
  int count = 0;       // IEs or incidents counted
  int within = 0;      // over this many school days
  std::string advice;  // what the DfE's behaviour guidance advises, in plain words
};

// SEN support ("K") or an EHC plan ("E"), as SIMS codes them, or the words written out.
bool has_sen(std::string_view sen);

// The open review flags of one pupil on `today`:
//   - repeat_ie: at least repeat_ie.count IEs started within the last repeat_ie.within open
//     school days (today included); for a pupil with SEN, sen_repeat_ie instead (its advice
//     includes the pastoral review, and adds the SENCO);
//   - incidents_after_return: at least incidents_after_return.count counted incidents in the
//     first `within` school days after the pupil's return from their last IE (today included).
// A flag stays open for `within` school days from `since`.
std::vector<ReviewFlag> review_flags(const std::vector<IeSpell>& spells,
                                     const std::vector<Incident>& incidents, bool sen,
                                     const ImpactConfig& cfg, const Calendar& cal, Date today);

// A pupil back in mainstream: their last IE ended before today, within the last
// kBackInMainstreamDays school days.
inline constexpr int kBackInMainstreamDays = 10;
struct ReturnStatus {
  Date last_ie;                      // the last day of the last IE
  Date returned;                     // the first school day after it
  int school_days_since = 0;         // 0 = returned today
  int incidents_since = 0;           // counted incidents from `returned` to today
  std::optional<Date> next_booking;  // a live booking dated after last_ie, if any
  bool flagged() const { return incidents_since > 0 || next_booking.has_value(); }
};
// nullopt when the pupil has no IE, is in IE today, or returned more than
// kBackInMainstreamDays school days ago.
std::optional<ReturnStatus> back_in_mainstream(const std::vector<IeSpell>& spells,
                                               const std::vector<Booking>& bookings,
                                               const std::vector<Incident>& incidents,
                                               const Calendar& cal, Date today);

}  // namespace iesync
