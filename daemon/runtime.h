// What every command that touches the school's data needs: the validated config, the store,
// and (for commands that act) the sync log.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "config/config.h"
#include "daemon/sync_log.h"
#include "store/store.h"

namespace iesync {

struct Runtime {
  Config config;
  std::unique_ptr<Store> store;
  std::unique_ptr<SyncLog> log;  // null unless asked for
};

// Prints problems to stderr. Returns nullopt with `exit_code` set (2 for config, 3 for the
// store or log) when it cannot go on.
std::optional<Runtime> open_runtime(const std::string& config_path, bool with_log,
                                    const Clock& clock, int& exit_code);

// Today in school time.
Date school_today(const Config& cfg, const Clock& clock);

}  // namespace iesync
