// The diff apply's plan: which stored rows go, which are rewritten, which new rows are added.
#include "store/row_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace iesync {
namespace {

StoredRowHash stored(long long rowid, std::uint64_t key, std::uint64_t content) {
  return {rowid, key, content};
}

std::vector<long long> sorted(std::vector<long long> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RowPlan, AnUnchangedExportWritesNothing) {
  auto p = plan_rows({stored(1, 10, 100), stored(2, 20, 200)}, {{20, 200}, {10, 100}});
  EXPECT_EQ(p.unchanged, 2u);
  EXPECT_TRUE(p.deletes.empty());
  EXPECT_TRUE(p.updates.empty());
  EXPECT_TRUE(p.inserts.empty());
  EXPECT_FALSE(p.delete_all);
}

TEST(RowPlan, AChangedRowIsRewrittenInPlaceAGoneOneDeletedANewOneInserted) {
  auto p = plan_rows({stored(1, 10, 100), stored(2, 20, 200), stored(3, 30, 300)},
                     {{10, 100}, {20, 201}, {40, 400}});
  ASSERT_EQ(p.updates.size(), 1u);
  EXPECT_EQ(p.updates[0], (std::pair<std::size_t, long long>{1, 2}));
  EXPECT_EQ(p.deletes, std::vector<long long>{3});
  EXPECT_EQ(p.inserts, std::vector<std::size_t>{2});
  EXPECT_EQ(p.unchanged, 1u);
  EXPECT_FALSE(p.delete_all);
}

TEST(RowPlan, RowsWithoutHashesAreReplaced) {
  // Rows written before the store kept hashes cannot be matched: deleted, and the new
  // rows inserted, however alike.
  StoredRowHash old{7, std::nullopt, std::nullopt};
  auto p = plan_rows({old, stored(8, 10, 100)}, {{10, 100}, {99, 990}});
  EXPECT_EQ(p.deletes, std::vector<long long>{7});
  EXPECT_EQ(p.inserts, std::vector<std::size_t>{1});
  EXPECT_EQ(p.unchanged, 1u);
  EXPECT_FALSE(p.delete_all);
}

TEST(RowPlan, AKeyHeldByTwoStoredRowsIsNotTrustedToSayWhichIsWhich) {
  // Two identical lessons (a keyless table) or two keys that hash alike: both stored rows
  // go and every new row with that key is inserted, so no update can meet the other's key.
  auto p = plan_rows({stored(1, 10, 100), stored(2, 10, 100), stored(3, 30, 300)},
                     {{10, 100}, {10, 100}, {30, 300}});
  EXPECT_EQ(sorted(p.deletes), (std::vector<long long>{1, 2}));
  EXPECT_EQ(p.inserts, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(p.unchanged, 1u);
}

TEST(RowPlan, ANewKeyGivenTwiceTakesTheStoredRowOnceAndInsertsTheOther) {
  auto p = plan_rows({stored(1, 10, 100)}, {{10, 100}, {10, 100}});
  EXPECT_EQ(p.unchanged, 1u);
  EXPECT_EQ(p.inserts, std::vector<std::size_t>{1});
  EXPECT_TRUE(p.deletes.empty());
}

TEST(RowPlan, WhenEveryStoredRowGoesOneDeleteOfTheTableWillDo) {
  auto p = plan_rows({stored(1, 10, 100), stored(2, 20, 200)}, {{30, 300}});
  EXPECT_TRUE(p.delete_all);
  EXPECT_EQ(sorted(p.deletes), (std::vector<long long>{1, 2}));
  EXPECT_EQ(p.inserts, std::vector<std::size_t>{0});
}

TEST(RowPlan, EveryStoredRowIsAccountedForOnceAndEveryNewRowOnce) {
  // A larger mix: each stored row is deleted, updated or kept exactly once; each new row is
  // inserted, an update or kept exactly once.
  std::vector<StoredRowHash> s;
  std::vector<NewRowHash> n;
  for (int i = 0; i < 300; ++i) {
    const auto k = static_cast<std::uint64_t>(i % 250);  // 50 keys held twice
    s.push_back(stored(i + 1, k, static_cast<std::uint64_t>(i)));
  }
  for (int i = 100; i < 400; ++i)
    n.push_back({static_cast<std::uint64_t>(i % 260), static_cast<std::uint64_t>(i % 7 ? i : -i)});
  auto p = plan_rows(s, n);
  std::vector<long long> touched = p.deletes;
  for (auto& [row, id] : p.updates) touched.push_back(id);
  std::sort(touched.begin(), touched.end());
  EXPECT_EQ(std::adjacent_find(touched.begin(), touched.end()), touched.end());
  EXPECT_EQ(touched.size() + p.unchanged, s.size());
  EXPECT_EQ(p.inserts.size() + p.updates.size() + p.unchanged, n.size());
}

}  // namespace
}  // namespace iesync
