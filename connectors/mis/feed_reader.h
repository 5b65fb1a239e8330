// One entry point for both export formats, chosen by [mis] format.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "connectors/mis/csv_reader.h"
#include "connectors/mis/xml_reader.h"

namespace iesync {

inline Result<FeedTable> read_feed(std::string_view bytes, const std::string& file,
                                   const MisConfig& mis) {
  if (mis.format == FeedFormat::csv) return read_csv_feed(bytes, file, mis.encoding);
  return read_xml_feed(bytes, file);
}

}  // namespace iesync
