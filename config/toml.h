// The one way to include toml++ in this project.
//
// Debian's libtomlplusplus.so is built with exceptions (symbols in toml::v3::ex), but the
// project compiles toml++ with TOML_EXCEPTIONS=0 so parse errors come back as
// toml::parse_result values. The noex parser is not in the shared library, so we use
// toml++ header-only here (all inline, its own ABI namespace) instead of linking the .so.
#pragma once

// toml++ 3.3.0 asserts, in parse_key, that a table header starts with a key character, then
// handles the case properly a few lines on ("expected bare key starting character"). With
// assert() on (Debug and sanitizer builds) a config line like `[*mis]` would abort
// check-config instead of being reported; the fuzzer found it. Its other asserts are internal
// consistency checks that release builds (and Debian's own .so) compile out too.
#undef TOML_ASSERT
#define TOML_ASSERT(expr) static_assert(true)

#undef TOML_SHARED_LIB
#define TOML_SHARED_LIB 0
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>
