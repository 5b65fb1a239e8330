#pragma once

#include <span>

namespace iesync {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Every migration in order; version N takes a store from N-1 to N.
std::span<const Migration> all_migrations();

}  // namespace iesync
