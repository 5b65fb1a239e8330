// The report as one self-contained HTML page (inline CSS and SVG, no JavaScript, no network),
// printable on A4 with each section on its own page.
#pragma once

#include <string>

#include "mapping/report/report_data.h"

namespace iesync {

// `generated_on` is the school date the report was made, printed on the first page.
std::string render_report_html(const ReportData& d, Date generated_on);

}  // namespace iesync
