// Placeholder until the loader lands (being written now); refuses every config.
#include "config/load.h"

namespace iesync {

LoadedConfig load_config(const std::filesystem::path& path, const LoadOptions&) {
  LoadedConfig out;
  out.problems.push_back(make_error(path.string(), "config loading is not built yet"));
  return out;
}

}  // namespace iesync
