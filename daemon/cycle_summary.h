// The one-line summary of a cycle, as sync.log, the terminal, systemd's status line and the
// cycle log show it.
#pragma once

#include <string>

#include "daemon/cycle.h"

namespace iesync {

// "Cycle for 2026-11-23: 3 student(s) in IE missing 12 lesson(s) (4 handed in, ...); 9
// mark(s) queued, 9 sent." A dry run says what would be queued and sends nothing.
std::string format_cycle_summary(const CycleReport& r, bool dry_run);

}  // namespace iesync
