// The notification queue in a real store, sent through the SMTP sender to a real SMTP server:
// per-recipient outcomes, a server that is down, and a restart that sends nothing twice.
#include "store/notify_queue.h"

#include <gtest/gtest.h>

#include "connectors/email/delivery.h"
#include "connectors/email/smtp_sender.h"
#include "tests/support/smtp_server.h"

namespace iesync {
namespace {

using test::SmtpServer;
using test::SmtpServerOptions;

const TimePoint kStart = TimePoint{std::chrono::seconds{1796139900}};  // 2026-12-01T15:45:00Z
const Date kDay = Date::from_ymd(2026, 12, 1);

MailMessage message(const std::string& teacher, const std::string& to) {
  MailMessage m;
  m.key = "chase|2026-12-01|15:45|" + teacher;
  m.to_name = "Teacher " + teacher;
  m.to_address = to;
  m.subject = "IE work to set for Chloé";
  m.text = "Chloé misses your lesson.\n";
  m.html = "<p>Chloé misses your lesson.</p>";
  return m;
}

TEST(NotifyQueue, EnqueueIsIdempotentAndRecordsWhoWasChased) {
  TempStore ts;
  FakeClock clock(kStart);
  NotifyQueue q(ts.store(), clock);
  std::vector<MailMessage> msgs = {message("T01", "a@example.sch.uk")};
  std::vector<ChasedLesson> chased = {{"T01", kDay, "9X1/Ma", TimeOfDay::hm(9, 50), "001042"}};
  ASSERT_EQ(*q.enqueue(msgs, kDay, chased), 1);
  clock.advance(std::chrono::hours{1});
  ASSERT_EQ(*q.enqueue(msgs, kDay, chased), 0);
  auto c = q.chased_between(kDay, kDay);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ(c->begin()->second, "2026-12-01T15:45:00Z") << "the first chase time is kept";
  EXPECT_EQ((*q.counts())[MailState::pending], 1);
}

TEST(NotifyQueue, OneRecipientRefusedOneDeferredTheOthersSent) {
  SmtpServerOptions so;
  so.rcpt_codes = {"gone@example.sch.uk=550", "busy@example.sch.uk=451"};
  SmtpServer server(so);
  TempStore ts;
  FakeClock clock(kStart);
  NotifyQueue q(ts.store(), clock, 3);
  std::vector<MailMessage> msgs = {message("T01", "gone@example.sch.uk"),
                                   message("T02", "busy@example.sch.uk"),
                                   message("T03", "ok@example.sch.uk")};
  ASSERT_TRUE(q.enqueue(msgs, kDay));
  auto sender = test::plain_sender_for(server);
  CollectingSink events;
  auto r = deliver_mail(q, *sender, clock, events);
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.deferred, 1);
  EXPECT_FALSE(r.unavailable);
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_EQ(SmtpServer::recipients(server.messages()[0]), "ok@example.sch.uk\n");
  // The 4xx is retried with backoff, then failed after max tries; the 5xx is never retried.
  for (int i = 0; i < 5; ++i) {
    clock.advance(std::chrono::hours{1});
    deliver_mail(q, *sender, clock, events);
  }
  auto counts = *q.counts();
  EXPECT_EQ(counts[MailState::sent], 1);
  EXPECT_EQ(counts[MailState::failed], 2);
  EXPECT_EQ(counts[MailState::pending], 0);
  EXPECT_EQ(server.messages().size(), 1u);
}

TEST(NotifyQueue, AServerThatIsDownLosesNothing) {
  SmtpServer server;
  TempStore ts;
  FakeClock clock(kStart);
  NotifyQueue q(ts.store(), clock, 2);
  std::vector<MailMessage> msgs = {message("T01", "a@example.sch.uk"),
                                   message("T02", "b@example.sch.uk")};
  ASSERT_TRUE(q.enqueue(msgs, kDay));
  auto sender = test::plain_sender_for(server);
  server.stop();
  CollectingSink events;
  // Down for many tries: more than max_tries, yet nothing fails.
  for (int i = 0; i < 5; ++i) {
    auto r = deliver_mail(q, *sender, clock, events);
    EXPECT_TRUE(r.unavailable);
    EXPECT_EQ(r.sent, 0);
    clock.advance(std::chrono::minutes{10});
  }
  EXPECT_EQ((*q.counts())[MailState::pending], 2);
  EXPECT_TRUE(*q.waiting_reason());
  EXPECT_TRUE(events.has_kind("notify.unavailable"));
  server.start();
  auto back = test::plain_sender_for(server);  // the server came back on a new port
  auto r = deliver_mail(q, *back, clock, events);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(server.messages().size(), 2u);
}

TEST(NotifyQueue, ARestartSendsNothingTwice) {
  SmtpServer server;
  TempStore ts;
  FakeClock clock(kStart);
  {
    NotifyQueue q(ts.store(), clock);
    std::vector<MailMessage> msgs = {message("T01", "a@example.sch.uk")};
    ASSERT_TRUE(q.enqueue(msgs, kDay));
    CollectingSink events;
    EXPECT_EQ(deliver_mail(q, *test::plain_sender_for(server), clock, events).sent, 1);
  }
  auto reopened = Store::open(ts.store().path());
  ASSERT_TRUE(reopened);
  NotifyQueue q(**reopened, clock);
  std::vector<MailMessage> again = {message("T01", "a@example.sch.uk")};
  EXPECT_EQ(*q.enqueue(again, kDay), 0);
  CollectingSink events;
  EXPECT_EQ(deliver_mail(q, *test::plain_sender_for(server), clock, events).sent, 0);
  EXPECT_EQ(server.messages().size(), 1u);
}

TEST(NotifyQueue, BackoffGrowsToAnHour) {
  EXPECT_EQ(mail_backoff(0), std::chrono::minutes{1});
  EXPECT_EQ(mail_backoff(2), std::chrono::minutes{4});
  EXPECT_EQ(mail_backoff(20), std::chrono::hours{1});
}

}  // namespace
}  // namespace iesync
