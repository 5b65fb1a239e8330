// What the IT admin maps by hand in mapping.toml (SPEC §2): feed captions, the calendar,
// courses, the work rule and codes. Plain values, so the domain logic in mapping/ can use
// them without knowing about TOML; config/ fills them in.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/civil.h"

namespace iesync {

// The MIS feeds of SPEC §3, in the order they are applied. The behaviour feed is optional
// (feed_optional): a school without it gets everything but the impact analysis of §10.
enum class Feed { students, staff, memberships, timetable, bookings, behaviour };
inline constexpr std::array<Feed, 6> kAllFeeds = {Feed::students,    Feed::staff,
                                                  Feed::memberships, Feed::timetable,
                                                  Feed::bookings,    Feed::behaviour};
// A feed the config may leave out ([mis] feeds and [fields.FEED]).
inline constexpr bool feed_optional(Feed f) {
  return f == Feed::behaviour;
}
const char* feed_name(Feed f);  // "students", ...
std::optional<Feed> feed_from_name(std::string_view name);

// Logical field name ("id", "forename") -> column caption in the export, decoded
// ("Legal Surname", not "Legal_x0020_Surname").
using FieldMap = std::map<std::string, std::string>;

struct CalendarConfig {
  int cycle = 1;  // weeks in the timetable cycle
  Date first_monday;
  std::string day_name = "Day{cycle_day}";
  std::map<std::string, std::string> day_aliases;  // as exported -> canonical
  std::vector<DateRange> closed;
  std::map<Date, std::string> week_overrides;  // Monday -> week letter ("A") or number ("1")
  TimeRange am{TimeOfDay::hm(8, 45), TimeOfDay::hm(12, 20)};
  TimeRange pm{TimeOfDay::hm(13, 10), TimeOfDay::hm(15, 15)};
  std::vector<std::pair<std::string, TimeRange>> periods;  // in file order
};

struct CoursesConfig {
  std::string alias = "d:{class_code}";
  std::map<std::string, std::string> overrides;  // class code -> course id
  std::vector<std::string> ignore;               // globs over class codes
};

struct WorkConfig {
  std::chrono::seconds set_before{std::chrono::days{3}};
  std::chrono::seconds set_after{0};
};

struct CodesConfig {
  std::string lesson = "/";
  std::string session_am = "/";
  std::string session_pm = "\\";
  bool write_session_marks = false;
  TimeOfDay am_register = TimeOfDay::hm(8, 45);
  TimeOfDay pm_register = TimeOfDay::hm(13, 30);
  std::vector<std::string> may_overwrite{"", "-", "N"};
  // Optional: the school's own reason words in bookings -> DfE exclusion reason codes.
  std::map<std::string, std::string> reasons;
};

struct Mapping {
  std::filesystem::path source;  // the mapping.toml it came from
  std::map<Feed, FieldMap> fields;
  std::map<std::string, std::string> subjects;  // subject code ("Ma") -> name ("Mathematics")
  CalendarConfig calendar;
  CoursesConfig courses;
  WorkConfig work;
  CodesConfig codes;
};

}  // namespace iesync
