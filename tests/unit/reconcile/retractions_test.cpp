// The retraction diff: what a changed booking must take back from the MIS.
#include "mapping/retractions.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "mapping/marks.h"
#include "mapping/missed_lessons.h"
#include "small_school.h"

namespace iesync {
namespace {

using testing::booking;
using testing::lesson;

class Retractions : public ::testing::Test {
 protected:
  Mapping mapping = testing::small_school_mapping();
  Calendar cal = Calendar::build(mapping.calendar).value();
  Student ada{"001042", "Ada", "Lovelace", "9", "9X"};
  std::vector<Membership> classes = {{"001042", "9X1/Ma", std::nullopt, std::nullopt},
                                     {"001042", "9X/En2", std::nullopt, std::nullopt}};
  Date thu = Date::from_ymd(2026, 11, 26);
  std::vector<Lesson> day4 = {lesson("9X1/Ma", 4, "08:50-09:50", "MAT", "Mathematics"),
                              lesson("9X/En2", 4, "11:10-12:10", "ENG", "English")};

  IeSession session(const char* start, const char* end, BookingStatus st = BookingStatus::booked,
                    const char* id = "B1") {
    return build_session(booking(id, "001042", thu, start, end, st), &ada, cal, classes, day4,
                         mapping);
  }
  std::vector<std::string> keys(const IeSession& s) { return all_keys(s, mapping.codes); }
  static bool has(const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  }
};

TEST_F(Retractions, AnUnchangedDayRetractsNothing) {
  auto s = session("1", "3");
  EXPECT_TRUE(retracted_keys({s}, {s}, mapping.codes).empty());
}

TEST_F(Retractions, AShortenedBookingRetractsOnlyTheLessonItNoLongerCovers) {
  auto before = session("1", "3");
  auto after = session("1", "1");
  ASSERT_EQ(before.lessons.size(), 2u);
  ASSERT_EQ(after.lessons.size(), 1u);
  auto out = retracted_keys({before}, {after}, mapping.codes);
  ASSERT_FALSE(out.empty());
  for (const auto& k : out) EXPECT_FALSE(has(keys(after), k)) << k << " is still wanted";
  for (const auto& k : keys(before)) {
    if (!has(keys(after), k)) {
      EXPECT_TRUE(has(out, k)) << k << " is no longer held";
    }
  }
  bool english = false;
  for (const auto& k : out) english = english || k.find("9X/En2") != std::string::npos;
  EXPECT_TRUE(english) << "the English lesson the booking no longer covers";
}

TEST_F(Retractions, ABookingGoneFromTheExportRetractsEverythingItHeld) {
  auto before = session("1", "3");
  auto out = retracted_keys({before}, {}, mapping.codes);
  EXPECT_EQ(out, keys(before));
}

TEST_F(Retractions, ABookingThatNowCoversNothingRetractsEverythingItHeld) {
  auto before = session("1", "3");
  auto broken = session("3", "1");  // end before start: a problem, covers nothing
  ASSERT_FALSE(broken.problem.empty());
  EXPECT_EQ(retracted_keys({before}, {broken}, mapping.codes), keys(before));
}

TEST_F(Retractions, ANewBookingRetractsNothing) {
  EXPECT_TRUE(retracted_keys({}, {session("1", "3")}, mapping.codes).empty());
}

TEST_F(Retractions, ALateCancellationRetractsThePastSessionOnly) {
  auto cancelled = session("1", "3", BookingStatus::booked, "B1");
  auto kept = session("1", "3", BookingStatus::booked, "B2");
  std::vector<Booking> bookings = {booking("B1", "001042", thu, "1", "3", BookingStatus::cancelled),
                                   booking("B2", "001042", thu, "1", "3", BookingStatus::booked)};
  auto out = late_cancellation_keys(bookings, {cancelled, kept}, mapping.codes);
  EXPECT_EQ(out, keys(cancelled));
}

TEST_F(Retractions, AnAbsenceRecordedLateAlsoRetracts) {
  auto s = session("1", "3");
  std::vector<Booking> bookings = {booking("B1", "001042", thu, "1", "3", BookingStatus::absent)};
  EXPECT_EQ(late_cancellation_keys(bookings, {s}, mapping.codes), keys(s));
}

}  // namespace
}  // namespace iesync
