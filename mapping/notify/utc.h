// Reading back the RFC 3339 UTC text that format_utc (base/clock.h) writes to the store.
#pragma once

#include <optional>
#include <string_view>

#include "base/clock.h"

namespace iesync {

// "2026-12-01T15:45:00Z" -> the instant; nullopt for anything else.
std::optional<TimePoint> parse_utc_text(std::string_view s);

}  // namespace iesync
