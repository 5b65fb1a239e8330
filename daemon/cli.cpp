#include "daemon/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/commands.h"
#include "daemon/exit_code.h"

namespace iesync {

int run_cli(int argc, char** argv) {
  CLI::App app{
      "iesync keeps the MIS, Google Classroom and the internal-exclusion room in step.\n"
      "It imports MIS exports, reads Classroom work, reconciles IE sessions into a local\n"
      "store, and writes attendance marks and exclusion records back to the MIS.",
      "iesync"};
  app.set_version_flag("--version", std::string("iesync ") + IESYNC_VERSION);
  app.require_subcommand(1);

  CommonOptions common;
  auto add_config = [&](CLI::App* sub) {
    sub->add_option("--config", common.config_path, "iesync.toml to use")->capture_default_str();
  };

  auto* check = app.add_subcommand("check-config",
                                   "Validate iesync.toml and mapping.toml; print every problem as "
                                   "FILE:LINE:COL: message");
  add_config(check);

  register_commands(app, common, add_config);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Bad arguments are exit 2 everywhere, as for a bad config.
    int rc = app.exit(e);
    return e.get_exit_code() == 0 ? ExitCode::ok : (rc == 0 ? ExitCode::ok : ExitCode::invalid);
  }

  try {
    if (check->parsed()) return cmd_check_config(common);
    return dispatch_commands(app, common);
  } catch (const std::exception& e) {
    // Commands return their errors as values; what still throws is a broken install (a
    // library that cannot be loaded) or a bug. Said, not a crash with a core dump.
    std::cerr << "iesync: " << e.what() << "\n";
    return ExitCode::failed;
  }
}

}  // namespace iesync
