// libFuzzer: the SIMS CommandReporter XML reader, fed from memory. Any input must end in a
// FeedTable or an Error, never a crash, a hang or unbounded memory; its piece-by-piece parse
// must give what one parse of the whole document gives, table or error; and the record cache's
// split must agree with the reader (split_check.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/mis/xml_reader.h"
#include "tests/fuzz/behaviour_mapping.h"
#include "tests/fuzz/split_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto table = iesync::read_xml_feed(bytes, "fuzz.xml");
  // Past kMaxRestBytes (8 MiB) a file that does not parse may be refused in other words.
  if (size < (1u << 20)) {
    auto whole = iesync::read_xml_feed_as_one_document(bytes, "fuzz.xml");
    if (bool(table) != bool(whole)) __builtin_trap();
    if (table)
      iesync::fuzz::check_same_table(*table, *whole);
    else if (table.error().to_string() != whole.error().to_string())
      __builtin_trap();
  }
  if (table) {
    // No record has a value past the last column: what the field mapper indexes by.
    for (const auto r : *table)
      if (r.value(table->columns.size())) __builtin_trap();
  }
  iesync::MisConfig mis;
  mis.format = iesync::FeedFormat::xml;
  iesync::fuzz::check_split(bytes, mis, table);
  if (table) iesync::fuzz::map_as_behaviour(*table);
  return 0;
}
