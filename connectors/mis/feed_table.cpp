#include "connectors/mis/feed_table.h"

namespace iesync {

int FeedTable::column(std::string_view caption) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == caption) return static_cast<int>(i);
  return -1;
}

std::string FeedTable::where(std::size_t number) const {
  return file + (numbered_by_line ? ":" : ":record ") + std::to_string(number);
}

}  // namespace iesync
