// Every folder under tests/configs/broken/ is one broken config: iesync.toml, mapping.toml,
// optional secrets.txt (secret files to create, "NAME MODE"), and expected.txt holding the
// exact first problem line check-config must print, with paths relative to the folder.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>

#include "config/load.h"
#include "config_test_support.h"
#include "tests/support/files.h"

namespace iesync {
namespace {

using namespace testing_config;

std::vector<std::string> broken_cases() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(source_dir() / "tests/configs/broken"))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class BrokenConfig : public ::testing::TestWithParam<std::string> {};

TEST(BrokenConfigs, ThereAreAtLeastThirty) {
  EXPECT_GE(broken_cases().size(), 30u);
}

TEST_P(BrokenConfig, LoaderReportsTheExpectedFirstProblem) {
  const fs::path case_dir = source_dir() / "tests/configs/broken" / GetParam();
  const std::string expected = first_line(case_dir / "expected.txt");
  ASSERT_FALSE(expected.empty()) << "expected.txt is empty in " << case_dir;

  ScratchDir scratch;
  scratch.copy_from(case_dir);
  auto secrets = scratch.make_listed_secrets();
  LoadedConfig loaded;
  {
    InDir in(scratch.path());
    loaded = load_config("iesync.toml");
  }
  ASSERT_FALSE(loaded.ok()) << "the broken config " << GetParam() << " was accepted";
  EXPECT_EQ(loaded.problems.front().to_string(), expected);
  // A secret's content never reaches a message.
  for (const auto& p : loaded.problems)
    for (const auto& s : secrets) EXPECT_EQ(p.to_string().find(s), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Cases, BrokenConfig, ::testing::ValuesIn(broken_cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = "c" + info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using test::slurp;

// Runs the real iesync binary in `dir`, capturing stdout and stderr to files there.
CliRun run_check_config(const fs::path& dir, const std::string& config_arg) {
  ScratchDir capture;
  std::string cmd = "cd '" + dir.string() + "' && '" + std::string(IESYNC_BINARY) +
                    "' check-config --config '" + config_arg + "' >'" +
                    (capture.path() / "out").string() + "' 2>'" +
                    (capture.path() / "err").string() + "'";
  int status = std::system(cmd.c_str());
  CliRun r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = slurp(capture.path() / "out");
  r.err = slurp(capture.path() / "err");
  return r;
}

class CheckConfigBinary : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckConfigBinary, ExitsTwoAndPrintsTheProblem) {
  const fs::path case_dir = source_dir() / "tests/configs/broken" / GetParam();
  ScratchDir scratch;
  scratch.copy_from(case_dir);
  scratch.make_listed_secrets();
  CliRun r = run_check_config(scratch.path(), "iesync.toml");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string first = r.err.substr(0, r.err.find('\n'));
  EXPECT_EQ(first, first_line(case_dir / "expected.txt"));
  EXPECT_NE(r.err.find("problem"), std::string::npos) << "a summary line follows the problems";
}

INSTANTIATE_TEST_SUITE_P(Some, CheckConfigBinary,
                         ::testing::Values("01-unknown-key-suggestion", "11-secret-mode-0644",
                                           "35-e-for-internal-exclusion",
                                           "51-mapping-syntax-error"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = "c" + info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(CheckConfigBinaryDemo, TheDemoConfigIsValid) {
  CliRun r = run_check_config(source_dir(), "examples/demo/iesync.toml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Demo Academy"), std::string::npos) << r.out;
}

TEST(CheckConfigBinaryDemo, AMissingConfigFileExitsTwo) {
  ScratchDir scratch;
  CliRun r = run_check_config(scratch.path(), "nowhere/iesync.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err.rfind("nowhere/iesync.toml: cannot read this file (No such file or directory)", 0), 0u)
      << r.err;
}

}  // namespace
}  // namespace iesync
