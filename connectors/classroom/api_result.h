// How a call to Google went wrong, in the terms the fetcher decides on: "unreachable" and
// "auth" mean fall back to the last known copy for the whole cycle; "not_found" is an
// answer (no such course); "refused" is about one request (a 403 on one course);
// "scope_missing" is about every call of one method.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <functional>

#include "base/result.h"

namespace iesync {

enum class ApiFailureKind {
  unreachable,  // transport error, 429/5xx or unreadable JSON after every retry
  auth,         // the token endpoint refused us, or a fresh token still got 401
  not_found,    // 404 NOT_FOUND
  refused,      // any other 4xx (PERMISSION_DENIED, INVALID_ARGUMENT, ...)
  // 403 "Request had insufficient authentication scopes": the token lacks the method's scope
  // (domain-wide delegation does not list it). About every call of that method, not one course.
  scope_missing,
};

struct ApiFailure {
  ApiFailureKind kind = ApiFailureKind::unreachable;
  int status = 0;  // last HTTP status, 0 when there was no response
  Error error;
};

[[noreturn]] void throw_exception_from_error(const ApiFailure& f,
                                             const boost::source_location& loc);

template <class T>
using ApiResult = boost::system::result<T, ApiFailure>;

// Waits between retries. Injected so tests do not wait and the daemon can cut a wait short
// on shutdown.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
Sleeper real_sleeper();

struct RetryPolicy {
  int max_tries = 5;                                  // first try included
  std::chrono::milliseconds base_delay{500};          // doubled each retry, with jitter
  std::chrono::milliseconds max_delay{16'000};        // one wait, unless Retry-After says more
  std::chrono::milliseconds max_total_sleep{60'000};  // all waits of one call together
};

}  // namespace iesync
