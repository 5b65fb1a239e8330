// A store fault under the impact reads (SPEC §10) is an Error value naming the store, never an
// SQLite exception: the status server's threads and the worker call these, and an exception
// there would end the service.
#include <gtest/gtest.h>

#include "daemon/impact/pupil_impact.h"
#include "store/impact_store.h"
#include "store/store_access.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

TEST(ImpactStoreFault, ReadsOfABrokenStoreReturnErrorsNamingTheStore) {
  TempStore tmp;
  // The tables the reads need are gone, as in a store damaged or restored from the wrong file.
  auto& db = StoreAccess::db(tmp.store());
  db.exec("DROP TABLE behaviour_incidents");
  db.exec("DROP TABLE review_flags");
  ImpactStore impact(tmp.store());
  const Date today = *Date::parse_iso("2026-11-23");
  const auto store_path = tmp.store().path().string();

  auto count = impact.incident_count();
  ASSERT_FALSE(count);
  EXPECT_NE(count.error().to_string().find(store_path), std::string::npos)
      << count.error().to_string();
  EXPECT_FALSE(impact.first_incident_date());
  EXPECT_FALSE(impact.incidents_of("001001"));
  EXPECT_FALSE(impact.incidents_between(today.plus_days(-10), today));
  EXPECT_FALSE(impact.logged_flags());

  // What the dashboard asks for comes back as an error the server can answer with.
  Config cfg;
  cfg.mapping = mis_test::demo_mapping();
  auto page = dashboard_impact_json(cfg, tmp.store(), today);
  EXPECT_FALSE(page);
}

}  // namespace
}  // namespace iesync
