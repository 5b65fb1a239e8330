// The open review flags (SPEC §10) are each pupil's own: their bookings, their name and their
// SEN status, whether a few of the school's pupils have had IE or most of them (the store is
// then read in bulk rather than pupil by pupil).
#include <gtest/gtest.h>

#include "daemon/impact/pupil_impact.h"
#include "store/mis_store.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

Booking booking(const std::string& id, const std::string& student, const char* date) {
  Booking b;
  b.id = id;
  b.student_id = student;
  b.date = *Date::parse_iso(date);
  b.start_spec = "ALL";
  b.status = BookingStatus::attended;
  return b;
}

// "001000", "001001", ...: ids keep their leading zeros.
std::string student_id(int n) {
  std::string digits = std::to_string(1000 + n);
  return std::string(6 - digits.size(), '0') + digits;
}

// A school of `students` pupils where 001007 has had three IEs, 001020 (SEN support) two,
// 001030 one, and 009999 (no longer in the students export) three. Their bookings are
// interleaved by date, as the MIS exports them.
std::vector<std::string> flags_in_school_of(int students) {
  TempStore tmp;
  Config cfg;
  cfg.mapping = mis_test::demo_mapping();
  MisStore mis(tmp.store());
  const AppliedFeed a{"seed.xml", "h", "2026-11-23T08:00:00Z"};
  std::vector<Student> all;
  for (int i = 0; i < students; ++i) {
    Student s{student_id(i), "Pupil", "Number" + std::to_string(i), "9", "9X"};
    if (i == 20) s.sen = "K";
    all.push_back(s);
  }
  EXPECT_TRUE(mis.replace_students(all, a));
  EXPECT_TRUE(mis.replace_bookings(
      {booking("1", "001007", "2026-11-02"), booking("2", "009999", "2026-11-02"),
       booking("3", "001020", "2026-11-03"), booking("4", "001030", "2026-11-04"),
       booking("5", "001007", "2026-11-09"), booking("6", "009999", "2026-11-10"),
       booking("7", "001020", "2026-11-11"), booking("8", "001007", "2026-11-16"),
       booking("9", "009999", "2026-11-17")},
      a));
  auto flags = open_review_flags(cfg, tmp.store(), *Date::parse_iso("2026-11-23"));
  EXPECT_TRUE(flags) << flags.error().to_string();
  std::vector<std::string> out;
  if (flags)
    for (const auto& f : *flags) out.push_back(f.sentence());
  return out;
}

TEST(ReviewFlags, EachPupilsFlagsComeFromTheirOwnBookingsAndRecord) {
  // 4 pupils with IE among 40 students (read in bulk), then among 1,000 (one by one).
  for (int students : {40, 1000}) {
    SCOPED_TRACE(students);
    auto flags = flags_in_school_of(students);
    ASSERT_EQ(flags.size(), 3u);
    EXPECT_NE(flags[0].find("Pupil Number7 (001007, 9X) has had 3 IEs within 30 school days"),
              std::string::npos)
        << flags[0];
    EXPECT_NE(flags[1].find("Pupil Number20 (001020, 9X) has had 2 IEs within 30 school days"),
              std::string::npos)
        << flags[1];
    EXPECT_NE(flags[1].find("SENCO"), std::string::npos) << flags[1];
    EXPECT_NE(flags[2].find("Pupil 009999 has had 3 IEs"), std::string::npos) << flags[2];
  }
}

}  // namespace
}  // namespace iesync
