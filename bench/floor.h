// The floor: the least any importer must do with a generated school's five XML feeds. Shared
// by the in-process benchmark (BM_Floor, BM_Import) and the iesync_floor program, which the
// whole-process comparison (bench/compare.py) times beside `iesync sync`.
#pragma once

#include <cstddef>
#include <filesystem>

#include "mapping/calendar.h"
#include "mapping/rules.h"
#include "store/store.h"

namespace iesync::bench {

// The demo school's mapping (the captions and calendar the generator writes).
Mapping demo_mapping();

// Parses the five feeds in `dir` with pugixml (whole documents) and inserts their rows with
// prepared statements in one transaction into `store`, which must be fresh. Does the
// unavoidable conversions (feed dates to ISO, day name to cycle day, subject). Returns the
// rows inserted and adds the time spent parsing to *parse_s. Throws on a file it cannot
// parse or a store error.
std::size_t floor_import(const std::filesystem::path& dir, Store& store, const Calendar& cal,
                         double* parse_s);

}  // namespace iesync::bench
