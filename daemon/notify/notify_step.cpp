#include "daemon/notify/notify_step.h"

#include <set>

#include "connectors/email/smtp_sender.h"
#include "daemon/health.h"
#include "daemon/impact/pupil_impact.h"
#include "mapping/calendar.h"
#include "mapping/notify/compose.h"
#include "mapping/notify/notify_schedule.h"
#include "mapping/notify/utc.h"
#include "mapping/timezone.h"
#include "store/classroom_cache.h"
#include "store/mis_store.h"
#include "store/notify_queue.h"
#include "store/outbox.h"
#include "store/session_store.h"

namespace iesync {

namespace {

TimeZone zone_of(const Config& cfg) {
  return TimeZone::named(cfg.school.timezone).value_or(TimeZone::london());
}

Result<std::map<std::string, Student>> students_of(MisStore& mis,
                                                   const std::vector<IeSession>& sessions) {
  std::map<std::string, Student> out;
  for (const auto& s : sessions) {
    if (out.count(s.student_id)) continue;
    auto st = mis.student(s.student_id);
    if (!st) return st.error();
    if (*st) out[s.student_id] = **st;
  }
  return out;
}

std::string teacher_line(const TeacherChase& t, const std::string& tail = "") {
  std::string name = t.teacher_name == t.teacher_code || t.teacher_code.empty()
                         ? t.teacher_name
                         : t.teacher_name + " (" + t.teacher_code + ")";
  return name + ": " + std::to_string(t.items.size()) + " lesson(s)" + tail;
}

// What select_chase needs, read from the store for [first, last].
Result<ChaseInputs> chase_inputs(Store& store, Date first, Date last) {
  ChaseInputs in;
  SessionStore sessions_db(store);
  auto sessions = sessions_db.load_range(first, last);
  if (!sessions) return sessions.error();
  in.sessions = std::move(*sessions);
  MisStore mis(store);
  auto students = students_of(mis, in.sessions);
  if (!students) return students.error();
  in.students = std::move(*students);
  auto staff = mis.staff();
  if (!staff) return staff.error();
  for (auto& s : *staff) in.staff[s.code] = s;
  // The course's own Classroom link, from what the last cycle fetched.
  ClassroomCache cache(store);
  std::set<std::string> refs;
  for (const auto& s : in.sessions)
    for (const auto& l : s.lessons)
      if (l.course_ref && l.work.status == WorkStatus::not_set) refs.insert(*l.course_ref);
  for (const auto& ref : refs) {
    auto c = cache.course(ref);
    if (c && *c && (*c)->course_id && !(*c)->link.empty())
      in.course_links[*(*c)->course_id] = (*c)->link;
  }
  return in;
}

// The last day a chase covers: the next school day after today.
Date next_school_day(const Config& cfg, Date today) {
  auto cal = Calendar::build(cfg.mapping.calendar);
  return cal ? cal->add_school_days(today, 1) : today.plus_days(1);
}

std::optional<Date> parse_utc_local_date(const std::string& utc, const TimeZone& tz) {
  auto t = parse_utc_text(utc);
  if (!t) return std::nullopt;
  return tz.to_local(*t).date;
}

void say(EventSink& events, Severity sev, const std::string& kind, const std::string& msg) {
  events.emit(Event{sev, kind, msg, {}});
}

NotifyStepReport deliver(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                         NotifyStepReport r) {
  auto sender = make_mail_sender(cfg.notify);
  if (!sender) {
    say(events, Severity::error, "notify.config", sender.error().to_string());
    r.failed = true;
    return r;
  }
  NotifyQueue queue(store, clock);
  r.delivery = deliver_mail(queue, **sender, clock, events);
  return r;
}

Result<int> queue_chase(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                        const std::string& slot) {
  auto c = compose_chase(cfg, store, clock, slot);
  if (!c) return c.error();
  for (const auto& t : c->could_not_chase)
    say(events, Severity::warning, "notify.could_not_chase",
        "Could not chase " + teacher_line(t, " with no work set") +
            ": the staff export has no email for them; they are listed in the digest");
  NotifyQueue queue(store, clock);
  const Date today = zone_of(cfg).to_local(clock.now()).date;
  return queue.enqueue(c->messages, today, c->chased);
}

}  // namespace

Result<ComposedChase> compose_chase(const Config& cfg, Store& store, Clock& clock,
                                    const std::string& slot) {
  const TimeZone tz = zone_of(cfg);
  const TimePoint now = clock.now();
  const Date today = tz.to_local(now).date;
  const Date last = next_school_day(cfg, today);
  auto in = chase_inputs(store, today, last);
  if (!in) return in.error();
  NotifyQueue queue(store, clock);
  auto chased = queue.chased_between(today, last);
  if (!chased) return chased.error();
  for (const auto& [c, at] : *chased) in->already_chased.insert(c);
  ChasePlan plan = select_chase(*in, tz, now, last);
  ComposedChase out;
  for (const auto& t : plan.teachers) {
    out.messages.push_back(chase_email(t,
                                       "chase|" + today.iso() + "|" + slot + "|" + t.teacher_code,
                                       cfg.school.name, cfg.mapping.work, now));
    for (const auto& i : t.items) out.chased.push_back(i.id);
  }
  out.could_not_chase = std::move(plan.could_not_chase);
  return out;
}

Result<std::vector<MailMessage>> compose_digest(const Config& cfg, Store& store, Clock& clock,
                                                Date day) {
  const TimeZone tz = zone_of(cfg);
  const TimePoint now = clock.now();
  const Date next = next_school_day(cfg, day);
  // Every lesson of the two days with no work set, as at the start of the day, gives the
  // teachers who cannot be emailed.
  auto in = chase_inputs(store, day, next);
  if (!in) return in.error();
  DigestInput d;
  d.school_name = cfg.school.name;
  d.today = digest_day(day, in->sessions, in->students);
  d.next_day = digest_day(next, in->sessions, in->students);
  ChasePlan all = select_chase(*in, tz, tz.to_utc(day, TimeOfDay{0}), next);
  for (const auto& t : all.could_not_chase) d.could_not_chase.push_back(teacher_line(t));

  NotifyQueue queue(store, clock);
  auto chased = queue.chased_between(day, next);
  if (!chased) return chased.error();
  std::map<std::string, int> by_teacher;
  for (const auto& [c, at] : *chased) {
    auto when = parse_utc_local_date(at, tz);
    if (when == day) ++by_teacher[c.teacher];
  }
  for (const auto& [code, n] : by_teacher) {
    auto sf = in->staff.find(code);
    std::string name = sf != in->staff.end() && !sf->second.name.empty()
                           ? sf->second.name + " (" + code + ")"
                           : code;
    d.chased.push_back(name + ": " + std::to_string(n) + " lesson(s)");
  }

  Outbox outbox(store, clock);
  OutboxFilter f;
  f.date = day;
  if (auto rows = outbox.list(f)) {
    for (const auto& r : *rows) {
      switch (r.state) {
        case OutboxState::sent:
        case OutboxState::confirmed:
          ++d.marks_written;
          break;
        case OutboxState::pending:
        case OutboxState::in_doubt:
          ++d.marks_waiting;
          break;
        case OutboxState::conflict:
          d.conflicts_and_failures.push_back("Conflict: " + r.item.key +
                                             " (the MIS holds another mark; " + r.last_error + ")");
          break;
        case OutboxState::failed:
          d.conflicts_and_failures.push_back("Failed: " + r.item.key + " (" + r.last_error + ")");
          break;
        default:
          break;
      }
    }
  }
  auto health = read_store_health(store, clock, 1);
  for (const auto& h : health.held) d.export_problems.push_back(held_export_warning(h));
  std::error_code ec;
  const auto rejected = cfg.mis.export_dir / "rejected";
  if (std::filesystem::is_directory(rejected, ec))
    for (auto& e : std::filesystem::directory_iterator(rejected, ec))
      if (e.path().extension() == ".txt" && e.path().string().ends_with(".why.txt"))
        d.export_problems.push_back("Rejected: " + e.path().filename().string() +
                                    " (see export_dir/rejected/)");
  if (auto rows = queue.list(500))
    for (const auto& q : *rows)
      if (q.state == MailState::failed && q.day == day)
        d.mail_problems.push_back("To " + q.message.to_address + ": " + q.last_error);
  if (auto w = queue.waiting_reason(); w && *w) d.mail_problems.push_back("Waiting: " + **w);
  // SPEC §10: the open review flags, in the same words as sync.log and the dashboard.
  // A flag that cannot be worked out is said in the digest; it never stops the digest.
  if (auto flags = open_review_flags(cfg, store, day))
    for (const auto& f : *flags) d.review_flags.push_back(f.sentence());
  else
    d.review_flags.push_back("The review flags could not be read: " + flags.error().to_string());

  std::vector<MailMessage> out;
  for (const auto& to : cfg.notify.behaviour_lead)
    out.push_back(digest_email(d, "digest|" + day.iso() + "|" + to, to, now));
  return out;
}

Result<std::unique_ptr<MailSender>> make_mail_sender(const NotifyConfig& n) {
  if (n.transport == MailTransport::dir)
    return make_error("[notify] transport", "\"dir\" is not available in this build",
                      "use transport = \"smtp\" with a relay");
  auto o = smtp_options_from(n);
  if (!o) return o.error();
  return make_smtp_sender(*o);
}

NotifyStepReport run_notify_step(const Config& cfg, Store& store, EventSink& events, Clock& clock) {
  NotifyStepReport r;
  if (!cfg.notify.enabled) return r;
  const TimeZone tz = zone_of(cfg);
  const TimePoint now = clock.now();
  const Date today = tz.to_local(now).date;
  auto cal = Calendar::build(cfg.mapping.calendar);
  const bool school_day = cal ? cal->is_open(today) : false;
  NotifyQueue queue(store, clock);
  NotifyTimes times{cfg.notify.chase_at, cfg.notify.digest_at};
  std::set<std::string> ran;
  for (auto t : times.chase_at) {
    NotifySlot s{MailKind::chase, today, t};
    if (auto done = queue.ran(s.id()); done && *done) ran.insert(s.id());
  }
  if (auto done = queue.ran(NotifySlot{MailKind::digest, today, times.digest_at}.id());
      done && *done)
    ran.insert(NotifySlot{MailKind::digest, today, times.digest_at}.id());
  auto due = due_slots(times, school_day, tz, now, ran);
  // Chase times missed while iesync was down become one chase, under the latest of them.
  std::optional<NotifySlot> chase;
  for (const auto& s : due)
    if (s.kind == MailKind::chase) chase = s;
  for (const auto& s : due) {
    if (s.kind == MailKind::chase && chase && s.at == chase->at) {
      auto n = queue_chase(cfg, store, events, clock, s.at.str());
      if (!n) {
        say(events, Severity::error, "notify.failed",
            "The chase at " + s.at.str() + " could not be queued: " + n.error().to_string());
        r.failed = true;
        continue;
      }
      r.queued += *n;
    } else if (s.kind == MailKind::digest) {
      auto msgs = compose_digest(cfg, store, clock, today);
      if (!msgs) {
        say(events, Severity::error, "notify.failed",
            "The digest could not be written: " + msgs.error().to_string());
        r.failed = true;
        continue;
      }
      auto n = queue.enqueue(*msgs, today);
      if (!n) {
        r.failed = true;
        continue;
      }
      r.queued += *n;
    }
    // Recorded after its messages are queued: a crash in between queues them again, which
    // their keys make harmless.
    (void)queue.mark_ran(s.id());
    r.ran.push_back(s.id());
  }
  if (r.queued)
    say(events, Severity::info, "notify.queued",
        std::to_string(r.queued) + " email(s) queued (" + std::to_string(r.ran.size()) +
            " notification time(s))");
  return deliver(cfg, store, events, clock, std::move(r));
}

NotifyStepReport chase_now(const Config& cfg, Store& store, EventSink& events, Clock& clock) {
  NotifyStepReport r;
  const auto local = zone_of(cfg).to_local(clock.now());
  char hms[16];
  std::snprintf(hms, sizeof hms, "now %s:%02d", local.time.str().c_str(), local.seconds);
  auto n = queue_chase(cfg, store, events, clock, hms);
  if (!n) {
    say(events, Severity::error, "notify.failed",
        "The chase could not be queued: " + n.error().to_string());
    r.failed = true;
    return r;
  }
  r.queued = *n;
  return deliver(cfg, store, events, clock, std::move(r));
}

NotifyStepReport digest_now(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                            Date day) {
  NotifyStepReport r;
  auto msgs = compose_digest(cfg, store, clock, day);
  if (!msgs) {
    say(events, Severity::error, "notify.failed",
        "The digest could not be written: " + msgs.error().to_string());
    r.failed = true;
    return r;
  }
  NotifyQueue queue(store, clock);
  auto n = queue.enqueue(*msgs, day);
  if (!n) {
    r.failed = true;
    return r;
  }
  r.queued = *n;
  return deliver(cfg, store, events, clock, std::move(r));
}

void notify_after_cycle(const Config& cfg, Store& store, EventSink& events, Clock& clock,
                        bool chase_requested) {
  if (!cfg.notify.enabled) return;
  run_notify_step(cfg, store, events, clock);
  if (chase_requested) chase_now(cfg, store, events, clock);
}

std::optional<TimePoint> next_notify_at(const Config& cfg, Clock& clock) {
  if (!cfg.notify.enabled) return std::nullopt;
  auto cal = Calendar::build(cfg.mapping.calendar);
  if (!cal) return std::nullopt;
  const Calendar& c = *cal;
  return next_slot_at(
      {cfg.notify.chase_at, cfg.notify.digest_at}, [&c](Date d) { return c.is_open(d); },
      zone_of(cfg), clock.now());
}

}  // namespace iesync
