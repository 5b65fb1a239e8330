#include "daemon/commands.h"
#include "daemon/daemon.h"

namespace iesync {

int cmd_run(const CommonOptions& common, const RunOptions& o) {
  DaemonOptions d;
  d.config_path = common.config_path;
  d.watch_quiet = std::chrono::milliseconds(o.watch_quiet_ms);
  d.busy_timeout = std::chrono::milliseconds(o.busy_timeout_ms);
  return run_daemon(d, *common.env);
}

}  // namespace iesync
