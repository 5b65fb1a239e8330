// The one place where a failure of the SQLite store becomes an Error value. Every store call
// that can fail returns a Result built here, so a locked, unreadable or full store is reported
// in the same words wherever it is met (a cycle, `iesync status`, /healthz), and no
// SQLite::Exception ever escapes store/ to end a worker thread.
#pragma once

#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/result.h"
#include "store/store.h"

namespace iesync {

// "<store path>: <what>: <reason> (<SQLite's words>); <fix>". The reason names the fault in
// plain English ("the store is locked by another process", "the store cannot be read").
Error store_error(const std::filesystem::path& store, std::string_view what,
                  const std::exception& e);
inline Error store_error(const Store& store, std::string_view what, const std::exception& e) {
  return store_error(store.path(), what, e);
}

template <class T>
struct is_store_result : std::false_type {};
template <class T>
struct is_store_result<Result<T>> : std::true_type {};

// Runs `work()` and turns any exception into store_error(store, what, e). An ErrorException is
// the work's own refusal and travels unchanged. `work` returns a Result<T> or a plain T.
template <class Work>
auto guarded(const Store& store, std::string_view what, Work&& work) {
  using R = std::invoke_result_t<Work&>;
  if constexpr (is_store_result<R>::value) {
    using Out = Result<typename R::value_type>;
    try {
      return Out(work());
    } catch (const ErrorException& e) {
      return Out(e.error());
    } catch (const std::exception& e) {
      return Out(store_error(store, what, e));
    }
  } else {
    using Out = Result<R>;
    try {
      if constexpr (std::is_void_v<R>) {
        work();
        return Out();
      } else {
        return Out(work());
      }
    } catch (const ErrorException& e) {
      return Out(e.error());
    } catch (const std::exception& e) {
      return Out(store_error(store, what, e));
    }
  }
}

}  // namespace iesync
