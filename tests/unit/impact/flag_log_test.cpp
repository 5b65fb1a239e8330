// Review flags are told in sync.log once while they stay open (SPEC §10), and again only
// after they have closed and opened anew.
#include <gtest/gtest.h>

#include "daemon/impact/pupil_impact.h"
#include "daemon/notify/notify_step.h"
#include "store/mis_store.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

Booking booking(const char* id, const char* date) {
  Booking b;
  b.id = id;
  b.student_id = "001001";
  b.date = *Date::parse_iso(date);
  b.start_spec = "ALL";
  b.status = BookingStatus::attended;
  return b;
}

std::size_t told(const CollectingSink& sink) {
  std::size_t n = 0;
  for (const auto& e : sink.events())
    if (e.kind == "impact.review_flag") ++n;
  return n;
}

TEST(ReviewFlagLog, EachOpenFlagIsToldOnceAndAgainOnlyAfterItClosed) {
  TempStore tmp;
  Config cfg;
  cfg.mapping = mis_test::demo_mapping();
  MisStore mis(tmp.store());
  const AppliedFeed a{"seed.xml", "h", "2026-11-23T08:00:00Z"};
  ASSERT_TRUE(mis.replace_students({Student{"001001", "Ada", "Lovelace", "9", "9X"}}, a));
  ASSERT_TRUE(mis.replace_bookings(
      {booking("1", "2026-11-02"), booking("2", "2026-11-09"), booking("3", "2026-11-16")}, a));
  const Date today = *Date::parse_iso("2026-11-23");
  const TimePoint now = mis_test::test_now();

  CollectingSink first;
  log_new_review_flags(cfg, tmp.store(), today, now, first);
  ASSERT_EQ(told(first), 1u);
  const auto e = first.events().back();
  EXPECT_NE(e.message.find("Ada Lovelace (001001, 9X) has had 3 IEs within 30 school days"),
            std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("pastoral review"), std::string::npos);

  CollectingSink second;
  log_new_review_flags(cfg, tmp.store(), today.plus_days(1), now, second);
  EXPECT_EQ(told(second), 0u);

  // Two months on the flag has closed (forgotten); three new IEs open it again.
  CollectingSink later;
  log_new_review_flags(cfg, tmp.store(), *Date::parse_iso("2027-01-25"), now, later);
  EXPECT_EQ(told(later), 0u);
  ASSERT_TRUE(mis.replace_bookings(
      {booking("4", "2027-02-01"), booking("5", "2027-02-03"), booking("6", "2027-02-05")}, a));
  CollectingSink again;
  log_new_review_flags(cfg, tmp.store(), *Date::parse_iso("2027-02-08"), now, again);
  EXPECT_EQ(told(again), 1u);
}

// The behaviour lead's digest carries the open flags in the same words as sync.log.
TEST(ReviewFlagLog, TheDigestListsTheOpenFlags) {
  TempStore tmp;
  Config cfg;
  cfg.mapping = mis_test::demo_mapping();
  cfg.notify.behaviour_lead = {"lead@example.sch.uk"};
  MisStore mis(tmp.store());
  const AppliedFeed a{"seed.xml", "h", "2026-11-23T08:00:00Z"};
  ASSERT_TRUE(mis.replace_students({Student{"001001", "Ada", "Lovelace", "9", "9X"}}, a));
  ASSERT_TRUE(mis.replace_bookings(
      {booking("1", "2026-11-02"), booking("2", "2026-11-09"), booking("3", "2026-11-16")}, a));
  FakeClock clock(mis_test::test_now());

  auto msgs = compose_digest(cfg, tmp.store(), clock, *Date::parse_iso("2026-11-23"));
  ASSERT_TRUE(msgs) << msgs.error().to_string();
  ASSERT_EQ(msgs->size(), 1u);
  const auto& text = msgs->front().text;
  EXPECT_NE(text.find("Review flags"), std::string::npos) << text;
  EXPECT_NE(text.find("Ada Lovelace (001001, 9X) has had 3 IEs within 30 school days"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("pastoral review"), std::string::npos) << text;

  // Without bookings enough for a flag, the digest says none is open.
  TempStore quiet;
  MisStore mis2(quiet.store());
  ASSERT_TRUE(mis2.replace_students({Student{"001001", "Ada", "Lovelace", "9", "9X"}}, a));
  auto none = compose_digest(cfg, quiet.store(), clock, *Date::parse_iso("2026-11-23"));
  ASSERT_TRUE(none) << none.error().to_string();
  ASSERT_EQ(none->size(), 1u);
  EXPECT_NE(none->front().text.find("None open."), std::string::npos) << none->front().text;
}

}  // namespace
}  // namespace iesync
