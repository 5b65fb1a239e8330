// Due dates as Google sends them (google.type.Date + TimeOfDay): a value no real Classroom would
// send (a year of 36 digits, found by the fuzzer; a fraction; a month 13) names no due date
// instead of wrapping round to some other day.
#include "connectors/classroom/google_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/clock.h"

namespace iesync {
namespace {

std::optional<TimePoint> due(const char* date, const char* time = nullptr) {
  auto d = boost::json::parse(date);
  if (!time) return join_due(&d, nullptr);
  auto t = boost::json::parse(time);
  return join_due(&d, &t);
}

TEST(GoogleJson, DueDateAndTimeJoinInUtc) {
  auto at = due(R"({"year":2026,"month":11,"day":23})", R"({"hours":15,"minutes":30})");
  ASSERT_TRUE(at);
  EXPECT_EQ(format_utc(*at), "2026-11-23T15:30:00Z");
  auto end_of_day = due(R"({"year":2026,"month":11,"day":23})", R"({"hours":24})");
  ASSERT_TRUE(end_of_day);
  EXPECT_EQ(format_utc(*end_of_day), "2026-11-24T00:00:00Z");
  auto no_time = due(R"({"year":2026,"month":11,"day":23})");
  ASSERT_TRUE(no_time);
  EXPECT_EQ(format_utc(*no_time), "2026-11-23T12:00:00Z");
}

TEST(GoogleJson, ImpossibleNumbersNameNoDueDate) {
  EXPECT_FALSE(due(R"({"year":202688888888888888888888888888888888,"month":11,"day":23})"));
  EXPECT_FALSE(due(R"({"year":18446744073709551615,"month":11,"day":23})"));
  EXPECT_FALSE(due(R"({"year":4294969322,"month":11,"day":23})"))
      << "2026 + 2^32 must not wrap to 2026";
  EXPECT_FALSE(due(R"({"year":2026,"month":13,"day":23})"));
  EXPECT_FALSE(due(R"({"year":2026,"month":4294967307,"day":23})"))
      << "11 + 2^32 must not wrap to 11";
  EXPECT_FALSE(due(R"({"year":2026,"month":11.5,"day":23})"));
  EXPECT_FALSE(due(R"({"year":2026,"month":2,"day":30})"));
  EXPECT_FALSE(due(R"({"year":2026,"month":0,"day":0})")) << "a partial date";
  EXPECT_FALSE(due(R"({"year":2026,"month":11,"day":23})", R"({"hours":1e300})"));
  EXPECT_FALSE(due(R"({"year":2026,"month":11,"day":23})", R"({"hours":-1})"));
  EXPECT_FALSE(due(R"({"year":2026,"month":11,"day":23})", R"({"minutes":60})"));
}

}  // namespace
}  // namespace iesync
