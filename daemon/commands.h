// Subcommands. Each lives in its own file under daemon/commands/ and returns its exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "daemon/env.h"

namespace iesync {

struct CommonOptions {
  std::string config_path = "/etc/iesync/iesync.toml";
  // The one Env every command uses for the time, HTTP and the write-back target.
  Env* env = &Env::system();
};

using AddConfigOption = std::function<void(CLI::App*)>;

struct SyncOptions {
  std::string date;
  bool dry_run = false;
  bool accept_drop = false;
};

struct PlanOptions {
  std::string date;
  bool json = false;
};

struct OutboxOptions {
  std::string action = "list";  // list, retry, discard
  long long id = 0;
  std::string reason;
  std::string state;  // list filter
};

struct RunOptions {
  long busy_timeout_ms = 5000;  // how long a store call waits for another process's lock
  long watch_quiet_ms = 5000;   // quiet time after an export changes before a cycle starts
};

struct StatusOptions {
  bool json = false;
};

int cmd_check_config(const CommonOptions& common);
int cmd_sync(const CommonOptions& common, const SyncOptions& o);
int cmd_plan(const CommonOptions& common, const PlanOptions& o);
int cmd_outbox(const CommonOptions& common, const OutboxOptions& o);
int cmd_status(const CommonOptions& common, const StatusOptions& o);
int cmd_run(const CommonOptions& common, const RunOptions& o);

struct StudentOptions {
  std::string action;  // export, erase
  std::string id;
  std::string out;   // export: file to write (mode 0600); empty = stdout
  bool yes = false;  // erase: do not ask
};
int cmd_student(const CommonOptions& common, const StudentOptions& o);

struct ReportOptions {
  std::string from;
  std::string to;
  std::string format = "html";  // html, csv
  std::string out;              // html: file (default stdout); csv: folder
  bool anonymise = false;       // governors' copy: no names, no ids
};
int cmd_report(const CommonOptions& common, const ReportOptions& o);

struct NotifyOptions {
  std::string action;  // preview, send, list
  std::string date;    // preview/send: the digest's day (default today)
  std::string kind;    // send: chase, digest, or empty for both
};
int cmd_notify(const CommonOptions& common, const NotifyOptions& o);

// Later subcommands register here, so cli.cpp stays small.
void register_commands(CLI::App& app, CommonOptions& common, const AddConfigOption& add_config);
int dispatch_commands(CLI::App& app, const CommonOptions& common);

}  // namespace iesync
