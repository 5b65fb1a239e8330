#include "connectors/writeback/make_target.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "connectors/http/curl_client.h"
#include "connectors/writeback/wonde_target.h"
#include "store/store.h"

namespace iesync {
namespace {

TEST(MakeWriteTarget, FileTargetNeedsAFolderAndWondeAPrivateTokenFile) {
  TempStore t;
  FakeClock clock{TimePoint{}};
  auto http = make_curl_client({});
  WritebackConfig cfg;
  cfg.target = WritebackTarget::file;
  EXPECT_FALSE(make_write_target(cfg, CodesConfig{}, *http, clock));
  cfg.outbox_dir = t.dir();
  auto f = make_write_target(cfg, CodesConfig{}, *http, clock);
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->name(), "file");

  cfg.target = WritebackTarget::wonde;
  cfg.token_file = t.dir() / "wonde-token";
  EXPECT_FALSE(make_write_target(cfg, CodesConfig{}, *http, clock)) << "missing token file";
  {
    std::ofstream out(cfg.token_file);
    out << "  generated-test-token  \n";
  }
  ::chmod(cfg.token_file.c_str(), 0644);
  auto w = make_write_target(cfg, CodesConfig{}, *http, clock);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().fix.find("chmod 600"), std::string::npos);
  EXPECT_EQ(w.error().to_string().find("generated-test-token"), std::string::npos);
  ::chmod(cfg.token_file.c_str(), 0600);
  w = make_write_target(cfg, CodesConfig{}, *http, clock);
  ASSERT_TRUE(w) << w.error().to_string();
  EXPECT_EQ((*w)->name(), "wonde");
  EXPECT_EQ(*read_wonde_token(cfg.token_file), "generated-test-token");
}

}  // namespace
}  // namespace iesync
