// The write-back target [writeback] asks for, ready for a Sender. `iesync sync` and the
// daemon make one per cycle (the Wonde target caches the MIS's ids for one run).
#pragma once

#include <memory>

#include "config/config.h"
#include "connectors/http/http_client.h"
#include "connectors/writeback/target.h"
#include "mapping/clock.h"

namespace iesync {

// For "wonde", `http` must outlive the target. The token file must not be readable by group
// or others (SPEC §2); the token is never put in a message.
Result<std::unique_ptr<WriteTarget>> make_write_target(const WritebackConfig& cfg,
                                                       HttpClient& http, Clock& clock);

}  // namespace iesync
