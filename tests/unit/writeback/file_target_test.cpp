#include "connectors/writeback/file_target.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "connectors/writeback/csv.h"
#include "connectors/writeback/sender.h"
#include "tests/unit/writeback/writeback_fixtures.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
using namespace wbtest;

struct FileTargetTest : ::testing::Test {
  TempStore t;
  FakeClock clock{at(9, 55)};
  Outbox box{t.store(), clock};
  fs::path dir = t.dir() / "mis-imports";
  CollectingSink events;
  FileTarget target{dir, clock};
  Sender sender{box, target, clock, events};

  void SetUp() override { fs::create_directories(dir); }

  std::vector<fs::path> files() {
    std::vector<fs::path> v;
    for (auto& e : fs::directory_iterator(dir)) v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
  }
  static std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<std::vector<std::string>> rows;
    EXPECT_TRUE(parse_csv(ss.str(), rows)) << p;
    return rows;
  }
  // Every key in every file, with how often it appears.
  std::map<std::string, int> keys_in_files() {
    std::map<std::string, int> m;
    for (auto& f : files())
      for (auto& r : read_csv(f)) {
        if (r[0] != "kind") ++m[r.back()];
      }
    return m;
  }
};

TEST_F(FileTargetTest, WritesOneValidCsvAtomicallyAndMarksItemsSent) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  a.comment = "Internal exclusion, \"Focus Room\"\nsecond line";
  auto b = session_mark("001042", "AM", "/");
  auto e = exclusion("001043", "B9");
  ASSERT_TRUE(box.enqueue(std::vector{a, b, e}));
  auto sum = sender.run_once();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->sent, 3);

  auto fs_ = files();
  ASSERT_EQ(fs_.size(), 1u) << "no temp file left behind";
  const auto name = fs_[0].filename().string();
  EXPECT_EQ(name, "iesync-20261123-095500-0001.csv");
  struct stat st {};
  ASSERT_EQ(::stat(fs_[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0007, 0u) << "not world-readable";

  auto rows = read_csv(fs_[0]);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"kind", "student_id", "date", "session", "class", "start",
                                      "end", "code", "comment", "reason", "key"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"lesson_mark", "001042", "2026-11-23", "", "9X1/Ma",
                                               "09:50", "10:50", "/", a.comment, "", a.key}));
  EXPECT_EQ(rows[2][0], "session_mark");
  EXPECT_EQ(rows[2][3], "AM");
  EXPECT_EQ(rows[2][5], "") << "a session mark has no lesson times";
  EXPECT_EQ(rows[3][0], "exclusion");
  EXPECT_EQ(rows[3][9], "DB");

  for (auto* it : {&a, &b, &e}) {
    auto r = box.find(it->key);
    ASSERT_TRUE(r && *r);
    EXPECT_EQ((*r)->state, OutboxState::sent);
    EXPECT_EQ((*r)->target_ref, name);
  }
  // Nothing due: a second run writes no file.
  ASSERT_TRUE(sender.run_once());
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(FileTargetTest, SecondFileInTheSameSecondGetsTheNextNumberAndNothingIsRewritten) {
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001042", "9X1/Ma", 9, 50)}));
  ASSERT_TRUE(sender.run_once());
  auto first = files().at(0);
  std::ifstream in(first);
  std::stringstream before;
  before << in.rdbuf();
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001043", "9X1/Ma", 9, 50)}));
  ASSERT_TRUE(sender.run_once());
  auto f = files();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1].filename(), "iesync-20261123-095500-0002.csv");
  std::ifstream in2(first);
  std::stringstream after;
  after << in2.rdbuf();
  EXPECT_EQ(before.str(), after.str());
}

// Killed after the rename, before the commit: the items are still pending, their keys are
// in a file. The next run must mark them sent from that file and write nothing new for them.
TEST_F(FileTargetTest, CrashAfterRenameBeforeCommitNeverWritesAKeyTwice) {
  std::vector<WriteItem> items = {lesson_mark("001042", "9X1/Ma", 9, 50),
                                  lesson_mark("001042", "9X1/En", 11, 10)};
  ASSERT_TRUE(box.enqueue(items));
  auto due = *box.due(clock.now(), 100);
  auto name = target.write_file(due);  // the write happened; the commit did not
  ASSERT_TRUE(name) << name.error().to_string();

  // Meanwhile a new item arrived; it must go into a new file of its own.
  auto later = lesson_mark("001043", "9X1/Sc", 12, 10);
  ASSERT_TRUE(box.enqueue(std::vector{later}));
  clock.advance(std::chrono::minutes(15));
  auto sum = sender.run_once();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->recovered, 2);
  EXPECT_EQ(sum->sent, 1);

  for (auto& it : items) EXPECT_EQ((*box.find(it.key))->target_ref, *name);
  EXPECT_EQ((*box.find(later.key))->state, OutboxState::sent);
  EXPECT_NE((*box.find(later.key))->target_ref, *name);
  auto keys = keys_in_files();
  EXPECT_EQ(keys.size(), 3u);
  for (auto& [k, n] : keys) EXPECT_EQ(n, 1) << k << " appears in more than one file";

  // Recovery must also never be fooled by a mark's later revision.
  ASSERT_TRUE(box.retract(items[0].key, "cancelled"));
  ASSERT_TRUE(sender.run_once());
  ASSERT_TRUE(box.enqueue(std::vector{items[0]}));  // reinstated: revision 2
  ASSERT_TRUE(sender.run_once());
  keys = keys_in_files();
  EXPECT_EQ(keys[items[0].key], 1);
  EXPECT_EQ(keys[items[0].key + "#r2"], 1) << "revision 2 was written, not taken for revision 1";
  EXPECT_EQ(keys[retraction_key_for(items[0].key)], 1);
}

TEST_F(FileTargetTest, ADeadWritersTempFileIsRemovedALiveOnesIsNot) {
  // A run killed mid-write leaves its temp file; the next run removes it. One whose writer
  // still holds its lock (another process writing right now) is left alone.
  const auto dead = dir / ".iesync-tmp-dead01";
  const auto live = dir / ".iesync-tmp-live01";
  std::ofstream(dead) << "kind,student_id\r\nlesson_mark,0010";
  std::ofstream(live) << "kind,student_id\r\n";
  int fd = ::open(live.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);

  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001042", "9X1/Ma", 9, 50)}));
  auto sum = sender.run_once();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->sent, 1);
  EXPECT_FALSE(fs::exists(dead)) << "nothing refers to a dead writer's temp file";
  EXPECT_TRUE(fs::exists(live)) << "a live writer's temp file is never touched";
  ::close(fd);
  for (auto& f : files())
    EXPECT_TRUE(f.filename().string().rfind("iesync-", 0) == 0 || f == live) << f;
}

TEST_F(FileTargetTest, MissingFolderLeavesItemsPendingWithAnEvent) {
  fs::remove_all(dir);
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001042", "9X1/Ma", 9, 50)}));
  auto sum = sender.run_once();
  EXPECT_FALSE(sum);
  EXPECT_NE(sum.error().fix.find("outbox_dir"), std::string::npos);
  EXPECT_TRUE(events.has_kind("writeback.recover_failed"));
  EXPECT_EQ(box.due(clock.now(), 10)->size(), 1u);
}

TEST(WritebackCsv, QuotesOnlyWhatNeedsItAndParsesBack) {
  EXPECT_EQ(csv_field("9X1/Ma"), "9X1/Ma");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  std::vector<std::vector<std::string>> rows;
  ASSERT_TRUE(parse_csv("a,\"b,c\",\"d\"\"e\"\r\n\"x\ny\",,z\r\n", rows));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x\ny", "", "z"}));
  int bad = 0;
  EXPECT_FALSE(parse_csv("a\n\"open", rows, &bad));
  EXPECT_EQ(bad, 2);
}

}  // namespace
}  // namespace iesync
