#include "mapping/missed_lessons.h"

#include <gtest/gtest.h>

#include "small_school.h"

namespace iesync {
namespace {

using testing::booking;
using testing::lesson;

class MissedLessons : public ::testing::Test {
 protected:
  Mapping mapping = testing::small_school_mapping();
  Calendar cal = Calendar::build(mapping.calendar).value();
  Student ada{"001042", "Ada", "Lovelace", "9", "9X", "ada@demo.sch.uk"};
  std::vector<Membership> ada_classes = {
      {"001042", "9X1/Ma", std::nullopt, std::nullopt},
      {"001042", "9X/En2", std::nullopt, std::nullopt},
      {"001042", "9X/Tu", std::nullopt, std::nullopt},
      {"001042", "9X/Sc1", std::nullopt, Date::from_ymd(2026, 11, 20)},  // left the set
      {"001042", "9X/Sc3", Date::from_ymd(2026, 11, 23), std::nullopt},  // joined mid-term
      {"001042", "9X/Hi1", std::nullopt, std::nullopt},
  };
  // Thursday 26 Nov 2026. Weeks from 7 Sep: A B A B A B A | half term | B A B A ...
  // so 23 Nov is Week A (cycle day 4 for Thursday); 2 Nov (after half term) is Week B.
  Date thu = Date::from_ymd(2026, 11, 26);
  std::vector<Lesson> day4 = {
      lesson("9X/Tu", 4, "08:45-08:50", "TUT", "Tutor"),
      lesson("9X1/Ma", 4, "08:50-09:50", "MAT", "Mathematics"),  // double maths
      lesson("9X1/Ma", 4, "09:50-10:50", "MAT", "Mathematics"),
      lesson("9X/En2", 4, "11:10-12:10", "ENG", "English"),
      lesson("9X/Sc1", 4, "12:10-13:10", "OLD", "Science"),
      lesson("9X/Sc3", 4, "12:10-13:10", "NEW", "Science"),
      lesson("9X/Hi1", 4, "14:00-15:00", "HIS", "History"),
      lesson("8Y/Ma", 4, "09:50-10:50", "MAT", "Mathematics"),  // not her class
  };

  IeSession build(const Booking& b, const Student* st = nullptr) {
    return build_session(b, st ? st : &ada, cal, ada_classes, day4, mapping);
  }
  static std::vector<std::string> classes(const IeSession& s) {
    std::vector<std::string> out;
    for (auto& l : s.lessons) out.push_back(l.class_code + "@" + l.time.start.str());
    return out;
  }
};

TEST_F(MissedLessons, ThursdayWeekAIsCycleDayFour) {
  EXPECT_EQ(cal.day(thu).cycle_day, 4);
  EXPECT_EQ(cal.day(Date::from_ymd(2026, 11, 5)).week_letter, 'B')
      << "the half-term week does not advance the A/B alternation";
}

TEST_F(MissedLessons, PeriodsOneToThreeCoverDoubleMathsAndEnglish) {
  auto s = build(booking("B1", "001042", thu, "1", "3"));
  EXPECT_TRUE(s.problem.empty()) << s.problem;
  EXPECT_EQ(s.window, *TimeRange::parse("08:50-12:10"));
  EXPECT_EQ(classes(s), (std::vector<std::string>{"9X1/Ma@08:50", "9X1/Ma@09:50", "9X/En2@11:10"}));
  EXPECT_EQ(s.lessons[0].course_ref, "111") << "override";
  EXPECT_EQ(s.lessons[2].course_ref, "d:9X-En2") << "alias";
  EXPECT_EQ(s.reason, "PP") << "[codes.reasons] maps the school's word";
}

TEST_F(MissedLessons, PartialOverlapCountsAndTouchingDoesNot) {
  // 10:30-11:30 overlaps the second maths (09:50-10:50) and English (11:10-12:10).
  auto s = build(booking("B2", "001042", thu, "10:30", "11:30"));
  EXPECT_EQ(classes(s), (std::vector<std::string>{"9X1/Ma@09:50", "9X/En2@11:10"}));
  // 10:50-11:10 is break: touches both lessons, overlaps neither.
  auto brk = build(booking("B3", "001042", thu, "10:50", "11:10"));
  EXPECT_TRUE(brk.lessons.empty());
}

TEST_F(MissedLessons, MembershipDatesDecideWhichScienceSet) {
  auto s = build(booking("B4", "001042", thu, "4", "4"));
  EXPECT_EQ(classes(s), (std::vector<std::string>{"9X/Sc3@12:10"}));
}

TEST_F(MissedLessons, AllDayIncludesTheIgnoredTutorGroupWithNoCourse) {
  auto s = build(booking("B5", "001042", thu, "ALL", ""));
  EXPECT_EQ(s.window, *TimeRange::parse("08:45-15:15"));
  ASSERT_EQ(s.lessons.size(), 6u);
  EXPECT_EQ(s.lessons[0].class_code, "9X/Tu");
  EXPECT_FALSE(s.lessons[0].course_ref) << "ignored classes are missed lessons without a course";
  EXPECT_EQ(s.lessons[0].work.status, WorkStatus::no_course);
  auto pm = build(booking("B6", "001042", thu, "PM", ""));
  EXPECT_EQ(classes(pm), (std::vector<std::string>{"9X/Hi1@14:00"}));
}

TEST_F(MissedLessons, ProblemsCoverNothingAndSayWhy) {
  auto closed = build(booking("B7", "001042", Date::from_ymd(2026, 10, 27), "1", "5"));
  EXPECT_TRUE(closed.lessons.empty());
  EXPECT_NE(closed.problem.find("not a school day"), std::string::npos) << closed.problem;

  auto weekend = build(booking("B8", "001042", Date::from_ymd(2026, 11, 28), "1", "5"));
  EXPECT_NE(weekend.problem.find("not a school day"), std::string::npos);

  auto reversed = build(booking("B9", "001042", thu, "11:00", "10:00"));
  EXPECT_TRUE(reversed.lessons.empty());
  EXPECT_NE(reversed.problem.find("not after its start"), std::string::npos) << reversed.problem;

  auto bad_period = build(booking("B10", "001042", thu, "P9", "3"));
  EXPECT_NE(bad_period.problem.find("[calendar.periods]"), std::string::npos);

  auto unknown =
      build_session(booking("B11", "999999", thu, "1", "2"), nullptr, cal, {}, day4, mapping);
  EXPECT_TRUE(unknown.lessons.empty());
  EXPECT_NE(unknown.problem.find("999999"), std::string::npos);
}

TEST_F(MissedLessons, WeekBDayAfterHalfTermUsesWeekBLessons) {
  // Monday 2 Nov 2026 is Week B, cycle day 6; its Da10 sibling is Friday 6 Nov.
  auto mon = Date::from_ymd(2026, 11, 2);
  ASSERT_EQ(cal.day(mon).cycle_day, 6);
  ASSERT_EQ(cal.cycle_day_from_name("Da10"), 10);
  std::vector<Lesson> lessons = {lesson("9X1/Ma", 1, "08:50-09:50", "MAT", "Mathematics"),
                                 lesson("9X1/Ma", 6, "09:50-10:50", "MAT", "Mathematics"),
                                 lesson("9X/En2", 10, "08:50-09:50", "ENG", "English")};
  auto s = build_session(booking("B12", "001042", mon, "AM", ""), &ada, cal, ada_classes, lessons,
                         mapping);
  EXPECT_EQ(classes(s), (std::vector<std::string>{"9X1/Ma@09:50"}));
  auto fri = build_session(booking("B13", "001042", Date::from_ymd(2026, 11, 6), "AM", ""), &ada,
                           cal, ada_classes, lessons, mapping);
  EXPECT_EQ(classes(fri), (std::vector<std::string>{"9X/En2@08:50"}));
}

}  // namespace
}  // namespace iesync
