// `iesync run` end to end: the real binary on a copy of the demo school, its status server
// reached over loopback, its dashboard read by headless Chromium, and its signals sent for
// real.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "connectors/http/curl_client.h"
#include "store/store.h"
#include "store/store_access.h"
#include "tests/support/demo_school.h"
#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"
#include "tests/unit/status/chromium.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A port nothing listens on right now (the daemon's config needs a real number).
unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

using test::slurp;

// Sum of voluntary + involuntary context switches over all the process's threads: a busy
// loop shows thousands a second, an idle event loop almost none.
long context_switches(pid_t pid) {
  long total = 0;
  for (auto& t : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(t.path() / "status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
        total += std::stol(line.substr(line.find(':') + 1));
  }
  return total;
}

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::copy_demo_school("iesync-run");
    port = free_port();
    base = "http://127.0.0.1:" + std::to_string(port);
    write_config();
    http = make_curl_client(HttpOptions{2000ms, 30000ms});
  }
  void TearDown() override {
    daemon.reset();
    fs::remove_all(dir);
  }

  // The demo config, listening on this test's port, with school hours all day every day so
  // the schedule does not depend on when the suite runs.
  void write_config(const std::string& extra_status = "") {
    std::string cfg = slurp(fs::path(IESYNC_SOURCE_DIR) / "examples/demo/iesync.toml");
    cfg = std::regex_replace(cfg, std::regex("listen = \"127.0.0.1:8470\""),
                             "listen = \"127.0.0.1:" + std::to_string(port) + "\"");
    cfg = std::regex_replace(cfg, std::regex("school_hours = \"07:30-17:00\""),
                             "school_hours = \"00:00-23:59\"");
    cfg = std::regex_replace(
        cfg, std::regex("days = \\[\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\"\\]"),
        "days = [\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"]");
    if (!extra_status.empty())
      cfg = std::regex_replace(cfg, std::regex("token_file = \"\""), extra_status);
    std::ofstream(dir / "iesync.toml") << cfg;
  }

  void start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{IESYNC_BINARY,      "run",
                                  "--config",         (dir / "iesync.toml").string(),
                                  "--watch-quiet-ms", "200"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    daemon = std::make_unique<test::Process>(argv, dir / "daemon.out");
  }

  Result<HttpResponse> get(const std::string& path, Headers h = {}) {
    return http->send(HttpRequest{"GET", base + path, std::move(h), ""});
  }

  // Cycles run since the daemon started, from its Prometheus counters; -1 when it does not
  // answer.
  std::int64_t cycles_now() {
    auto r = get("/metrics");
    if (!r || r->status != 200) return -1;
    std::int64_t n = 0;
    std::regex line("^iesync_cycles_total\\{result=\"[a-z_]+\"\\} ([0-9]+)$");
    std::istringstream in(r->body);
    std::string l;
    std::smatch m;
    while (std::getline(in, l))
      if (std::regex_match(l, m, line)) n += std::stoll(m[1]);
    return n;
  }

  // Waits until the status server answers, the first cycles have been counted and no cycle
  // is running or queued (start-up runs the previous school day's cycle, then today's).
  void wait_until_cycled(int cycles = 1) {
    for (int i = 0; i < 300; ++i) {
      if (cycles_now() >= cycles) {
        auto st = get("/api/v1/status");
        if (st && st->status == 200) {
          auto doc = boost::json::parse(st->body).as_object();
          if (!doc.at("running").as_bool() && !doc.at("queued").as_bool()) return;
        }
      }
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "no cycle within 30 s; daemon said:\n" << slurp(dir / "daemon.out");
  }

  int run_cli(const std::string& args) {
    return std::system((std::string(IESYNC_BINARY) + " " + args + " >/dev/null 2>&1").c_str()) >> 8;
  }

  fs::path dir;
  unsigned short port = 0;
  std::string base;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<test::Process> daemon;
};

TEST_F(RunCommand, CyclesServesStatusAndStopsCleanlyOnSigterm) {
  start();
  wait_until_cycled();
  auto health = get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;

  auto metrics = get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("iesync_cycles_total{result=\"ok\"}"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("iesync_records_imported_total{feed=\"students\"} 150"),
            std::string::npos)
      << "the demo's 150 students were imported by the first cycle\n"
      << metrics->body;

  auto t0 = std::chrono::steady_clock::now();
  daemon->signal(SIGTERM);
  auto code = daemon->wait_for(10s);
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  auto log = slurp(dir / "var/log/sync.log");
  EXPECT_NE(log.find("Stopping (SIGTERM)"), std::string::npos) << log;
  EXPECT_NE(log.find("Stopped cleanly"), std::string::npos) << log;
  EXPECT_FALSE(get("/healthz")) << "the status server closed with the daemon";
}

TEST_F(RunCommand, InvalidConfigAtStartExitsTwoAndSaysWhy) {
  std::ofstream(dir / "iesync.toml", std::ios::app) << "\n[schedule2]\ninterval = \"5m\"\n";
  start();
  auto code = daemon->wait_for(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(slurp(dir / "daemon.out").find("schedule2"), std::string::npos)
      << slurp(dir / "daemon.out");
}

TEST_F(RunCommand, BusyStatusPortIsRefusedAtStartWithTheFix) {
  // Something else already holds the port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::listen(fd, 1);
  start();
  auto code = daemon->wait_for(10s);
  ::close(fd);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(slurp(dir / "daemon.out").find("listen"), std::string::npos)
      << slurp(dir / "daemon.out");
}

TEST_F(RunCommand, SighupRefusesABrokenConfigKeepsRunningThenTakesAGoodOne) {
  start();
  wait_until_cycled();
  std::string good = slurp(dir / "iesync.toml");
  std::ofstream(dir / "iesync.toml") << good << "\n[bogus]\nx = 1\n";
  daemon->signal(SIGHUP);
  for (int i = 0;
       i < 100 && slurp(dir / "var/log/sync.log").find("keeps running with the previous one") ==
                      std::string::npos;
       ++i)
    std::this_thread::sleep_for(50ms);
  auto log = slurp(dir / "var/log/sync.log");
  EXPECT_NE(log.find("keeps running with the previous one"), std::string::npos) << log;
  EXPECT_NE(log.find("bogus"), std::string::npos) << "the refused config's problems are logged\n"
                                                  << log;
  auto health = get("/healthz");
  ASSERT_TRUE(health) << "still serving after a refused reload";
  EXPECT_EQ(health->status, 200);

  std::ofstream(dir / "iesync.toml")
      << std::regex_replace(good, std::regex("Demo Academy"), "Renamed Academy");
  daemon->signal(SIGHUP);
  for (int i = 0; i < 100 && slurp(dir / "var/log/sync.log").find("Reloaded") == std::string::npos;
       ++i)
    std::this_thread::sleep_for(50ms);
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("Renamed Academy"), std::string::npos) << "the new config is in use";
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_for(10s), 0);
}

TEST_F(RunCommand, ANewExportStartsACycleOnceTheFolderIsQuiet) {
  start();
  wait_until_cycled();
  auto before = cycles_now();
  // The MIS drops a new bookings export: written elsewhere, then moved in (as a share does).
  fs::path staged = dir / "staged.xml";
  std::string xml = slurp(dir / "exports/ie-bookings.xml");
  std::ofstream(staged) << xml;
  test::backdate(staged);
  fs::rename(staged, dir / "exports/ie-bookings.xml");
  bool cycled = false;
  for (int i = 0; i < 100 && !cycled; ++i) {
    std::this_thread::sleep_for(100ms);
    cycled = cycles_now() > before;
  }
  EXPECT_TRUE(cycled) << "no cycle after the export changed";
}

TEST_F(RunCommand, IdleDaemonDoesNotSpin) {
  start();
  wait_until_cycled();
  std::this_thread::sleep_for(500ms);  // let the first cycle's tail settle
  long before = context_switches(daemon->pid());
  std::this_thread::sleep_for(2s);
  long after = context_switches(daemon->pid());
  // Idle means timers only: a 15-minute schedule wakes nothing in two seconds.
  EXPECT_LT(after - before, 20) << "the daemon woke up " << (after - before) << " times while idle";
}

TEST_F(RunCommand, PostSyncNeedsTheTokenAndStartsOneCycle) {
  fs::path token = dir / "status-token";
  std::ofstream(token) << "s3cret-status-token-for-tests\n";
  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  write_config("token_file = \"status-token\"");
  start();
  wait_until_cycled();
  auto before = cycles_now();
  auto anon = http->send(HttpRequest{"POST", base + "/api/v1/sync", {}, ""});
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  auto wrong = http->send(
      HttpRequest{"POST", base + "/api/v1/sync", {{"Authorization", "Bearer wrong"}}, ""});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(cycles_now(), before) << "a refused request starts nothing";

  auto ok = http->send(HttpRequest{"POST",
                                   base + "/api/v1/sync",
                                   {{"Authorization", "Bearer s3cret-status-token-for-tests"}},
                                   ""});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202) << ok->body;
  bool cycled = false;
  for (int i = 0; i < 100 && !cycled; ++i) {
    std::this_thread::sleep_for(100ms);
    cycled = cycles_now() > before;
  }
  EXPECT_TRUE(cycled);
  EXPECT_EQ(slurp(dir / "var/log/sync.log").find("s3cret-status-token"), std::string::npos)
      << "the token never reaches the log";
}

// The demo's students export with only its first `n` records.
std::string first_students(const std::string& xml, int n) {
  std::size_t at = 0;
  for (int i = 0; i <= n && at != std::string::npos; ++i) at = xml.find("<Record>", at + 1);
  if (at == std::string::npos) return xml;
  const auto line_start = xml.rfind('\n', at) + 1;
  return xml.substr(0, line_start) + "</SuperStarReport>\n";
}

// [safety] max_roster_drop holds an export that lost too many students. That is no failure
// (cycles go on with the old list), but the admin must act: every view says so, with the
// command, until the export is applied or replaced.
TEST_F(RunCommand, AHeldRosterDropShowsAsDegradedUntilAppliedOrReplaced) {
  const std::string cfg = " --date 2026-11-23 --config " + (dir / "iesync.toml").string();
  auto cli = [&](const std::string& args) {
    return test::shell(std::string(IESYNC_BINARY) + " " + args + " 2>&1");
  };
  auto students = [&](const std::string& xml) {
    std::ofstream(dir / "exports/students.xml", std::ios::trunc) << xml;
    test::backdate(dir / "exports/students.xml");
  };
  auto held_feeds = [&] {
    auto st = cli("status --json" + cfg.substr(cfg.find(" --config")));
    return boost::json::parse(st.out).at("held_exports").as_array();
  };
  const std::string full = slurp(dir / "exports/students.xml");
  ASSERT_EQ(run_cli("sync" + cfg), 0);
  students(first_students(full, 100));
  auto held = cli("sync" + cfg);
  EXPECT_NE(held.out.find("WARN  students.xml is held, not applied"), std::string::npos)
      << held.out;
  EXPECT_NE(held.out.find("`iesync sync --accept-drop`"), std::string::npos) << held.out;

  start();
  wait_until_cycled();
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("Degraded"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("id=\"held\""), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<code>iesync sync --accept-drop</code>"), std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("100 students, 33% fewer than the 150"), std::string::npos)
      << page->body;
  auto status = get("/api/v1/status");
  ASSERT_TRUE(status);
  auto doc = boost::json::parse(status->body).as_object();
  EXPECT_TRUE(doc.at("degraded").as_bool()) << status->body;
  ASSERT_EQ(doc.at("held_exports").as_array().size(), 1u) << status->body;
  EXPECT_EQ(doc.at("held_exports").at(0).at("feed"), "students");
  EXPECT_EQ(doc.at("held_exports").at(0).at("apply_with"), "iesync sync --accept-drop");
  auto health = get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << "cycles succeed: the service is up (SPEC 7)";
  EXPECT_NE(health->body.find("degraded"), std::string::npos) << health->body;
  EXPECT_NE(health->body.find("iesync sync --accept-drop"), std::string::npos) << health->body;
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_for(10s), 0);

  auto text = cli("status" + cfg.substr(cfg.find(" --config")));
  EXPECT_EQ(text.code, 1) << text.out;
  EXPECT_TRUE(text.out.starts_with("degraded")) << text.out;
  EXPECT_NE(text.out.find("students export is held"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("run `iesync sync --accept-drop`"), std::string::npos) << text.out;
  auto again = cli("sync" + cfg);
  EXPECT_NE(again.out.find("still held"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("run `iesync sync --accept-drop`"), std::string::npos) << again.out;

  // Replaced by another dropped export: still held, for the new one's reason.
  students(first_students(full, 90));
  cli("sync" + cfg);
  auto feeds = held_feeds();
  ASSERT_EQ(feeds.size(), 1u);
  EXPECT_NE(std::string(feeds.at(0).at("reason").as_string()).find("90 students"),
            std::string::npos);
  // Replaced by a whole export again (one pupil renamed, so not the one in use): applied.
  students(std::regex_replace(full, std::regex("<Forename>Oscar</Forename>"),
                              "<Forename>Oskar</Forename>"));
  cli("sync" + cfg);
  EXPECT_TRUE(held_feeds().empty());
  // Held again, then applied with the command the views give.
  students(first_students(full, 100));
  cli("sync" + cfg);
  EXPECT_EQ(held_feeds().size(), 1u);
  cli("sync --accept-drop" + cfg);
  EXPECT_NE(slurp(dir / "var/log/sync.log").find("accepted with --accept-drop"), std::string::npos);
  EXPECT_TRUE(held_feeds().empty());
  EXPECT_EQ(cli("status" + cfg.substr(cfg.find(" --config"))).out.find("held"), std::string::npos);
}

TEST_F(RunCommand, DashboardInABrowserShowsTheDaysIeStudentsAndWhoToChase) {
  IESYNC_REQUIRE_CHROMIUM();
  // The demo's IE week: reconcile its Monday, then let the daemon serve it.
  ASSERT_EQ(run_cli("sync --date 2026-11-23 --config " + (dir / "iesync.toml").string()), 0);
  start();
  wait_until_cycled();
  auto plan = get("/api/v1/plan?date=2026-11-23");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->status, 200);
  auto doc = boost::json::parse(plan->body).as_object();
  auto& sessions = doc.at("sessions").as_array();
  ASSERT_FALSE(sessions.empty());

  auto dom = browser::chromium_dump_dom(base + "/?date=2026-11-23");
  ASSERT_TRUE(dom) << dom.error().to_string();
  // Every student in IE that day is on the page, by name, with their lessons.
  for (auto& s : sessions) {
    auto name = std::string(s.as_object().at("student").as_object().at("name").as_string());
    EXPECT_NE(dom->find(name), std::string::npos) << name;
    for (auto& l : s.as_object().at("lessons").as_array()) {
      auto cls = std::string(l.as_object().at("class").as_string());
      EXPECT_NE(dom->find(cls), std::string::npos) << cls;
    }
  }
  // Classroom is off in the demo config, so no lesson's work is known yet; the page says so
  // in words rather than leaving it blank.
  EXPECT_TRUE(dom->find("No Classroom course") != std::string::npos ||
              dom->find("Not set") != std::string::npos ||
              dom->find("Unknown") != std::string::npos)
      << *dom;
  EXPECT_NE(dom->find("type=\"date\""), std::string::npos) << "a date picker";
  EXPECT_NE(dom->find("Demo Academy"), std::string::npos);
  // Everything above is in the HTML itself; the one script only drives the buttons.
  const auto script = dom->find("<script");
  ASSERT_NE(script, std::string::npos);
  EXPECT_EQ(dom->find("<script", script + 1), std::string::npos) << "one script, the buttons'";
  EXPECT_EQ(dom->substr(script, 17), "<script>(function");
  EXPECT_NE(dom->find("id=\"sync-now\""), std::string::npos);
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_for(10s), 0);
}

// A store the service cannot use (another program holding its lock, then the file replaced by
// something that is not a store) is a fault to report, not a reason to stop: each cycle fails
// and says why, /healthz answers 503 naming the fault, and once it clears cycles resume with
// everything the store held. (The file is replaced rather than chmod-ed: the service keeps the
// store open, and root reads a mode-000 file anyway.)
TEST_F(RunCommand, AStoreFaultFailsCyclesButNotTheServiceWhichRecoversWithNothingLost) {
  fs::path token = dir / "status-token";
  std::ofstream(token) << "s3cret-status-token-for-tests\n";
  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  write_config("token_file = \"status-token\"");
  start({"--busy-timeout-ms", "300"});
  wait_until_cycled();
  const fs::path db_path = dir / "var/iesync.db";
  auto count = [&](const std::string& sql) {
    auto s = Store::open(db_path);
    return s ? StoreAccess::db(**s).execAndGet(sql).getInt64() : -1;
  };
  const auto students = count("SELECT count(*) FROM students");
  const auto sessions = count("SELECT count(*) FROM ie_sessions");
  const auto outbox = count("SELECT count(*) FROM outbox");
  const auto ok_cycles = count("SELECT count(*) FROM cycles WHERE result = 'ok'");
  ASSERT_EQ(students, 150);
  auto sync_now = [&] {
    auto r = http->send(HttpRequest{"POST",
                                    base + "/api/v1/sync",
                                    {{"Authorization", "Bearer s3cret-status-token-for-tests"}},
                                    ""});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->status == 202 || r->status == 409) << r->body;  // 409: one is queued
  };
  // /healthz until its body holds `want` (or 10 s pass); returns the last answer.
  auto health_saying = [&](const std::string& want) {
    Result<HttpResponse> h = make_error("", "not asked");
    for (int i = 0; i < 100; ++i) {
      h = get("/healthz");
      if (h && h->body.find(want) != std::string::npos) break;
      std::this_thread::sleep_for(100ms);
    }
    return h;
  };

  {
    // Another program takes the store's write lock and keeps it.
    SQLite::Database other(db_path.string(), SQLite::OPEN_READWRITE);
    other.setBusyTimeout(5000);
    other.exec("BEGIN EXCLUSIVE");
    sync_now();
    auto h = health_saying("locked by another process");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503) << h->body;
    EXPECT_NE(h->body.find("the store is locked by another process"), std::string::npos) << h->body;
    EXPECT_FALSE(daemon->wait_for(0ms)) << "the service is still running";
    other.exec("ROLLBACK");
  }

  // The store file replaced by one that is not a store (the real one kept aside, as a restore
  // from a backup would bring it back).
  for (const char* suffix : {"", "-wal", "-shm"})
    if (fs::exists(dir / ("var/iesync.db" + std::string(suffix))))
      fs::rename(dir / ("var/iesync.db" + std::string(suffix)),
                 dir / ("var/aside.db" + std::string(suffix)));
  std::ofstream(db_path) << std::string(8192, 'x');
  sync_now();
  auto unreadable = health_saying("cannot be read");
  ASSERT_TRUE(unreadable);
  EXPECT_EQ(unreadable->status, 503) << unreadable->body;
  EXPECT_NE(unreadable->body.find("the store cannot be read"), std::string::npos)
      << unreadable->body;
  EXPECT_FALSE(daemon->wait_for(0ms)) << "the service is still running";
  EXPECT_NE(slurp(dir / "var/log/sync.log").find("cannot be read"), std::string::npos)
      << "each failed cycle says why in sync.log";

  // The fault clears: the next cycle succeeds on everything the store held.
  fs::remove(db_path);
  for (const char* suffix : {"", "-wal", "-shm"})
    if (fs::exists(dir / ("var/aside.db" + std::string(suffix))))
      fs::rename(dir / ("var/aside.db" + std::string(suffix)),
                 dir / ("var/iesync.db" + std::string(suffix)));
  sync_now();
  auto healthy = health_saying("ok");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200) << healthy->body;
  wait_until_cycled();
  EXPECT_EQ(count("SELECT count(*) FROM students"), students);
  EXPECT_EQ(count("SELECT count(*) FROM ie_sessions"), sessions);
  EXPECT_GE(count("SELECT count(*) FROM outbox"), outbox);
  EXPECT_GT(count("SELECT count(*) FROM cycles WHERE result = 'ok'"), ok_cycles)
      << "a cycle after the fault succeeded and is in the cycle log";
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_for(10s), 0);
}

}  // namespace
}  // namespace iesync
