#include "mapping/marks.h"

#include <gtest/gtest.h>

#include "mapping/missed_lessons.h"
#include "small_school.h"

namespace iesync {
namespace {

using namespace std::chrono;
using testing::booking;
using testing::lesson;

TimePoint london(Date d, const char* hhmm) {
  return TimeZone::london().to_utc(d, *TimeOfDay::parse(hhmm));
}

class Marks : public ::testing::Test {
 protected:
  Mapping mapping = testing::small_school_mapping();
  Calendar cal = Calendar::build(mapping.calendar).value();
  Student ada{"001042", "Ada", "Lovelace", "9", "9X"};
  std::vector<Membership> classes = {{"001042", "9X1/Ma", std::nullopt, std::nullopt},
                                     {"001042", "9X/En2", std::nullopt, std::nullopt}};
  Date thu = Date::from_ymd(2026, 11, 26);
  std::vector<Lesson> day4 = {lesson("9X1/Ma", 4, "08:50-09:50", "MAT", "Mathematics"),
                              lesson("9X/En2", 4, "11:10-12:10", "ENG", "English")};

  IeSession session(BookingStatus st, const char* start = "1", const char* end = "3") {
    return build_session(booking("B1", "001042", thu, start, end, st), &ada, cal, classes, day4,
                         mapping);
  }
  WritePlan plan(const IeSession& s, const char* now) {
    return plan_writes(s, mapping.codes, cal.pm().end, TimeZone::london(), london(thu, now));
  }
  static std::vector<std::string> keys(const std::vector<WriteItem>& items) {
    std::vector<std::string> out;
    for (auto& i : items) out.push_back(i.key);
    return out;
  }
};

TEST_F(Marks, LessonMarkIsDueOnceTheLessonHasStarted) {
  auto s = session(BookingStatus::booked);
  auto before = plan(s, "08:49");
  EXPECT_TRUE(before.due.empty());
  EXPECT_EQ(before.later.size(), 3u) << "two lesson marks and the exclusion record, all later";

  auto during = plan(s, "08:50");
  ASSERT_EQ(keys(during.due),
            (std::vector<std::string>{"001042|2026-11-26|9X1/Ma@08:50|lesson_mark"}));
  EXPECT_EQ(during.due[0].code, "/");
  EXPECT_EQ(during.due[0].comment, "Internal exclusion (booking B1)");

  auto after = plan(s, "11:10");
  EXPECT_EQ(after.due.size(), 2u);
}

TEST_F(Marks, ExclusionRecordWhenAttendedOrAtTheEndOfTheDay) {
  auto booked = session(BookingStatus::booked);
  auto midday = plan(booked, "12:30");
  for (auto& w : midday.due) EXPECT_NE(w.kind, WriteKind::exclusion);
  auto evening = plan(booked, "15:15");
  ASSERT_EQ(evening.due.back().kind, WriteKind::exclusion);
  EXPECT_EQ(evening.due.back().lessons_missed, 2);
  EXPECT_EQ(evening.due.back().reason, "PP");
  EXPECT_EQ(evening.due.back().key, "001042|2026-11-26|B1|exclusion");

  auto attended = session(BookingStatus::attended);
  auto morning = plan(attended, "09:00");
  EXPECT_EQ(morning.due.back().kind, WriteKind::exclusion) << "attended: the record is due at once";
}

TEST_F(Marks, CancelledOrAbsentRetractsEverything) {
  for (auto st : {BookingStatus::cancelled, BookingStatus::absent}) {
    auto p = plan(session(st), "16:00");
    EXPECT_TRUE(p.due.empty());
    EXPECT_TRUE(p.later.empty());
    EXPECT_EQ(p.retract.size(), 5u) << "2 lessons, AM and PM session marks, exclusion";
    EXPECT_NE(
        std::find(p.retract.begin(), p.retract.end(), "001042|2026-11-26|9X1/Ma@08:50|lesson_mark"),
        p.retract.end());
  }
}

TEST_F(Marks, SessionMarksOnlyWhenConfiguredAndTheWindowCoversTheRegister) {
  auto session_marks = [&](const IeSession& s, const char* now) {
    std::vector<std::string> out;
    for (auto& w : plan(s, now).due)
      if (w.kind == WriteKind::session_mark) out.push_back(w.session + "=" + w.code);
    return out;
  };
  auto all_day = session(BookingStatus::booked, "ALL", "");
  EXPECT_TRUE(session_marks(all_day, "16:00").empty()) << "write_session_marks is off by default";

  mapping.codes.write_session_marks = true;
  // Periods 1-3 start at 08:50, after the 08:45 AM register: the pupil was registered in form.
  EXPECT_TRUE(session_marks(session(BookingStatus::booked), "16:00").empty());
  EXPECT_EQ(session_marks(all_day, "16:00"), (std::vector<std::string>{"AM=/", "PM=\\"}));
  // The PM mark waits for the 13:30 register.
  EXPECT_EQ(session_marks(all_day, "13:29"), (std::vector<std::string>{"AM=/"}));
}

TEST_F(Marks, ProblemSessionsWriteNothing) {
  auto s = build_session(booking("B9", "001042", Date::from_ymd(2026, 10, 27), "1", "3"), &ada, cal,
                         classes, day4, mapping);
  ASSERT_FALSE(s.problem.empty());
  auto p = plan_writes(s, mapping.codes, cal.pm().end, TimeZone::london(),
                       london(Date::from_ymd(2026, 10, 28), "09:00"));
  EXPECT_TRUE(p.due.empty() && p.later.empty() && p.retract.empty());
}

}  // namespace
}  // namespace iesync
