// "Mail waiting": emails the relay has not taken show in `iesync status` and on the dashboard
// (both read StoreHealth's warnings) and in /metrics, on a real store with a real SMTP server
// that goes down and comes back.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "connectors/email/delivery.h"
#include "connectors/email/smtp_sender.h"
#include "daemon/health.h"
#include "daemon/status/dashboard.h"
#include "daemon/status/metrics.h"
#include "store/notify_queue.h"
#include "tests/support/smtp_server.h"

namespace iesync {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const TimePoint kStart = TimePoint{std::chrono::seconds{1796139900}};  // 2026-12-01T15:45:00Z
const Date kDay = Date::from_ymd(2026, 12, 1);

MailMessage chase(const std::string& teacher, const std::string& to) {
  MailMessage m;
  m.key = "chase|2026-12-01|15:45|" + teacher;
  m.to_name = "Teacher " + teacher;
  m.to_address = to;
  m.subject = "Work to set on Classroom";
  m.text = "A pupil misses your lesson.\n";
  m.html = "<p>A pupil misses your lesson.</p>";
  return m;
}

std::vector<std::string> mail_warnings(const StoreHealth& h) {
  std::vector<std::string> out;
  for (const auto& w : h.warnings)
    if (w.find("email(s)") != std::string::npos) out.push_back(w);
  return out;
}

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

TEST(MailWaiting, ARelayThatIsDownIsWarnedAboutUntilTheMailGoes) {
  test::SmtpServer server;
  TempStore ts;
  FakeClock clock(kStart);
  NotifyQueue q(ts.store(), clock);
  std::vector<MailMessage> msgs = {chase("T01", "a@example.sch.uk"),
                                   chase("T02", "b@example.sch.uk")};
  ASSERT_TRUE(q.enqueue(msgs, kDay));
  auto sender = test::plain_sender_for(server);
  server.stop();
  CollectingSink events;
  ASSERT_TRUE(deliver_mail(q, *sender, clock, events).unavailable);

  clock.advance(10min);  // not yet: a relay may be slow for a few minutes
  EXPECT_TRUE(mail_warnings(read_store_health(ts.store(), clock)).empty());

  clock.advance(21min);
  ASSERT_TRUE(deliver_mail(q, *sender, clock, events).unavailable);
  auto h = read_store_health(ts.store(), clock);
  auto w = mail_warnings(h);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(has(w[0],
                  "Mail waiting: 2 email(s) not sent yet, the oldest queued at "
                  "2026-12-01T15:45:00Z; the mail server: "))
      << w[0];
  EXPECT_TRUE(has(w[0], "Nothing is lost")) << w[0];
  EXPECT_FALSE(h.healthy());

  // The same line on the dashboard and the counts in /metrics.
  StatusSnapshot snap;
  snap.now = clock.now();
  snap.last_success = clock.now();
  snap.today = kDay;
  snap.warnings = h.warnings;
  snap.mail_by_kind_state = h.mail_by_kind_state;
  EXPECT_TRUE(snap.degraded());
  json::object plan{{"date", kDay.iso()},
                    {"sessions", json::array{}},
                    {"summary", json::object{{"students", 0}, {"lessons", 0}}}};
  auto html = render_dashboard(plan, kDay, snap);
  EXPECT_TRUE(has(html, "Mail waiting: 2 email(s) not sent yet")) << html;
  auto metrics = render_metrics(snap);
  EXPECT_TRUE(has(metrics, "iesync_notify_messages{kind=\"chase\",state=\"pending\"} 2\n"))
      << metrics;
  EXPECT_TRUE(has(metrics, "iesync_notify_messages{kind=\"digest\",state=\"sent\"} 0\n"));

  server.start();
  clock.advance(1h);                           // past the back-off of both
  auto back = test::plain_sender_for(server);  // the server came back on a new port
  EXPECT_EQ(deliver_mail(q, *back, clock, events).sent, 2);
  h = read_store_health(ts.store(), clock);
  EXPECT_TRUE(mail_warnings(h).empty());
  EXPECT_EQ(h.mail_by_kind_state["chase"]["sent"], 2);
  EXPECT_EQ(h.mail_by_kind_state["chase"]["pending"], 0);
}

TEST(MailWaiting, AFailedEmailIsWarnedAboutForAWeek) {
  TempStore ts;
  FakeClock clock(kStart);
  NotifyQueue q(ts.store(), clock);
  std::vector<MailMessage> msgs = {chase("T01", "gone@example.sch.uk")};
  ASSERT_TRUE(q.enqueue(msgs, kDay));
  auto due = q.due(clock.now());
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  ASSERT_TRUE(q.mark_failed(due->front().id, 550, "550 5.1.1 no such user"));
  auto w = mail_warnings(read_store_health(ts.store(), clock));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(has(w[0], "1 email(s) failed in the last 7 days")) << w[0];
  EXPECT_TRUE(has(w[0], "iesync notify list"));

  clock.advance(std::chrono::days{8});
  EXPECT_TRUE(mail_warnings(read_store_health(ts.store(), clock)).empty())
      << "an old failure stays in `notify list`, not among the warnings for ever";
}

}  // namespace
}  // namespace iesync
