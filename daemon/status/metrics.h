// GET /metrics: the daemon's counters and gauges in the Prometheus text exposition format
// 0.0.4, so a school's existing monitoring can alert on a stalled sync or a growing outbox.
#pragma once

#include <string>
#include <string_view>

#include "daemon/status/snapshot.h"

namespace iesync {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const StatusSnapshot& snap);

// A label value with backslash, double quote and newline escaped as the format requires.
std::string escape_label_value(std::string_view v);

}  // namespace iesync
