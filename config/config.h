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
#include "mapping/impact.h"
#include "mapping/rules.h"

namespace iesync {

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
  // The MIS's behaviour type and action for an internal-exclusion record, by name (target wonde).
  std::string behaviour_type = "Internal exclusion";
  std::string behaviour_action = "Internal exclusion";
};

struct ScheduleConfig {
  std::chrono::seconds interval{15 * 60};
  TimeRange school_hours{TimeOfDay::hm(7, 30), TimeOfDay::hm(17, 0)};
  std::vector<int> days{0, 1, 2, 3, 4};  // 0 = Mon
  int look_ahead = 2;                    // school days after today reconciled each cycle
  int catch_up = 10;  // at most this many past school days not yet reconciled, oldest first
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

enum class MailTransport { smtp, dir };

// [notify] (SPEC §9): the teachers' chase emails and the behaviour lead's daily digest.
struct NotifyConfig {
  bool enabled = false;
  MailTransport transport = MailTransport::smtp;
  std::string smtp_url;           // smtp://HOST:587 (STARTTLS) or smtps://HOST:465
  bool starttls_required = true;  // "required"; false only for a loopback relay ("none")
  std::string user;               // empty: no AUTH
  std::filesystem::path password_file;
  std::string from;  // "IE room <ie-room@example.sch.uk>"
  std::vector<std::string> behaviour_lead;
  std::vector<TimeOfDay> chase_at{TimeOfDay::hm(15, 45), TimeOfDay::hm(8, 0)};
  TimeOfDay digest_at = TimeOfDay::hm(16, 15);
  std::filesystem::path dir;  // transport = "dir"
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
  NotifyConfig notify;
  ImpactConfig impact;  // [impact], SPEC §10
  Mapping mapping;
};

}  // namespace iesync
