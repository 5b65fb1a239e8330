// `cmake --install` puts the binary, the systemd unit, sysusers/tmpfiles entries, the example
// config and the man page where a Debian admin looks for them, and the unit's sandbox is tight
// enough for `systemd-analyze security` to rate it 2.0 or better.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Ran {
  int status = -1;
  std::string out;
};

Ran run(const std::string& cmd) {
  Ran r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Install : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prefix_ = new fs::path(fs::temp_directory_path() / ("iesync-install-" + std::to_string(::getpid())));
    fs::remove_all(*prefix_);
    fs::path build_dir = fs::path(IESYNC_BINARY).parent_path();
    // The man page target is part of `all`; make sure it exists even after `ninja iesync_tests`.
    run("cmake --build " + build_dir.string() + " --target iesync_man");
    install_ = new Ran(run("cmake --install " + build_dir.string() + " --prefix " + prefix_->string()));
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
  ASSERT_EQ(install_->status, 0) << install_->out;
  const fs::path& p = *prefix_;
  EXPECT_TRUE(fs::exists(p / "bin/iesync"));
  EXPECT_TRUE(fs::exists(p / "lib/systemd/system/iesync.service"));
  EXPECT_TRUE(fs::exists(p / "lib/sysusers.d/iesync.conf"));
  EXPECT_TRUE(fs::exists(p / "lib/tmpfiles.d/iesync.conf"));
  EXPECT_TRUE(fs::exists(p / "etc/iesync/iesync.toml.example"));
  EXPECT_TRUE(fs::exists(p / "etc/iesync/mapping.toml.example"));
  EXPECT_TRUE(fs::exists(p / "share/man/man1/iesync.1"));
}

TEST_F(Install, UnitRunsTheInstalledBinaryAsANotifyServiceWithAWatchdog) {
  ASSERT_EQ(install_->status, 0) << install_->out;
  auto unit = slurp(*prefix_ / "lib/systemd/system/iesync.service");
  EXPECT_NE(unit.find("ExecStart=" + (*prefix_ / "bin/iesync").string() + " run --config /etc/iesync/iesync.toml"),
            std::string::npos)
      << unit;
  EXPECT_NE(unit.find("Type=notify"), std::string::npos);
  EXPECT_NE(unit.find("WatchdogSec="), std::string::npos);
  EXPECT_NE(unit.find("User=iesync"), std::string::npos);
  EXPECT_NE(unit.find("ExecReload="), std::string::npos);
}

TEST_F(Install, ManPageIsTheBinarysOwnHelp) {
  ASSERT_EQ(install_->status, 0) << install_->out;
  auto man = slurp(*prefix_ / "share/man/man1/iesync.1");
  EXPECT_EQ(man.rfind(".TH IESYNC 1", 0), 0u);
  for (const char* cmd : {".SS run", ".SS sync", ".SS check-config", ".SS plan", ".SS status", ".SS outbox"})
    EXPECT_NE(man.find(cmd), std::string::npos) << cmd;
  // Rendered by man(1) it reads as text, with no roff left over.
  auto rendered = run("MANWIDTH=100 man -l " + (*prefix_ / "share/man/man1/iesync.1").string() + " | col -b");
  if (rendered.status == 0) EXPECT_NE(rendered.out.find("SIGHUP"), std::string::npos) << rendered.out;
}

TEST_F(Install, ExampleConfigIsValidOnceItsSecretsExist) {
  ASSERT_EQ(install_->status, 0) << install_->out;
  // The example names /etc paths; check-config must at least parse it and complain only about
  // what a fresh server lacks (the key file), never about unknown keys.
  auto r = run(std::string(IESYNC_BINARY) + " check-config --config " +
               (*prefix_ / "etc/iesync/iesync.toml.example").string());
  EXPECT_EQ(r.out.find("unknown "), std::string::npos) << r.out;
  EXPECT_EQ(r.status, 2) << "the example names a key file a fresh server does not have yet";
}

TEST(SystemdUnit, SecurityExposureIsAtMostTwo) {
  if (run("systemd-analyze --version").status != 0) GTEST_SKIP() << "systemd-analyze is not installed";
  fs::path unit = fs::path(IESYNC_BINARY).parent_path() / "systemd/iesync.service";
  ASSERT_TRUE(fs::exists(unit));
  auto r = run("systemd-analyze security --offline=true --no-pager " + unit.string());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("Overall exposure level for iesync.service: ([0-9.]+)")))
      << r.out;
  double exposure = std::stod(m[1]);
  EXPECT_LE(exposure, 2.0) << r.out;
}

}  // namespace
