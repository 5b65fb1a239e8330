#include "daemon/commands.h"

namespace iesync {

void register_commands(CLI::App&, CommonOptions&, const AddConfigOption&) {}

int dispatch_commands(CLI::App&, const CommonOptions&) { return 2; }

}  // namespace iesync
