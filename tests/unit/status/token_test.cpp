// [status] token_file: read when private, refused (without the token in the message) otherwise.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "daemon/status/server.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;

class StatusToken : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "iesync-token-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::random_device rd;
    token_ = "tok-" + std::to_string(rd()) + std::to_string(rd());
  }
  void TearDown() override { fs::remove_all(dir_); }
  StatusConfig write(const std::string& content, mode_t mode) {
    StatusConfig c;
    c.token_file = dir_ / "status-token";
    std::ofstream(c.token_file) << content;
    ::chmod(c.token_file.c_str(), mode);
    return c;
  }
  fs::path dir_;
  std::string token_;
};

TEST_F(StatusToken, NoneConfiguredIsNoToken) {
  auto r = load_status_token(StatusConfig{});
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST_F(StatusToken, PrivateFileGivesTheTrimmedFirstLine) {
  auto r = load_status_token(write(token_ + " \r\nsecond line\n", 0600));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(**r, token_);
}

TEST_F(StatusToken, ReadableByOthersIsRefusedWithoutShowingTheToken) {
  auto r = load_status_token(write(token_ + "\n", 0644));
  ASSERT_FALSE(r);
  auto text = r.error().to_string();
  EXPECT_NE(text.find("can be read by other users (mode 0644)"), std::string::npos) << text;
  EXPECT_NE(text.find("chmod 600"), std::string::npos);
  EXPECT_EQ(text.find(token_), std::string::npos);
  r = load_status_token(write(token_ + "\n", 0620));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("changed by other users"), std::string::npos);
}

TEST_F(StatusToken, MissingOrEmptyFileIsAnError) {
  StatusConfig c;
  c.token_file = dir_ / "absent";
  auto r = load_status_token(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos);
  r = load_status_token(write("  \n", 0600));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "[status] token_file");
}

TEST_F(StatusToken, ServerOptionsFollowTheListenAddress) {
  StatusConfig c;
  c.host = "0.0.0.0";
  c.port = 9000;
  auto o = server_options_from(c, std::string("t"));
  EXPECT_FALSE(o.loopback_only);
  EXPECT_EQ(o.port, 9000);
  c.host = "127.0.0.1";
  EXPECT_TRUE(server_options_from(c, std::nullopt).loopback_only);
}

}  // namespace
}  // namespace iesync
