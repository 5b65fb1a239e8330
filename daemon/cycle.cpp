#include "daemon/cycle.h"

#include <unistd.h>

#include <map>
#include <set>

#include "connectors/classroom/connector.h"
#include "connectors/http/curl_client.h"
#include "connectors/writeback/make_target.h"
#include "connectors/writeback/sender.h"
#include "daemon/impact/pupil_impact.h"
#include "mapping/calendar.h"
#include "mapping/marks.h"
#include "mapping/missed_lessons.h"
#include "mapping/notify/chase.h"
#include "mapping/timezone.h"
#include "store/mis_store.h"
#include "store/outbox.h"
#include "store/lookup_cache.h"
#include "store/retention.h"
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
bool assess_classroom(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                      const TimeZone& tz, const CycleDeps& deps, MisStore& mis,
                      std::vector<IeSession>& sessions) {
  if (!cfg.classroom.enabled) return false;
  std::map<std::string, std::set<std::string>> wanted;  // course ref -> emails
  std::map<std::string, std::string> email_of;          // student id -> email
  for (auto& s : sessions) {
    if (!s.problem.empty()) continue;
    auto st = mis.student(s.student_id);
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
  auto connector = ClassroomConnector::create(
      cfg.classroom, store, clock, tz, deps.sleep ? deps.sleep : real_sleeper(),
      deps.classroom_metrics ? *deps.classroom_metrics : local_metrics);
  if (!connector) {
    emit(events, Severity::error, "classroom.config", connector.error().to_string());
    return true;
  }
  std::vector<CourseRequest> requests;
  for (auto& [ref, emails] : wanted)
    requests.push_back({ref, std::vector<std::string>(emails.begin(), emails.end())});
  ClassroomDay day = (*connector)->fetch(requests, events);

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
std::unique_ptr<WriteTarget> make_target(const Config& cfg, Clock& clock,
                                         std::unique_ptr<HttpClient>& http, EventSink& events,
                                         LookupCache* cache) {
  // The file target makes no requests; only the Wonde target gets a real client.
  struct NoHttp : HttpClient {
    Result<HttpResponse> send(const HttpRequest&) override {
      return make_error("write-back", "the file target makes no HTTP requests");
    }
  };
  static NoHttp no_http;
  if (cfg.writeback.target == WritebackTarget::wonde) http = make_curl_client(HttpOptions{});
  auto target = make_write_target(cfg.writeback, cfg.mapping.codes, http ? *http : no_http, clock,
                                  cache);
  if (!target) {
    emit(events, Severity::error, "writeback.config", target.error().to_string());
    return nullptr;
  }
  return std::move(*target);
}

}  // namespace

namespace {

// A dry run works on a scratch copy of the store, so it can import and reconcile what the new
// exports say and queue into a throwaway outbox, while the real store, the export folder and
// the MIS see nothing.
class ScratchStore {
 public:
  static Result<std::unique_ptr<ScratchStore>> copy_of(Store& real) {
    std::unique_ptr<ScratchStore> s(new ScratchStore);
    s->dir_ = std::filesystem::temp_directory_path() /
              ("iesync-dry-run-" + std::to_string(::getpid()));
    std::error_code ec;
    std::filesystem::remove_all(s->dir_, ec);
    std::filesystem::create_directories(s->dir_, ec);
    if (ec) return make_error(s->dir_.string(), "cannot make a scratch folder: " + ec.message(), "check /tmp");
    auto path = s->dir_ / "dry-run.db";
    try {
      SQLite::Statement q(real.db(), "VACUUM INTO ?");
      q.bind(1, path.string());
      q.exec();
    } catch (const SQLite::Exception& e) {
      return make_error(real.path().string(), std::string("cannot copy the store for a dry run: ") + e.what(),
                        "check there is free space in the temporary folder");
    }
    auto opened = Store::open(path);
    if (!opened) return opened.error();
    s->store_ = std::move(*opened);
    return s;
  }
  ~ScratchStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Store& store() { return *store_; }

 private:
  ScratchStore() = default;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

CycleReport run_cycle_on(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                         const CycleOptions& opts, const CycleDeps& deps);

}  // namespace

CycleReport run_cycle(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                      const CycleOptions& opts, const CycleDeps& deps) {
  if (!opts.dry_run) return run_cycle_on(cfg, store, events, clock, opts, deps);
  auto scratch = ScratchStore::copy_of(store);
  if (!scratch) {
    CycleReport r;
    r.exit_code = 3;
    r.summary = "Dry run failed: " + scratch.error().to_string();
    emit(events, Severity::error, "cycle.failed", r.summary);
    return r;
  }
  return run_cycle_on(cfg, (*scratch)->store(), events, clock, opts, deps);
}

namespace {

CycleReport run_cycle_on(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                         const CycleOptions& opts, const CycleDeps& deps) {
  CycleReport r;
  const TimeZone tz = TimeZone::named(cfg.school.timezone).value_or(TimeZone::london());
  const TimePoint now = clock.now();
  r.date = opts.date.value_or(tz.to_local(now).date);
  auto fail = [&](const std::string& why) {
    r.exit_code = 3;
    r.summary = "Cycle for " + r.date.iso() + " failed: " + why;
    emit(events, Severity::error, "cycle.failed", r.summary);
    return r;
  };

  auto cal = Calendar::build(cfg.mapping.calendar);
  if (!cal) return fail(cal.error().to_string());

  Importer importer(cfg, store, events, clock);
  r.import = opts.dry_run ? importer.preview(opts.accept_drop) : importer.run(opts.accept_drop, false);
  if (r.import.failed)
    return fail("the MIS import failed (see above); exports applied before the failure are kept, the rest wait for the next cycle");
  auto stopping = [&] {
    if (!deps.stop_requested || !deps.stop_requested()) return false;
    r.exit_code = 3;
    r.summary = "Cycle for " + r.date.iso() + " stopped for shutdown; the next cycle finishes it.";
    emit(events, Severity::info, "cycle.stopped", r.summary);
    return true;
  };
  if (stopping()) return r;

  MisStore mis(store);
  SessionStore sessions_db(store);
  auto day = cal->day(r.date);
  std::vector<Lesson> lessons = day.open ? mis.lessons_on(day.cycle_day) : std::vector<Lesson>{};

  for (const auto& b : mis.bookings_between(r.date, r.date)) {
    auto st = mis.student(b.student_id);
    auto memberships = mis.memberships_of(b.student_id);
    auto s = build_session(b, st ? &*st : nullptr, *cal, memberships, lessons, cfg.mapping);
    if (!s.problem.empty()) {
      ++r.problems;
      emit(events, Severity::warning, "booking.problem",
           "Booking " + b.id + " for " + student_name(st ? &*st : nullptr, b.student_id) +
               " covers no lessons: " + s.problem + ".",
           {{"booking_id", b.id}, {"student_id", b.student_id}, {"date", b.date.iso()}});
    }
    r.sessions.push_back(std::move(s));
  }

  r.classroom_stale = assess_classroom(cfg, store, events, clock, tz, deps, mis, r.sessions);
  if (stopping()) return r;

  // What the store said before, to retract facts a changed booking no longer holds.
  auto before = sessions_db.load_day(r.date);
  if (!before) return fail(before.error().to_string());
  std::map<std::string, std::vector<std::string>> new_keys;
  for (const auto& s : r.sessions) {
    auto p = plan_writes(s, cfg.mapping.codes, cal->pm().end, tz, now);
    for (auto& w : p.due) r.to_queue.push_back(std::move(w));
    for (auto& k : p.retract) r.retracts.push_back(std::move(k));
    new_keys[s.booking_id] = s.problem.empty() ? all_keys(s, cfg.mapping.codes) : std::vector<std::string>{};
  }
  for (const auto& old : *before) {
    auto now_keys = new_keys[old.booking_id];
    for (auto& k : all_keys(old, cfg.mapping.codes))
      if (std::find(now_keys.begin(), now_keys.end(), k) == now_keys.end()) r.retracts.push_back(k);
  }
  for (const auto& b : mis.bookings_between(r.date.plus_days(-kRetractLookbackDays), r.date.plus_days(-1))) {
    if (b.status != BookingStatus::absent && b.status != BookingStatus::cancelled) continue;
    auto past = sessions_db.load_day(b.date);
    if (!past) continue;
    for (const auto& s : *past)
      if (s.booking_id == b.id)
        for (auto& k : all_keys(s, cfg.mapping.codes)) r.retracts.push_back(k);
  }

  Outbox outbox(store, clock);
  {
    if (auto saved = sessions_db.save_day(r.date, r.sessions, now); !saved)
      return fail(saved.error().to_string());
    auto enq = outbox.enqueue(r.to_queue);
    if (!enq) return fail(enq.error().to_string());
    r.queued = enq->added + enq->requeued;
    for (const auto& k : r.retracts) {
      auto why = "the booking no longer covers it";
      if (auto rr = outbox.retract(k, why); !rr) return fail(rr.error().to_string());
    }
    std::unique_ptr<HttpClient> http;
    LookupCache lookups(store);
    auto target = opts.dry_run ? nullptr : make_target(cfg, clock, http, events, &lookups);
    if (target) {
      Sender sender(outbox, *target, clock, events);
      auto sent = sender.run_once();
      if (!sent) {
        ++r.failed;  // the Sender has said why; the items stay queued for the next cycle
      } else {
        r.sent = sent->sent + sent->confirmed + sent->recovered;
        r.conflicts = sent->conflict;
        r.failed = sent->failed;
        r.in_doubt = sent->in_doubt;
      }
    }
  }

  int lessons_total = 0;
  std::map<WorkStatus, int> by_status;
  std::set<std::string> students;
  for (const auto& s : r.sessions) {
    if (!live_session(s)) continue;  // cancelled and absent bookings are never counted
    students.insert(s.student_id);
    for (const auto& l : s.lessons) {
      ++lessons_total;
      ++by_status[l.work.status];
    }
  }
  r.summary = std::string(opts.dry_run ? "Dry run for " : "Cycle for ") + r.date.iso() + ": " +
              std::to_string(students.size()) + " student(s) in IE missing " +
              std::to_string(lessons_total) + " lesson(s) (" +
              std::to_string(by_status[WorkStatus::handed_in]) + " handed in, " +
              std::to_string(by_status[WorkStatus::set]) + " set, " +
              std::to_string(by_status[WorkStatus::not_set]) + " not set, " +
              std::to_string(by_status[WorkStatus::no_course]) + " no course, " +
              std::to_string(by_status[WorkStatus::unknown]) + " unknown); " +
              std::to_string(r.queued) + (opts.dry_run ? " mark(s) would be queued" : " mark(s) queued") +
              (opts.dry_run ? "" : ", " + std::to_string(r.sent) + " sent") +
              (r.conflicts ? ", " + std::to_string(r.conflicts) + " conflict(s)" : "") +
              (r.in_doubt ? ", " + std::to_string(r.in_doubt) + " in doubt (read back next cycle)" : "") +
              (r.problems ? "; " + std::to_string(r.problems) + " booking problem(s)" : "") +
              (r.import.record_errors ? "; " + std::to_string(r.import.record_errors) + " record error(s) in the exports" : "") +
              (r.classroom_stale ? "; Classroom data is not current" : "") + ".";
  bool record_errors = r.import.record_errors > 0 || r.problems > 0 || r.import.rejected ||
                       r.conflicts > 0 || r.failed > 0;
  r.exit_code = record_errors ? 1 : 0;
  emit(events, record_errors ? Severity::warning : Severity::info, "cycle.done", r.summary,
       {{"date", r.date.iso()}, {"exit_code", std::to_string(r.exit_code)}});
  if (!opts.dry_run) {
    try {
      SQLite::Statement q(store.db(),
                          "INSERT INTO cycles (started_at, finished_at, result, summary) VALUES (?,?,?,?)");
      q.bind(1, format_utc(now));
      q.bind(2, format_utc(clock.now()));
      q.bind(3, record_errors ? "record_errors" : "ok");
      q.bind(4, r.summary);
      q.exec();
    } catch (const SQLite::Exception& e) {
      emit(events, Severity::error, "store.failed", std::string("could not record the cycle: ") + e.what());
    }
    // [store] retain: cheap when nothing has expired; one log line when something went.
    purge_expired_and_report(store, cfg.store.retain, clock.now(), events);
    log_new_review_flags(cfg, store, tz.to_local(now).date, clock.now(), events);  // SPEC §10
  }
  return r;
}

}  // namespace

}  // namespace iesync
