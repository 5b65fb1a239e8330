// What the importer will open in the export folder, and when it trusts what it read
// (issue 16): only a regular file whose real path is inside the folder is read; anything else
// named like a feed is reported for what it is and never opened; an oversized file is refused
// from its size alone; and a file that changes while it is read is never applied, but left
// for the next cycle. The changes are made at a fixed point (the importer's after-read seam),
// so these tests do not depend on timing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "connectors/mis/feed_files.h"
#include "connectors/mis/importer.h"
#include "store/mis_store.h"
#include "store/store_access.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

std::string corpus_file(const std::string& name) {
  return slurp(fixtures() / "corpus" / name);
}

std::string dump(const CollectingSink& s) {
  std::string out;
  for (auto& e : s.events()) out += e.kind + ": " + e.message + "\n";
  return out;
}

struct MisExportFolder : ::testing::Test {
  ImportFixture fx;
  Config cfg = [this] {
    auto c = demo_config(fx.exports);
    c.mis.feeds = {{Feed::students, "students.xml"}};
    return c;
  }();
  CollectingSink ev;

  FeedOutcome run(const Importer::AfterRead& hook = {}) {
    Importer imp(cfg, fx.tmp.store(), ev, fx.clock);
    imp.set_after_read(hook);
    return imp.run(false, false).feed(Feed::students);
  }
  // A refused entry: the feed is refused with `what` in its message, the store untouched, and
  // the entry left where it is (it is not the MIS's export, so it is not moved either).
  void expect_refused(const std::string& what) {
    auto before = fx.count("students");
    auto o = run();
    EXPECT_EQ(o.status, FeedStatus::rejected) << o.message;
    EXPECT_NE(o.message.find(what), std::string::npos) << o.message;
    EXPECT_EQ(o.message.find("No students export matching"), std::string::npos) << o.message;
    EXPECT_FALSE(o.read);
    EXPECT_EQ(fx.count("students"), before);
    std::error_code ec;
    EXPECT_TRUE(fs::symlink_status(fx.exports / "students.xml", ec).type() !=
                fs::file_type::not_found);
    EXPECT_FALSE(fs::exists(fx.exports / "rejected"));
  }
};

TEST_F(MisExportFolder, ALinkOutOfTheFolderIsNotFollowed) {
  auto outside = fx.tmp.dir() / "outside";
  fs::create_directories(outside);
  spit(outside / "students.xml", corpus_file("students_good.xml"));
  set_mtime(outside / "students.xml", fx.clock.now() - std::chrono::hours{1});
  fs::create_symlink("../outside/students.xml", fx.exports / "students.xml");
  expect_refused("students.xml is a symbolic link that points outside the export folder (to " +
                 fs::canonical(outside / "students.xml").string() + ")");
  EXPECT_EQ(slurp(outside / "students.xml"), corpus_file("students_good.xml"));
}

TEST_F(MisExportFolder, ALinkToADeviceIsNotOpened) {
  fs::create_symlink("/dev/zero", fx.exports / "students.xml");
  expect_refused("points outside the export folder (to /dev/zero)");
}

TEST_F(MisExportFolder, AFifoIsReportedAndNeverOpened) {
  ASSERT_EQ(::mkfifo((fx.exports / "students.xml").c_str(), 0600), 0);
  // Opening a FIFO to read blocks until a writer comes: were it opened, this test would hang.
  expect_refused("students.xml is a FIFO (a named pipe), not an export file");
}

TEST_F(MisExportFolder, AFolderIsReportedForWhatItIs) {
  fs::create_directories(fx.exports / "students.xml");
  expect_refused("students.xml is a folder, not an export file");
}

TEST_F(MisExportFolder, ALinkInsideTheFolderIsFollowedToARegularFileOnly) {
  // Some export jobs keep a fixed name pointing at the latest dated file.
  auto dated = fx.put("students-20261123.xml", corpus_file("students_good.xml"));
  fs::create_symlink("students-20261123.xml", fx.exports / "students.xml");
  auto o = run();
  EXPECT_EQ(o.status, FeedStatus::applied) << o.message;
  EXPECT_EQ(fx.count("students"), 5);

  fs::remove(fx.exports / "students.xml");
  ASSERT_EQ(::mkfifo((fx.exports / "pipe").c_str(), 0600), 0);
  fs::create_symlink("pipe", fx.exports / "students.xml");
  expect_refused("students.xml is a symbolic link to " +
                 fs::canonical(fx.exports / "pipe").string() + ", which is a FIFO (a named pipe)");

  fs::remove(fx.exports / "students.xml");
  fs::create_symlink("gone.xml", fx.exports / "students.xml");
  expect_refused("students.xml is a symbolic link to gone.xml, which does not exist");
  (void)dated;
}

TEST_F(MisExportFolder, AGoodExportIsReadBesideARefusedEntryWhichIsStillReported) {
  cfg.mis.feeds = {{Feed::students, "students-*.xml"}};
  fx.put("students-20261123.xml", corpus_file("students_good.xml"));
  ASSERT_EQ(::mkfifo((fx.exports / "students-20261124.xml").c_str(), 0600), 0);
  auto o = run();
  EXPECT_EQ(o.status, FeedStatus::applied) << o.message;
  EXPECT_EQ(o.file, "students-20261123.xml");
  bool reported = false;
  for (auto& e : ev.events())
    if (e.kind == "feed.entry_refused" && e.severity == Severity::warning &&
        e.message.find("students-20261124.xml is a FIFO") != std::string::npos)
      reported = true;
  EXPECT_TRUE(reported) << dump(ev);
}

TEST_F(MisExportFolder, AnOversizedFileIsRefusedFromItsSizeWithoutBeingRead) {
  // 4 GiB that take no disk: read whole, they would take 4 GiB of memory.
  auto p = fx.exports / "students.xml";
  {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{4} << 30), 0);
    ::close(fd);
  }
  set_mtime(p, fx.clock.now() - std::chrono::hours{1});
  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  auto started = std::chrono::steady_clock::now();
  auto o = run();
  auto took = std::chrono::steady_clock::now() - started;
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(o.status, FeedStatus::rejected) << o.message;
  EXPECT_NE(o.message.find("the file is 4096 MiB, over the 1 GiB iesync reads"), std::string::npos)
      << o.message;
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "kB: the file was read";
  EXPECT_LT(took, std::chrono::seconds{5});
  auto moved = fx.exports / "rejected" / "students.20261123T090000Z.xml";
  EXPECT_TRUE(fs::exists(moved));
  EXPECT_NE(slurp(moved.string() + ".why.txt").find("over the 1 GiB"), std::string::npos);
}

// The export is rewritten in place, same size, between the read and the check: the bytes
// read may be a mix of both versions, so nothing is applied and the file stays for the next
// cycle, which applies the new version whole.
TEST_F(MisExportFolder, AFileRewrittenWhileItIsReadIsLeftForTheNextCycle) {
  const std::string first = students_xml(10, 11), second = students_xml(10, 21);
  ASSERT_EQ(first.size(), second.size());
  auto p = fx.put("students.xml", first);
  auto o = run([&](const fs::path& read) {
    EXPECT_EQ(read, p);
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);  // in place, no truncation
    f.seekp(static_cast<std::streamoff>(second.size() / 2));
    f << second.substr(second.size() / 2);
  });
  EXPECT_EQ(o.status, FeedStatus::settling) << o.message;
  EXPECT_NE(o.message.find("students.xml was written to while it was being read"),
            std::string::npos)
      << o.message;
  EXPECT_NE(o.message.find("will be read again at the next cycle"), std::string::npos);
  EXPECT_EQ(fx.count("students"), 0) << "never applied";
  EXPECT_TRUE(fs::exists(p)) << "not rejected either";
  EXPECT_FALSE(MisStore(fx.tmp.store()).feed_state(Feed::students).value());

  // The writer finishes; once the file has settled it is read, whole and consistent.
  spit(p, second);
  set_mtime(p, fx.clock.now() - std::chrono::minutes{1});
  auto next = run();
  EXPECT_EQ(next.status, FeedStatus::applied) << next.message;
  EXPECT_EQ(StoreAccess::db(fx.tmp.store()).execAndGet("SELECT min(id) FROM students").getString(),
            "000021");
}

TEST_F(MisExportFolder, EveryKindOfChangeDuringTheReadIsSeen) {
  struct Change {
    const char* name;
    const char* says;
    std::function<void(const fs::path&)> make;
  };
  const std::string bytes = students_xml(10);
  std::vector<Change> changes = {
      {"replaced by rename (a new inode at the path)",
       "was replaced or removed while it was being read",
       [&](const fs::path& p) {
         spit(p.string() + ".new", bytes);
         set_mtime(p.string() + ".new", fx.clock.now() - std::chrono::hours{1});
         fs::rename(p.string() + ".new", p);
       }},
      {"appended to", "was written to while it was being read",
       [](const fs::path& p) { std::ofstream(p, std::ios::app) << "\n"; }},
      {"rewritten with its old size and mtime put back (only ctime tells)",
       "was written to while it was being read",
       [&](const fs::path& p) {
         // ctime moves on the file system's clock tick: wait past one so it surely differs.
         std::this_thread::sleep_for(std::chrono::milliseconds(20));
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f << "<";
         f.close();
         set_mtime(p, fx.clock.now() - std::chrono::hours{1});
       }},
      {"removed", "was replaced or removed while it was being read",
       [](const fs::path& p) { fs::remove(p); }},
  };
  for (auto& c : changes) {
    SCOPED_TRACE(c.name);
    fx.put("students.xml", bytes);
    auto o = run(c.make);
    EXPECT_EQ(o.status, FeedStatus::settling) << o.message;
    EXPECT_NE(o.message.find(c.says), std::string::npos) << o.message;
    EXPECT_EQ(fx.count("students"), 0);
  }
  // And a hook that changes nothing changes nothing.
  fx.put("students.xml", bytes);
  EXPECT_EQ(run([](const fs::path&) {}).status, FeedStatus::applied);
}

TEST_F(MisExportFolder, AFileChangedBetweenListingAndReadingIsNotRead) {
  auto p = fx.put("students.xml", students_xml(3));
  auto listed = newest_export(fx.exports, "students.xml");
  ASSERT_TRUE(listed);
  spit(p, students_xml(4));
  auto r = read_export(*listed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ReadFailureKind::changed);
  EXPECT_NE(r.error().error.message.find("changed after it was listed"), std::string::npos);
  auto again = newest_export(fx.exports, "students.xml");
  auto ok = read_export(*again);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->view(), students_xml(4));
}

// A rejection note quotes the export (a caption, SIMS's own message); control characters in
// it are shown escaped, so the note cannot be given forged lines.
TEST_F(MisExportFolder, ARejectionNoteShowsControlCharactersEscaped) {
  cfg.mis.format = FeedFormat::csv;
  cfg.mis.feeds = {{Feed::students, "students.csv"}};
  // A caption holding NEL (U+0085) and DEL, both allowed in a CSV header; Legal Surname missing.
  fx.put("students.csv", "Adno,Forename\xc2\x85Problem:    forged,Ye\x7fr\n001001,Ada,9\n");
  auto o = run();
  ASSERT_EQ(o.status, FeedStatus::rejected) << o.message;
  auto why = slurp(fx.exports / "rejected" / "students.20261123T090000Z.csv.why.txt");
  EXPECT_NE(why.find("Forename\\u0085Problem:    forged"), std::string::npos) << why;
  EXPECT_NE(why.find("Ye\\x7fr"), std::string::npos) << why;
  EXPECT_EQ(why.find("\xc2\x85"), std::string::npos);
  EXPECT_EQ(why.find('\x7f'), std::string::npos);
}

}  // namespace
}  // namespace iesync
