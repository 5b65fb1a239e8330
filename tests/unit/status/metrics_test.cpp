// /metrics parsed back the way Prometheus reads the text format 0.0.4.
#include "daemon/status/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "tests/unit/status/status_fixtures.h"

namespace iesync {
namespace {

using namespace statustest;

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

struct Parsed {
  std::map<std::string, std::string> help, type;
  std::vector<Sample> samples;
  std::string error;

  const Sample* find(const std::string& name,
                     const std::map<std::string, std::string>& labels = {}) const {
    for (auto& s : samples)
      if (s.name == name && s.labels == labels) return &s;
    return nullptr;
  }
};

// A strict reader: metric-name charset, quoted label values with the three escapes, a
// HELP and TYPE for every family before its first sample, and no family declared twice.
Parsed parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto fail = [&](const std::string& why) {
    if (p.error.empty()) p.error = "line " + std::to_string(n) + ": " + why + ": " + line;
  };
  auto valid_name = [](const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
    return true;
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      auto name = rest.substr(0, sp);
      auto& m = line[2] == 'H' ? p.help : p.type;
      if (!valid_name(name)) fail("bad family name");
      if (m.count(name)) fail("declared twice");
      m[name] = sp == std::string::npos ? "" : rest.substr(sp + 1);
      continue;
    }
    if (line.empty() || line[0] == '#') {
      fail("unexpected comment or blank line");
      continue;
    }
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (!valid_name(s.name)) fail("bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string key;
        while (i < line.size() && line[i] != '=') key += line[i++];
        if (i + 1 >= line.size() || line[i + 1] != '"') {
          fail("label value not quoted");
          break;
        }
        i += 2;
        std::string val;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size()) {
            char e = line[i + 1];
            val += e == 'n' ? '\n' : e;
            if (e != 'n' && e != '\\' && e != '"') fail("bad escape");
            i += 2;
          } else {
            val += line[i++];
          }
        }
        ++i;  // closing quote
        s.labels[key] = val;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;  // closing brace
    }
    if (i >= line.size() || line[i] != ' ')
      fail("no value");
    else
      s.value = line.substr(i + 1);
    if (!p.help.count(s.name) || !p.type.count(s.name)) fail("sample before its HELP/TYPE");
    char* end = nullptr;
    std::strtod(s.value.c_str(), &end);
    if (s.value.empty() || *end) fail("value is not a number");
    p.samples.push_back(std::move(s));
  }
  if (!text.empty() && text.back() != '\n') fail("no final newline");
  return p;
}

TEST(StatusMetrics, EveryLineParsesAndFamiliesAreTyped) {
  auto p = parse(render_metrics(healthy_snapshot()));
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.type.at("iesync_cycles_total"), "counter");
  EXPECT_EQ(p.type.at("iesync_records_imported_total"), "counter");
  EXPECT_EQ(p.type.at("iesync_rejected_feeds_total"), "counter");
  EXPECT_EQ(p.type.at("iesync_classroom_requests_total"), "counter");
  EXPECT_EQ(p.type.at("iesync_outbox_items"), "gauge");
  EXPECT_EQ(p.type.at("iesync_last_success_timestamp_seconds"), "gauge");
  EXPECT_EQ(p.type.at("iesync_cycle_duration_seconds"), "gauge");
  for (auto& [name, help] : p.help) EXPECT_FALSE(help.empty()) << name;
}

TEST(StatusMetrics, ValuesComeFromTheSnapshot) {
  auto p = parse(render_metrics(healthy_snapshot()));
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.find("iesync_up")->value, "1");
  EXPECT_EQ(p.find("iesync_healthy")->value, "1");
  EXPECT_EQ(p.find("iesync_cycles_total", {{"result", "ok"}})->value, "40");
  EXPECT_EQ(p.find("iesync_cycles_total", {{"result", "failed"}})->value, "2");
  // A result that has not happened yet is still there, as 0.
  EXPECT_EQ(p.find("iesync_cycles_total", {{"result", "record_errors"}})->value, "0");
  // 2026-11-23T10:26:00Z
  EXPECT_EQ(std::stod(p.find("iesync_last_success_timestamp_seconds")->value), 1795429560.0);
  EXPECT_EQ(std::stod(p.find("iesync_cycle_duration_seconds")->value), 3.25);
  EXPECT_EQ(p.find("iesync_records_imported_total", {{"feed", "timetable"}})->value, "5400");
  EXPECT_EQ(p.find("iesync_rejected_feeds_total", {{"feed", "bookings"}})->value, "1");
  EXPECT_EQ(
      p.find("iesync_classroom_requests_total", {{"method", "courseWork.list"}, {"status", "429"}})
          ->value,
      "3");
  EXPECT_EQ(p.find("iesync_outbox_items", {{"state", "pending"}})->value, "2");
}

TEST(StatusMetrics, UnhealthyAndNeverSucceeded) {
  auto s = healthy_snapshot();
  s.last_success.reset();
  auto p = parse(render_metrics(s));
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.find("iesync_healthy")->value, "0");
  EXPECT_EQ(p.find("iesync_last_success_timestamp_seconds")->value, "0");
}

TEST(StatusMetrics, LabelValuesAreEscaped) {
  auto s = healthy_snapshot();
  const std::string odd = "we\"ird\\feed\nname";
  s.records_imported_by_feed = {{odd, 7}};
  auto text = render_metrics(s);
  EXPECT_NE(text.find("feed=\"we\\\"ird\\\\feed\\nname\""), std::string::npos) << text;
  auto p = parse(text);
  ASSERT_EQ(p.error, "");
  ASSERT_TRUE(p.find("iesync_records_imported_total", {{"feed", odd}}));
  EXPECT_EQ(escape_label_value("a\"b"), "a\\\"b");
}

}  // namespace
}  // namespace iesync
