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
  TimePoint now;
  std::optional<ApiFailure> offline;
  std::optional<TimePoint> oldest_shown;  // the oldest cached copy handed out
  int never_fetched = 0;                  // stale entries with no copy at all
  bool stale = false;
  std::set<std::string> cache_warned;
  std::set<std::string> unknown_users;  // asked once per run, reported once

  void cache_problem(const Error& e) {
    if (!cache_warned.insert(e.message).second) return;
    events.emit({Severity::warning, "classroom.cache_failed",
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

}  // namespace

ClassroomFetcher::ClassroomFetcher(ClassroomClient& client, ClassroomCache& cache,
                                   const Clock& clock, TimeZone tz)
    : client_(client), cache_(cache), clock_(clock), tz_(std::move(tz)) {}

ClassroomDay ClassroomFetcher::fetch(const std::vector<CourseRequest>& requests,
                                     EventSink& events) {
  Run run{client_, cache_, events, clock_.now(), {}, {}, 0, false, {}};
  ClassroomDay day;

  for (const auto& req : requests) {
    CourseSnapshot snap;
    bool fresh = false;
    if (!run.offline) {
      auto course = client_.get_course(req.course_ref);
      if (course) {
        auto work = client_.list_course_work(course->id);
        if (work) {
          snap = CourseSnapshot{req.course_ref, course->id, course->name, course->link,
                                std::move(*work), run.now, false};
          fresh = true;
        } else if (!run.takes_us_offline(work.error())) {
          events.emit({Severity::warning, "classroom.course_refused",
                       "Could not read the course work of Classroom course " + req.course_ref +
                           ": " + work.error().error.to_string(),
                       {{"course_ref", req.course_ref}}});
        }
      } else if (course.error().kind == ApiFailureKind::not_found) {
        // An answer, not a failure: the class has no Classroom course (yet).
        snap = CourseSnapshot{req.course_ref, std::nullopt, {}, {}, {}, run.now, false};
        fresh = true;
        events.emit({Severity::info, "classroom.no_course",
                     "Google Classroom has no course " + req.course_ref +
                         "; its lessons show as \"no course\". If the class has a course, add "
                         "its id under [classroom.courses] overrides in mapping.toml",
                     {{"course_ref", req.course_ref}}});
      } else if (!run.takes_us_offline(course.error())) {
        events.emit({Severity::warning, "classroom.course_refused",
                     "Could not read Classroom course " + req.course_ref + ": " +
                         course.error().error.to_string(),
                     {{"course_ref", req.course_ref}}});
      }
    }
    if (fresh) {
      if (auto r = cache_.put_course(snap); !r) run.cache_problem(r.error());
    } else {
      snap = run.cached_course(req.course_ref);
    }
    day.courses.push_back(snap);
    if (!snap.course_id) continue;
    const std::string& course_id = *snap.course_id;

    for (const auto& email : req.student_emails) {
      if (run.unknown_users.count(email)) continue;
      if (!run.offline) {
        std::optional<std::string> uid;
        if (auto c = cache_.user_id(email); !c)
          run.cache_problem(c.error());
        else
          uid = *c;
        if (!uid) {
          auto u = client_.user_id(email);
          if (u) {
            uid = *u;
            if (auto r = cache_.put_user(email, *uid, run.now); !r) run.cache_problem(r.error());
          } else if (!run.takes_us_offline(u.error())) {
            run.unknown_users.insert(email);
            events.emit({Severity::warning, "classroom.unknown_user",
                         "Google Classroom has no user " + email + " (" +
                             u.error().error.message +
                             "); their work cannot be checked. Check the email in the MIS "
                             "matches the student's Google account",
                         {{"email", email}}});
            continue;
          }
        }
        if (!run.offline) {
          auto subs = client_.list_submissions(course_id, *uid);
          if (subs) {
            StudentSubmissions s{course_id, email, *uid, std::move(*subs), run.now, false};
            if (auto r = cache_.put_submissions(s); !r) run.cache_problem(r.error());
            day.submissions.push_back(std::move(s));
            continue;
          }
          if (!run.takes_us_offline(subs.error()))
            events.emit({Severity::warning, "classroom.submissions_refused",
                         "Could not read " + email + "'s submissions in Classroom course " +
                             req.course_ref + ": " + subs.error().error.to_string(),
                         {{"email", email}, {"course_ref", req.course_ref}}});
        }
      }
      day.submissions.push_back(run.cached_submissions(course_id, email));
    }
  }

  day.stale = run.stale;
  if (run.offline) {
    const auto& f = *run.offline;
    // A refused sign-in is no network fault: saying "could not be reached" would send the
    // admin to the wrong place.
    std::string msg =
        (f.kind == ApiFailureKind::auth ? "Google refused iesync access to Classroom ("
                                        : "Google Classroom could not be reached (") +
        f.error.message + "); ";
    if (run.oldest_shown)
      msg += "showing work as of " + describe_age(tz_, run.now, *run.oldest_shown);
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
    events.emit({Severity::warning, "classroom.unreachable", msg, fields});
  }
  return day;
}

}  // namespace iesync
