#include "daemon/cycle.h"

#include <map>
#include <set>

#include "connectors/classroom/connector.h"
#include "connectors/writeback/sender.h"
#include "daemon/cycle_summary.h"
#include "daemon/exit_code.h"
#include "daemon/impact/pupil_impact.h"
#include "mapping/calendar.h"
#include "mapping/marks.h"
#include "mapping/missed_lessons.h"
#include "mapping/retractions.h"
#include "mapping/timezone.h"
#include "store/cycle_log.h"
#include "store/lookup_cache.h"
#include "store/mis_store.h"
#include "store/outbox.h"
#include "store/retention.h"
#include "store/scratch_store.h"
#include "store/session_store.h"

namespace iesync {

namespace {

// Cancellations are often recorded a day or two late; this far back, a booking that turned
// absent or cancelled still has its marks retracted.
constexpr int kRetractLookbackDays = 14;

std::string student_name(const Student* s, const std::string& id) {
  if (!s) return "student " + id;
  return s->forename + " " + s->surname + " (" + id + ")";
}

void emit(EventSink& events, Severity sev, std::string kind, std::string message,
          std::vector<std::pair<std::string, std::string>> fields = {}) {
  events.emit(Event{sev, std::move(kind), std::move(message), std::move(fields)});
}

// Fills in each lesson's work status from Classroom (or from the cache when Google cannot be
// reached). Returns true when what is shown is not this cycle's.
Result<bool> assess_classroom(const Config& cfg, Store& store, EventSink& events, Env& env,
                              const TimeZone& tz, const CycleDeps& deps, MisStore& mis,
                              std::vector<IeSession>& sessions) {
  if (!cfg.classroom.enabled) return false;
  std::map<std::string, std::set<std::string>> wanted;  // course ref -> emails
  std::map<std::string, std::string> email_of;          // student id -> email
  for (auto& s : sessions) {
    if (!s.problem.empty()) continue;
    auto found = mis.student(s.student_id);
    if (!found) return found.error();
    const auto& st = *found;
    std::string email = st ? st->email : "";
    email_of[s.student_id] = email;
    if (email.empty() && !s.lessons.empty()) {
      emit(events, Severity::warning, "classroom.no_email",
           student_name(st ? &*st : nullptr, s.student_id) +
               " has no email in the students export, so their Classroom hand-ins cannot be "
               "checked; map the email column in [fields.students]");
    }
    for (auto& l : s.lessons)
      if (l.course_ref) {
        auto& set = wanted[*l.course_ref];
        if (!email.empty()) set.insert(email);
      }
  }
  if (wanted.empty()) return false;

  ClassroomMetrics local_metrics;
  HttpOptions http;
  http.proxy = cfg.classroom.proxy;
  Sleeper sleep = deps.sleep;
  if (!sleep) sleep = [&env](std::chrono::milliseconds d) { env.sleep(d); };
  auto connector = ClassroomConnector::create(
      cfg.classroom, store, env.clock(), tz, std::move(sleep),
      deps.classroom_metrics ? *deps.classroom_metrics : local_metrics, env.http_client(http));
  if (!connector) {
    emit(events, Severity::error, "classroom.config", connector.error().to_string());
    return true;
  }
  std::vector<CourseRequest> requests;
  for (auto& [ref, emails] : wanted)
    requests.push_back({ref, std::vector<std::string>(emails.begin(), emails.end())});
  ClassroomDay day = (*connector)->fetch(requests, events, deps.classroom_pass);

  std::map<std::string, const CourseSnapshot*> by_ref;
  for (const auto& c : day.courses) by_ref[c.course_ref] = &c;
  std::map<std::pair<std::string, std::string>, const StudentSubmissions*> subs;
  for (const auto& s : day.submissions) subs[{s.course_id, s.email}] = &s;

  for (auto& s : sessions) {
    for (auto& l : s.lessons) {
      if (!l.course_ref) continue;
      auto c = by_ref.find(*l.course_ref);
      const CourseSnapshot* course = c == by_ref.end() ? nullptr : c->second;
      if (!course) {
        l.work.status = WorkStatus::unknown;
        continue;
      }
      l.course_id = course->course_id;
      const StudentSubmissions* sub = nullptr;
      if (course->course_id) {
        auto it = subs.find({*course->course_id, email_of[s.student_id]});
        if (it != subs.end()) sub = it->second;
      }
      l.work = assess_work(LessonSlot{s.date, l.time}, course, sub, cfg.mapping.work, tz);
    }
  }
  return day.stale;
}

// The cycle's write target from [writeback]; on a config problem (no outbox folder, a
// missing or group-readable token file) says so and returns nullptr, so the marks stay
// queued for the next cycle.
std::unique_ptr<WriteTarget> make_target(const Config& cfg, Env& env,
                                         std::unique_ptr<HttpClient>& http, EventSink& events,
                                         LookupCache* cache) {
  // The file target makes no requests; only the Wonde target gets a real client.
  struct NoHttp : HttpClient {
    Result<HttpResponse> send(const HttpRequest&) override {
      return make_error("write-back", "the file target makes no HTTP requests");
    }
  };
  static NoHttp no_http;
  if (cfg.writeback.target == WritebackTarget::wonde) http = env.http_client(HttpOptions{});
  auto target = env.write_target(cfg, http ? *http : no_http, cache);
  if (!target) {
    emit(events, Severity::error, "writeback.config", target.error().to_string());
    return nullptr;
  }
  return std::move(*target);
}

}  // namespace

namespace {

// Everything one cycle carries from step to step.
struct CycleRun {
  const Config& cfg;
  Store& store;
  EventSink& events;
  Env& env;
  Clock& clock;  // env.clock()
  const CycleOptions& opts;
  const CycleDeps& deps;
  TimeZone tz;
  TimePoint started;
  std::optional<Calendar> cal;
  CycleReport r;
};

Result<void> load_calendar(CycleRun& c) {
  auto cal = Calendar::build(c.cfg.mapping.calendar);
  if (!cal) return cal.error();
  c.cal.emplace(std::move(*cal));
  return {};
}

Result<void> import_exports(CycleRun& c) {
  Importer importer(c.cfg, c.store, c.events, c.clock);
  c.r.import = c.opts.dry_run ? importer.preview(c.opts.accept_drop)
                              : importer.run(c.opts.accept_drop, false);
  if (c.r.import.failed)
    return make_error("",
                      "the MIS import failed (see above); exports applied before the failure "
                      "are kept, the rest wait for the next cycle");
  return {};
}

// The day's IE sessions from the bookings, the timetable and each student's classes.
Result<void> build_sessions(CycleRun& c) {
  MisStore mis(c.store);
  ReadSnapshot one_read(c.store);  // a few reads per pupil booked
  auto bookings = mis.bookings_between(c.r.date, c.r.date);
  if (!bookings) return bookings.error();
  if (bookings->empty()) return {};  // no IE that day: its timetable is not needed
  auto day = c.cal->day(c.r.date);
  std::vector<Lesson> lessons;
  if (day.open) {
    auto l = mis.lessons_on(day.cycle_day);
    if (!l) return l.error();
    lessons = std::move(*l);
  }
  for (const auto& b : *bookings) {
    auto st = mis.student(b.student_id);
    if (!st) return st.error();
    auto memberships = mis.memberships_of(b.student_id);
    if (!memberships) return memberships.error();
    const Student* who = *st ? &**st : nullptr;
    auto s = build_session(b, who, *c.cal, *memberships, lessons, c.cfg.mapping);
    if (!s.problem.empty()) {
      ++c.r.problems;
      emit(c.events, Severity::warning, "booking.problem",
           "Booking " + b.id + " for " + student_name(who, b.student_id) +
               " covers no lessons: " + s.problem + ".",
           {{"booking_id", b.id}, {"student_id", b.student_id}, {"date", b.date.iso()}});
    }
    c.r.sessions.push_back(std::move(s));
  }
  return {};
}

Result<void> read_classroom(CycleRun& c) {
  MisStore mis(c.store);
  auto stale = assess_classroom(c.cfg, c.store, c.events, c.env, c.tz, c.deps, mis, c.r.sessions);
  if (!stale) return stale.error();
  c.r.classroom_stale = *stale;
  return {};
}

// The marks due now, and the keys to retract: facts the day's sessions held before and no
// longer hold, and the sessions of past days whose booking has since been called off.
Result<void> plan_marks(CycleRun& c) {
  const auto& codes = c.cfg.mapping.codes;
  for (const auto& s : c.r.sessions) {
    auto p = plan_writes(s, codes, c.cal->pm().end, c.tz, c.started);
    for (auto& w : p.due) c.r.to_queue.push_back(std::move(w));
    for (auto& k : p.retract) c.r.retracts.push_back(std::move(k));
  }
  SessionStore sessions_db(c.store);
  ReadSnapshot one_read(c.store);  // a read per day with a late cancellation
  auto before = sessions_db.load_day(c.r.date);
  if (!before) return before.error();
  for (auto& k : retracted_keys(*before, c.r.sessions, codes)) c.r.retracts.push_back(std::move(k));

  auto past = MisStore(c.store).bookings_between(c.r.date.plus_days(-kRetractLookbackDays),
                                                 c.r.date.plus_days(-1));
  if (!past) return past.error();
  std::set<Date> days;
  for (const auto& b : *past)
    if (b.status == BookingStatus::absent || b.status == BookingStatus::cancelled)
      days.insert(b.date);
  for (Date d : days) {
    auto held = sessions_db.load_day(d);
    if (!held) return held.error();
    for (auto& k : late_cancellation_keys(*past, *held, codes))
      c.r.retracts.push_back(std::move(k));
  }
  return {};
}

// The reconciled day into the store, and its marks and retractions into the outbox.
Result<void> save_and_queue(CycleRun& c) {
  if (auto saved = SessionStore(c.store).save_day(c.r.date, c.r.sessions, c.started); !saved)
    return saved.error();
  Outbox outbox(c.store, c.clock);
  auto enq = outbox.enqueue(c.r.to_queue);
  if (!enq) return enq.error();
  c.r.queued = enq->added + enq->requeued;
  for (const auto& k : c.r.retracts)
    if (auto rr = outbox.retract(k, "the booking no longer covers it"); !rr) return rr.error();
  return {};
}

// The outbox to the MIS. A dry run, or a write-back config problem, sends nothing: the marks
// stay queued for the next cycle.
Result<void> send_marks(CycleRun& c) {
  if (c.opts.dry_run) return {};
  std::unique_ptr<HttpClient> http;
  LookupCache lookups(c.store);
  auto target = make_target(c.cfg, c.env, http, c.events, &lookups);
  if (!target) return {};
  Outbox outbox(c.store, c.clock);
  Sender sender(outbox, *target, c.clock, c.events);
  auto sent = sender.run_once();
  if (!sent) {
    ++c.r.failed;  // the Sender has said why; the items stay queued for the next cycle
    return {};
  }
  c.r.sent = sent->sent + sent->confirmed + sent->recovered;
  c.r.conflicts = sent->conflict;
  c.r.failed = sent->failed;
  c.r.in_doubt = sent->in_doubt;
  return {};
}

struct Step {
  const char* name;
  Result<void> (*run)(CycleRun&);
};

// The cycle, in order. A step that fails ends the cycle (what earlier steps committed stays);
// between steps a shutdown may stop it. Further steps (reconciling several days, sending
// notifications) go into this list.
constexpr Step kSteps[] = {
    {"calendar", load_calendar},   {"import", import_exports}, {"sessions", build_sessions},
    {"classroom", read_classroom}, {"plan", plan_marks},       {"queue", save_and_queue},
    {"send", send_marks},
};

void record(CycleRun& c, const char* result) {
  if (c.opts.dry_run) return;
  // When the store is the fault this fails too; sync.log has the cycle either way.
  // The day's place against the day the cycle ran on: a restart catches up from the last
  // "today" that did not fail (CycleLog::last_day_caught_up).
  const Date ran_on = c.tz.to_local(c.started).date;
  const char* kind = c.r.date < ran_on ? "catch_up" : c.r.date == ran_on ? "today" : "look_ahead";
  if (auto logged = CycleLog(c.store).record({format_utc(c.started), format_utc(c.clock.now()),
                                              result, c.r.summary, c.r.date.iso(), kind});
      !logged)
    emit(c.events, Severity::error, "store.failed", logged.error().to_string());
}

CycleReport failed(CycleRun& c, const Error& why) {
  c.r.exit_code = ExitCode::failed;
  c.r.summary = "Cycle for " + c.r.date.iso() + " failed: " + why.to_string();
  emit(c.events, Severity::error, "cycle.failed", c.r.summary);
  record(c, "failed");
  return std::move(c.r);
}

bool stop_requested(const CycleRun& c) {
  return c.deps.stop_requested && c.deps.stop_requested();
}

CycleReport stopped(CycleRun& c) {
  c.r.exit_code = ExitCode::failed;
  c.r.summary =
      "Cycle for " + c.r.date.iso() + " stopped for shutdown; the next cycle finishes it.";
  emit(c.events, Severity::info, "cycle.stopped", c.r.summary);
  return std::move(c.r);
}

CycleReport finished(CycleRun& c) {
  auto& r = c.r;
  r.summary = format_cycle_summary(r, c.opts.dry_run);
  bool record_errors = r.import.record_errors > 0 || r.problems > 0 || r.import.rejected ||
                       r.conflicts > 0 || r.failed > 0;
  r.exit_code = record_errors ? ExitCode::problems : ExitCode::ok;
  emit(c.events, record_errors ? Severity::warning : Severity::info, "cycle.done", r.summary,
       {{"date", r.date.iso()}, {"exit_code", std::to_string(r.exit_code)}});
  record(c, record_errors ? "record_errors" : "ok");
  // [store] retain: cheap when nothing has expired; one log line when something went.
  if (!c.opts.dry_run) {
    purge_expired_and_report(c.store, c.cfg.store.retain, c.clock.now(), c.events);
    // SPEC §10. Flags are today's: a pass that also catches up or looks ahead works them out
    // once, in today's cycle.
    const Date today = c.tz.to_local(c.started).date;
    if (r.date == today) log_new_review_flags(c.cfg, c.store, today, c.clock.now(), c.events);
  }
  return std::move(r);
}

CycleReport run_cycle_on(const Config& cfg, Store& store, EventSink& events, Env& env,
                         const CycleOptions& opts, const CycleDeps& deps) {
  CycleRun c{cfg,
             store,
             events,
             env,
             env.clock(),
             opts,
             deps,
             TimeZone::named(cfg.school.timezone).value_or(TimeZone::london()),
             env.clock().now(),
             std::nullopt,
             {}};
  c.r.date = opts.date.value_or(c.tz.to_local(c.started).date);
  const std::size_t last = std::size(kSteps) - 1;
  for (std::size_t i = 0; i <= last; ++i) {
    if (auto done = kSteps[i].run(c); !done) return failed(c, done.error());
    if (i < last && stop_requested(c)) return stopped(c);
  }
  return finished(c);
}

}  // namespace

CycleReport run_cycle(const Config& cfg, Store& store, EventSink& events, Env& env,
                      const CycleOptions& opts, const CycleDeps& deps) {
  if (!opts.dry_run) return run_cycle_on(cfg, store, events, env, opts, deps);
  auto scratch = ScratchStore::copy_of(store);
  if (!scratch) {
    CycleReport r;
    r.exit_code = ExitCode::failed;
    r.summary = "Dry run failed: " + scratch.error().to_string();
    emit(events, Severity::error, "cycle.failed", r.summary);
    return r;
  }
  return run_cycle_on(cfg, (*scratch)->store(), events, env, opts, deps);
}

}  // namespace iesync
