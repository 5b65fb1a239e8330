// One entry point for both export formats, chosen by [mis] format.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "connectors/mis/csv_reader.h"
#include "connectors/mis/xml_reader.h"

namespace iesync {

// `numbers`: see read_xml_feed and read_csv_feed.
inline Result<FeedTable> read_feed(std::string_view bytes, const std::string& file,
                                   const MisConfig& mis,
                                   const std::vector<std::uint32_t>* numbers = nullptr) {
  if (mis.format == FeedFormat::csv) return read_csv_feed(bytes, file, mis.encoding, numbers);
  return read_xml_feed(bytes, file, numbers);
}

}  // namespace iesync
