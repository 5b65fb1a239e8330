// Shared set-up for the Classroom tests: a synthetic school on the local fake (5 courses,
// 3 students), a fresh service-account key in a temp dir, the real libcurl client, a fake
// clock and a sleeper that records instead of waiting.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "connectors/classroom/classroom_client.h"
#include "connectors/classroom/fetcher.h"
#include "connectors/classroom/service_account.h"
#include "connectors/http/curl_client.h"
#include "mapping/civil.h"
#include "store/classroom_cache.h"
#include "store/store.h"
#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"

namespace iesync::testing_classroom {

namespace json = boost::json;

inline const char* kImpersonate = "iesync-reader@school.example";

// A UTC instant from a civil date and time.
inline TimePoint utc(int y, unsigned m, unsigned d, int hh, int mm) {
  return TimePoint{Date::from_ymd(y, m, d).days.time_since_epoch() + std::chrono::hours{hh} +
                   std::chrono::minutes{mm}};
}

struct SchoolStudent {
  std::string id, email;
  std::vector<std::string> courses;
};

inline const std::vector<SchoolStudent>& school_students() {
  static const std::vector<SchoolStudent> s = {
      {"1001", "ada.example@pupils.school.example", {"c1", "c2", "c3"}},
      {"1002", "ben.example@pupils.school.example", {"c1", "c4"}},
      {"1003", "cat.example@pupils.school.example", {"c2", "c3", "c4", "c5"}},
  };
  return s;
}

inline std::string alias_of(const std::string& course_id) {
  static const std::map<std::string, std::string> a = {{"c1", "d:9X1-Ma"},
                                                       {"c2", "d:9X1-En"},
                                                       {"c3", "d:9X1-Sc"},
                                                       {"c4", "d:9X2-Hi"},
                                                       {"c5", "d:9X2-Gg"}};
  return a.at(course_id);
}

// 5 courses, each with 3 published items (and one draft), due across a BST day; every
// student has a submission for each item in their courses.
inline std::string school_fixture() {
  json::array courses, students, work, subs;
  for (std::string c : {"c1", "c2", "c3", "c4", "c5"}) {
    courses.push_back(json::object{{"id", c},
                                   {"name", "Course " + c},
                                   {"section", "Year 9"},
                                   {"courseState", "ACTIVE"},
                                   {"alternateLink", "https://classroom.google.com/c/" + c},
                                   {"aliases", json::array{json::object{{"alias", alias_of(c)}}}}});
    for (int i = 1; i <= 4; ++i) {
      std::string id = c + "-w" + std::to_string(i);
      json::object w{{"courseId", c},
                     {"id", id},
                     {"title", "Task " + std::to_string(i) + " for " + c},
                     {"state", i == 4 ? "DRAFT" : "PUBLISHED"},
                     {"alternateLink", "https://classroom.google.com/c/" + c + "/a/" + id},
                     {"creationTime", "2026-06-1" + std::to_string(i) + "T08:00:00.123Z"},
                     {"updateTime", "2026-06-1" + std::to_string(i) + "T09:00:00Z"},
                     {"workType", "ASSIGNMENT"},
                     {"assigneeMode", "ALL_STUDENTS"}};
      if (i == 1) {
        // 23:30 UTC on a BST date: 00:30 the next morning in school.
        w["dueDate"] = json::object{{"year", 2026}, {"month", 6}, {"day", 15}};
        w["dueTime"] = json::object{{"hours", 23}, {"minutes", 30}};
      } else if (i == 2) {
        w["dueDate"] = json::object{{"year", 2026}, {"month", 6}, {"day", 15}};
        w["dueTime"] = json::object{{"hours", 14}};  // proto3 JSON leaves minutes: 0 out
        w["scheduledTime"] = "2026-06-14T07:00:00Z";
      } else if (i == 3) {
        w["assigneeMode"] = "INDIVIDUAL_STUDENTS";
        w["individualStudentsOptions"] = json::object{{"studentIds", json::array{"1001"}}};
      }
      work.push_back(std::move(w));
    }
  }
  for (const auto& s : school_students()) {
    for (const auto& c : s.courses) {
      students.push_back(json::object{
          {"courseId", c},
          {"userId", s.id},
          {"profile", json::object{{"id", s.id},
                                   {"emailAddress", s.email},
                                   {"name", json::object{{"fullName", "Pupil " + s.id}}}}}});
      for (int i = 1; i <= 3; ++i)
        subs.push_back(json::object{{"courseId", c},
                                    {"courseWorkId", c + "-w" + std::to_string(i)},
                                    {"id", "sub-" + s.id + "-" + c + std::to_string(i)},
                                    {"userId", s.id},
                                    {"state", i == 1 ? "TURNED_IN" : "CREATED"},
                                    {"updateTime", "2026-06-15T10:00:00Z"}});
    }
  }
  return json::serialize(json::object{{"courses", courses},
                                      {"students", students},
                                      {"courseWork", work},
                                      {"studentSubmissions", subs}});
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("iesync-classroom-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Everything wired as production wires it, pointed at the fake.
struct Env {
  TempDir dir;
  FakeClock clock{utc(2026, 6, 15, 8, 15)};  // 09:15 in school (BST)
  std::unique_ptr<fake::FakeClassroom> fake;
  fake::TestServiceAccount account;
  std::vector<std::chrono::milliseconds> sleeps;
  Sleeper sleeper = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
  ClassroomMetrics metrics;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<ServiceAccountTokens> tokens;
  std::unique_ptr<ClassroomClient> client;

  explicit Env(int page_size = 2, std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    fake::FakeOptions fo;
    fo.page_size = page_size;
    fo.public_key_pem = fake::shared_test_key_pair().public_pem;
    fo.impersonate = kImpersonate;
    fo.clock = &clock;
    fake = std::make_unique<fake::FakeClassroom>(fo);
    auto loaded = fake->load_fixture_json(school_fixture());
    if (!loaded) throw ErrorException(loaded.error());
    fake->start();
    account = fake::write_service_account_key(dir.path(), fake->token_uri());
    HttpOptions ho;
    ho.connect_timeout = timeout;
    ho.total_timeout = timeout;
    http = make_curl_client(ho);
    connect();
  }

  // A fresh token source and client (as a new cycle or a restarted daemon would have).
  void connect(std::string impersonate = kImpersonate) {
    auto key = load_service_account_key(account.key_file);
    if (!key) throw ErrorException(key.error());
    tokens = std::make_unique<ServiceAccountTokens>(*http, *key, impersonate, fake->token_uri(),
                                                    clock, RetryPolicy{}, sleeper, &metrics);
    ClassroomClientOptions co;
    co.api_base = fake->base_url();
    client = std::make_unique<ClassroomClient>(*http, *tokens, co, sleeper, &metrics);
  }
};

}  // namespace iesync::testing_classroom
