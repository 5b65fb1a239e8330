// "did you mean ...?" for misspelt keys, table names, feed and field names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iesync {

// Edit distance with adjacent transpositions counted as one edit ("lesosn" -> "lesson" = 1).
int edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// "a, b, c" / "a, b or c" for messages.
std::string join_words(const std::vector<std::string>& words, std::string_view last_sep = ", ");

}  // namespace iesync
