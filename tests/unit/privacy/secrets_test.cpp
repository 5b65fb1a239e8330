// No secret ever reaches an output (SPEC §2, §7): the Classroom private key, the write-back
// token, the status token and a proxy password are generated here, at test time, and the
// built iesync is run through check-config (a secret of bad mode, a broken key file),
// sync against the Classroom and Wonde fakes (a good run and auth failures), every --help,
// status --json, plan --json and outbox list. Then stdout, stderr, sync.log, sync.jsonl
// (and any rotated file) and the store's bytes are searched for each secret.
#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <set>

#include "privacy_support.h"
#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"
#include "tests/fakes/wonde/fake_wonde.h"

namespace iesync {
namespace {

using namespace privacy_test;

std::string random_hex(int bytes) {
  std::vector<unsigned char> b(static_cast<size_t>(bytes));
  RAND_bytes(b.data(), bytes);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (auto c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

void write_secret(const fs::path& p, const std::string& text, fs::perms mode = fs::perms(0600)) {
  std::ofstream(p) << text;
  fs::permissions(p, mode);
}

// The parts of a secret worth looking for: the whole of it, and for a PEM key each line of
// its base64 body (a message could quote one line) and the body's first 24 characters.
std::vector<std::string> needles_of_pem(const std::string& pem) {
  std::vector<std::string> out;
  std::istringstream in(pem);
  std::string line, body;
  while (std::getline(in, line)) {
    if (line.starts_with("-----") || line.size() < 16) continue;
    out.push_back(line);
    body += line;
  }
  out.push_back(body.substr(0, 24));
  return out;
}

class Secrets : public ::testing::Test {
 protected:
  void SetUp() override {
    keys = fake::generate_rsa_key_pair();  // this test's own key, never the shared one
    wonde_token = "wt-" + random_hex(20);
    wrong_token = "wt-" + random_hex(20);
    status_token = "st-" + random_hex(20);
    proxy_password = "pw-" + random_hex(12);
    secrets_dir = demo.dir / "secrets";
    fs::create_directories(secrets_dir);
    write_secret(secrets_dir / "wonde-token", wonde_token + "\n");
    write_secret(secrets_dir / "status-token", status_token + "\n");

    fake::FakeOptions co;
    co.public_key_pem = keys.public_pem;
    co.impersonate = "iesync-reader@demo.sch.uk";
    classroom = std::make_unique<fake::FakeClassroom>(co);
    ASSERT_TRUE(classroom->load_fixture_json(R"({"courses": [], "students": [],
        "courseWork": [], "studentSubmissions": []})"));
    classroom->start();
    sa = fake::write_service_account_key(secrets_dir, classroom->token_uri(), keys);

    fake::FakeWondeOptions wo;
    wo.token = wonde_token;
    wonde = std::make_unique<fake::FakeWonde>(wo);
    wonde->seed_standard_codes();
    wonde->start();

    for (auto& n : needles_of_pem(keys.private_pem)) needles.push_back({"private key", n});
    needles.push_back({"wonde token", wonde_token});
    needles.push_back({"wrong wonde token", wrong_token});
    needles.push_back({"status token", status_token});
    needles.push_back({"proxy password", proxy_password});
  }
  void TearDown() override {
    if (classroom) classroom->stop();
    if (wonde) wonde->stop();
  }

  // iesync.toml for the demo school with every secret in play.
  void write_config(bool classroom_on, const std::string& proxy, const fs::path& key_file) {
    std::ofstream c(demo.dir / "iesync.toml");
    c << "[school]\nname = \"Demo Academy\"\ntimezone = \"Europe/London\"\n"
         "mapping = \"mapping.toml\"\n"
         "[store]\npath = \"var/iesync.db\"\nretain = \"3y\"\n"
         "[mis]\nexport_dir = \"exports\"\nformat = \"xml\"\n"
         "feeds.students = \"students.xml\"\nfeeds.staff = \"staff.xml\"\n"
         "feeds.memberships = \"memberships.xml\"\nfeeds.timetable = \"timetable.xml\"\n"
         "feeds.bookings = \"ie-bookings.xml\"\n"
         "[classroom]\nenabled = "
      << (classroom_on ? "true" : "false") << "\n"
      << "api_base = \"" << classroom->base_url() << "\"\n"
      << "token_uri = \"" << classroom->token_uri() << "\"\n"
      << "key_file = \"" << key_file.string() << "\"\n"
      << "impersonate = \"iesync-reader@demo.sch.uk\"\n"
      << "proxy = \"" << proxy << "\"\n"
      << "[writeback]\ntarget = \"wonde\"\napi_base = \"" << wonde->api_base() << "\"\n"
      << "school_id = \"A1930499544\"\ntoken_file = \"secrets/wonde-token\"\n"
      << "[status]\nlisten = \"127.0.0.1:8470\"\ntoken_file = \"secrets/status-token\"\n"
      << "[log]\ndir = \"var/log\"\nlevel = \"info\"\n";
  }

  RunResult cli(const std::string& args) {
    auto r = run_iesync(args + " --config " + demo.config(), demo.dir);
    outputs.push_back({"`iesync " + args + "` stdout", r.out});
    outputs.push_back({"`iesync " + args + "` stderr", r.err});
    return r;
  }
  RunResult cli_no_config(const std::string& args) {
    auto r = run_iesync(args, demo.dir);
    outputs.push_back({"`iesync " + args + "` stdout", r.out});
    outputs.push_back({"`iesync " + args + "` stderr", r.err});
    return r;
  }

  void expect_no_secret_anywhere() {
    // The search can find what it looks for: every key needle is in the key file itself.
    auto key_file = slurp(sa.key_file);
    for (const auto& [name, needle] : needles)
      if (name == "private key") {
        ASSERT_NE(key_file.find(needle), std::string::npos) << needle;
      }
    std::vector<std::pair<std::string, std::string>> all = outputs;
    if (fs::exists(demo.logs()))
      for (auto& e : fs::directory_iterator(demo.logs()))
        all.push_back({e.path().filename().string(), slurp(e.path())});
    for (const char* side : {"", "-wal"})
      if (fs::exists(demo.store().string() + side))
        all.push_back({"the store" + std::string(side), slurp(demo.store().string() + side)});
    size_t logged = 0;
    for (const auto& [what, text] : all) {
      logged += text.size();
      for (const auto& [name, needle] : needles)
        EXPECT_EQ(text.find(needle), std::string::npos) << "the " << name << " appears in " << what;
    }
    EXPECT_GT(logged, 10000u) << "the outputs searched must not be empty";
  }

  DemoCopy demo;
  fs::path secrets_dir;
  fake::TestKeyPair keys;
  fake::TestServiceAccount sa;
  std::string wonde_token, wrong_token, status_token, proxy_password;
  std::unique_ptr<fake::FakeClassroom> classroom;
  std::unique_ptr<fake::FakeWonde> wonde;
  std::vector<std::pair<std::string, std::string>> needles;
  std::vector<std::pair<std::string, std::string>> outputs;
};

TEST_F(Secrets, NoSecretInAnyOutputLogOrTheStore) {
  const std::string proxy = "http://iesync:" + proxy_password + "@127.0.0.1:9";

  // check-config: valid; then a token file others can read; then a broken key file.
  write_config(false, proxy, sa.key_file);
  auto ok = cli("check-config");
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  fs::permissions(secrets_dir / "wonde-token", fs::perms(0644));
  auto loose = cli("check-config");
  EXPECT_EQ(loose.code, 2) << loose.out << loose.err;
  EXPECT_NE((loose.out + loose.err).find("wonde-token"), std::string::npos) << "names the file";
  auto loose_sync = cli("sync --date 2026-11-23");
  EXPECT_EQ(loose_sync.code, 2);
  fs::permissions(secrets_dir / "wonde-token", fs::perms(0600));

  // Classroom refuses the grant (the fake knows another key); Wonde refuses the token.
  write_secret(secrets_dir / "wonde-token", wrong_token + "\n");
  auto other = fake::generate_rsa_key_pair();
  auto wrong_key_dir = secrets_dir / "wrong";
  fs::create_directories(wrong_key_dir);
  auto wrong_sa = fake::write_service_account_key(wrong_key_dir, classroom->token_uri(), other);
  for (auto& n : needles_of_pem(other.private_pem)) needles.push_back({"second private key", n});
  write_config(true, "", wrong_sa.key_file);
  auto refused = cli("sync --date 2026-11-23");
  EXPECT_LE(refused.code, 1) << refused.out << refused.err;
  EXPECT_GE(wonde->requests("", ""), 1) << "the wrong token was sent and refused";
  EXPECT_GE(classroom->count("token"), 1u) << "the wrong key's grant was tried";
  // The refused marks wait for a retry; start again so the good token sends them now.
  for (const char* side : {"", "-wal"})
    if (fs::exists(demo.store().string() + side))
      outputs.push_back({"the store after the refused run", slurp(demo.store().string() + side)});
  for (const char* side : {"", "-wal", "-shm"}) fs::remove(demo.store().string() + side);

  // A key file cut off half-way through the private key; Wonde takes the good token.
  write_secret(secrets_dir / "wonde-token", wonde_token + "\n");
  auto whole = slurp(sa.key_file);
  auto broken = secrets_dir / "broken-key.json";
  write_secret(broken, whole.substr(0, whole.find("PRIVATE KEY") + 400));
  write_config(true, "", broken);
  cli("check-config");
  const int wonde_before = wonde->requests("", "");
  auto bk_sync = cli("sync --date 2026-11-23");
  EXPECT_LE(bk_sync.code, 1) << bk_sync.out << bk_sync.err;
  EXPECT_GT(wonde->requests("", ""), wonde_before) << "the good token was used\n"
                                                   << bk_sync.out << bk_sync.err;

  // The good run: the grant succeeds and the token is used.
  const size_t api_calls_before = classroom->count("courses.get");
  write_config(true, "", sa.key_file);
  auto good = cli("sync --date 2026-11-23");
  EXPECT_LE(good.code, 1) << good.out << good.err;
  EXPECT_GT(classroom->count("courses.get"), api_calls_before)
      << "a token was granted with the test key and used";

  // Everything else that prints: the proxy password back in the config.
  write_config(true, proxy, sa.key_file);
  cli("status --json");
  cli("status");
  cli("plan --json --date 2026-11-23");
  cli("outbox list");
  cli("student export 001038");
  cli("check-config");
  auto top = cli_no_config("--help");
  EXPECT_EQ(top.code, 0);
  // Every subcommand the top-level help lists, and their own subcommands.
  std::set<std::string> subs = {"check-config", "sync",    "plan",           "outbox",
                                "status",       "student", "student export", "student erase"};
  for (const char* maybe : {"run", "report"})
    if (top.out.find(std::string("  ") + maybe + " ") != std::string::npos) subs.insert(maybe);
  for (const auto& s : subs) {
    auto h = cli(s + " --help");
    EXPECT_EQ(h.code, 0) << s << h.err;
  }
  expect_no_secret_anywhere();
}

}  // namespace
}  // namespace iesync
