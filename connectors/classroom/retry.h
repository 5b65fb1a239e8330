// One request to Google with backoff: transport errors, 429 and 5xx are retried with
// exponential backoff and jitter, honouring Retry-After (seconds), up to a bounded number of
// tries and a bounded total wait. Every try is counted in the metrics.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/classroom/api_result.h"
#include "connectors/classroom/metrics.h"
#include "connectors/http/http_client.h"

namespace iesync {

struct RetryContext {
  HttpClient& http;
  const RetryPolicy& policy;
  const Sleeper& sleep;
  ClassroomMetrics* metrics = nullptr;
};

// Checks a 2xx reply; returns an error text when the body is unusable (truncated or
// malformed JSON), which is retried like a 5xx.
using BodyCheck = std::function<std::optional<std::string>(const HttpResponse&)>;

// Returns the first reply that is not retryable (2xx with a good body, or 4xx other than
// 429). After the last try fails: ApiFailureKind::unreachable, naming what went wrong.
// `what` names the call in messages ("courses.get d:9X1-Ma"); `method` in metrics.
ApiResult<HttpResponse> send_with_retry(const RetryContext& ctx, const HttpRequest& req,
                                        std::string_view method, std::string_view what,
                                        const BodyCheck& check = {});

// The wait before retry number `retry` (1-based): base * 2^(retry-1), capped, with jitter in
// [half, full]; at least Retry-After when the reply carried one.
std::chrono::milliseconds backoff_delay(const RetryPolicy& p, int retry,
                                        std::optional<std::chrono::seconds> retry_after);

}  // namespace iesync
