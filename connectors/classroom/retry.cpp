#include "connectors/classroom/retry.h"

#include <charconv>
#include <random>
#include <thread>

#include "connectors/classroom/google_json.h"

namespace iesync {

using namespace std::chrono;

void throw_exception_from_error(const ApiFailure& f, const boost::source_location&) {
  throw ErrorException(f.error);
}

Sleeper real_sleeper() {
  return [](milliseconds d) { std::this_thread::sleep_for(d); };
}

namespace {

std::optional<seconds> parse_retry_after(const HttpResponse& r) {
  // Google sends delta-seconds; an HTTP-date is ignored (the backoff still applies).
  std::string v = r.header("Retry-After");
  long long n = 0;
  auto res = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || res.ec != std::errc{} || res.ptr != v.data() + v.size() || n < 0)
    return std::nullopt;
  return seconds{n};
}

bool retryable_status(int s) {
  return s == 429 || s >= 500;
}

}  // namespace

milliseconds backoff_delay(const RetryPolicy& p, int retry, std::optional<seconds> retry_after) {
  thread_local std::mt19937 rng{std::random_device{}()};
  long long base = p.base_delay.count() << std::min(retry - 1, 20);
  base = std::min<long long>(base, p.max_delay.count());
  std::uniform_int_distribution<long long> jitter(base / 2, base);
  milliseconds d{jitter(rng)};
  if (retry_after) d = std::max<milliseconds>(d, duration_cast<milliseconds>(*retry_after));
  return d;
}

ApiResult<HttpResponse> send_with_retry(const RetryContext& ctx, const HttpRequest& req,
                                        std::string_view method, std::string_view what,
                                        const BodyCheck& check) {
  milliseconds slept{0};
  std::string last_problem;
  int last_status = 0;
  int tries = 0;
  for (int attempt = 1;; ++attempt) {
    tries = attempt;
    std::optional<seconds> retry_after;
    auto r = ctx.http.send(req);
    if (!r) {
      if (ctx.metrics) ctx.metrics->count(method, 0);
      last_problem = r.error().message;
      last_status = 0;
    } else {
      if (ctx.metrics) ctx.metrics->count(method, r->status);
      last_status = r->status;
      if (retryable_status(r->status)) {
        last_problem = "Google answered " + describe_google_error(*r);
        retry_after = parse_retry_after(*r);
      } else if (r->status >= 200 && r->status < 300 && check) {
        auto bad = check(*r);
        if (!bad) return std::move(*r);
        last_problem = *bad;
      } else {
        return std::move(*r);
      }
    }
    if (attempt >= ctx.policy.max_tries) break;
    auto d = backoff_delay(ctx.policy, attempt, retry_after);
    if (slept + d > ctx.policy.max_total_sleep) {
      last_problem += " (Google asked us to wait longer than iesync waits in one cycle)";
      break;
    }
    ctx.sleep(d);
    slept += d;
  }
  return ApiFailure{
      ApiFailureKind::unreachable, last_status,
      make_error(std::string(what),
                 last_problem + " (gave up after " + std::to_string(tries) + " tries)",
                 "iesync shows the last known Classroom work and tries again "
                 "next cycle")};
}

}  // namespace iesync
