// An Env on a fake clock for in-process tests of cycles and the daemon: real HTTP (to the
// loopback fakes) and the real write-back targets, but time moves only when the test (or a
// retry's back-off) moves it.
#pragma once

#include <chrono>

#include "connectors/writeback/make_target.h"
#include "daemon/env.h"

namespace iesync::test {

class FakeEnv : public EnvWrapper {
 public:
  explicit FakeEnv(FakeClock& clock) : EnvWrapper(Env::system()), clock_(clock) {}
  Clock& clock() override { return clock_; }
  // A back-off passes on the fake clock, at once.
  void sleep(std::chrono::milliseconds d) override {
    clock_.advance(std::chrono::ceil<std::chrono::seconds>(d));
  }
  bool sleep_unless(std::chrono::milliseconds d, std::condition_variable&,
                    std::unique_lock<std::mutex>&, const std::function<bool()>& stop) override {
    if (stop()) return true;
    sleep(d);
    return stop();
  }
  Result<std::unique_ptr<WriteTarget>> write_target(const Config& cfg, HttpClient& http,
                                                    LookupCache* cache) override {
    return make_write_target(cfg.writeback, cfg.mapping.codes, http, clock_, cache);
  }

 private:
  FakeClock& clock_;
};

}  // namespace iesync::test
