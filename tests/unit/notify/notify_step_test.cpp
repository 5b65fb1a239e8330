// The daemon's notify step on a real store, with a fake clock, sending to a real SMTP server:
// one email per teacher per chase time, a lesson chased once, a booking added after the
// first chase chased at the next, and the digest at digest_at.
#include "daemon/notify/notify_step.h"

#include <gtest/gtest.h>

#include "store/mis_store.h"
#include "store/notify_queue.h"
#include "store/session_store.h"
#include "tests/support/smtp_server.h"

namespace iesync {
namespace {

using test::SmtpServer;

const TimeZone kTz = TimeZone::london();
const Date kTue = Date::from_ymd(2026, 12, 1);
const Date kWed = Date::from_ymd(2026, 12, 2);

MissedLesson lesson(const std::string& cls, int h, const std::string& teacher) {
  MissedLesson l;
  l.class_code = cls;
  l.time = {TimeOfDay::hm(h, 0), TimeOfDay::hm(h + 1, 0)};
  l.subject = "Mathematics";
  l.teacher = teacher;
  l.room = "M4";
  l.work.status = WorkStatus::not_set;
  return l;
}

IeSession session(const std::string& booking, const std::string& student, Date d,
                  std::vector<MissedLesson> lessons, BookingStatus st = BookingStatus::booked) {
  IeSession s;
  s.booking_id = booking;
  s.student_id = student;
  s.date = d;
  s.window = {TimeOfDay::hm(8, 45), TimeOfDay::hm(15, 15)};
  s.status = st;
  s.reason = "PA";
  s.lessons = std::move(lessons);
  return s;
}

struct NotifyStep : ::testing::Test {
  SmtpServer server;
  TempStore ts;
  FakeClock clock{kTz.to_utc(kTue, TimeOfDay::hm(7, 0))};
  CollectingSink events;
  Config cfg;

  void SetUp() override {
    cfg.school.name = "Example Academy";
    cfg.mapping.calendar.first_monday = Date::from_ymd(2026, 9, 7);
    cfg.notify.enabled = true;
    cfg.notify.smtp_url = server.url();
    cfg.notify.starttls_required = false;
    cfg.notify.from = "IE room <ie-room@example.sch.uk>";
    cfg.notify.behaviour_lead = {"behaviour@example.sch.uk"};
    MisStore mis(ts.store());
    AppliedFeed a{"x", "h", "2026-12-01T06:00:00Z"};
    ASSERT_TRUE(
        mis.replace_students({Student{"001042", "Chloé", "Martin", "9", "9X", "", "", "", "", ""},
                              Student{"001043", "Ben", "Ali", "9", "9Y", "", "", "", "", ""}},
                             a));
    ASSERT_TRUE(mis.replace_staff(
        {Staff{"AJ", "Mr A Jones", "a.jones@example.sch.uk"},
         Staff{"BK", "Ms B Khan", "b.khan@example.sch.uk"}, Staff{"CL", "Mx C Lee", ""}},
        a));
    SessionStore db(ts.store());
    ASSERT_TRUE(db.save_day(
        kTue,
        {session(
             "B1", "001042", kTue,
             {lesson("9X1/Ma", 9, "AJ"), lesson("9X1/En", 11, "BK"), lesson("9X1/Sc", 14, "CL")}),
         session("B2", "001043", kTue, {lesson("9Y1/Ma", 10, "AJ")}, BookingStatus::cancelled)},
        clock.now()));
    ASSERT_TRUE(db.save_day(kWed, {session("B3", "001043", kWed, {lesson("9Y1/Ma", 9, "AJ")})},
                            clock.now()));
  }

  std::vector<boost::json::object> mail() {
    std::vector<boost::json::object> out;
    for (const auto& p : server.messages()) out.push_back(SmtpServer::decode(p));
    return out;
  }
  static std::string h(const boost::json::object& m, const char* name) {
    auto& hs = m.at("headers").as_object();
    auto it = hs.find(name);
    return it == hs.end() ? std::string() : std::string(it->value().as_string());
  }
  static std::string text(const boost::json::object& m) {
    return std::string(m.at("parts").as_array()[0].at("text").as_string());
  }
};

TEST_F(NotifyStep, ChasesAtChaseTimesOncePerTeacherAndLesson) {
  EXPECT_EQ(run_notify_step(cfg, ts.store(), events, clock).queued, 0) << "nothing before 08:00";
  clock.set(kTz.to_utc(kTue, TimeOfDay::hm(8, 0)));
  auto r = run_notify_step(cfg, ts.store(), events, clock);
  EXPECT_EQ(r.delivery.sent, 2);
  auto got = mail();
  ASSERT_EQ(got.size(), 2u);  // AJ and BK; CL has no email; the cancelled booking is not chased
  std::map<std::string, std::string> by_to;
  for (auto& m : got) by_to[h(m, "To")] = text(m);
  ASSERT_TRUE(by_to.count("Mr A Jones <a.jones@example.sch.uk>"));
  const auto& aj = by_to["Mr A Jones <a.jones@example.sch.uk>"];
  EXPECT_NE(aj.find("Chloé Martin (9X), Tuesday 1 December, 09:00-10:00"), std::string::npos) << aj;
  EXPECT_NE(aj.find("Ben Ali (9Y), Wednesday 2 December, 09:00-10:00"), std::string::npos) << aj;
  EXPECT_EQ(aj.find("10:00-11:00"), std::string::npos) << "a cancelled booking is never chased";
  EXPECT_EQ(aj.find("PA"), std::string::npos) << "never the reason";
  EXPECT_TRUE(events.has_kind("notify.could_not_chase"));

  // Later the same day nothing is chased twice, even asked by hand.
  clock.set(kTz.to_utc(kTue, TimeOfDay::hm(8, 30)));
  EXPECT_EQ(chase_now(cfg, ts.store(), events, clock).queued, 0);
  // A booking made at break for period 4 is chased at the next chase time, alone.
  SessionStore db(ts.store());
  auto day = *db.load_day(kTue);
  day.push_back(session("B4", "001043", kTue, {lesson("9Y1/Ma", 12, "AJ")}));
  ASSERT_TRUE(db.save_day(kTue, day, clock.now()));
  clock.set(kTz.to_utc(kTue, TimeOfDay::hm(15, 45)));
  r = run_notify_step(cfg, ts.store(), events, clock);
  EXPECT_EQ(r.delivery.sent, 0) << "the 12:00 lesson has begun by 15:45";
  EXPECT_EQ(mail().size(), 2u);
}

TEST_F(NotifyStep, ChaseNowSendsALateBookingAtOnce) {
  clock.set(kTz.to_utc(kTue, TimeOfDay::hm(8, 0)));
  run_notify_step(cfg, ts.store(), events, clock);
  SessionStore db(ts.store());
  auto day = *db.load_day(kTue);
  day.push_back(session("B4", "001043", kTue, {lesson("9Y1/Ma", 12, "AJ")}));
  ASSERT_TRUE(db.save_day(kTue, day, clock.now()));
  clock.set(kTz.to_utc(kTue, TimeOfDay::hm(10, 50)));
  auto r = chase_now(cfg, ts.store(), events, clock);
  EXPECT_EQ(r.delivery.sent, 1);
  auto got = mail();
  ASSERT_EQ(got.size(), 3u);
  auto last = text(got.back());
  EXPECT_NE(last.find("Ben Ali (9Y), Tuesday 1 December, 12:00-13:00"), std::string::npos) << last;
  EXPECT_EQ(last.find("Chloé"), std::string::npos) << "already chased";
  // The plan shows when the lesson was chased.
  NotifyQueue q(ts.store(), clock);
  auto chased = *q.chased_between(kTue, kTue);
  EXPECT_EQ(chased.size(), 3u);
}

TEST_F(NotifyStep, DigestAtDigestTimeOnce) {
  clock.set(kTz.to_utc(kTue, TimeOfDay::hm(16, 30)));  // down all day: chase and digest now
  run_notify_step(cfg, ts.store(), events, clock);
  run_notify_step(cfg, ts.store(), events, clock);
  auto got = mail();
  std::vector<std::string> digests;
  for (auto& m : got)
    if (h(m, "To") == "<behaviour@example.sch.uk>" || h(m, "To") == "behaviour@example.sch.uk")
      digests.push_back(text(m));
  ASSERT_EQ(digests.size(), 1u);
  const auto& d = digests[0];
  EXPECT_NE(d.find("1 pupil in IE, 3 lessons missed"), std::string::npos) << d;
  EXPECT_NE(d.find("1 booking cancelled or absent (not counted above)"), std::string::npos) << d;
  EXPECT_NE(d.find("Mx C Lee (CL)"), std::string::npos) << "could not chase";
  EXPECT_NE(d.find("Next school day, Wednesday 2 December"), std::string::npos) << d;
}

TEST_F(NotifyStep, NothingOnADayThatIsNotASchoolDay) {
  clock.set(kTz.to_utc(Date::from_ymd(2026, 12, 5), TimeOfDay::hm(16, 30)));  // Saturday
  auto r = run_notify_step(cfg, ts.store(), events, clock);
  EXPECT_EQ(r.queued, 0);
  EXPECT_TRUE(mail().empty());
}

}  // namespace
}  // namespace iesync
