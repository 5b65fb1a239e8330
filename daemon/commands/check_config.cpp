#include <iostream>

#include "config/load.h"
#include "daemon/commands.h"

namespace iesync {

int cmd_check_config(const CommonOptions& common) {
  auto loaded = load_config(common.config_path);
  for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
  if (!loaded.ok()) {
    std::cerr << loaded.problems.size() << " problem" << (loaded.problems.size() == 1 ? "" : "s")
              << " found; iesync will not start until they are fixed.\n";
    return 2;
  }
  std::cout << common.config_path << ": OK (school \"" << loaded.config.school.name
            << "\", mapping " << loaded.config.mapping.source.string() << ")\n";
  return 0;
}

}  // namespace iesync
