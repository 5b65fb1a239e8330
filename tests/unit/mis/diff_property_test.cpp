// The diff apply against a fresh full import (issue 20): over random edit scripts on
// generated schools (the generator's seeded re-exports, at shares from 1% to half of every
// feed), a store brought up to date export after export holds, table by table, exactly what
// a fresh store given only the latest exports holds.
#include <gtest/gtest.h>

#include <random>

#include "bench/generator/school_generator.h"
#include "connectors/mis/importer.h"
#include "store/store_access.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

// Every row of a feed's table, every column but a lesson's rowid (which only says in what
// order rows were inserted), sorted: what the rest of iesync can read.
std::vector<std::string> table_rows(Store& s, const std::string& table) {
  auto& db = StoreAccess::db(s);
  std::string cols;
  SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  info.bind(1, table);
  while (info.executeStep()) {
    auto name = info.getColumn(0).getString();
    if (table == "lessons" && name == "id") continue;
    cols += (cols.empty() ? "" : ", ") + std::string("quote(") + name + ")";
  }
  std::vector<std::string> out;
  SQLite::Statement q(db, "SELECT " + cols + " FROM " + table);
  while (q.executeStep()) {
    std::string r;
    for (int c = 0; c < q.getColumnCount(); ++c) r += (c ? "|" : "") + q.getColumn(c).getString();
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Config property_config(const fs::path& exports) {
  Config c = demo_config(exports);
  c.mis.feeds[Feed::behaviour] = "behaviour.xml";
  return c;
}

void write_exports(const gen::School& school, const fs::path& dir, TimePoint now) {
  auto w = gen::write_feeds(school, gen::Format::xml, dir);
  ASSERT_TRUE(w) << w.error().to_string();
  for (auto& e : fs::directory_iterator(dir)) set_mtime(e.path(), now - std::chrono::hours{1});
}

std::string outcome(const ImportResult& r) {
  std::string s;
  for (auto& o : r.feeds) s += std::string(feed_name(o.feed)) + ": " + o.message + "\n";
  return s;
}

TEST(DiffApplyProperty, AStoreKeptUpToDateEqualsAFreshImportOfTheLatestExports) {
  const std::vector<std::string> tables = {"students", "staff",    "memberships",
                                           "lessons",  "bookings", "behaviour_incidents"};
  ApplyCounts total;  // over every diff import: each kind of change must have been tried
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("school seed " + std::to_string(seed));
    gen::Options opt;
    opt.students = 90 + static_cast<int>(seed) * 20;
    opt.seed = seed;
    auto school = gen::generate(opt);
    ImportFixture kept;  // brought up to date export after export
    const auto cfg = property_config(kept.exports);
    write_exports(school, kept.exports, kept.clock.now());
    CollectingSink ev;
    auto first = Importer(cfg, kept.tmp.store(), ev, kept.clock).run(false, false);
    ASSERT_FALSE(first.failed || first.rejected || first.held) << outcome(first);

    std::mt19937 rng(seed);
    const double shares[] = {0.01, 0.05, 0.2, 0.5};
    for (int round = 1; round <= 4; ++round) {
      const double share = shares[rng() % 4];
      SCOPED_TRACE("round " + std::to_string(round) + ", share " + std::to_string(share));
      gen::edit(school, share, static_cast<std::uint32_t>(rng()));
      write_exports(school, kept.exports, kept.clock.now());
      // --accept-drop: a half-changed school can lose more than [safety] allows.
      auto diff = Importer(cfg, kept.tmp.store(), ev, kept.clock).run(true, false);
      ASSERT_FALSE(diff.failed || diff.rejected || diff.held) << outcome(diff);

      ImportFixture fresh;
      write_exports(school, fresh.exports, fresh.clock.now());
      auto full = Importer(property_config(fresh.exports), fresh.tmp.store(), ev, fresh.clock)
                      .run(true, false);
      ASSERT_FALSE(full.failed || full.rejected || full.held) << outcome(full);

      for (const auto& o : diff.feeds) {
        if (o.status != FeedStatus::applied) continue;
        ASSERT_TRUE(o.changes) << feed_name(o.feed);
        // Every accepted record is accounted for once: new, rewritten or left as it was.
        EXPECT_EQ(o.changes->inserted + o.changes->updated + o.changes->unchanged, o.accepted)
            << feed_name(o.feed);
        EXPECT_EQ(o.accepted, full.feed(o.feed).accepted) << feed_name(o.feed);
        total.inserted += o.changes->inserted;
        total.updated += o.changes->updated;
        total.deleted += o.changes->deleted;
        total.unchanged += o.changes->unchanged;
      }
      for (const auto& t : tables)
        EXPECT_EQ(table_rows(kept.tmp.store(), t), table_rows(fresh.tmp.store(), t))
            << "table " << t;
      EXPECT_EQ(table_rows(kept.tmp.store(), "feed_state"),
                table_rows(fresh.tmp.store(), "feed_state"));
    }
  }
  EXPECT_GT(total.inserted, 0u);
  EXPECT_GT(total.updated, 0u);
  EXPECT_GT(total.deleted, 0u);
  EXPECT_GT(total.unchanged, 0u);
}

}  // namespace
}  // namespace iesync
