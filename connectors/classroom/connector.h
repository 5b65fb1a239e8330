// The Classroom connector put together from [classroom] config: the key file, a libcurl
// client, the token source, the API client and the fetcher. The daemon makes one per cycle
// thread; metrics outlive it.
#pragma once

#include <memory>

#include "config/config.h"
#include "connectors/classroom/fetcher.h"
#include "connectors/http/http_client.h"

namespace iesync {

class ClassroomConnector {
 public:
  // Fails (with the chmod/fix message) when the key file is missing, unreadable, readable by
  // others, or not a service-account key. `http` may be given by tests; else libcurl.
  static Result<std::unique_ptr<ClassroomConnector>> create(
      const ClassroomConfig& cfg, Store& store, const Clock& clock, TimeZone tz, Sleeper sleep,
      ClassroomMetrics& metrics, std::unique_ptr<HttpClient> http = nullptr,
      ClassroomClientOptions opts = {});

  ClassroomDay fetch(const std::vector<CourseRequest>& requests, EventSink& events,
                     ClassroomPass* pass = nullptr) {
    return fetcher_->fetch(requests, events, pass);
  }

 private:
  ClassroomConnector() = default;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<ServiceAccountTokens> tokens_;
  std::unique_ptr<ClassroomClient> client_;
  std::unique_ptr<ClassroomCache> cache_;
  std::unique_ptr<ClassroomFetcher> fetcher_;
};

}  // namespace iesync
