// Small text helpers shared by the HTML and CSV report renderers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/html.h"
#include "mapping/civil.h"

namespace iesync {

// "2 November 2026": how a governor reads a date.
std::string long_date(Date d);
// A rate to one decimal place, or "n/a" when there is nothing to divide by.
std::string rate_or_na(const std::optional<double>& v);

}  // namespace iesync
