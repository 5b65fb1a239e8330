// `cmake --install` puts the binary, the systemd unit, sysusers/tmpfiles entries, the example
// config and the man page where a Debian admin looks for them, and the unit's sandbox is tight
// enough for `systemd-analyze security` to rate it 2.0 or better.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/support/files.h"
#include "tests/support/shell.h"

namespace fs = std::filesystem;

namespace {

using iesync::test::slurp;
using Ran = iesync::test::ShellResult;

Ran run(const std::string& cmd) {
  return iesync::test::shell(cmd + " 2>&1");
}

// The installed file with this name and parent folder ("systemd/system/iesync.service"),
// wherever the configured prefix put it.
fs::path find_installed(const fs::path& root, const std::string& tail) {
  std::error_code ec;
  for (auto& e : fs::recursive_directory_iterator(root, ec)) {
    auto rel = e.path().generic_string();
    if (rel.size() >= tail.size() && rel.compare(rel.size() - tail.size(), tail.size(), tail) == 0)
      return e.path();
  }
  return {};
}

class Install : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prefix_ =
        new fs::path(fs::temp_directory_path() / ("iesync-install-" + std::to_string(::getpid())));
    fs::remove_all(*prefix_);
    fs::path build_dir = fs::path(IESYNC_BINARY).parent_path();
    // The man page target is part of `all`; make sure it exists even after `ninja iesync_tests`.
    run("cmake --build " + build_dir.string() + " --target iesync_man");
    // DESTDIR, as a package build does: the configured prefix (and /etc) inside a staging folder.
    install_ =
        new Ran(run("DESTDIR=" + prefix_->string() + " cmake --install " + build_dir.string()));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*prefix_);
    delete prefix_;
    delete install_;
  }
  static fs::path* prefix_;
  static Ran* install_;
};
fs::path* Install::prefix_ = nullptr;
Ran* Install::install_ = nullptr;

TEST_F(Install, PutsEveryFileInItsPlace) {
  ASSERT_EQ(install_->code, 0) << install_->out;
  for (const char* tail :
       {"/bin/iesync", "/lib/systemd/system/iesync.service", "/lib/sysusers.d/iesync.conf",
        "/lib/tmpfiles.d/iesync.conf", "/etc/iesync/iesync.toml.example",
        "/etc/iesync/mapping.toml.example", "/share/man/man1/iesync.1"})
    EXPECT_FALSE(find_installed(*prefix_, tail).empty()) << tail << " was not installed";
}

TEST_F(Install, UnitRunsTheInstalledBinaryAsANotifyServiceWithAWatchdog) {
  ASSERT_EQ(install_->code, 0) << install_->out;
  auto unit = slurp(find_installed(*prefix_, "/lib/systemd/system/iesync.service"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      unit, m, std::regex("ExecStart=(\\S+) run --config /etc/iesync/iesync.toml")))
      << unit;
  EXPECT_TRUE(fs::exists(prefix_->string() + m[1].str()))
      << "ExecStart names the installed binary: " << m[1];
  EXPECT_NE(unit.find("Type=notify"), std::string::npos);
  EXPECT_NE(unit.find("WatchdogSec="), std::string::npos);
  EXPECT_NE(unit.find("User=iesync"), std::string::npos);
  EXPECT_NE(unit.find("ExecReload="), std::string::npos);
}

TEST_F(Install, ManPageIsTheBinarysOwnHelp) {
  ASSERT_EQ(install_->code, 0) << install_->out;
  auto man = slurp(find_installed(*prefix_, "/share/man/man1/iesync.1"));
  EXPECT_EQ(man.rfind(".TH IESYNC 1", 0), 0u);
  for (const char* cmd :
       {".SS run", ".SS sync", ".SS check-config", ".SS plan", ".SS status", ".SS outbox"})
    EXPECT_NE(man.find(cmd), std::string::npos) << cmd;
  // The run command's own help, word for word.
  EXPECT_NE(man.find("reloads config on"), std::string::npos);
  EXPECT_NE(man.find("SIGHUP"), std::string::npos);
}

TEST_F(Install, ExampleConfigIsValidOnceItsSecretsExist) {
  ASSERT_EQ(install_->code, 0) << install_->out;
  // The example names /etc paths; check-config must at least parse it and complain only about
  // what a fresh server lacks (the key file), never about unknown keys.
  auto r = run(std::string(IESYNC_BINARY) + " check-config --config " +
               find_installed(*prefix_, "/etc/iesync/iesync.toml.example").string());
  EXPECT_EQ(r.out.find("unknown "), std::string::npos) << r.out;
  EXPECT_EQ(r.code, 2) << "the example names a key file a fresh server does not have yet";
}

TEST(SystemdUnit, SecurityExposureIsAtMostTwo) {
  if (run("systemd-analyze --version").code != 0)
    GTEST_SKIP() << "systemd-analyze is not installed";
  fs::path unit = fs::path(IESYNC_BINARY).parent_path() / "systemd/iesync.service";
  ASSERT_TRUE(fs::exists(unit));
  auto r = run("systemd-analyze security --offline=true --no-pager " + unit.string());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m,
                                std::regex("Overall exposure level for iesync.service: ([0-9.]+)")))
      << r.out;
  double exposure = std::stod(m[1]);
  EXPECT_LE(exposure, 2.0) << r.out;
}

}  // namespace
