#include "connectors/classroom/fetcher.h"

#include <algorithm>
#include <set>

namespace iesync {

namespace {

// State of one fetch: once Google is found unreachable, every later read uses the cache
// (retrying each call would only multiply the wait).
struct Run {
  ClassroomClient& client;
  ClassroomCache& cache;
  EventSink& events;
  ClassroomPass* pass;  // may be null
  TimePoint now;
  std::optional<ApiFailure> offline;
  std::optional<TimePoint> oldest_shown;  // the oldest cached copy handed out
  int never_fetched = 0;                  // stale entries with no copy at all
  bool stale = false;
  std::set<std::string> cache_warned;
  std::set<std::string> unknown_users;  // asked once per run, reported once
  // The token lacks the materials scope: said once, and no more materials calls this run.
  bool materials_scope_missing = false;

  void cache_problem(const Error& e) {
    if (!cache_warned.insert(e.message).second) return;
    events.emit({Severity::warning,
                 "classroom.cache_failed",
                 "The Classroom cache in the store could not be used: " + e.to_string(),
                 {}});
  }

  void note_shown(const std::optional<TimePoint>& fetched_at) {
    stale = true;
    if (!fetched_at) {
      ++never_fetched;
      return;
    }
    if (!oldest_shown || *fetched_at < *oldest_shown) oldest_shown = fetched_at;
  }

  // Google failed in a way that is about the whole service, not one request.
  bool takes_us_offline(const ApiFailure& f) {
    if (f.kind != ApiFailureKind::unreachable && f.kind != ApiFailureKind::auth) return false;
    if (!offline) offline = f;
    return true;
  }

  CourseSnapshot cached_course(const std::string& ref) {
    CourseSnapshot s;
    s.course_ref = ref;
    if (auto c = cache.course(ref); !c)
      cache_problem(c.error());
    else if (*c)
      s = std::move(**c);
    s.stale = true;
    note_shown(s.fetched_at);
    return s;
  }

  StudentSubmissions cached_submissions(const std::string& course_id, const std::string& email) {
    StudentSubmissions s;
    s.course_id = course_id;
    s.email = email;
    if (auto c = cache.submissions(course_id, email); !c)
      cache_problem(c.error());
    else if (*c)
      s = std::move(**c);
    s.stale = true;
    note_shown(s.fetched_at);
    return s;
  }
};

std::string describe_age(const TimeZone& tz, TimePoint now, TimePoint at) {
  auto l = tz.to_local(at);
  if (l.date == tz.to_local(now).date) return l.time.str();
  return l.date.iso() + " " + l.time.str();
}

// The course's materials into `snap`. Returns false when Google turned out unreachable (the
// caller then shows the cached course). A missing scope or a refusal leaves the materials
// unchecked: the lessons go by the assignments and say so.
bool read_materials(Run& run, CourseSnapshot& snap, const std::string& course_ref) {
  if (run.materials_scope_missing) return true;
  auto materials = run.client.list_materials(*snap.course_id);
  if (materials) {
    snap.materials = std::move(*materials);
    snap.materials_checked = true;
    return true;
  }
  const auto& f = materials.error();
  if (f.kind == ApiFailureKind::scope_missing) {
    run.materials_scope_missing = true;
    run.events.emit({Severity::warning,
                     "classroom.materials_scope",
                     "Classroom materials could not be checked, so work posted as a material "
                     "does not count as set and lessons go by assignments alone: " +
                         f.error.to_string(),
                     {{"scope", kMaterialsScope}}});
    return true;
  }
  if (run.takes_us_offline(f)) return false;
  run.events.emit({Severity::warning,
                   "classroom.materials_refused",
                   "Could not read the materials of Classroom course " + course_ref +
                       "; its lessons go by assignments alone: " + f.error.to_string(),
                   {{"course_ref", course_ref}}});
  return true;
}

// This cycle's copy of one course (courses.get, courseWork.list, courseWorkMaterials.list), or
// nullopt when it could not be read (then the caller shows the cached copy).
std::optional<CourseSnapshot> read_course(Run& run, const std::string& course_ref) {
  auto course = run.client.get_course(course_ref);
  if (!course) {
    if (course.error().kind == ApiFailureKind::not_found) {
      // An answer, not a failure: the class has no Classroom course (yet).
      run.events.emit({Severity::info,
                       "classroom.no_course",
                       "Google Classroom has no course " + course_ref +
                           "; its lessons show as \"no course\". If the class has a course, add "
                           "its id under [classroom.courses] overrides in mapping.toml",
                       {{"course_ref", course_ref}}});
      CourseSnapshot none;
      none.course_ref = course_ref;
      none.fetched_at = run.now;
      return none;
    }
    if (!run.takes_us_offline(course.error()))
      run.events.emit({Severity::warning,
                       "classroom.course_refused",
                       "Could not read Classroom course " + course_ref + ": " +
                           course.error().error.to_string(),
                       {{"course_ref", course_ref}}});
    return std::nullopt;
  }
  auto work = run.client.list_course_work(course->id);
  if (!work) {
    if (!run.takes_us_offline(work.error()))
      run.events.emit({Severity::warning,
                       "classroom.course_refused",
                       "Could not read the course work of Classroom course " + course_ref + ": " +
                           work.error().error.to_string(),
                       {{"course_ref", course_ref}}});
    return std::nullopt;
  }
  CourseSnapshot snap;
  snap.course_ref = course_ref;
  snap.course_id = course->id;
  snap.name = course->name;
  snap.link = course->link;
  snap.work = std::move(*work);
  snap.fetched_at = run.now;
  if (!read_materials(run, snap, course_ref)) return std::nullopt;
  return snap;
}

// One course for the day: this cycle's copy (written to the cache) or the cached one.
CourseSnapshot course_for_day(Run& run, const std::string& course_ref) {
  if (run.pass)
    if (const auto* read = run.pass->course(course_ref)) return *read;
  std::optional<CourseSnapshot> fresh;
  if (!run.offline) fresh = read_course(run, course_ref);
  if (!fresh) return run.cached_course(course_ref);
  if (auto r = run.cache.put_course(*fresh); !r) run.cache_problem(r.error());
  if (run.pass) run.pass->put_course(*fresh);
  return std::move(*fresh);
}

// The student's Classroom user id: from the store, else userProfiles.get (and stored).
// nullopt when Google does not know them (reported once) or is unreachable.
std::optional<std::string> user_id_of(Run& run, const std::string& email) {
  if (auto c = run.cache.user_id(email); !c)
    run.cache_problem(c.error());
  else if (*c)
    return **c;
  auto u = run.client.user_id(email);
  if (u) {
    if (auto r = run.cache.put_user(email, *u, run.now); !r) run.cache_problem(r.error());
    return *u;
  }
  if (!run.takes_us_offline(u.error())) {
    run.unknown_users.insert(email);
    run.events.emit({Severity::warning,
                     "classroom.unknown_user",
                     "Google Classroom has no user " + email + " (" + u.error().error.message +
                         "); their work cannot be checked. Check the email in the MIS matches "
                         "the student's Google account",
                     {{"email", email}}});
  }
  return std::nullopt;
}

// One student's submissions in one course, appended to `day` (this cycle's, or the cached
// copy). A student Google does not know is left out.
void submissions_for_day(Run& run, const std::string& course_id, const std::string& course_ref,
                         const std::string& email, ClassroomDay& day) {
  if (run.unknown_users.count(email)) return;
  if (run.pass)
    if (const auto* read = run.pass->submissions(course_id, email)) {
      day.submissions.push_back(*read);
      return;
    }
  if (!run.offline) {
    auto uid = user_id_of(run, email);
    if (!uid && run.unknown_users.count(email)) return;
    if (uid && !run.offline) {
      auto subs = run.client.list_submissions(course_id, *uid);
      if (subs) {
        StudentSubmissions s{course_id, email, *uid, std::move(*subs), run.now, false};
        if (auto r = run.cache.put_submissions(s); !r) run.cache_problem(r.error());
        if (run.pass) run.pass->put_submissions(s);
        day.submissions.push_back(std::move(s));
        return;
      }
      if (!run.takes_us_offline(subs.error()))
        run.events.emit({Severity::warning,
                         "classroom.submissions_refused",
                         "Could not read " + email + "'s submissions in Classroom course " +
                             course_ref + ": " + subs.error().error.to_string(),
                         {{"email", email}, {"course_ref", course_ref}}});
    }
  }
  day.submissions.push_back(run.cached_submissions(course_id, email));
}

// The one event for a fetch that fell back to the cache: why, and how old what is shown is.
void report_offline(const Run& run, const TimeZone& tz) {
  const auto& f = *run.offline;
  // A refused sign-in is no network fault: saying "could not be reached" would send the
  // admin to the wrong place.
  std::string msg = (f.kind == ApiFailureKind::auth ? "Google refused iesync access to Classroom ("
                                                    : "Google Classroom could not be reached (") +
                    f.error.message + "); ";
  if (run.oldest_shown)
    msg += "showing work as of " + describe_age(tz, run.now, *run.oldest_shown);
  else
    msg += "no earlier copy is stored";
  if (run.never_fetched > 0 && run.oldest_shown)
    msg += "; " + std::to_string(run.never_fetched) +
           " course or student lookups were never fetched and show as unknown";
  if (!f.error.fix.empty()) msg += ". " + f.error.fix;
  std::vector<std::pair<std::string, std::string>> fields{
      {"reason", f.kind == ApiFailureKind::auth ? "auth" : "unreachable"},
      {"status", std::to_string(f.status)}};
  if (run.oldest_shown) fields.emplace_back("as_of", format_utc(*run.oldest_shown));
  run.events.emit({Severity::warning, "classroom.unreachable", msg, fields});
}

}  // namespace

ClassroomFetcher::ClassroomFetcher(ClassroomClient& client, ClassroomCache& cache,
                                   const Clock& clock, TimeZone tz)
    : client_(client), cache_(cache), clock_(clock), tz_(std::move(tz)) {}

ClassroomDay ClassroomFetcher::fetch(const std::vector<CourseRequest>& requests, EventSink& events,
                                     ClassroomPass* pass) {
  Run run{client_, cache_, events, pass, clock_.now(), {}, {}, 0, false, {}, {}, false};
  ClassroomDay day;
  for (const auto& req : requests) {
    day.courses.push_back(course_for_day(run, req.course_ref));
    const auto course_id = day.courses.back().course_id;
    if (!course_id) continue;
    for (const auto& email : req.student_emails)
      submissions_for_day(run, *course_id, req.course_ref, email, day);
  }
  day.stale = run.stale;
  if (run.offline) report_offline(run, tz_);
  return day;
}

}  // namespace iesync
