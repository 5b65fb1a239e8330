#include "daemon/runtime.h"

#include <unistd.h>

#include <iostream>

#include "config/load.h"
#include "daemon/exit_code.h"
#include "mapping/timezone.h"

namespace iesync {

std::optional<Runtime> open_runtime(const std::string& config_path, bool with_log,
                                    const Clock& clock, int& exit_code) {
  auto loaded = load_config(config_path);
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
    std::cerr << "The config is not valid; run `iesync check-config --config " << config_path
              << "` after fixing it.\n";
    exit_code = ExitCode::invalid;
    return std::nullopt;
  }
  Runtime rt;
  rt.config = std::move(loaded.config);
  auto store = Store::open(rt.config.store.path);
  if (!store) {
    std::cerr << store.error().to_string() << "\n";
    exit_code = ExitCode::failed;
    return std::nullopt;
  }
  rt.store = std::move(*store);
  if (with_log) {
    SyncLogOptions o;
    o.dir = rt.config.log.dir;
    o.level = rt.config.log.level;
    o.echo_to_stderr = ::isatty(STDERR_FILENO);
    o.retain = rt.config.store.retain;  // logs keep nothing older than the store does
    auto log = SyncLog::open(o, clock);
    if (!log) {
      std::cerr << log.error().to_string() << "\n";
      exit_code = ExitCode::failed;
      return std::nullopt;
    }
    rt.log = std::move(*log);
  }
  return rt;
}

Date school_today(const Config& cfg, const Clock& clock) {
  auto tz = TimeZone::named(cfg.school.timezone).value_or(TimeZone::london());
  return tz.to_local(clock.now()).date;
}

}  // namespace iesync
