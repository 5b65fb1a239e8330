// An unchanged export costs no work (SPEC §3): once hashed, a file whose size, mtime, ctime
// and inode are as they were is known unchanged without being read; any change to those makes
// the importer read and hash it again, so a touched-but-identical file is still skipped and a
// rewritten one (even with its old size and mtime put back) is applied.
#include "connectors/mis/export_fingerprint.h"

#include <gtest/gtest.h>

#include "connectors/mis/feed_files.h"
#include "connectors/mis/importer.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

std::string field(const CollectingSink& s, const std::string& kind, const std::string& name) {
  for (auto& e : s.events())
    if (e.kind == kind)
      for (auto& [k, v] : e.fields)
        if (k == name) return v;
  return "(no " + kind + " event)";
}

struct Fingerprint : ::testing::Test {
  ImportFixture fx;
  Config cfg = demo_config(fx.exports);
  fs::path file = fx.put("students.xml", students_xml(5));

  FeedOutcome run(CollectingSink& ev, bool dry_run = false) {
    return Importer(cfg, fx.tmp.store(), ev, fx.clock).run(false, dry_run).feed(Feed::students);
  }
};

TEST_F(Fingerprint, AnUntouchedExportIsKnownUnchangedWithoutReadingIt) {
  CollectingSink first;
  auto a = run(first);
  ASSERT_EQ(a.status, FeedStatus::applied);
  EXPECT_TRUE(a.read);

  CollectingSink second;
  auto b = run(second);
  EXPECT_EQ(b.status, FeedStatus::unchanged);
  EXPECT_FALSE(b.read) << "same size, mtime, ctime and inode: the file is not read";
  EXPECT_EQ(field(second, "feed.unchanged", "read"), "no");
}

TEST_F(Fingerprint, ATouchedButIdenticalExportIsHashedAndStillSkipped) {
  CollectingSink ev;
  ASSERT_EQ(run(ev).status, FeedStatus::applied);
  set_mtime(file, fx.clock.now() - std::chrono::minutes{10});  // the MIS re-exported the same

  CollectingSink again;
  auto b = run(again);
  EXPECT_EQ(b.status, FeedStatus::unchanged);
  EXPECT_TRUE(b.read) << "a new mtime means the content must be checked";
  EXPECT_EQ(field(again, "feed.unchanged", "read"), "yes");

  CollectingSink third;
  auto c = run(third);
  EXPECT_EQ(c.status, FeedStatus::unchanged);
  EXPECT_FALSE(c.read) << "the new state was remembered";
}

TEST_F(Fingerprint, ARewriteThatKeepsSizeAndMtimeIsStillSeen) {
  CollectingSink ev;
  ASSERT_EQ(run(ev).status, FeedStatus::applied);
  const auto before = newest_export(fx.exports, "students.xml");
  ASSERT_TRUE(before);
  // Same length, one surname changed, old mtime put back: only ctime tells.
  auto bytes = slurp(file);
  auto at = bytes.find("<Legal_x0020_Surname>");
  ASSERT_NE(at, std::string::npos);
  at += std::string("<Legal_x0020_Surname>").size();
  bytes[at] = bytes[at] == 'Q' ? 'Z' : 'Q';
  spit(file, bytes);
  set_mtime(file, before->modified);
  auto after = newest_export(fx.exports, "students.xml");
  ASSERT_EQ(after->size, before->size);
  ASSERT_EQ(after->mtime_ns / 1'000'000'000, before->mtime_ns / 1'000'000'000);

  CollectingSink again;
  auto b = run(again);
  EXPECT_TRUE(b.read);
  EXPECT_EQ(b.status, FeedStatus::applied) << "the new content is applied";
}

TEST_F(Fingerprint, ADryRunRemembersNothing) {
  CollectingSink ev;
  ASSERT_EQ(run(ev).status, FeedStatus::applied);
  set_mtime(file, fx.clock.now() - std::chrono::minutes{10});
  CollectingSink dry;
  EXPECT_TRUE(run(dry, /*dry_run=*/true).read);
  CollectingSink real;
  EXPECT_TRUE(run(real).read) << "the dry run left the store as it was";
}

TEST_F(Fingerprint, TheCacheAnswersOnlyForTheExactFileState) {
  auto f = newest_export(fx.exports, "students.xml");
  ASSERT_TRUE(f);
  EXPECT_FALSE(known_content_hash(fx.tmp.store(), Feed::students, *f));
  ASSERT_TRUE(remember_content_hash(fx.tmp.store(), Feed::students, *f, "abc"));
  EXPECT_EQ(known_content_hash(fx.tmp.store(), Feed::students, *f), "abc");
  EXPECT_FALSE(known_content_hash(fx.tmp.store(), Feed::staff, *f)) << "per feed";
  for (auto change : {&ExportFile::mtime_ns, &ExportFile::ctime_ns}) {
    auto g = *f;
    g.*change += 1;
    EXPECT_FALSE(known_content_hash(fx.tmp.store(), Feed::students, g));
  }
  auto g = *f;
  g.size += 1;
  EXPECT_FALSE(known_content_hash(fx.tmp.store(), Feed::students, g));
  g = *f;
  g.inode += 1;
  EXPECT_FALSE(known_content_hash(fx.tmp.store(), Feed::students, g));
}

}  // namespace
}  // namespace iesync
