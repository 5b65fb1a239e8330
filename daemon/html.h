// HTML text escaping, shared by the dashboard and the report: every value that came from an
// export (a student's name, a class code) goes through it before it reaches a page.
#pragma once

#include <string>
#include <string_view>

namespace iesync {

std::string html_escape(std::string_view s);

}  // namespace iesync
