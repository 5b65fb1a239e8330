#include "daemon/env.h"

#include <thread>

#include "connectors/http/curl_client.h"
#include "connectors/writeback/make_target.h"

namespace iesync {

namespace {

class SystemEnv final : public Env {
 public:
  Clock& clock() override { return clock_; }
  void sleep(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
  bool sleep_unless(std::chrono::milliseconds d, std::condition_variable& cv,
                    std::unique_lock<std::mutex>& lock,
                    const std::function<bool()>& stop) override {
    return cv.wait_for(lock, d, stop);
  }
  std::unique_ptr<HttpClient> http_client(const HttpOptions& o) override {
    return make_curl_client(o);
  }
  Result<std::unique_ptr<WriteTarget>> write_target(const Config& cfg, HttpClient& http,
                                                    LookupCache* cache) override {
    return make_write_target(cfg.writeback, cfg.mapping.codes, http, clock_, cache);
  }

 private:
  SystemClock clock_;
};

}  // namespace

Env& Env::system() {
  static SystemEnv env;
  return env;
}

}  // namespace iesync
