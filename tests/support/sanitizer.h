// Whether this build runs under AddressSanitizer (GCC defines __SANITIZE_ADDRESS__, clang
// answers __has_feature), for tests whose measure ASan changes: RSS (its quarantine holds
// freed memory) and how many whole-process trials fit in a test's time limit.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define IESYNC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IESYNC_UNDER_ASAN 1
#endif
#endif
#ifndef IESYNC_UNDER_ASAN
#define IESYNC_UNDER_ASAN 0
#endif

namespace iesync::test {
inline constexpr bool kUnderAddressSanitizer = IESYNC_UNDER_ASAN != 0;
}  // namespace iesync::test
