// [store] retain: the purge on a real SQLite file, driven by a FakeClock.
#include "store/retention.h"

#include <gtest/gtest.h>

#include "../writeback/writeback_fixtures.h"
#include "store/outbox.h"
#include "store/store_access.h"

namespace iesync {
namespace {

using namespace std::chrono_literals;

TimePoint utc(int y, unsigned mo, unsigned d, int h = 12, int mi = 0, int s = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / mo / d} + std::chrono::hours{h} +
         std::chrono::minutes{mi} + std::chrono::seconds{s};
}

class Retention : public ::testing::Test {
 protected:
  SQLite::Database& db() { return StoreAccess::db(tmp.store()); }

  void exec(const std::string& sql) { db().exec(sql); }
  long long count(const std::string& table, const std::string& where = "1") {
    return db().execAndGet("SELECT count(*) FROM " + table + " WHERE " + where).getInt64();
  }
  void session(const std::string& booking, const std::string& date) {
    exec(
        "INSERT INTO ie_sessions(booking_id, student_id, date, start_time, end_time, status, "
        "updated_at) VALUES ('" +
        booking + "', '001042', '" + date + "', '09:00', '10:00', 'attended', '" + date +
        "T09:00:00Z')");
    for (const char* cls : {"9X1/Ma", "9X1/En"})
      exec(std::string("INSERT INTO session_lessons(booking_id, class_code, start_time, "
                       "end_time, work_status) VALUES ('") +
           booking + "', '" + cls + "', '09:00', '10:00', 'set')");
    exec("INSERT INTO bookings(id, student_id, date, start_spec, end_spec) VALUES ('" + booking +
         "', '001042', '" + date + "', '1', '2')");
  }
  void classroom_rows(const std::string& at, const std::string& tag) {
    exec("INSERT INTO classroom_courses(course_ref, course_id, fetched_at) VALUES ('d:" + tag +
         "', 'c" + tag + "', '" + at + "')");
    exec("INSERT INTO classroom_coursework(course_id, id, state, fetched_at) VALUES ('c" + tag +
         "', 'w1', 'PUBLISHED', '" + at + "')");
    exec("INSERT INTO classroom_users(email, user_id, fetched_at) VALUES ('" + tag +
         "@example.sch.uk', 'u" + tag + "', '" + at + "')");
    exec(
        "INSERT INTO classroom_submissions(course_id, coursework_id, user_id, state, "
        "fetched_at) VALUES ('c" +
        tag + "', 'w1', 'u" + tag + "', 'TURNED_IN', '" + at + "')");
    exec("INSERT INTO classroom_submission_fetches(course_id, user_id, fetched_at) VALUES ('c" +
         tag + "', 'u" + tag + "', '" + at + "')");
    exec("INSERT INTO classroom_materials(course_id, id, state, fetched_at) VALUES ('c" + tag +
         "', 'm1', 'PUBLISHED', '" + at + "')");
  }

  TempStore tmp;
};

TEST_F(Retention, DayDatedRowsGoWhenTheirDayIsBeforeTheCutoffDay) {
  // retain 30 days from 2026-11-23 12:00Z: the cutoff is 2026-10-24 12:00Z.
  session("OLD", "2026-10-23");
  session("EDGE", "2026-10-24");
  session("NEW", "2026-11-20");
  auto r = purge_expired(tmp.store(), std::chrono::days{30}, utc(2026, 11, 23));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->sessions, 1);
  EXPECT_EQ(r->session_lessons, 2);
  EXPECT_EQ(r->bookings, 1);
  EXPECT_EQ(count("ie_sessions", "booking_id = 'OLD'"), 0);
  EXPECT_EQ(count("session_lessons", "booking_id = 'OLD'"), 0);
  EXPECT_EQ(count("bookings", "id = 'OLD'"), 0);
  EXPECT_EQ(count("ie_sessions"), 2);
  EXPECT_EQ(count("session_lessons"), 4);
  EXPECT_EQ(count("bookings"), 2);
}

TEST_F(Retention, TimestampedRowsGoExactlyAtTheCutoffSecond) {
  exec("INSERT INTO audit(at, action, subject) VALUES ('2026-10-24T11:59:59Z', 'sent', 'a|old')");
  exec("INSERT INTO audit(at, action, subject) VALUES ('2026-10-24T12:00:00Z', 'sent', 'a|edge')");
  exec("INSERT INTO cycles(started_at, result) VALUES ('2026-10-24T11:59:59Z', 'ok')");
  exec("INSERT INTO cycles(started_at, result) VALUES ('2026-10-24T12:00:00Z', 'ok')");
  classroom_rows("2026-10-24T11:59:59Z", "old");
  classroom_rows("2026-10-24T12:00:00Z", "edge");
  auto r = purge_expired(tmp.store(), std::chrono::days{30}, utc(2026, 11, 23));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->audit, 1);
  EXPECT_EQ(r->cycles, 1);
  EXPECT_EQ(r->classroom, 6) << "one row in each of the six cache tables";
  EXPECT_EQ(count("audit", "subject = 'a|edge'"), 1);
  EXPECT_EQ(count("cycles"), 1);
  for (const char* t :
       {"classroom_courses", "classroom_coursework", "classroom_users", "classroom_submissions",
        "classroom_submission_fetches", "classroom_materials"}) {
    EXPECT_EQ(count(t), 1) << t;
    EXPECT_EQ(count(t, "fetched_at = '2026-10-24T12:00:00Z'"), 1) << t;
  }
}

TEST_F(Retention, OutboxKeepsPendingItemsWhateverTheirAgeAndErasureRecordsStay) {
  FakeClock clock(utc(2023, 1, 9, 10));
  Outbox outbox(tmp.store(), clock);
  std::vector<WriteItem> items = {wbtest::lesson_mark("001042", "9X1/Ma", 9, 50),
                                  wbtest::lesson_mark("001042", "9X1/En", 10, 50),
                                  wbtest::session_mark("001042", "AM", "/")};
  ASSERT_TRUE(outbox.enqueue(items));
  auto rows = outbox.list({});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  std::int64_t sent = 0, discarded = 0;
  for (auto& row : *rows) {
    if (row.item.key == items[0].key) sent = row.id;
    if (row.item.key == items[1].key) discarded = row.id;
  }
  std::vector<std::int64_t> ids{sent};
  ASSERT_TRUE(outbox.mark_sent(ids, "file", "iesync-20230109.csv"));
  ASSERT_TRUE(outbox.discard(discarded, "entered by hand"));
  exec("INSERT INTO audit(at, action, subject, detail) VALUES ('2023-01-09T10:00:00Z', '" +
       std::string(kErasureAuditAction) + "', 'sha256:ab', 'student record erased')");

  // Three years and a day later.
  clock.advance(std::chrono::days{3 * 365 + 1});
  auto r = purge_expired(tmp.store(), std::chrono::days{3 * 365}, clock.now());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->outbox, 2) << "sent and discarded are final";
  EXPECT_EQ(count("outbox"), 1);
  EXPECT_EQ(count("outbox", "state = 'pending'"), 1) << "still to be written: never purged";
  EXPECT_EQ(count("audit", "action = 'student_erased'"), 1);
  EXPECT_EQ(count("audit", "action <> 'student_erased'"), 0);
  EXPECT_GE(r->audit, 3);
}

TEST_F(Retention, ReportsOneEventWhenSomethingWentAndStaysQuietOtherwise) {
  session("OLD", "2020-01-06");
  FakeClock clock(utc(2026, 11, 23));
  CollectingSink events;
  purge_expired_and_report(tmp.store(), std::chrono::days{3 * 365}, clock.now(), events);
  auto ev = events.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, "store.purged");
  EXPECT_EQ(ev[0].severity, Severity::info);
  EXPECT_NE(ev[0].message.find("1 IE session(s)"), std::string::npos) << ev[0].message;
  EXPECT_NE(ev[0].message.find("2 session lesson(s)"), std::string::npos) << ev[0].message;
  EXPECT_NE(ev[0].message.find("[store] retain (1095d)"), std::string::npos) << ev[0].message;

  clock.advance(15min);
  purge_expired_and_report(tmp.store(), std::chrono::days{3 * 365}, clock.now(), events);
  EXPECT_EQ(events.events().size(), 1u) << "nothing expired since: no second line";
}

TEST_F(Retention, EmailsAndChaseRecordsNamingPupilsGoToo) {
  // retain 30 days from 2026-11-23 12:00Z: the cutoff is 2026-10-24 12:00Z.
  auto mail = [&](const std::string& key, const std::string& day, const std::string& state,
                  const std::string& updated) {
    exec(
        "INSERT INTO notify_queue(key, kind, day, recipient, subject, text_body, html_body, "
        "state, created_at, updated_at) VALUES ('" +
        key + "', 'chase', '" + day + "', 't@example.sch.uk', 's', 'Adaeze Quillfeather', 'h', '" +
        state + "', '" + updated + "', '" + updated + "')");
  };
  mail("old-day-pending", "2026-10-23", "pending", "2026-11-20T09:00:00Z");
  mail("sent-long-ago", "2026-10-24", "sent", "2026-10-24T11:59:59Z");
  mail("failed-long-ago", "2026-10-24", "failed", "2026-10-24T11:00:00Z");
  mail("pending-edge", "2026-10-24", "pending", "2026-10-24T11:00:00Z");
  mail("sent-edge", "2026-10-24", "sent", "2026-10-24T12:00:00Z");
  for (const char* date : {"2026-10-23", "2026-10-24"})
    exec(std::string("INSERT INTO notify_chased(teacher, date, class_code, start_time, "
                     "student_id, chased_at, message_key) VALUES ('T1', '") +
         date + "', '9X1/Ma', '09:00', '001042', '2026-10-23T15:45:00Z', 'k')");
  auto r = purge_expired(tmp.store(), std::chrono::days{30}, utc(2026, 11, 23));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->notify_messages, 3);
  EXPECT_EQ(r->notify_chased, 1);
  EXPECT_NE(r->describe().find("3 email(s), 1 chase record(s)"), std::string::npos)
      << r->describe();
  EXPECT_EQ(count("notify_queue", "key IN ('pending-edge', 'sent-edge')"), 2)
      << "a message still waiting for a day inside the period stays, as does a recent one";
  EXPECT_EQ(count("notify_queue"), 2);
  EXPECT_EQ(count("notify_chased", "date = '2026-10-24'"), 1);
  EXPECT_EQ(count("notify_chased"), 1);
}

TEST_F(Retention, ZeroRetainPurgesNothing) {
  session("OLD", "2001-01-01");
  auto r = purge_expired(tmp.store(), std::chrono::seconds{0}, utc(2026, 11, 23));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total(), 0);
  EXPECT_EQ(count("ie_sessions"), 1);
}

TEST_F(Retention, ACycleAYearOfCyclesLaterIsCheap) {
  // Once per cycle: with nothing expired the purge must not scan for long.
  {
    SQLite::Transaction tx(db());
    for (int i = 0; i < 2000; ++i) session("B" + std::to_string(i), "2026-11-20");
    tx.commit();
  }
  FakeClock clock(utc(2026, 11, 23));
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    auto r = purge_expired(tmp.store(), std::chrono::days{3 * 365}, clock.now());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->total(), 0);
  }
  auto per = (std::chrono::steady_clock::now() - t0) / 20;
  EXPECT_LT(per, 100ms) << "purge with nothing to do took "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(per).count()
                        << " ms";
}

}  // namespace
}  // namespace iesync
