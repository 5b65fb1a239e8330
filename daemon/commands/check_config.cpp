#include <iostream>

#include "config/load.h"
#include "connectors/http/curl_client.h"
#include "connectors/writeback/wonde_target.h"
#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "mapping/shown_text.h"

namespace iesync {

namespace {

// With target = "wonde" and a readable token: are the behaviour type and action named in
// [writeback] among what the MIS offers? Returns false when one is not (the message lists
// what it offers). An MIS that cannot be asked is a note, not an invalid config.
bool check_behaviour_names(const Config& c) {
  auto token = read_wonde_token(c.writeback.token_file);
  if (!token) return true;  // load_config has already said what is wrong with the file
  HttpOptions ho;
  ho.connect_timeout = std::chrono::seconds(10);
  ho.total_timeout = std::chrono::seconds(20);
  auto http = make_curl_client(ho);
  WondeOptions o;
  o.api_base = c.writeback.api_base;
  o.school_id = c.writeback.school_id;
  o.token = *token;
  o.lookup_budget = std::chrono::seconds(5);
  WondeTarget wonde(*http, o);
  bool ok = true;
  for (auto [kind, name] : {std::pair<const char*, std::string>{"type", c.writeback.behaviour_type},
                            {"action", c.writeback.behaviour_action}}) {
    if (name.empty()) continue;
    auto code = wonde.attribute_code(kind, name);
    if (code) continue;
    if (code.error().where.rfind("[writeback]", 0) != 0) {
      // The MIS's own words (names it offers, its error text) are shown with any control
      // character escaped: they come from outside and go to the admin's terminal.
      std::cerr << "note: could not ask the MIS which behaviour names it offers ("
                << shown(code.error().to_string()) << ")\n";
      return true;
    }
    std::cerr << c.source.string() << ": " << shown(code.error().to_string()) << "\n";
    ok = false;
  }
  return ok;
}

}  // namespace

int cmd_check_config(const CommonOptions& common) {
  auto loaded = load_config(common.config_path);
  for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
  if (!loaded.ok()) {
    std::cerr << loaded.problems.size() << " problem" << (loaded.problems.size() == 1 ? "" : "s")
              << " found; iesync will not start until they are fixed.\n";
    return ExitCode::invalid;
  }
  if (loaded.config.writeback.target == WritebackTarget::wonde &&
      !check_behaviour_names(loaded.config)) {
    std::cerr << "Set [writeback] behaviour_type and behaviour_action to names the MIS offers; "
                 "until then exclusion records are not written.\n";
    return ExitCode::invalid;
  }
  std::cout << common.config_path << ": OK (school \"" << loaded.config.school.name
            << "\", mapping " << loaded.config.mapping.source.string() << ")\n";
  return ExitCode::ok;
}

}  // namespace iesync
