#include "mapping/impact.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace iesync {

namespace {

// Far enough back to cross any holiday; a walk that finds no open day in this many calendar
// days stops (dates before the timetable's first Monday are all closed).
constexpr int kMaxWalkDays = 400;

// The open school day before `d`, or nullopt when there is none within kMaxWalkDays.
std::optional<Date> previous_open(const Calendar& cal, Date d) {
  for (int i = 1; i <= kMaxWalkDays; ++i)
    if (cal.is_open(d.plus_days(-i))) return d.plus_days(-i);
  return std::nullopt;
}

std::optional<Date> next_open(const Calendar& cal, Date d) {
  for (int i = 1; i <= kMaxWalkDays; ++i)
    if (cal.is_open(d.plus_days(i))) return d.plus_days(i);
  return std::nullopt;
}

bool live(BookingStatus s) {
  return s == BookingStatus::booked || s == BookingStatus::attended;
}

// Adds one open school day to a window's count.
void take_day(WindowCount& w, Date d, const std::map<Date, std::pair<int, int>>& per_day) {
  if (!w.from || d < *w.from) w.from = d;
  if (!w.to || d > *w.to) w.to = d;
  ++w.school_days;
  if (auto it = per_day.find(d); it != per_day.end()) {
    w.incidents += it->second.first;
    w.points += it->second.second;
  }
}

// Counted incidents and points by day.
std::map<Date, std::pair<int, int>> by_day(const std::vector<Incident>& incidents) {
  std::map<Date, std::pair<int, int>> out;
  for (const auto& i : incidents) {
    if (!i.counted()) continue;
    auto& slot = out[i.date];
    ++slot.first;
    slot.second += i.points;
  }
  return out;
}

// The date `n - 1` open school days before `today` (so [start, today] holds n open days when
// today is open), for "within the last n school days".
Date window_start(const Calendar& cal, Date today, int n) {
  Date start = today;
  int seen = cal.is_open(today) ? 1 : 0;
  while (seen < n) {
    auto p = previous_open(cal, start);
    if (!p) break;
    start = *p;
    ++seen;
  }
  return start;
}

std::string lower(std::string_view v) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string advice(FlagKind k, int count, int within) {
  const std::string n = std::to_string(count), w = std::to_string(within);
  switch (k) {
    case FlagKind::repeat_ie:
      return n + " or more IEs within " + w +
             " school days. The DfE's behaviour guidance "
             "asks schools to consider a pastoral review for a pupil removed this often: what "
             "lies behind the behaviour, and what support would help.";
    case FlagKind::sen_repeat_ie:
      return n + " or more IEs within " + w +
             " school days for a pupil with SEN. The DfE's "
             "behaviour guidance asks schools to consider a pastoral review, and to involve the "
             "SENCO: whether the pupil's needs are being met, and whether their support plan "
             "should change.";
    case FlagKind::incidents_after_return:
      return n + " or more behaviour incidents within " + w +
             " school days of returning from "
             "IE. Consider a pastoral review: whether the pupil needs more support back in "
             "lessons.";
  }
  return {};
}

}  // namespace

const char* flag_kind_name(FlagKind k) {
  switch (k) {
    case FlagKind::repeat_ie:
      return "repeat_ie";
    case FlagKind::sen_repeat_ie:
      return "sen_repeat_ie";
    case FlagKind::incidents_after_return:
      return "incidents_after_return";
  }
  return "?";
}

bool has_sen(std::string_view sen) {
  auto s = lower(sen);
  return s == "k" || s == "e" || s == "s" || s.find("sen support") != std::string::npos ||
         s.find("ehc") != std::string::npos || s.find("statement") != std::string::npos;
}

std::vector<IeDay> ie_days(const std::vector<Booking>& bookings, const Calendar& cal, Date today) {
  std::vector<const Booking*> live_bookings;
  for (const auto& b : bookings)
    if (live(b.status) && b.date <= today && cal.is_open(b.date)) live_bookings.push_back(&b);
  // The first booking of a day (by start, then id) names it.
  std::sort(live_bookings.begin(), live_bookings.end(), [](const Booking* a, const Booking* b) {
    if (a->date != b->date) return a->date < b->date;
    if (a->start_spec != b->start_spec) return a->start_spec < b->start_spec;
    return a->id < b->id;
  });
  std::vector<IeDay> out;
  for (const Booking* b : live_bookings) {
    if (!out.empty() && out.back().date == b->date) {
      // The day counts as attended if any of its bookings was.
      if (b->status == BookingStatus::attended) out.back().status = BookingStatus::attended;
      continue;
    }
    out.push_back(IeDay{b->date, b->id, b->status, b->referred_by});
  }
  return out;
}

std::vector<IeSpell> ie_spells(const std::vector<IeDay>& days, const Calendar& cal) {
  std::vector<IeSpell> out;
  for (const auto& d : days) {
    if (!out.empty() && previous_open(cal, d.date) == out.back().last) {
      out.back().last = d.date;
      out.back().days.push_back(d);
      continue;
    }
    out.push_back(IeSpell{d.date, d.date, {d}});
  }
  return out;
}

WindowPair compare_window(const IeSpell& spell, int days, const std::vector<Incident>& incidents,
                          const Calendar& cal, const Coverage& cov) {
  WindowPair w;
  w.days = days;
  const auto per_day = by_day(incidents);
  // Before: walk back from the spell's first day.
  Date d = spell.first;
  for (int n = 0; n < days; ++n) {
    auto p = previous_open(cal, d);
    if (!p || *p < cov.first) {
      w.before.cut_short = true;
      break;
    }
    d = *p;
    take_day(w.before, d, per_day);
  }
  // After: walk on from the spell's last day; a day from today on is not yet known.
  d = spell.last;
  for (int n = 0; n < days; ++n) {
    auto nx = next_open(cal, d);
    if (!nx || *nx >= cov.today) {
      w.after.cut_short = true;
      break;
    }
    d = *nx;
    take_day(w.after, d, per_day);
  }
  return w;
}

std::vector<ReviewFlag> review_flags(const std::vector<IeSpell>& spells,
                                     const std::vector<Incident>& incidents, bool sen,
                                     const ImpactConfig& cfg, const Calendar& cal, Date today) {
  std::vector<ReviewFlag> out;
  // "Stays open for `within` school days from `since`": since lies in the last `within`
  // school days.
  auto still_open = [&](Date since, int within) {
    return since >= window_start(cal, today, within);
  };

  const FlagKind repeat_kind = sen ? FlagKind::sen_repeat_ie : FlagKind::repeat_ie;
  const ImpactThreshold& repeat = sen ? cfg.sen_repeat_ie : cfg.repeat_ie;
  if (repeat.count > 0 && repeat.within > 0) {
    const Date start = window_start(cal, today, repeat.within);
    std::vector<Date> starts;
    for (const auto& s : spells)
      if (s.first >= start && s.first <= today) starts.push_back(s.first);
    if (static_cast<int>(starts.size()) >= repeat.count) {
      Date since = starts[static_cast<std::size_t>(repeat.count - 1)];
      out.push_back(ReviewFlag{repeat_kind, since, static_cast<int>(starts.size()), repeat.within,
                               advice(repeat_kind, repeat.count, repeat.within)});
    }
  }

  const ImpactThreshold& after = cfg.incidents_after_return;
  if (after.count > 0 && after.within > 0 && !spells.empty() && spells.back().last < today) {
    auto returned = next_open(cal, spells.back().last);
    if (returned && *returned <= today) {
      // The first `within` school days from the return, up to today.
      const Date last = cal.add_school_days(*returned, after.within - 1);
      std::vector<const Incident*> found;
      for (const auto& i : incidents)
        if (i.counted() && i.date >= *returned && i.date <= last && i.date <= today &&
            cal.is_open(i.date))
          found.push_back(&i);
      std::sort(found.begin(), found.end(),
                [](const Incident* a, const Incident* b) { return a->date < b->date; });
      if (static_cast<int>(found.size()) >= after.count) {
        Date since = found[static_cast<std::size_t>(after.count - 1)]->date;
        if (still_open(since, after.within))
          out.push_back(ReviewFlag{
              FlagKind::incidents_after_return, since, static_cast<int>(found.size()), after.within,
              advice(FlagKind::incidents_after_return, after.count, after.within)});
      }
    }
  }
  return out;
}

std::optional<ReturnStatus> back_in_mainstream(const std::vector<IeSpell>& spells,
                                               const std::vector<Booking>& bookings,
                                               const std::vector<Incident>& incidents,
                                               const Calendar& cal, Date today) {
  if (spells.empty() || spells.back().last >= today) return std::nullopt;
  const Date last = spells.back().last;
  if (cal.school_days_between(last, today) > kBackInMainstreamDays) return std::nullopt;
  // A pupil whose IE ended before a holiday is not back until the school opens again.
  auto returned = next_open(cal, last);
  if (!returned || *returned > today) return std::nullopt;
  ReturnStatus r;
  r.last_ie = last;
  r.returned = *returned;
  r.school_days_since = cal.school_days_between(*returned, today);
  for (const auto& i : incidents)
    if (i.counted() && i.date >= *returned && i.date <= today) ++r.incidents_since;
  for (const auto& b : bookings)
    if (live(b.status) && b.date > last && (!r.next_booking || b.date < *r.next_booking))
      r.next_booking = b.date;
  return r;
}

}  // namespace iesync
