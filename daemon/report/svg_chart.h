// Inline SVG bar charts for the printed report: generated here, no JavaScript, no network.
// Every bar carries its value as text and the second series is hatched, so a chart reads
// the same printed in black and white.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace iesync {

struct ChartRow {
  std::string label;
  // One value per series; nullopt draws no bar and shows `note` instead (e.g. "<5 hidden").
  std::vector<std::optional<double>> values;
  std::string note;
  bool reference = false;  // the whole-school bar: drawn darker, label in bold
};

struct BarChart {
  std::string id;                   // unique in the page: names the chart's hatch pattern
  std::string title;                // the SVG <title>, read out by screen readers
  std::string caption;              // the sentence under the chart saying what it shows
  std::vector<std::string> series;  // legend names; one series needs no legend
  std::vector<ChartRow> rows;
  bool one_decimal = true;  // value labels to one decimal place, else whole numbers
};

// A <figure> holding the SVG and its <figcaption>.
std::string render_bar_chart(const BarChart& chart);

}  // namespace iesync
