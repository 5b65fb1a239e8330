#include "daemon/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "daemon/report/format.h"
#include "mapping/report/report_data.h"

namespace iesync {

namespace {
constexpr int kWidth = 640;
constexpr int kLabelWidth = 210;
constexpr int kValueWidth = 90;
constexpr int kBarHeight = 14;
constexpr int kRowGap = 8;
}  // namespace

std::string render_bar_chart(const BarChart& c) {
  const int series = std::max<int>(1, static_cast<int>(c.series.size()));
  const int row_h = series * kBarHeight + kRowGap;
  const int legend_h = c.series.size() > 1 ? 22 : 0;
  const int height = legend_h + static_cast<int>(c.rows.size()) * row_h + 6;
  double max = 0;
  for (const auto& r : c.rows)
    for (const auto& v : r.values)
      if (v) max = std::max(max, *v);
  const double scale = max > 0 ? (kWidth - kLabelWidth - kValueWidth) / max : 0;

  const std::string hatch = "hatch-" + c.id;
  const std::string kFills[] = {"#2b6cb0", "url(#" + hatch + ")"};
  std::ostringstream o;
  o << "<figure class=\"chart\">\n<svg role=\"img\" width=\"" << kWidth << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << kWidth << " " << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<title>" << html_escape(c.title)
    << "</title>\n<defs><pattern id=\"" << hatch
    << "\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
       "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
       "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#c05621\" "
       "stroke-width=\"3\"/></pattern></defs>\n";
  if (c.series.size() > 1) {
    int x = kLabelWidth;
    for (size_t i = 0; i < c.series.size() && i < 2; ++i) {
      o << "<rect x=\"" << x << "\" y=\"4\" width=\"14\" height=\"12\" fill=\"" << kFills[i]
        << "\" stroke=\"#333\" stroke-width=\"0.5\"/><text x=\"" << x + 18 << "\" y=\"14\">"
        << html_escape(c.series[i]) << "</text>\n";
      x += 30 + 7 * static_cast<int>(c.series[i].size());
    }
  }
  int y = legend_h;
  for (const auto& r : c.rows) {
    o << "<text x=\"" << kLabelWidth - 6 << "\" y=\"" << y + (series * kBarHeight) / 2 + 4
      << "\" text-anchor=\"end\"" << (r.reference ? " font-weight=\"bold\"" : "") << ">"
      << html_escape(r.label) << "</text>\n";
    for (int i = 0; i < series; ++i) {
      const int by = y + i * kBarHeight;
      std::optional<double> v = i < static_cast<int>(r.values.size()) ? r.values[i] : std::nullopt;
      if (!v) {
        o << "<text x=\"" << kLabelWidth + 4 << "\" y=\"" << by + kBarHeight - 3
          << "\" fill=\"#555\" font-style=\"italic\">" << html_escape(r.note) << "</text>\n";
        continue;
      }
      const double w = std::max(0.0, *v * scale);
      o << "<rect x=\"" << kLabelWidth << "\" y=\"" << by + 1 << "\" width=\"" << std::lround(w)
        << "\" height=\"" << kBarHeight - 2 << "\" fill=\""
        << (r.reference && i == 0 ? "#1a365d" : kFills[std::min(i, 1)])
        << "\" stroke=\"#333\" stroke-width=\"0.5\"/>";
      o << "<text x=\"" << kLabelWidth + std::lround(w) + 4 << "\" y=\"" << by + kBarHeight - 3
        << "\">" << (c.one_decimal ? format_rate(*v) : std::to_string(std::lround(*v)))
        << "</text>\n";
    }
    y += row_h;
  }
  o << "</svg>\n<figcaption>" << html_escape(c.caption) << "</figcaption>\n</figure>\n";
  return o.str();
}

}  // namespace iesync
