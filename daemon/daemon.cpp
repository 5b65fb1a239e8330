#include "daemon/daemon.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>
#include <utility>

#include "config/load.h"
#include "connectors/crypto/libcrypto.h"
#include "daemon/cycle.h"
#include "daemon/exit_code.h"
#include "daemon/export_watch.h"
#include "daemon/health.h"
#include "daemon/impact/pupil_impact.h"
#include "daemon/notify/notify_step.h"
#include "daemon/plan_view.h"
#include "daemon/runtime.h"
#include "daemon/schedule.h"
#include "daemon/status/server.h"
#include "daemon/sync_log.h"
#include "daemon/systemd_notify.h"
#include "mapping/calendar.h"
#include "mapping/reconcile_days.h"
#include "mapping/shown_text.h"
#include "mapping/timezone.h"
#include "store/cycle_log.h"

namespace iesync {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A cycle that runs longer than this has hung (every request has its own timeout); the
// watchdog then stops answering and systemd restarts the service.
constexpr auto kStuckCycle = 1h;

TimeZone zone_of(const Config& cfg) {
  return TimeZone::named(cfg.school.timezone).value_or(TimeZone::london());
}

std::string feed_key(Feed f) {
  return feed_name(f);
}

// Built once per config for the dashboard's day links, not per request; a config that loaded
// has a calendar that builds, so null only means "skip weekends alone".
std::shared_ptr<const Calendar> shared_calendar(const Config& cfg) {
  auto cal = Calendar::build(cfg.mapping.calendar);
  return cal ? std::make_shared<const Calendar>(std::move(*cal)) : nullptr;
}

}  // namespace

void Daemon::say(Severity sev, const std::string& kind, const std::string& message) {
  log_->emit(Event{sev, kind, message, {}});
  // Under systemd stderr is the journal; on a terminal SyncLog already echoes.
  if (!::isatty(STDERR_FILENO)) std::cerr << shown(message) << std::endl;
}

void Daemon::show_config(const Config& cfg) {
  state_.school_name = cfg.school.name;
  state_.timezone = cfg.school.timezone;
  state_.calendar = shared_calendar(cfg);
  state_.version = IESYNC_VERSION;
  state_.interval = cfg.schedule.interval;
}

bool Daemon::trigger(const std::string& why) {
  std::lock_guard l(wmu_);
  if (stopping_) return false;
  if (running_) {
    if (queued_) return false;
    queued_ = true;
    if (why != "scheduled")
      log_->emit(Event{Severity::info,
                       "daemon.queued",
                       "A cycle is running; another is queued (" + why + ")",
                       {}});
    return true;
  }
  if (start_requested_) return false;
  start_requested_ = true;
  // The schedule is the normal case; anything else is worth a line in the log.
  if (why != "scheduled")
    log_->emit(Event{Severity::info, "daemon.trigger", "Cycle starting: " + why, {}});
  wcv_.notify_one();
  return true;
}

void Daemon::worker_loop() {
  for (;;) {
    {
      std::unique_lock l(wmu_);
      wcv_.wait(l, [&] { return stopping_ || start_requested_; });
      if (stopping_) return;
      start_requested_ = false;
      running_ = true;
      running_since_ = std::chrono::steady_clock::now();
    }
    try {
      do_cycles();
    } catch (const std::exception& e) {
      // Every step returns its errors as values, so this is a bug; it must not end the
      // service. The cycle counts as failed and the next one runs as usual.
      say(Severity::error, "cycle.failed",
          std::string("A cycle stopped on an unexpected error (a bug in iesync): ") + e.what());
      std::lock_guard l(state_mu_);
      ++state_.cycles_by_result["failed"];
    }
    std::lock_guard l(wmu_);
    running_ = false;
    if (queued_ && !stopping_) {
      queued_ = false;
      start_requested_ = true;
    }
    wcv_.notify_all();  // run() may be waiting for the cycle to end
  }
}

// Today's cycle, preceded once a day by the previous school day's: its exclusion records
// fall due at the end of that day, after school hours, and a day the service was down still
// gets its marks written.
void Daemon::do_cycles() {
  Config cfg = config_copy();
  TimeZone tz = zone_of(cfg);
  Date today = tz.to_local(env_.clock().now()).date;
  // Oldest first: school days missed since the last success ([schedule] catch_up), today, then
  // the next look_ahead school days so tomorrow's room is known (and chased) tonight.
  // Where catching up starts: the last day reconciled as today, kept in the store so a
  // restart after days down catches up every one of them (up to catch_up). Unreadable (the
  // store is at fault, and the cycle below says so): the days since the last success seen by
  // this process, else yesterday alone.
  std::optional<Date> caught_up = caught_up_;
  if (auto store = usable(store_))
    if (auto last = CycleLog(**store).last_day_caught_up(); last && *last)
      if (!caught_up || **last > *caught_up) caught_up = **last;
  std::vector<Date> days = {today};
  if (auto cal = Calendar::build(cfg.mapping.calendar))
    days =
        days_to_reconcile(*cal, today, caught_up, cfg.schedule.catch_up, cfg.schedule.look_ahead);

  ClassroomPass classroom_pass;  // a course's course work read once for all these days
  CycleDeps deps;
  deps.classroom_metrics = &classroom_metrics_;
  deps.classroom_pass = &classroom_pass;
  deps.sleep = [this](std::chrono::milliseconds d) {
    std::unique_lock l(wmu_);
    env_.sleep_unless(d, wcv_, l, [&] { return stopping_; });
  };
  deps.stop_requested = [this] {
    std::lock_guard l(wmu_);
    return stopping_;
  };

  bool settling = false;
  std::string summary;
  for (Date d : days) {
    auto started = std::chrono::steady_clock::now();
    auto store = usable(store_);
    if (!store) {
      cycle_without_store(d, store.error());
      summary = last_summary_;
      break;
    }
    CycleOptions o;
    o.date = d;
    CycleReport r = run_cycle(cfg, **store, *log_, env_, o, deps);
    // A failed cycle may be the store's fault: ask it, so /healthz can name the reason.
    std::string fault;
    if (r.exit_code == ExitCode::failed)
      if (auto c = (*store)->check(); !c) fault = c.error().message;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (const auto& f : r.import.feeds)
      if (f.status == FeedStatus::settling) settling = true;
    auto health = read_store_health(**store, env_.clock(), 10);
    std::lock_guard l(state_mu_);
    state_.store_fault = fault;
    const char* result = r.exit_code == ExitCode::ok         ? "ok"
                         : r.exit_code == ExitCode::problems ? "record_errors"
                                                             : "failed";
    ++state_.cycles_by_result[result];
    state_.last_cycle_end = env_.clock().now();
    if (r.exit_code != ExitCode::failed) state_.last_success = env_.clock().now();
    state_.last_cycle_seconds = seconds;
    for (const auto& f : r.import.feeds) {
      if (f.status == FeedStatus::applied)
        state_.records_imported_by_feed[feed_key(f.feed)] += f.accepted;
      if (f.status == FeedStatus::rejected) ++state_.rejected_feeds_by_feed[feed_key(f.feed)];
    }
    if (health.fault.empty()) {  // else the last good reading stays, and store_fault says why
      state_.recent_cycles = health.recent_cycles;
      state_.outbox_by_state = health.outbox_by_state;
      state_.mail_by_kind_state = health.mail_by_kind_state;
      state_.held_exports = health.held;
    }
    state_.warnings = health.warnings;
    if (r.exit_code != ExitCode::failed && d == today) caught_up_ = today;
    if (d == today) {  // the status line speaks of today, not of a catch-up or look-ahead day
      summary = r.summary;
      last_summary_ = r.summary;
    }
  }
  bool chase;
  {
    std::lock_guard l(wmu_);
    chase = std::exchange(chase_requested_, false);
  }
  if (auto store = usable(store_)) {  // SPEC §9: chase and digest times
    notify_after_cycle(cfg, **store, *log_, env_.clock(), chase);
    // What was just sent, or is now waiting for the mail server, shows at once.
    auto health = read_store_health(**store, env_.clock(), 10);
    std::lock_guard l(state_mu_);
    if (health.fault.empty()) {
      state_.mail_by_kind_state = health.mail_by_kind_state;
      state_.warnings = health.warnings;
    }
  }
  asio::post(io_, [this, settling, summary] { after_cycle(settling, summary); });
}

bool Daemon::request_chase() {
  if (!config_copy().notify.enabled) return false;
  {
    std::lock_guard l(wmu_);
    if (chase_requested_) return false;
    chase_requested_ = true;
  }
  trigger("a chase was asked for over the status server");
  return true;
}

// The worker's store, opened again when the file at its path is no longer the one open (it
// was removed, or replaced by a restore): a connection to the old file would keep working on
// data nobody else sees. An error names why the store cannot be used now.
Result<Store*> Daemon::usable(std::unique_ptr<Store>& store) {
  if (store && !store->replaced()) return store.get();
  const auto path = config_copy().store.path;
  store.reset();
  auto opened = Store::open(path);
  if (!opened) return opened.error();
  (*opened)->set_busy_timeout(opts_.busy_timeout);
  store = std::move(*opened);
  say(Severity::info, "daemon.store_reopened", "Opened the store again: " + path.string());
  return store.get();
}

// A cycle that could not start because the store cannot be opened: counted and logged like
// any failed cycle (the store cannot record it), and /healthz says why.
void Daemon::cycle_without_store(Date d, const Error& why) {
  std::string summary = "Cycle for " + d.iso() + " failed: " + why.to_string();
  log_->emit(Event{Severity::error, "cycle.failed", summary, {{"date", d.iso()}}});
  std::lock_guard l(state_mu_);
  ++state_.cycles_by_result["failed"];
  state_.last_cycle_end = env_.clock().now();
  state_.store_fault = why.message;
  last_summary_ = summary;
}

void Daemon::after_cycle(bool settling, const std::string& summary) {
  notify_.status(summary);
  log_->flush();
  if (settling) {
    // An export was still being written: look again once it has settled.
    settle_timer_.expires_after(kSettleTime + 2s);
    settle_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) trigger("an export has settled");
    });
  }
}

void Daemon::arm_schedule(std::optional<TimePoint> last_start) {
  Config cfg = config_copy();
  TimePoint now = env_.clock().now();
  TimePoint next = next_cycle_at(cfg.schedule, zone_of(cfg), now, last_start);
  if (auto n = next_notify_at(cfg, env_.clock()); n && *n < next)
    next = *n;  // a chase or digest time
  {
    std::lock_guard l(state_mu_);
    state_.next_cycle = next;
  }
  schedule_timer_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(next - now));
  schedule_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    TimePoint started = env_.clock().now();
    trigger("scheduled");
    arm_schedule(started);
  });
}

void Daemon::arm_watchdog() {
  auto every = notify_.watchdog_interval();
  if (!every) return;
  watchdog_timer_.expires_after(*every / 2);
  watchdog_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    bool stuck;
    {
      std::lock_guard l(wmu_);
      stuck = running_ && std::chrono::steady_clock::now() - running_since_ > kStuckCycle;
    }
    if (stuck) {
      say(Severity::error, "daemon.stuck",
          "A cycle has run for over an hour; no longer answering systemd's watchdog, so it "
          "restarts iesync");
      return;
    }
    notify_.watchdog();
    arm_watchdog();
  });
}

void Daemon::wait_signals() {
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      reload();
      wait_signals();
      return;
    }
    begin_stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
  });
}

void Daemon::reload() {
  notify_.reloading();
  auto loaded = load_config(opts_.config_path);
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems) say(Severity::error, "config.invalid", p.to_string());
    say(Severity::error, "daemon.reload_refused",
        "The new config has " + std::to_string(loaded.problems.size()) +
            " problem(s) (above), so iesync keeps running with the previous one; fix them and "
            "send SIGHUP again (systemctl reload iesync)");
    notify_.reloaded(last_summary_);
    return;
  }
  Config old = config_copy();
  Config& now = loaded.config;
  if (now.store.path != old.store.path) {
    say(Severity::warning, "daemon.reload",
        "[store] path changed; the new store is used after a restart (systemctl restart iesync)");
    now.store.path = old.store.path;
  }
  if (now.log.dir != old.log.dir) {
    say(Severity::warning, "daemon.reload",
        "[log] dir changed; the new folder is used after a restart");
    now.log.dir = old.log.dir;
  }
  {
    std::lock_guard l(state_mu_);
    cfg_ = now;
    show_config(now);
  }
  if (now.mis.export_dir != old.mis.export_dir) {
    if (auto w = watch_.watch(now.mis.export_dir); !w)
      say(Severity::warning, "daemon.watch", w.error().to_string());
  }
  if (now.status.host != old.status.host || now.status.port != old.status.port ||
      now.status.token_file != old.status.token_file) {
    if (server_) server_->stop();
    server_.reset();
    if (auto s = start_server(); !s)
      say(Severity::error, "daemon.status_server", s.error().to_string());
  }
  schedule_timer_.cancel();
  arm_schedule(std::nullopt);
  say(Severity::info, "daemon.reloaded",
      "Reloaded " + opts_.config_path.string() + " and its mapping");
  notify_.reloaded(last_summary_);
}

void Daemon::begin_stop(const char* signal_name) {
  notify_.stopping();
  say(Severity::info, "daemon.stopping", std::string("Stopping (") + signal_name + ")");
  {
    std::lock_guard l(wmu_);
    stopping_ = true;
  }
  wcv_.notify_all();  // wakes the worker and any retry sleep
  signals_.cancel();
  schedule_timer_.cancel();
  settle_timer_.cancel();
  watchdog_timer_.cancel();
  watch_.stop();
  if (server_) server_->stop();
}

Result<void> Daemon::start_server() {
  Config cfg = config_copy();
  auto token = load_status_token(cfg.status);
  if (!token) return token.error();
  auto server = std::make_unique<StatusServer>(io_, server_options_from(cfg.status, *token), *this);
  if (auto s = server->start(); !s) return s.error();
  say(Severity::info, "daemon.listening",
      "Dashboard and status at http://" + cfg.status.host + ":" + std::to_string(server->port()) +
          "/");
  server_ = std::move(server);
  return {};
}

StatusSnapshot Daemon::snapshot() {
  StatusSnapshot s;
  Config cfg;
  {
    std::lock_guard l(state_mu_);
    s = state_;
    cfg = cfg_;
  }
  {
    std::lock_guard l(wmu_);
    s.cycle_running = running_;
    s.cycle_queued = queued_ || start_requested_;
  }
  s.now = env_.clock().now();
  s.today = zone_of(cfg).to_local(env_.clock().now()).date;
  s.classroom_requests = classroom_metrics_.snapshot();
  s.notify_enabled = cfg.notify.enabled;
  return s;
}

Result<boost::json::object> Daemon::plan(Date date) {
  Config cfg = config_copy();
  std::lock_guard l(read_mu_);
  auto store = usable(read_store_);
  if (!store) return store.error();
  return build_plan(cfg, **store, date, env_.clock());
}

Result<boost::json::object> Daemon::impact(Date today) {
  Config cfg = config_copy();
  std::lock_guard l(read_mu_);
  auto store = usable(read_store_);
  if (!store) return store.error();
  return dashboard_impact_json(cfg, **store, today);
}

Result<std::optional<boost::json::object>> Daemon::student(const std::string& id, Date today) {
  Config cfg = config_copy();
  std::lock_guard l(read_mu_);
  auto store = usable(read_store_);
  if (!store) return store.error();
  return student_impact_json(cfg, **store, id, today);
}

int Daemon::run() {
  Config cfg = config_copy();
  {
    std::lock_guard l(state_mu_);
    auto health = read_store_health(*store_, env_.clock(), 10);
    state_.recent_cycles = health.recent_cycles;
    state_.outbox_by_state = health.outbox_by_state;
    state_.mail_by_kind_state = health.mail_by_kind_state;
    state_.warnings = health.warnings;
    state_.held_exports = health.held;
  }
  if (auto s = start_server(); !s) {
    say(Severity::error, "daemon.status_server", s.error().to_string());
    return ExitCode::invalid;
  }
  if (auto w = watch_.watch(cfg.mis.export_dir); !w)
    say(Severity::warning, "daemon.watch", w.error().to_string());
  // Taken here, not at construction: a Daemon a test drives in-process leaves the test
  // process's own signals alone.
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  wait_signals();
  worker_ = std::thread([this] { worker_loop(); });
  // A cycle at start, in or out of school hours, so whoever started it sees it work.
  trigger("start-up");
  {
    TimePoint now = env_.clock().now();
    arm_schedule(in_school_hours(cfg.schedule, zone_of(cfg), now) ? std::optional(now)
                                                                  : std::nullopt);
  }
  arm_watchdog();
  say(Severity::info, "daemon.started",
      "iesync " + std::string(IESYNC_VERSION) + " running for " + cfg.school.name +
          ": a cycle every " + std::to_string(cfg.schedule.interval.count() / 60) +
          " min in school hours " + cfg.schedule.school_hours.str());
  notify_.ready("Started; first cycle running");

  io_.run();

  // The I/O side has stopped; give the running cycle its grace, then abandon it. Everything it
  // committed is consistent (the store is transactional, the outbox crash-safe), and the next
  // start redoes the rest.
  bool finished;
  {
    std::unique_lock l(wmu_);
    finished = wcv_.wait_for(l, opts_.stop_grace, [&] { return !running_; });
  }
  if (!finished) {
    say(Severity::warning, "daemon.abandoned",
        "The running cycle did not finish within " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(opts_.stop_grace).count()) +
            " s of the stop request; it was abandoned and the next start finishes it");
    log_->flush();
    std::_Exit(0);
  }
  worker_.join();
  say(Severity::info, "daemon.stopped", "Stopped cleanly");
  log_->flush();
  return ExitCode::ok;
}

int run_daemon(const DaemonOptions& opts, Env& env) {
  // libcrypto is loaded when first needed (connectors/crypto/libcrypto.h); the service needs
  // it for the status server's sign-in and e-mail, so it is loaded now, and a broken install
  // stops the start with the package to install rather than a page or an e-mail later.
  if (!crypto::library()) {
    std::cerr << crypto::load_error() << "\n";
    return ExitCode::failed;
  }
  int rc = ExitCode::ok;
  auto rt = open_runtime(opts.config_path.string(), /*with_log=*/true, env.clock(), rc);
  if (!rt) return rc;
  auto read_store = Store::open(rt->config.store.path);
  if (!read_store) {
    std::cerr << read_store.error().to_string() << "\n";
    return ExitCode::failed;
  }
  rt->store->set_busy_timeout(opts.busy_timeout);
  (*read_store)->set_busy_timeout(opts.busy_timeout);
  Daemon d(opts, env, rt->config, std::move(rt->store), std::move(*read_store), std::move(rt->log));
  return d.run();
}

}  // namespace iesync
