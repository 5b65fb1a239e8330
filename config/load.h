// Loading iesync.toml and the mapping.toml it names, with every problem reported as
// "FILE:LINE:COL: message; what to do" (Error::where holds "FILE:LINE:COL").
#pragma once

#include <filesystem>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace iesync {

struct LoadOptions {
  // Refuse secret files (Classroom key, write-back token, status token) that are missing or
  // readable by group/other. check-config and run both do; some tests turn it off.
  bool check_secrets = true;
};

struct LoadedConfig {
  Config config;                // as much as could be read; use only when ok()
  std::vector<Error> problems;  // every problem found, in file order
  bool ok() const { return problems.empty(); }
};

LoadedConfig load_config(const std::filesystem::path& path, const LoadOptions& opts = {});

}  // namespace iesync
