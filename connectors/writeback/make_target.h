// The write-back target [writeback] asks for, ready for a Sender. `iesync sync` and the
// daemon make one per cycle (the Wonde target caches the MIS's ids for one run).
#pragma once

#include <memory>

#include "base/clock.h"
#include "config/config.h"
#include "connectors/http/http_client.h"
#include "connectors/writeback/target.h"
#include "store/lookup_cache.h"

namespace iesync {

// For "wonde", `http` (and `cache`, if given) must outlive the target. The token file must
// not be readable by group or others (SPEC §2); the token is never put in a message.
// `codes` gives the marks the MIS may hold that a mark may replace ([codes] may_overwrite)
// and the codes iesync itself writes (which a retraction may undo).
Result<std::unique_ptr<WriteTarget>> make_write_target(const WritebackConfig& cfg,
                                                       const CodesConfig& codes, HttpClient& http,
                                                       Clock& clock, LookupCache* cache = nullptr);

}  // namespace iesync
