// SIGKILL at any point loses and duplicates nothing: a child process runs the Sender in small
// batches and is killed at random moments, again and again; then one run finishes the job.
// Afterwards every fact is recorded as sent and is in the MIS exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "connectors/http/curl_client.h"
#include "connectors/writeback/csv.h"
#include "connectors/writeback/file_target.h"
#include "connectors/writeback/sender.h"
#include "connectors/writeback/wonde_target.h"
#include "tests/fakes/wonde/fake_wonde.h"
#include "tests/support/process.h"
#include "tests/unit/writeback/writeback_fixtures.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using namespace wbtest;

constexpr int kStudents = 12;
const char* kClasses[] = {"9X1/Ma", "9X1/En", "9X1/Sc", "9X1/Hi", "9X1/Fr"};

std::vector<WriteItem> all_items() {
  std::vector<WriteItem> v;
  for (int s = 0; s < kStudents; ++s)
    for (int c = 0; c < 5; ++c)
      v.push_back(lesson_mark("00" + std::to_string(2000 + s), kClasses[c], 9 + c, 0));
  return v;
}

// Runs `work` in a child process, ended abruptly `kill_after` into its run (or let finish
// when negative). Returns true if the child finished by itself. The child arms its own timer
// (test::end_abruptly_after), so the kill lands that far into its work however late a loaded
// machine would wake a killing parent.
template <class F>
bool run_child(F work, std::chrono::microseconds kill_after) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (kill_after.count() >= 0) test::end_abruptly_after(kill_after);
    int rc = work() ? 0 : 1;
    ::_exit(rc);  // no destructors of the parent's objects in the child
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the sender reported an error";
    return true;
  }
  EXPECT_TRUE(test::ended_abruptly(status))
      << "the sender died of signal " << WTERMSIG(status) << ", not our kill";
  return false;
}

// One sender process: open the store, send until nothing is due, a few items at a time.
template <class MakeTarget>
bool send_all(const fs::path& db, MakeTarget make_target) {
  auto store = Store::open(db);
  if (!store) return false;
  SystemClock clock;
  Outbox box(**store, clock);
  CollectingSink events;
  auto target = make_target();
  SenderOptions opts;
  opts.batch_limit = 3;
  opts.base_backoff = std::chrono::seconds(0);  // a killed try may be retried at once
  Sender sender(box, *target, clock, events, opts);
  for (int i = 0; i < 1000; ++i) {
    auto due = box.due(clock.now(), 1);
    auto doubt = box.in_doubt(1);
    if (!due || !doubt) return false;
    if (due->empty() && doubt->empty()) return true;
    if (!sender.run_once()) return false;
  }
  return false;
}

struct CrashTest : ::testing::Test {
  TempStore t;
  std::mt19937 rng{std::random_device{}()};
  std::vector<WriteItem> items = all_items();

  void SetUp() override {
    SystemClock clock;
    Outbox box(t.store(), clock);
    ASSERT_TRUE(box.enqueue(items));
  }

  template <class MakeTarget>
  void kill_repeatedly_then_finish(MakeTarget make_target) {
    const auto db = t.store().path();
    int killed = 0;
    for (int round = 0; round < 30; ++round) {
      // The window grows from 0.5 ms to 40 ms: the first rounds die before a fast machine
      // could finish everything (else nothing is left to interrupt), later ones anywhere.
      std::uniform_int_distribution<int> us(0, std::min(40'000, 500 << std::min(round, 7)));
      if (!run_child([&] { return send_all(db, make_target); }, std::chrono::microseconds(us(rng))))
        ++killed;
    }
    EXPECT_GT(killed, 0) << "no run was interrupted; the test proved nothing";
    ASSERT_TRUE(
        run_child([&] { return send_all(db, make_target); }, std::chrono::microseconds(-1)));
    SystemClock clock;
    Outbox box(t.store(), clock);
    auto c = *box.counts();
    EXPECT_EQ(c[OutboxState::pending], 0);
    EXPECT_EQ(c[OutboxState::in_doubt], 0);
    EXPECT_EQ(c[OutboxState::failed], 0);
    EXPECT_EQ(c[OutboxState::sent] + c[OutboxState::confirmed], static_cast<int>(items.size()));
  }
};

TEST_F(CrashTest, FileTargetKilledAnywhereWritesEveryKeyToExactlyOneFile) {
  const auto dir = t.dir() / "mis-imports";
  fs::create_directories(dir);
  kill_repeatedly_then_finish([&] {
    static SystemClock clock;
    return std::make_unique<FileTarget>(dir, clock);
  });
  std::map<std::string, std::vector<std::string>> where;
  for (auto& f : fs::directory_iterator(dir)) {
    auto name = f.path().filename().string();
    if (name.rfind("iesync-", 0) != 0) continue;  // an orphaned temp file is allowed
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<std::vector<std::string>> rows;
    ASSERT_TRUE(parse_csv(ss.str(), rows)) << name;
    for (size_t i = 1; i < rows.size(); ++i) where[rows[i].back()].push_back(name);
  }
  SystemClock clock;
  Outbox box(t.store(), clock);
  ASSERT_EQ(where.size(), items.size());
  for (auto& it : items) {
    ASSERT_EQ(where[it.key].size(), 1u) << it.key << " is in " << where[it.key].size() << " files";
    EXPECT_EQ((*box.find(it.key))->target_ref, where[it.key][0]) << it.key;
  }
}

TEST_F(CrashTest, WondeTargetKilledAnywhereWritesEveryFactOnce) {
  std::string token = "crash-test-token-" + std::to_string(rng());
  fake::FakeWonde mis{{token}};
  mis.seed_standard_codes();
  for (int s = 0; s < kStudents; ++s)
    mis.add_student({"W" + std::to_string(s), "00" + std::to_string(2000 + s), "", "T", "P"});
  for (int c = 0; c < 5; ++c) {
    char start[6], end[6];
    std::snprintf(start, sizeof start, "%02d:00", 9 + c);
    std::snprintf(end, sizeof end, "%02d:00", 10 + c);
    mis.add_lesson({"L" + std::to_string(c), kClasses[c], "2026-11-23", start, end});
  }
  mis.start();
  const auto base = mis.api_base();
  kill_repeatedly_then_finish([&] {
    struct Owned : WriteTarget {
      std::unique_ptr<HttpClient> http;
      std::unique_ptr<WondeTarget> t;
      std::string name() const override { return t->name(); }
      Result<std::vector<ItemOutcome>> recover(std::span<const OutboxRow> rows) override {
        return t->recover(rows);
      }
      Result<SendOutcome> send(std::span<const OutboxRow> rows, const BeforePost& bp) override {
        return t->send(rows, bp);
      }
    };
    auto o = std::make_unique<Owned>();
    o->http = make_curl_client({});
    o->t = std::make_unique<WondeTarget>(*o->http, [&] {
      WondeOptions w;
      w.api_base = base;
      w.school_id = "A1930499544";
      w.token = token;
      w.batch_size = 2;
      return w;
    }());
    return o;
  });
  // The fake applies every request it accepts (no idempotency key, as the real API), so a
  // second write of any fact would show here.
  std::map<std::string, int> per_fact;
  for (auto& w : mis.writes()) ++per_fact[w.student_id + "@" + w.what];
  EXPECT_EQ(per_fact.size(), items.size());
  for (auto& [k, n] : per_fact) EXPECT_EQ(n, 1) << k << " written " << n << " times";
  EXPECT_EQ(mis.duplicates(), 0);
  for (int s = 0; s < kStudents; ++s)
    for (int c = 0; c < 5; ++c)
      EXPECT_EQ(mis.lesson_mark("W" + std::to_string(s), "L" + std::to_string(c)), "/");
}

}  // namespace
}  // namespace iesync
