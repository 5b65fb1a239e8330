// Pieces of load_config() shared between the iesync.toml and mapping.toml readers.
// Internal to config/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.h"
#include "config/load.h"
#include "config/toml_reader.h"

namespace iesync::cfg {

// A path from a config file, both as the program uses it and as messages show it.
struct ResolvedPath {
  std::filesystem::path absolute;  // against the absolute folder of the naming file
  std::string display;             // against the folder as the user gave it ("conf/x.db")
};
ResolvedPath resolve_path(const std::filesystem::path& naming_file, const std::string& value);

// "127.0.0.1:8470", "[::1]:8470", "iesync.school.lan:8470" -> host (no brackets), port.
std::optional<std::pair<std::string, unsigned short>> parse_listen(std::string_view s);

// A secret file must exist, be a regular file and allow no group/other access.
void check_secret(Doc& doc, const toml::node& at, std::string_view key_name,
                  const ResolvedPath& file);

// [notify] (config/load_notify.cpp).
void read_notify(TableReader& r, Config& c, const std::filesystem::path& config_path,
                 const LoadOptions& opts);

// Reads mapping.toml's root table into `out` (out.source is set by the caller).
void read_mapping(Doc& doc, const toml::table& root, Mapping& out);

}  // namespace iesync::cfg
