// libFuzzer: the RFC 4180 CSV reader, both encodings, fed from memory; and the record
// cache's split must agree with the reader (split_check.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/mis/csv_reader.h"
#include "tests/fuzz/behaviour_mapping.h"
#include "tests/fuzz/split_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the encoding, so both code paths see every shape of input.
  auto enc = (data[0] & 1) ? iesync::FeedEncoding::windows1252 : iesync::FeedEncoding::utf8;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  auto table = iesync::read_csv_feed(bytes, "fuzz.csv", enc);
  if (table) {
    // Every CSV record has exactly one value per column (other rows are record errors).
    for (const auto r : *table) {
      for (std::size_t c = 0; c < table->columns.size(); ++c)
        if (!r.value(c)) __builtin_trap();
      if (r.value(table->columns.size())) __builtin_trap();
    }
  }
  iesync::MisConfig mis;
  mis.format = iesync::FeedFormat::csv;
  mis.encoding = enc;
  iesync::fuzz::check_split(bytes, mis, table);
  if (table) iesync::fuzz::map_as_behaviour(*table);
  return 0;
}
