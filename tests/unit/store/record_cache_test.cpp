// The record cache as stored (store/record_cache.h): a base and the changes since. Whatever
// sequence of nightly changes is written, reading the cache back gives exactly the records in
// use, duplicates included, whether the changes stay beside the base or a new base is
// written once they have grown.
#include "store/record_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "store/store_access.h"

namespace iesync {
namespace {

std::vector<CachedRecord> sorted(std::vector<CachedRecord> v) {
  std::sort(v.begin(), v.end());
  return v;
}

long long base_bytes(Store& s) {
  return StoreAccess::db(s)
      .execAndGet("SELECT coalesce(sum(length(records)), 0) FROM feed_record_base")
      .getInt64();
}

TEST(RecordCacheStore, ChangesReadBackAsTheRecordsInUseWhetherBesideTheBaseOrInANewOne) {
  TempStore tmp;
  auto& db = StoreAccess::db(tmp.store());
  std::mt19937_64 rng(7);
  std::vector<CachedRecord> in_use;
  for (std::int64_t i = 1; i <= 40000; ++i) in_use.push_back({rng(), rng() % 5000, i});
  in_use.push_back(in_use[10]);  // the same record twice (a lesson exported twice)
  write_record_cache(db, Feed::timetable, "h0", 1, in_use);
  const auto first_base = base_bytes(tmp.store());

  bool beside = false, rebased = false;
  std::int64_t next_rowid = 50000;
  for (int night = 1; night <= 12; ++night) {
    SCOPED_TRACE("night " + std::to_string(night));
    auto cache = read_record_cache(tmp.store(), Feed::timetable);
    ASSERT_TRUE(cache && *cache);
    ASSERT_EQ((*cache)->records, sorted(in_use));
    // 1% of the records go, some of those come back unchanged (same raw, key and rowid, as a
    // record removed and exported again can), and 1% are new.
    std::vector<CachedRecord> gone, fresh;
    auto& records = (*cache)->records;
    for (std::size_t i = 0; i < records.size(); ++i)
      if (rng() % 100 == 0) gone.push_back(records[i]);
    for (std::size_t i = 0; i < gone.size(); i += 7) fresh.push_back(gone[i]);
    for (std::size_t i = 0; i < in_use.size() / 100; ++i)
      fresh.push_back({rng(), rng() % 5000, next_rowid++});
    for (auto& g : gone) in_use.erase(std::find(in_use.begin(), in_use.end(), g));
    in_use.insert(in_use.end(), fresh.begin(), fresh.end());

    const auto before = base_bytes(tmp.store());
    write_record_changes(db, Feed::timetable, "h" + std::to_string(night), 1, **cache, gone, fresh);
    (base_bytes(tmp.store()) == before ? beside : rebased) = true;
  }
  auto last = read_record_cache(tmp.store(), Feed::timetable);
  ASSERT_TRUE(last && *last);
  EXPECT_EQ((*last)->records, sorted(in_use));
  EXPECT_EQ((*last)->content_hash, "h12");
  EXPECT_TRUE(beside) << "a night's changes were written beside the base";
  EXPECT_TRUE(rebased) << "once grown past an eighth, a new base was written";
  EXPECT_NE(base_bytes(tmp.store()), first_base);
}

TEST(RecordCacheStore, ABlobThatIsNotOursIsNoCache) {
  TempStore tmp;
  auto& db = StoreAccess::db(tmp.store());
  write_record_cache(db, Feed::students, "h", 1, {{3, 4, 5}, {1, 2, 3}});
  auto c = read_record_cache(tmp.store(), Feed::students);
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->records, (std::vector<CachedRecord>{{1, 2, 3}, {3, 4, 5}}));
  db.exec("UPDATE feed_record_base SET records = x'0102'");
  c = read_record_cache(tmp.store(), Feed::students);
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
  drop_record_cache(db, Feed::students);
  c = read_record_cache(tmp.store(), Feed::students);
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

}  // namespace
}  // namespace iesync
