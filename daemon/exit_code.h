// What a command's exit status means (SPEC §1), named once. Scripts and systemd read these
// numbers, so they never change.
#pragma once

namespace iesync {

struct ExitCode {
  enum : int {
    ok = 0,        // done
    problems = 1,  // done, with something for a person to look at: record errors, a degraded
                   // service, an unknown student, messages not sent
    invalid = 2,   // the config or the arguments are invalid; nothing was done
    failed = 3,    // could not be done (the store, a file, the network); nothing half-done
  };
};

}  // namespace iesync
