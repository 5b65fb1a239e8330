#include "store/outbox.h"

#include <gtest/gtest.h>

#include "store/store_access.h"
#include "tests/unit/writeback/writeback_fixtures.h"

namespace iesync {
namespace {

using namespace wbtest;

struct OutboxTest : ::testing::Test {
  TempStore t;
  FakeClock clock{at(9, 0)};
  Outbox box{t.store(), clock, 3};

  OutboxRow row(const std::string& key) {
    auto r = box.find(key);
    EXPECT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->has_value()) << key;
    return **r;
  }
  int audit_rows(const std::string& key) {
    SQLite::Statement q(StoreAccess::db(t.store()), "SELECT COUNT(*) FROM audit WHERE subject = ?");
    q.bind(1, key);
    q.executeStep();
    return q.getColumn(0).getInt();
  }
  std::vector<std::int64_t> ids(const std::vector<OutboxRow>& rows) {
    std::vector<std::int64_t> v;
    for (auto& r : rows) v.push_back(r.id);
    return v;
  }
};

TEST_F(OutboxTest, EnqueueIsIdempotentByKeyAndKeepsThePayload) {
  std::vector<WriteItem> items = {lesson_mark("001042", "9X1/Ma", 9, 50),
                                  session_mark("001042", "AM", "/")};
  auto s1 = box.enqueue(items);
  ASSERT_TRUE(s1) << s1.error().to_string();
  EXPECT_EQ(s1->added, 2);
  auto s2 = box.enqueue(items);
  ASSERT_TRUE(s2);
  EXPECT_EQ(s2->added, 0);
  EXPECT_EQ(s2->unchanged, 2);
  auto due = box.due(clock.now(), 100);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].item.key, items[0].key);
  EXPECT_EQ((*due)[0].item.class_code, "9X1/Ma");
  EXPECT_EQ((*due)[0].item.start, TimeOfDay::hm(9, 50));
  EXPECT_EQ((*due)[1].item.session, "AM");
  EXPECT_EQ((*due)[0].state, OutboxState::pending);
  EXPECT_EQ(audit_rows(items[0].key), 1);  // one enqueue, no audit for a no-op
}

TEST_F(OutboxTest, ChangedPayloadIsUpdatedInPlaceWhilePendingButNotAfterSending) {
  auto it = lesson_mark("001042", "9X1/Ma", 9, 50, "/");
  ASSERT_TRUE(box.enqueue(std::vector{it}));
  it.code = "B";
  auto s = box.enqueue(std::vector{it});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->updated, 1);
  EXPECT_EQ(row(it.key).item.code, "B");

  auto r = row(it.key);
  ASSERT_TRUE(box.mark_sent(std::vector{r.id}, "file", "iesync-x.csv"));
  it.code = "/";
  s = box.enqueue(std::vector{it});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->changed_after_send, 1);
  EXPECT_EQ(row(it.key).item.code, "B") << "a sent fact is never silently changed";
  EXPECT_EQ(row(it.key).state, OutboxState::sent);
}

TEST_F(OutboxTest, StateMachineWithAuditForEveryChange) {
  std::vector<WriteItem> items = {lesson_mark("001042", "9X1/Ma", 9, 50),
                                  lesson_mark("001042", "9X1/En", 11, 10),
                                  lesson_mark("001043", "9X1/Sc", 12, 10)};
  ASSERT_TRUE(box.enqueue(items));
  auto due = *box.due(clock.now(), 100);
  ASSERT_EQ(due.size(), 3u);

  ASSERT_TRUE(box.mark_sent(std::vector{due[0].id}, "wonde", "WB1"));
  ASSERT_TRUE(box.mark_confirmed(std::vector{due[0].id}, "wonde", "WB1"));
  EXPECT_EQ(row(items[0].key).state, OutboxState::confirmed);
  EXPECT_EQ(row(items[0].key).target_ref, "WB1");
  EXPECT_FALSE(row(items[0].key).sent_at.empty());

  ASSERT_TRUE(box.mark_conflict(due[1].id, "wonde", "the MIS already holds the mark \"L\""));
  EXPECT_EQ(row(items[1].key).state, OutboxState::conflict);

  // Retryable failures: back off, then give up after max_tries (3).
  auto st =
      box.mark_failed_try(due[2].id, "wonde", "HTTP 503", clock.now() + std::chrono::minutes(5));
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, OutboxState::pending);
  EXPECT_TRUE(box.due(clock.now(), 100)->empty()) << "not due before next_try_at";
  clock.advance(std::chrono::minutes(5));
  EXPECT_EQ(box.due(clock.now(), 100)->size(), 1u);
  EXPECT_EQ(*box.mark_failed_try(due[2].id, "wonde", "HTTP 503", clock.now()),
            OutboxState::pending);
  EXPECT_EQ(*box.mark_failed_try(due[2].id, "wonde", "HTTP 503", clock.now()), OutboxState::failed);
  EXPECT_EQ(row(items[2].key).tries, 3);
  EXPECT_EQ(row(items[2].key).last_error, "HTTP 503");
  EXPECT_TRUE(box.due(clock.now(), 100)->empty());

  // Admin: retry a failed one, discard a conflict; a confirmed one cannot be discarded.
  ASSERT_TRUE(box.retry(due[2].id));
  EXPECT_EQ(row(items[2].key).state, OutboxState::pending);
  EXPECT_EQ(row(items[2].key).tries, 0);
  EXPECT_FALSE(box.retry(due[2].id)) << "a pending item cannot be retried";
  EXPECT_FALSE(box.discard(due[1].id, "")) << "a reason is required";
  ASSERT_TRUE(box.discard(due[1].id, "teacher's L is right"));
  EXPECT_EQ(row(items[1].key).state, OutboxState::discarded);
  auto d = box.discard(due[0].id, "x");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().fix.find("MIS"), std::string::npos);
  EXPECT_FALSE(box.retry(999)) << "unknown id";

  auto c = box.counts();
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)[OutboxState::confirmed], 1);
  EXPECT_EQ((*c)[OutboxState::discarded], 1);
  EXPECT_EQ((*c)[OutboxState::pending], 1);
  EXPECT_EQ((*c)[OutboxState::failed], 0);

  // enqueue, sent, confirmed = 3 audit rows; enqueue, 2 try_failed, failed, retry = 5.
  EXPECT_EQ(audit_rows(items[0].key), 3);
  EXPECT_EQ(audit_rows(items[2].key), 5);

  OutboxFilter f;
  f.student_id = "001042";
  EXPECT_EQ(box.list(f)->size(), 2u);
  f = {};
  f.state = OutboxState::discarded;
  ASSERT_EQ(box.list(f)->size(), 1u);
  EXPECT_EQ(box.list(f)->front().item.key, items[1].key);
}

TEST_F(OutboxTest, MarkingIsAllOrNothingAndRefusesIllegalMoves) {
  std::vector<WriteItem> items = {lesson_mark("001042", "9X1/Ma", 9, 50),
                                  lesson_mark("001042", "9X1/En", 11, 10)};
  ASSERT_TRUE(box.enqueue(items));
  auto due = *box.due(clock.now(), 100);
  ASSERT_TRUE(box.discard(due[1].id, "not wanted"));
  auto r = box.mark_sent(ids(due), "file", "f.csv");
  EXPECT_FALSE(r) << "a discarded item cannot be marked sent";
  EXPECT_EQ(row(items[0].key).state, OutboxState::pending) << "the whole call rolled back";
}

TEST_F(OutboxTest, RetractDropsAPendingMarkAndQueuesARetractionForASentOne) {
  auto pending = lesson_mark("001042", "9X1/Ma", 9, 50);
  auto sent = lesson_mark("001042", "9X1/En", 11, 10);
  ASSERT_TRUE(box.enqueue(std::vector{pending, sent}));
  ASSERT_TRUE(box.mark_sent(std::vector{row(sent.key).id}, "file", "a.csv"));

  EXPECT_TRUE(*box.retract(pending.key, "booking B1 cancelled"));
  EXPECT_EQ(row(pending.key).state, OutboxState::superseded);

  EXPECT_TRUE(*box.retract(sent.key, "booking B1 cancelled"));
  auto rk = retraction_key_for(sent.key);
  EXPECT_EQ(rk, "001042|2026-11-23|9X1/En@11:10|retraction");
  auto r = row(rk);
  EXPECT_EQ(r.state, OutboxState::pending);
  EXPECT_EQ(r.item.kind, WriteKind::retraction);
  EXPECT_EQ(r.item.code, "-");
  EXPECT_EQ(r.item.class_code, "9X1/En");
  EXPECT_EQ(r.item.start, TimeOfDay::hm(11, 10));

  // Repeating it (every cycle sees the cancelled booking) changes nothing.
  EXPECT_FALSE(*box.retract(sent.key, "booking B1 cancelled"));
  EXPECT_FALSE(*box.retract(pending.key, "booking B1 cancelled"));
  auto due = *box.due(clock.now(), 100);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].item.key, rk);
}

TEST_F(OutboxTest, ReinstatedBookingAfterASentRetractionSendsTheMarkAgainAsANewRevision) {
  auto m = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{m}));
  ASSERT_TRUE(box.mark_sent(std::vector{row(m.key).id}, "file", "a.csv"));
  ASSERT_TRUE(box.retract(m.key, "cancelled"));
  auto rk = retraction_key_for(m.key);

  // Reinstated before the retraction went out: the retraction is dropped, nothing to send.
  auto s = box.enqueue(std::vector{m});
  ASSERT_TRUE(s);
  EXPECT_EQ(row(rk).state, OutboxState::superseded);
  EXPECT_TRUE(box.due(clock.now(), 100)->empty());

  // Cancelled again: the retraction comes back; this time it is sent.
  EXPECT_TRUE(*box.retract(m.key, "cancelled again"));
  ASSERT_EQ(row(rk).state, OutboxState::pending);
  ASSERT_TRUE(box.mark_sent(std::vector{row(rk).id}, "file", "b.csv"));

  // Reinstated again: the MIS holds "-", so the mark goes out again as revision 2.
  s = box.enqueue(std::vector{m});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->requeued, 1);
  auto r = row(m.key);
  EXPECT_EQ(r.state, OutboxState::pending);
  EXPECT_EQ(r.revision, 2);
  EXPECT_EQ(r.send_key(), m.key + "#r2");
  EXPECT_EQ(s->requeued, 1);
  // A repeat enqueue is a no-op, and retracting revision 2 queues retraction revision 2.
  EXPECT_EQ(box.enqueue(std::vector{m})->unchanged, 1);
  ASSERT_TRUE(box.mark_sent(std::vector{r.id}, "file", "c.csv"));
  EXPECT_TRUE(*box.retract(m.key, "cancelled a third time"));
  EXPECT_EQ(row(rk).revision, 2);
  EXPECT_EQ(row(rk).state, OutboxState::pending);
  EXPECT_EQ(row(rk).send_key(), rk + "#r2");
}

TEST_F(OutboxTest, PayloadSurvivesTheStoreRoundTrip) {
  auto e = exclusion("001042", "B7");
  e.comment = "Internal exclusion, \"quoted\", with a comma";
  ASSERT_TRUE(box.enqueue(std::vector{e}));
  auto r = row(e.key);
  EXPECT_EQ(r.item.kind, WriteKind::exclusion);
  EXPECT_EQ(r.item.reason, "DB");
  EXPECT_EQ(r.item.lessons_missed, 5);
  EXPECT_EQ(r.item.comment, e.comment);
  EXPECT_EQ(r.item.booking_id, "B7");
  EXPECT_EQ(r.item.date, day());
}

// A write whose outcome is unknown is never sent blind again: it leaves the due list until a
// read-back says it is there (confirmed) or not (pending, sent again).
TEST_F(OutboxTest, InDoubtItemsAreHeldForReadBackNotSentAgain) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  auto b = lesson_mark("001042", "9X1/En", 11, 10);
  ASSERT_TRUE(box.enqueue(std::vector{a, b}));
  auto ra = row(a.key), rb = row(b.key);
  std::vector<std::int64_t> both{ra.id, rb.id};
  ASSERT_TRUE(box.mark_in_doubt(both, "wonde"));
  EXPECT_EQ(row(a.key).state, OutboxState::in_doubt);
  EXPECT_TRUE(box.due(clock.now(), 10)->empty()) << "in doubt is not due to be sent";
  ASSERT_EQ(box.in_doubt(10)->size(), 2u);
  EXPECT_EQ((*box.counts())[OutboxState::in_doubt], 2);

  // Read back: a is in the MIS, b is not.
  std::vector<std::int64_t> just_a{ra.id};
  ASSERT_TRUE(box.mark_confirmed(just_a, "wonde", "read back"));
  auto st = box.resend(rb.id, "read back: not in the MIS");
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, OutboxState::pending);
  EXPECT_EQ(row(a.key).state, OutboxState::confirmed);
  auto due = *box.due(clock.now(), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].item.key, b.key);
  EXPECT_EQ(due[0].tries, 0) << "a read-back counts no try";
}

TEST_F(OutboxTest, ACancelledBookingsInDoubtMarkIsRetractedAndNeverResent) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  auto ra = row(a.key);
  std::vector<std::int64_t> id{ra.id};
  ASSERT_TRUE(box.mark_in_doubt(id, "wonde"));
  // It may be in the MIS, so cancelling the booking queues its retraction.
  ASSERT_TRUE(*box.retract(a.key, "booking cancelled"));
  EXPECT_EQ(row(retraction_key_for(a.key)).state, OutboxState::pending);
  // The read-back then finds it was never there: nothing to send, ever.
  auto st = box.resend(ra.id, "read back: not in the MIS");
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, OutboxState::superseded);
}

TEST_F(OutboxTest, AnInDoubtRequestCountsATryAndKeepsItsReason) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  auto ra = row(a.key);
  std::vector<std::int64_t> id{ra.id};
  ASSERT_TRUE(box.mark_in_doubt(id, "wonde"));
  ASSERT_TRUE(box.note_in_doubt(ra.id, "wonde", "timeout after sending"));
  auto r = row(a.key);
  EXPECT_EQ(r.state, OutboxState::in_doubt);
  EXPECT_EQ(r.tries, 1);
  EXPECT_EQ(r.last_error, "timeout after sending");
  // Only a pending item can be announced: a confirmed one is refused.
  ASSERT_TRUE(box.mark_confirmed(id, "wonde", "WB1"));
  EXPECT_FALSE(box.mark_in_doubt(id, "wonde"));
}

}  // namespace
}  // namespace iesync
