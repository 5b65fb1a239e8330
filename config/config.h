// The typed form of iesync.toml and mapping.toml (SPEC §2). Loading and validation live in
// config/load.h; everything else in the program reads these structs and never the TOML.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mapping/civil.h"

namespace iesync {

// The five MIS feeds of SPEC §3, in the order they are applied.
enum class Feed { students, staff, memberships, timetable, bookings };
inline constexpr std::array<Feed, 5> kAllFeeds = {Feed::students, Feed::staff, Feed::memberships,
                                                  Feed::timetable, Feed::bookings};
const char* feed_name(Feed f);  // "students", ...
std::optional<Feed> feed_from_name(std::string_view name);

struct SchoolConfig {
  std::string name;
  std::string timezone = "Europe/London";
  std::filesystem::path mapping;  // absolute, resolved against the config file's folder
};

struct StoreConfig {
  std::filesystem::path path;
  std::chrono::seconds retain{std::chrono::days{3 * 365}};
};

enum class FeedFormat { xml, csv };
enum class FeedEncoding { utf8, windows1252 };

struct MisConfig {
  std::filesystem::path export_dir;
  FeedFormat format = FeedFormat::xml;
  FeedEncoding encoding = FeedEncoding::utf8;
  std::map<Feed, std::string> feeds;  // file name or glob inside export_dir
};

struct ClassroomConfig {
  bool enabled = false;
  std::string api_base = "https://classroom.googleapis.com";
  std::string token_uri = "https://oauth2.googleapis.com/token";
  std::filesystem::path key_file;
  std::string impersonate;
  std::string proxy;  // empty: fall back to https_proxy from the environment
};

enum class WritebackTarget { file, wonde };

struct WritebackConfig {
  WritebackTarget target = WritebackTarget::file;
  std::filesystem::path outbox_dir;
  std::string api_base = "https://api.wonde.com/v1.0";
  std::string school_id;
  std::filesystem::path token_file;
};

struct ScheduleConfig {
  std::chrono::seconds interval{15 * 60};
  TimeRange school_hours{TimeOfDay::hm(7, 30), TimeOfDay::hm(17, 0)};
  std::vector<int> days{0, 1, 2, 3, 4};  // 0 = Mon
};

struct StatusConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8470;
  std::filesystem::path token_file;  // empty: none (allowed on loopback only)
  bool loopback_only() const;
};

struct LogConfig {
  std::filesystem::path dir;
  std::string level = "info";  // trace, debug, info, warn, error
};

struct SafetyConfig {
  double max_roster_drop = 0.15;  // fraction
};

// ---- mapping.toml ----

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

struct Config {
  std::filesystem::path source;  // the iesync.toml it came from
  SchoolConfig school;
  StoreConfig store;
  MisConfig mis;
  ClassroomConfig classroom;
  WritebackConfig writeback;
  ScheduleConfig schedule;
  StatusConfig status;
  LogConfig log;
  SafetyConfig safety;
  Mapping mapping;
};

}  // namespace iesync
