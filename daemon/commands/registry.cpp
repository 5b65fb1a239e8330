#include "daemon/commands.h"
#include "daemon/exit_code.h"

namespace iesync {

namespace {
SyncOptions sync_opts;
PlanOptions plan_opts;
OutboxOptions outbox_opts;
StatusOptions status_opts;
RunOptions run_opts;
ReportOptions report_opts;
StudentOptions student_opts;
NotifyOptions notify_opts;
}  // namespace

void register_commands(CLI::App& app, CommonOptions&, const AddConfigOption& add_config) {
  auto* run = app.add_subcommand(
      "run",
      "The service: cycles every [schedule] interval in school hours, watches the export\n"
      "folder, serves the status page and dashboard ([status] listen), reloads config on\n"
      "SIGHUP and stops cleanly on SIGTERM/SIGINT. Under systemd: Type=notify with watchdog.\n"
      "Exit: 0 clean stop, 2 config invalid at start, 3 store or log cannot be opened");
  add_config(run);
  run->add_option("--watch-quiet-ms", run_opts.watch_quiet_ms,
                  "how long the export folder must be quiet after a change before a cycle starts")
      ->capture_default_str();
  run->add_option("--busy-timeout-ms", run_opts.busy_timeout_ms,
                  "how long a store call waits for another program's lock on the store before "
                  "the cycle fails (and is tried again at the next one)")
      ->capture_default_str();

  auto* sync = app.add_subcommand(
      "sync",
      "Run one full cycle (import, Classroom, reconcile, write back), then exit.\n"
      "Exit: 0 done, 1 done with record-level errors, 2 config invalid, 3 cycle failed");
  add_config(sync);
  sync->add_option("--date", sync_opts.date,
                   "the school day to reconcile (YYYY-MM-DD; default today)");
  sync->add_flag("--dry-run", sync_opts.dry_run,
                 "change nothing anywhere; print what would be done");
  sync->add_flag("--accept-drop", sync_opts.accept_drop,
                 "apply exports held by [safety] max_roster_drop, once");

  auto* plan = app.add_subcommand("plan", "Show the reconciled view of a day from the store");
  add_config(plan);
  plan->add_option("--date", plan_opts.date, "the day (YYYY-MM-DD; default today)");
  plan->add_flag("--json", plan_opts.json, "print the JSON document (docs/plan.md)");

  auto* outbox = app.add_subcommand(
      "outbox", "The write-back queue: list, retry ID, discard ID --reason TEXT");
  add_config(outbox);
  outbox->add_option("action", outbox_opts.action, "list (default), retry or discard")
      ->check(CLI::IsMember({"list", "retry", "discard"}));
  outbox->add_option("id", outbox_opts.id, "the item's id (from `outbox list`)");
  outbox->add_option("--reason", outbox_opts.reason,
                     "why an item is discarded (kept in the audit)");
  outbox->add_option("--state", outbox_opts.state, "list only items in this state");

  auto* status = app.add_subcommand("status",
                                    "Last cycles, outbox counts and warnings.\n"
                                    "Exit: 0 healthy, 1 degraded");
  add_config(status);
  status->add_flag("--json", status_opts.json, "print JSON");

  auto* report = app.add_subcommand(
      "report",
      "The senior-leadership / governors report over a date range (docs/report.md).\n"
      "Exit: 0 done, 2 bad arguments");
  add_config(report);
  report->add_option("--from", report_opts.from, "first day of the report (YYYY-MM-DD)");
  report->add_option("--to", report_opts.to, "last day of the report (YYYY-MM-DD)");
  report->add_option("--format", report_opts.format, "html (default) or csv");
  report->add_option("--out", report_opts.out, "html: file to write (default stdout); csv: folder");
  report->add_flag("--anonymise", report_opts.anonymise,
                   "for governors: pupils shown as Pupil A, B, ... and no ids");

  auto* student =
      app.add_subcommand("student",
                         "Subject access and erasure for one student (docs/data-protection.md).\n"
                         "Exit: 0 done, 1 no such student");
  student->require_subcommand(1);
  auto* exp = student->add_subcommand("export", "Print everything held about one student as JSON");
  add_config(exp);
  exp->add_option("id", student_opts.id, "the student's MIS id (leading zeros kept)")->required();
  exp->add_option("--out", student_opts.out, "write the JSON to this file (mode 0600)");
  auto* erase = student->add_subcommand(
      "erase", "Remove everything held about one student, leaving an audit line without the data");
  add_config(erase);
  erase->add_option("id", student_opts.id, "the student's MIS id (leading zeros kept)")->required();
  erase->add_flag("--yes", student_opts.yes, "do not ask for confirmation");

  auto* notify = app.add_subcommand(
      "notify",
      "The emails of [notify] (docs/notify.md): teachers' chase emails and the behaviour\n"
      "lead's daily digest. Exit: 0 done, 1 some not sent");
  notify->require_subcommand(1);
  auto* preview =
      notify->add_subcommand("preview", "Print what a chase now and the day's digest would send");
  add_config(preview);
  preview->add_option("--date", notify_opts.date, "the digest's day (YYYY-MM-DD; default today)");
  auto* send = notify->add_subcommand(
      "send",
      "Send now: the chase that the next chase_at would send (lessons from now to the end\n"
      "of the next school day) and/or the day's digest, then everything queued");
  add_config(send);
  send->add_option("--date", notify_opts.date, "the digest's day (YYYY-MM-DD; default today)");
  send->add_option("--kind", notify_opts.kind, "chase or digest (default both)")
      ->check(CLI::IsMember({"chase", "digest"}));
  auto* nlist = notify->add_subcommand("list", "The email queue, newest first");
  add_config(nlist);
}

int dispatch_commands(CLI::App& app, const CommonOptions& common) {
  if (app.got_subcommand("run")) return cmd_run(common, run_opts);
  if (app.got_subcommand("sync")) return cmd_sync(common, sync_opts);
  if (app.got_subcommand("plan")) return cmd_plan(common, plan_opts);
  if (app.got_subcommand("outbox")) return cmd_outbox(common, outbox_opts);
  if (app.got_subcommand("status")) return cmd_status(common, status_opts);
  if (app.got_subcommand("report")) return cmd_report(common, report_opts);
  if (auto* n = app.get_subcommand("notify"); n->parsed()) {
    notify_opts.action = n->got_subcommand("preview") ? "preview"
                         : n->got_subcommand("send")  ? "send"
                                                      : "list";
    return cmd_notify(common, notify_opts);
  }
  if (auto* st = app.get_subcommand("student"); st->parsed()) {
    student_opts.action = st->got_subcommand("erase") ? "erase" : "export";
    return cmd_student(common, student_opts);
  }
  return ExitCode::invalid;
}

}  // namespace iesync
