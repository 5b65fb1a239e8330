#pragma once

namespace iesync {

// Parses the command line and runs one subcommand; returns the process exit code (SPEC §1).
int run_cli(int argc, char** argv);

}  // namespace iesync
