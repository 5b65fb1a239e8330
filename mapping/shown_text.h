// Text that came from outside (an export's cells, the MIS's or Classroom's answers) made safe
// to show: in sync.log, on a terminal, in a .why.txt. A control character (C0 other than TAB,
// DEL, or C1) could clear the screen, retitle a terminal, or start a forged log line; each is
// shown escaped instead, so the text stays readable and nothing is lost from sight:
//   C0 and DEL  -> \xHH   (a newline in a value shows as \x0a, never as a new line)
//   C1 (U+0080..U+009F) -> \u00HH
//   a byte that is not valid UTF-8 -> \xHH
// A backslash is left as it is: the escapes are for reading, not for decoding.
#pragma once

#include <string>
#include <string_view>

namespace iesync {

std::string shown(std::string_view text);

// True when shown(text) would change it.
bool needs_showing(std::string_view text);

// True when text is valid UTF-8 (controls allowed): JSON output needs that, not escaping.
bool is_utf8(std::string_view text);

}  // namespace iesync
