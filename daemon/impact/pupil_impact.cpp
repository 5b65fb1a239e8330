#include "daemon/impact/pupil_impact.h"

#include <map>
#include <set>

#include "store/impact_store.h"
#include "store/mis_store.h"
#include "store/store_error.h"

namespace iesync {

namespace json = boost::json;

namespace {

// What the store holds about one pupil, and the IE it adds up to.
struct Pupil {
  std::optional<Student> student;
  std::vector<Booking> bookings;
  std::vector<Incident> incidents;
  std::vector<IeSpell> spells;
};

Pupil load_pupil(MisStore& mis, ImpactStore& impact, const Calendar& cal, const std::string& id,
                 Date today) {
  Pupil p;
  // value() throws an ErrorException for a store fault; guarded() below returns it as an Error.
  p.student = mis.student(id).value();
  p.bookings = mis.bookings_of(id).value();
  p.incidents = impact.incidents_of(id).value();
  p.spells = ie_spells(ie_days(p.bookings, cal, today), cal);
  return p;
}

// The students named by `ids` (sorted, as the store sorts them), nullopt for one not in the
// students export. Looking one student up costs about what reading 10 rows of the whole table
// costs, so with many pupils the whole table is read once and walked beside `ids`.
std::vector<std::optional<Student>> students_of(MisStore& mis,
                                                const std::vector<std::string>& ids) {
  std::vector<std::optional<Student>> out(ids.size());
  const auto count = mis.student_count().value();
  if (static_cast<long long>(ids.size()) * 10 < count) {
    for (std::size_t i = 0; i < ids.size(); ++i) out[i] = mis.student(ids[i]).value();
    return out;
  }
  auto all = mis.students().value();
  auto s = all.begin();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    while (s != all.end() && s->id < ids[i]) ++s;
    if (s != all.end() && s->id == ids[i]) out[i] = std::move(*s);
  }
  return out;
}

// Every pupil with a booked or attended IE up to `today`, in student id order, each as
// load_pupil() gives it. The bookings are read once for all of them: read per pupil, each read
// scanned the whole bookings table, so a cycle's review flags cost pupils x bookings. The
// incidents are read per pupil (by their index), and not at all without a behaviour feed.
std::vector<std::pair<std::string, Pupil>> load_pupils_with_ie(MisStore& mis, ImpactStore& impact,
                                                               const Calendar& cal, Date today) {
  const auto ids = impact.students_with_bookings(today).value();
  std::vector<std::pair<std::string, Pupil>> out;
  if (ids.empty()) return out;
  // In the store's order (date, start, id), which is bookings_of()'s.
  std::map<std::string, std::vector<Booking>> bookings;
  for (auto& b :
       mis.bookings_between(Date::from_ymd(1, 1, 1), Date::from_ymd(9999, 12, 31)).value())
    bookings[b.student_id].push_back(std::move(b));
  const bool have_incidents = impact.first_incident_date().value().has_value();
  auto students = students_of(mis, ids);
  out.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    Pupil p;
    p.student = std::move(students[i]);
    if (auto it = bookings.find(id); it != bookings.end()) p.bookings = std::move(it->second);
    if (have_incidents) p.incidents = impact.incidents_of(id).value();
    p.spells = ie_spells(ie_days(p.bookings, cal, today), cal);
    out.emplace_back(id, std::move(p));
  }
  return out;
}

std::string full_name(const std::optional<Student>& s) {
  return s ? s->forename + " " + s->surname : std::string();
}

json::value date_or_null(const std::optional<Date>& d) {
  if (!d) return nullptr;
  return json::value(d->iso());
}

json::object window_json(const WindowCount& w) {
  return json::object{{"from", date_or_null(w.from)},
                      {"to", date_or_null(w.to)},
                      {"incidents", w.incidents},
                      {"points", w.points},
                      {"cut_short", w.cut_short}};
}

json::object flag_json(const ReviewFlag& f) {
  return json::object{
      {"kind", flag_kind_name(f.kind)}, {"since", f.since.iso()}, {"advice", f.advice}};
}

// Where the behaviour data starts, or nullopt when no behaviour feed has been applied.
std::optional<Coverage> coverage(ImpactStore& impact, Date today) {
  auto first = impact.first_incident_date().value();
  if (!first) return std::nullopt;
  return Coverage{*first, today};
}

std::vector<PupilFlag> flags_of(const Pupil& p, const std::string& id, const Config& cfg,
                                const Calendar& cal, Date today) {
  std::vector<PupilFlag> out;
  const bool sen = p.student && has_sen(p.student->sen);
  for (auto& f : review_flags(p.spells, p.incidents, sen, cfg.impact, cal, today))
    out.push_back(PupilFlag{id, full_name(p.student), p.student ? p.student->reg_group : "", f});
  return out;
}

}  // namespace

std::string PupilFlag::sentence() const {
  std::string who =
      name.empty() ? "Pupil " + student_id
                   : name + " (" + student_id + (reg_group.empty() ? "" : ", " + reg_group) + ")";
  std::string what;
  switch (flag.kind) {
    case FlagKind::repeat_ie:
    case FlagKind::sen_repeat_ie:
      what = "has had " + std::to_string(flag.count) + " IEs within " +
             std::to_string(flag.within) + " school days";
      break;
    case FlagKind::incidents_after_return:
      what =
          "has had " + std::to_string(flag.count) + " behaviour incidents since returning from IE";
      break;
  }
  return "Review flag: " + who + " " + what + " (since " + flag.since.iso() + "). " + flag.advice;
}

Result<std::vector<PupilFlag>> open_review_flags(const Config& cfg, Store& store, Date today) {
  auto cal = Calendar::build(cfg.mapping.calendar);
  if (!cal) return cal.error();
  return guarded(store, "cannot read the review flags", [&]() -> Result<std::vector<PupilFlag>> {
    MisStore mis(store);
    ImpactStore impact(store);
    std::vector<PupilFlag> out;
    for (const auto& [id, p] : load_pupils_with_ie(mis, impact, *cal, today))
      for (auto& f : flags_of(p, id, cfg, *cal, today)) out.push_back(std::move(f));
    return out;
  });
}

Result<std::optional<json::object>> student_impact_json(const Config& cfg, Store& store,
                                                        const std::string& id, Date today) {
  auto cal = Calendar::build(cfg.mapping.calendar);
  if (!cal) return cal.error();
  return guarded(store, "cannot read pupil " + id, [&]() -> Result<std::optional<json::object>> {
    MisStore mis(store);
    ImpactStore impact(store);
    auto p = load_pupil(mis, impact, *cal, id, today);
    if (!p.student && p.bookings.empty() && p.incidents.empty())
      return std::optional<json::object>{};
    json::object student{{"id", id},
                         {"name", full_name(p.student)},
                         {"year", p.student ? p.student->year : ""},
                         {"reg_group", p.student ? p.student->reg_group : ""},
                         {"sen", p.student ? p.student->sen : ""}};
    std::map<std::string, SessionTally> tally;
    const auto tallies = impact.sessions_of(id).value();
    for (const auto& t : tallies) tally[t.booking_id] = t;
    auto cov = coverage(impact, today);
    json::array days;
    for (const auto& spell : p.spells) {
      json::array windows;
      if (cov)
        for (int n : cfg.impact.windows) {
          auto w = compare_window(spell, n, p.incidents, *cal, *cov);
          windows.push_back(json::object{{"days", w.days},
                                         {"before", window_json(w.before)},
                                         {"after", window_json(w.after)}});
        }
      for (const auto& d : spell.days) {
        auto t = tally.find(d.booking_id);
        const SessionTally none;
        const SessionTally& s = t == tally.end() ? none : t->second;
        days.push_back(json::object{{"date", d.date.iso()},
                                    {"booking_id", d.booking_id},
                                    {"status", booking_status_name(d.status)},
                                    {"lessons_missed", s.lessons},
                                    {"work_set", s.work_set},
                                    {"handed_in", s.handed_in},
                                    {"spell_first", spell.first.iso()},
                                    {"windows", windows}});
      }
    }
    json::array incidents;
    for (const auto& i : p.incidents)
      if (i.counted())
        incidents.push_back(json::object{
            {"id", i.id}, {"date", i.date.iso()}, {"type", i.type}, {"points", i.points}});
    json::array flags;
    for (auto& f : flags_of(p, id, cfg, *cal, today)) flags.push_back(flag_json(f.flag));
    return std::optional<json::object>(json::object{{"student", std::move(student)},
                                                    {"ie_days", std::move(days)},
                                                    {"incidents", std::move(incidents)},
                                                    {"flags", std::move(flags)}});
  });
}

Result<json::object> dashboard_impact_json(const Config& cfg, Store& store, Date today) {
  auto cal = Calendar::build(cfg.mapping.calendar);
  if (!cal) return cal.error();
  return guarded(store, "cannot read the impact of IE", [&]() -> Result<json::object> {
    MisStore mis(store);
    ImpactStore impact(store);
    json::array back, flags;
    for (const auto& [id, p] : load_pupils_with_ie(mis, impact, *cal, today)) {
      for (auto& f : flags_of(p, id, cfg, *cal, today))
        flags.push_back(json::object{{"student_id", id},
                                     {"name", f.name},
                                     {"reg_group", f.reg_group},
                                     {"kind", flag_kind_name(f.flag.kind)},
                                     {"since", f.flag.since.iso()},
                                     {"advice", f.flag.advice}});
      auto r = back_in_mainstream(p.spells, p.bookings, p.incidents, *cal, today);
      if (!r) continue;
      back.push_back(json::object{{"student_id", id},
                                  {"name", full_name(p.student)},
                                  {"reg_group", p.student ? p.student->reg_group : ""},
                                  {"last_ie", r->last_ie.iso()},
                                  {"returned", r->returned.iso()},
                                  {"school_days_since", r->school_days_since},
                                  {"incidents_since", r->incidents_since},
                                  {"next_booking", date_or_null(r->next_booking)},
                                  {"flagged", r->flagged()}});
    }
    return json::object{{"back_in_mainstream", std::move(back)},
                        {"flags", std::move(flags)},
                        {"behaviour_feed", impact.first_incident_date().value().has_value()}};
  });
}

void log_new_review_flags(const Config& cfg, Store& store, Date today, TimePoint now,
                          EventSink& events) {
  auto flags = open_review_flags(cfg, store, today);
  if (!flags) {
    events.emit(Event{Severity::error,
                      "impact.failed",
                      "Could not work out the review flags: " + flags.error().to_string(),
                      {}});
    return;
  }
  ImpactStore impact(store);
  std::map<std::pair<std::string, std::string>, std::string> told;
  auto logged = impact.logged_flags();
  if (!logged) {
    events.emit(Event{Severity::error, "impact.failed", logged.error().to_string(), {}});
    return;
  }
  told = std::move(*logged);
  std::vector<std::tuple<std::string, std::string, std::string>> newly;
  std::set<std::pair<std::string, std::string>> open;
  for (const auto& f : *flags) {
    std::pair<std::string, std::string> key{f.student_id, flag_kind_name(f.flag.kind)};
    open.insert(key);
    if (told.contains(key)) continue;
    events.emit(
        Event{Severity::warning,
              "impact.review_flag",
              f.sentence(),
              {{"student_id", f.student_id}, {"kind", key.second}, {"since", f.flag.since.iso()}}});
    newly.emplace_back(f.student_id, key.second, f.flag.since.iso());
  }
  std::vector<std::pair<std::string, std::string>> closed;
  for (const auto& [key, since] : told)
    if (!open.contains(key)) closed.push_back(key);
  if (newly.empty() && closed.empty()) return;
  if (auto r = impact.update_logged_flags(newly, closed, now); !r)
    events.emit(Event{Severity::error, "impact.failed", r.error().to_string(), {}});
}

}  // namespace iesync
