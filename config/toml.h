// The one way to include toml++ in this project.
//
// Debian's libtomlplusplus.so is built with exceptions (symbols in toml::v3::ex), but the
// project compiles toml++ with TOML_EXCEPTIONS=0 so parse errors come back as
// toml::parse_result values. The noex parser is not in the shared library, so we use
// toml++ header-only here (all inline, its own ABI namespace) instead of linking the .so.
#pragma once

#undef TOML_SHARED_LIB
#define TOML_SHARED_LIB 0
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>
