// Who is chased, and what a chase says (SPEC §9): pure logic, no store, no clock.
#include "mapping/notify/chase.h"

#include <gtest/gtest.h>

#include "mapping/notify/compose.h"
#include "mapping/notify/notify_schedule.h"

namespace iesync {
namespace {

const TimeZone kTz = TimeZone::london();
const Date kTue = Date::from_ymd(2026, 12, 1);
const Date kWed = Date::from_ymd(2026, 12, 2);

MissedLesson lesson(const std::string& cls, int h, const std::string& teacher, WorkStatus w,
                    std::optional<std::string> course = "c-" + std::string("1")) {
  MissedLesson l;
  l.class_code = cls;
  l.time = {TimeOfDay::hm(h, 0), TimeOfDay::hm(h + 1, 0)};
  l.subject = "Mathematics";
  l.teacher = teacher;
  l.room = "M4";
  l.course_id = course;
  l.work.status = w;
  return l;
}

IeSession session(const std::string& booking, const std::string& student, Date d, BookingStatus st,
                  std::vector<MissedLesson> lessons) {
  IeSession s;
  s.booking_id = booking;
  s.student_id = student;
  s.date = d;
  s.window = {TimeOfDay::hm(8, 45), TimeOfDay::hm(15, 15)};
  s.status = st;
  s.reason = "PA";  // persistent disruptive behaviour: never in a teacher's email
  s.lessons = std::move(lessons);
  return s;
}

ChaseInputs inputs() {
  ChaseInputs in;
  in.students["001042"] = Student{"001042", "Chloé", "Martin", "9", "9X", "", "", "", "", ""};
  in.students["001043"] = Student{"001043", "Ben", "Ali", "9", "9Y", "", "", "", "", ""};
  in.students["001044"] = Student{"001044", "Cara", "Cole", "9", "9Z", "", "", "", "", ""};
  in.staff["AJ"] = Staff{"AJ", "Mr A Jones", "a.jones@example.sch.uk"};
  in.staff["BK"] = Staff{"BK", "Ms B Khan", ""};
  in.course_links["c-1"] = "https://classroom.google.com/c/MTIz";
  in.sessions = {
      session("B1", "001042", kTue, BookingStatus::booked,
              {lesson("9X1/Ma", 9, "AJ", WorkStatus::not_set),
               lesson("9X1/Ma", 14, "AJ", WorkStatus::not_set),
               lesson("9X1/En", 11, "BK", WorkStatus::not_set),
               lesson("9X1/Sc", 12, "AJ", WorkStatus::set)}),
      session("B2", "001043", kWed, BookingStatus::attended,
              {lesson("9Y1/Ma", 9, "AJ", WorkStatus::not_set)}),
      session("B3", "001044", kTue, BookingStatus::cancelled,
              {lesson("9Z1/Ma", 13, "AJ", WorkStatus::not_set)}),
      session("B4", "001044", kWed, BookingStatus::absent,
              {lesson("9Z1/Ma", 13, "AJ", WorkStatus::not_set)}),
      session("B5", "001044", Date::from_ymd(2026, 12, 3), BookingStatus::booked,
              {lesson("9Z1/Ma", 13, "AJ", WorkStatus::not_set)}),
  };
  return in;
}

TEST(ChaseSelection, LessonsToComeNotSetLiveOnlyGroupedPerTeacher) {
  // Tuesday 10:30: the 09:00 lesson has begun, so it is too late to chase.
  auto now = kTz.to_utc(kTue, TimeOfDay::hm(10, 30));
  auto plan = select_chase(inputs(), kTz, now, kWed);
  ASSERT_EQ(plan.teachers.size(), 1u);
  const auto& aj = plan.teachers[0];
  EXPECT_EQ(aj.teacher_code, "AJ");
  EXPECT_EQ(aj.email, "a.jones@example.sch.uk");
  ASSERT_EQ(aj.items.size(), 2u);  // Tue 14:00 Chloé, Wed 09:00 Ben; never the cancelled,
                                   // absent, set, begun or Thursday lessons
  EXPECT_EQ(aj.items[0].id.date, kTue);
  EXPECT_EQ(aj.items[0].time.start, TimeOfDay::hm(14, 0));
  EXPECT_EQ(aj.items[0].student_name, "Chloé Martin");
  EXPECT_EQ(aj.items[0].reg_group, "9X");
  EXPECT_EQ(aj.items[0].course_link, "https://classroom.google.com/c/MTIz");
  EXPECT_EQ(aj.items[1].id.date, kWed);
  EXPECT_EQ(aj.items[1].student_name, "Ben Ali");
  ASSERT_EQ(plan.could_not_chase.size(), 1u);
  EXPECT_EQ(plan.could_not_chase[0].teacher_code, "BK");
  EXPECT_EQ(plan.could_not_chase[0].teacher_name, "Ms B Khan");
}

TEST(ChaseSelection, ALessonIsChasedOnceAndALaterBookingAtTheNextChase) {
  auto in = inputs();
  auto now = kTz.to_utc(kTue, TimeOfDay::hm(8, 0));
  auto first = select_chase(in, kTz, now, kWed);
  for (const auto& t : first.teachers)
    for (const auto& i : t.items) in.already_chased.insert(i.id);
  // A booking made at break for period 4, after the 08:00 chase.
  in.sessions.push_back(session("B6", "001043", kTue, BookingStatus::booked,
                                {lesson("9Y1/Ma", 12, "AJ", WorkStatus::not_set)}));
  auto second = select_chase(in, kTz, kTz.to_utc(kTue, TimeOfDay::hm(10, 50)), kWed);
  ASSERT_EQ(second.teachers.size(), 1u);
  ASSERT_EQ(second.teachers[0].items.size(), 1u);
  EXPECT_EQ(second.teachers[0].items[0].id.class_code, "9Y1/Ma");
  EXPECT_EQ(second.teachers[0].items[0].time.start, TimeOfDay::hm(12, 0));
}

TEST(ChaseEmail, SaysWhatTheTeacherNeedsAndNothingMore) {
  auto now = kTz.to_utc(kTue, TimeOfDay::hm(10, 30));
  auto plan = select_chase(inputs(), kTz, now, kWed);
  WorkConfig work;
  auto m = chase_email(plan.teachers[0], "chase|2026-12-01|15:45|AJ", "Example Academy", work, now);
  EXPECT_EQ(m.to_address, "a.jones@example.sch.uk");
  EXPECT_EQ(m.to_name, "Mr A Jones");
  EXPECT_NE(m.subject.find("2 lessons"), std::string::npos) << m.subject;
  EXPECT_NE(m.subject.find("Chloé Martin"), std::string::npos) << m.subject;
  for (const std::string* part : {&m.text, &m.html}) {
    EXPECT_NE(part->find("Chloé Martin"), std::string::npos);
    EXPECT_NE(part->find("9X"), std::string::npos);
    EXPECT_NE(part->find("Tuesday 1 December"), std::string::npos);
    EXPECT_NE(part->find("14:00-15:00"), std::string::npos);
    EXPECT_NE(part->find("9X1/Ma"), std::string::npos);
    EXPECT_NE(part->find("M4"), std::string::npos);
    EXPECT_NE(part->find("https://classroom.google.com/c/MTIz"), std::string::npos);
    EXPECT_NE(part->find("3 days before the lesson until the lesson ends"), std::string::npos);
    // Never the reason or the booking's status.
    EXPECT_EQ(part->find("PA"), std::string::npos);
    EXPECT_EQ(part->find("reason"), std::string::npos);
    EXPECT_EQ(part->find("booked"), std::string::npos);
    EXPECT_EQ(part->find("attended"), std::string::npos);
  }
}

TEST(ChaseEmail, NamesFromExportsAreEscapedInHtml) {
  TeacherChase t;
  t.teacher_code = "AJ";
  t.teacher_name = "<b>Jones</b>";
  t.email = "a@example.sch.uk";
  ChaseItem i;
  i.id = {"AJ", kTue, "9X1/Ma", TimeOfDay::hm(9, 0), "1"};
  i.student_name = "Ann <script>";
  i.time = {TimeOfDay::hm(9, 0), TimeOfDay::hm(10, 0)};
  i.course_link = "javascript:alert(1)";
  t.items = {i};
  auto m = chase_email(t, "k", "", WorkConfig{}, TimePoint{});
  EXPECT_EQ(m.html.find("<script>"), std::string::npos);
  EXPECT_EQ(m.html.find("<b>Jones"), std::string::npos);
  EXPECT_EQ(m.html.find("href=\"javascript"), std::string::npos);
}

TEST(Digest, CancelledAndAbsentAreNeverCounted) {
  auto in = inputs();
  auto tue = digest_day(kTue, in.sessions, in.students);
  EXPECT_EQ(tue.pupils, 1);
  EXPECT_EQ(tue.lessons, 4);
  EXPECT_EQ(tue.not_set, 3);
  EXPECT_EQ(tue.set, 1);
  EXPECT_EQ(tue.cancelled_or_absent, 1);
  DigestInput d;
  d.today = tue;
  d.next_day = digest_day(kWed, in.sessions, in.students);
  d.chased = {"Mr A Jones (AJ): 2 lesson(s)"};
  d.could_not_chase = {"Ms B Khan (BK): 1 lesson(s)"};
  auto m = digest_email(d, "digest|2026-12-01|b@x", "b@example.sch.uk", TimePoint{});
  EXPECT_NE(m.text.find("1 pupil in IE, 4 lessons missed"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("Ms B Khan (BK)"), std::string::npos);
  EXPECT_NE(m.text.find("Next school day, Wednesday 2 December"), std::string::npos);
  EXPECT_NE(m.text.find("1 booking cancelled or absent (not counted above)"), std::string::npos);
  EXPECT_EQ(m.text.find("PA"), std::string::npos);
}

TEST(NotifySchedule, ChaseAndDigestTimesOnSchoolDaysOnly) {
  NotifyTimes times{{TimeOfDay::hm(8, 0), TimeOfDay::hm(15, 45)}, TimeOfDay::hm(16, 15)};
  std::set<std::string> ran;
  EXPECT_TRUE(due_slots(times, true, kTz, kTz.to_utc(kTue, TimeOfDay::hm(7, 59)), ran).empty());
  auto at8 = due_slots(times, true, kTz, kTz.to_utc(kTue, TimeOfDay::hm(8, 0)), ran);
  ASSERT_EQ(at8.size(), 1u);
  EXPECT_EQ(at8[0].id(), "chase 2026-12-01 08:00");
  ran.insert(at8[0].id());
  EXPECT_TRUE(due_slots(times, true, kTz, kTz.to_utc(kTue, TimeOfDay::hm(12, 0)), ran).empty());
  // Down from 15:00 to 16:30: the chase and the digest both fall due, once.
  auto late = due_slots(times, true, kTz, kTz.to_utc(kTue, TimeOfDay::hm(16, 30)), ran);
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0].id(), "chase 2026-12-01 15:45");
  EXPECT_EQ(late[1].id(), "digest 2026-12-01");
  EXPECT_TRUE(due_slots(times, false, kTz, kTz.to_utc(kTue, TimeOfDay::hm(16, 30)), {}).empty());
  // The next slot after Friday's digest is Monday 08:00 (the weekend is not a school day).
  const Date fri = Date::from_ymd(2026, 12, 4);
  auto next = next_slot_at(
      times, [](Date d) { return d.weekday() < 5; }, kTz, kTz.to_utc(fri, TimeOfDay::hm(16, 15)));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kTz.to_utc(Date::from_ymd(2026, 12, 7), TimeOfDay::hm(8, 0)));
}

}  // namespace
}  // namespace iesync
