// HTML text escaping, shared by the dashboard, the report and the emails: every value that came
// from an export (a student's name, a class code) goes through it before it reaches a page.
#pragma once

#include <string>
#include <string_view>

namespace iesync {

std::string html_escape(std::string_view s);

}  // namespace iesync
