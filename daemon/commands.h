// Subcommands. Each lives in its own file under daemon/commands/ and returns its exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace iesync {

struct CommonOptions {
  std::string config_path = "/etc/iesync/iesync.toml";
};

using AddConfigOption = std::function<void(CLI::App*)>;

int cmd_check_config(const CommonOptions& common);

// Later subcommands register here, so cli.cpp stays small.
void register_commands(CLI::App& app, CommonOptions& common, const AddConfigOption& add_config);
int dispatch_commands(CLI::App& app, const CommonOptions& common);

}  // namespace iesync
