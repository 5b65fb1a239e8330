// What the service asks of the outside world: the time, waiting, HTTP clients and the
// write-back target. The daemon and every cycle take one Env, the way LevelDB's code takes its
// Env, so a test can run a school week in-process on a fake clock against the loopback fakes,
// and the commands share one instead of each building its own clock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "connectors/http/http_client.h"
#include "connectors/writeback/target.h"
#include "store/lookup_cache.h"

namespace iesync {

class Env {
 public:
  virtual ~Env() = default;

  virtual Clock& clock() = 0;
  // Waits `d`: the back-off between retries of a request.
  virtual void sleep(std::chrono::milliseconds d) = 0;
  // Waits `d` on `cv` (its mutex held by `lock`), or less if `stop` turns true: a retry's
  // back-off that a shutdown cuts short. Returns stop(). A fake clock moves instead of waiting.
  virtual bool sleep_unless(std::chrono::milliseconds d, std::condition_variable& cv,
                            std::unique_lock<std::mutex>& lock,
                            const std::function<bool()>& stop) = 0;
  virtual std::unique_ptr<HttpClient> http_client(const HttpOptions& options) = 0;
  // The target [writeback] asks for; `http` (and `cache`, if given) must outlive it.
  virtual Result<std::unique_ptr<WriteTarget>> write_target(const Config& cfg, HttpClient& http,
                                                            LookupCache* cache) = 0;

  // The real world: the system clock, real sleeps, libcurl, the configured target.
  static Env& system();
};

// An Env that forwards to another: tests override only the part they replace.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env& target) : target_(target) {}
  Clock& clock() override { return target_.clock(); }
  void sleep(std::chrono::milliseconds d) override { target_.sleep(d); }
  bool sleep_unless(std::chrono::milliseconds d, std::condition_variable& cv,
                    std::unique_lock<std::mutex>& lock,
                    const std::function<bool()>& stop) override {
    return target_.sleep_unless(d, cv, lock, stop);
  }
  std::unique_ptr<HttpClient> http_client(const HttpOptions& o) override {
    return target_.http_client(o);
  }
  Result<std::unique_ptr<WriteTarget>> write_target(const Config& cfg, HttpClient& http,
                                                    LookupCache* cache) override {
    return target_.write_target(cfg, http, cache);
  }

 private:
  Env& target_;
};

}  // namespace iesync
