// The report's figures on the hand-built school (report_school.h), every number worked out
// by hand in the comments.
#include "mapping/report/report_data.h"

#include <gtest/gtest.h>

#include "report_school.h"

namespace iesync {
namespace {

using namespace iesync::testing;

Calendar school_calendar() {
  return *Calendar::build(small_school_mapping().calendar);
}

const GroupRow& row(const ReportData& d, const std::string& dim, const std::string& label) {
  for (const auto& t : d.groups)
    if (t.dimension == dim)
      for (const auto& r : t.rows)
        if (r.label == label) return r;
  static GroupRow none;
  ADD_FAILURE() << "no row " << dim << " / " << label;
  return none;
}

std::vector<std::string> labels(const ReportData& d, const std::string& dim) {
  std::vector<std::string> out;
  for (const auto& t : d.groups)
    if (t.dimension == dim)
      for (const auto& r : t.rows) out.push_back(r.label);
  return out;
}

TEST(ReportData, TotalsAndWhatIsASession) {
  auto d = build_report(report_input(), school_calendar());
  // Sessions in range: B1 B2 B3 B4 B5 B6 B7 B8 B15 = 9 (B9 cancelled, B10 absent, B11 has a
  // problem). Pupils: S01 S02 S03 S04 S06 S11 S12 = 7. Lessons: 2+1+3+1+1+1+0+1+1 = 11.
  EXPECT_EQ(d.totals.sessions, 9);
  EXPECT_EQ(d.totals.pupils, 7);
  EXPECT_EQ(d.totals.lessons, 11);
  EXPECT_EQ(d.totals.repeat_pupils, 2);  // S01 and S06
  EXPECT_EQ(d.not_sessions_absent_cancelled, 2);
  EXPECT_EQ(d.not_sessions_problem, 1);
  EXPECT_EQ(d.unchecked_sessions, 1);  // B4
  EXPECT_EQ(d.on_roll, 20);
  EXPECT_EQ(d.previous.first, Date::from_ymd(2026, 9, 30));
  EXPECT_EQ(d.previous.last, oct(11));
  EXPECT_FALSE(d.empty());
}

TEST(ReportData, YearGroupCountsRatesAndSuppression) {
  auto d = build_report(report_input(), school_calendar());
  EXPECT_EQ(labels(d, "Year group"),
            (std::vector<std::string>{"Year 9", "Year 10", "Whole school"}));
  // Year 9: S01..S10 on roll (10); in IE S01 S02 S03 S04 S06 (5); sessions 2+1+1+1+2 = 7;
  // lessons 3+3+1+1+2 = 10. Per 100: 50.0, 70.0, 100.0.
  auto y9 = row(d, "Year group", "Year 9");
  EXPECT_EQ(y9.on_roll, 10);
  EXPECT_EQ(y9.pupils, 5);
  EXPECT_EQ(y9.sessions, 7);
  EXPECT_EQ(y9.lessons, 10);
  EXPECT_FALSE(y9.suppressed);
  EXPECT_EQ(format_rate(*y9.pupils_rate()), "50.0");
  EXPECT_EQ(format_rate(*y9.sessions_rate()), "70.0");
  EXPECT_EQ(format_rate(*y9.lessons_rate()), "100.0");
  // Year 10: 10 on roll, S11 and S12 in IE (2 < 5): suppressed; 2 sessions, 1 lesson.
  auto y10 = row(d, "Year group", "Year 10");
  EXPECT_EQ(y10.pupils, 2);
  EXPECT_EQ(y10.sessions, 2);
  EXPECT_EQ(y10.lessons, 1);
  EXPECT_TRUE(y10.suppressed);
  // Whole school: 20 on roll, 7 pupils, 9 sessions, 11 lessons: 35.0, 45.0, 55.0.
  auto w = row(d, "Year group", "Whole school");
  EXPECT_EQ(w.on_roll, 20);
  EXPECT_EQ(format_rate(*w.pupils_rate()), "35.0");
  EXPECT_EQ(format_rate(*w.sessions_rate()), "45.0");
  EXPECT_EQ(format_rate(*w.lessons_rate()), "55.0");
  EXPECT_FALSE(w.suppressed);
}

TEST(ReportData, SenPupilPremiumGenderWithNotRecorded) {
  auto d = build_report(report_input(), school_calendar());
  EXPECT_EQ(labels(d, "SEN status"), (std::vector<std::string>{"No SEN", "SEN support", "EHC plan",
                                                               "Not recorded", "Whole school"}));
  // SEN support: S01..S04 (4 on roll, < 5: suppressed); all four in IE: 5 sessions, 8 lessons.
  auto k = row(d, "SEN status", "SEN support");
  EXPECT_EQ(k.on_roll, 4);
  EXPECT_EQ(k.pupils, 4);
  EXPECT_EQ(k.sessions, 5);
  EXPECT_EQ(k.lessons, 8);
  EXPECT_TRUE(k.suppressed);
  EXPECT_EQ(row(d, "SEN status", "EHC plan").on_roll, 1);
  // No SEN: S06..S18 (13); in IE S06 S11 S12 (3): suppressed; 4 sessions, 3 lessons.
  auto n = row(d, "SEN status", "No SEN");
  EXPECT_EQ(n.on_roll, 13);
  EXPECT_EQ(n.pupils, 3);
  EXPECT_EQ(n.sessions, 4);
  EXPECT_TRUE(n.suppressed);
  // S19 and S20 have no SEN value.
  EXPECT_EQ(row(d, "SEN status", "Not recorded").on_roll, 2);

  // Pupil premium: S01..S08 (8); in IE S01 S02 S03 S04 S06 (5): 7 sessions, 10 lessons:
  // 62.5, 87.5, 125.0 per 100; 87.5 / 45.0 = 1.94 times the whole-school rate.
  EXPECT_EQ(labels(d, "Pupil premium"),
            (std::vector<std::string>{"Pupil premium", "Not pupil premium", "Whole school"}));
  auto pp = row(d, "Pupil premium", "Pupil premium");
  EXPECT_EQ(pp.on_roll, 8);
  EXPECT_EQ(pp.pupils, 5);
  EXPECT_EQ(pp.sessions, 7);
  EXPECT_EQ(pp.lessons, 10);
  EXPECT_FALSE(pp.suppressed);
  EXPECT_EQ(format_rate(*pp.pupils_rate()), "62.5");
  EXPECT_EQ(format_rate(*pp.sessions_rate()), "87.5");
  EXPECT_EQ(format_rate(*pp.lessons_rate()), "125.0");
  EXPECT_TRUE(row(d, "Pupil premium", "Not pupil premium").suppressed);  // 2 in IE

  // Gender: F = odd ids but S20 is "X" -> 10 F, 9 M, 1 Not recorded. In IE: F S01 S03 S11
  // (3), M S02 S04 S06 S12 (4): both suppressed.
  EXPECT_EQ(labels(d, "Gender"),
            (std::vector<std::string>{"Female", "Male", "Not recorded", "Whole school"}));
  EXPECT_EQ(row(d, "Gender", "Female").on_roll, 10);
  EXPECT_EQ(row(d, "Gender", "Female").pupils, 3);
  EXPECT_EQ(row(d, "Gender", "Male").on_roll, 9);
  EXPECT_EQ(row(d, "Gender", "Male").pupils, 4);
  EXPECT_EQ(row(d, "Gender", "Not recorded").on_roll, 1);
  EXPECT_TRUE(row(d, "Gender", "Female").suppressed);
  EXPECT_TRUE(row(d, "Gender", "Male").suppressed);
}

TEST(ReportData, RepeatStudentsMostFirstAndAnonymised) {
  auto d = build_report(report_input(), school_calendar());
  // S01: B1 + B2 (3 lessons); S06: B5 + B8 (2 lessons). Equal sessions: more lessons first.
  ASSERT_EQ(d.repeat_students.size(), 2u);
  EXPECT_EQ(d.repeat_students[0].label, "Alex Able");
  EXPECT_EQ(d.repeat_students[0].id, "S01");
  EXPECT_EQ(d.repeat_students[0].sessions, 2);
  EXPECT_EQ(d.repeat_students[0].lessons, 3);
  EXPECT_EQ(d.repeat_students[0].first, oct(12));
  EXPECT_EQ(d.repeat_students[0].last, oct(19));
  EXPECT_EQ(d.repeat_students[1].label, "Fred Fable");
  EXPECT_EQ(d.repeat_students[1].last, oct(23));

  auto in = report_input();
  in.anonymise = true;
  auto a = build_report(in, school_calendar());
  ASSERT_EQ(a.repeat_students.size(), 2u);
  EXPECT_EQ(a.repeat_students[0].label, "Pupil A");
  EXPECT_EQ(a.repeat_students[1].label, "Pupil B");
  EXPECT_TRUE(a.repeat_students[0].id.empty());
  EXPECT_TRUE(a.anonymised);
  EXPECT_EQ(pupil_letter_label(25), "Pupil Z");
  EXPECT_EQ(pupil_letter_label(26), "Pupil AA");
}

TEST(ReportData, ReturnToIeCountsSchoolDaysAndSkipsHalfTerm) {
  auto d = build_report(report_input(), school_calendar());
  ASSERT_EQ(d.returns.size(), 2u);
  // 10 days: every session's window ends by 20 Nov (the latest, B8 on 23 Oct, ends 13 Nov).
  //   B1 (12 Oct) -> B2 19 Oct: 5 school days: yes.
  //   B2 (19 Oct) -> B12 3 Nov: 20-23 Oct (4) + half term skipped + 2, 3 Nov = 6: yes (11
  //      weekdays if the half term were counted, so the closure matters).
  //   B5 (15 Oct) -> B8 23 Oct: 6: yes.  B4 -> B13 is 17, B6 -> B14 is 20: not within 10.
  //   B3, B7, B15 none. Judged 9, returned 3 = 33.3%.
  EXPECT_EQ(d.returns[0].window, 10);
  EXPECT_EQ(d.returns[0].judged, 9);
  EXPECT_EQ(d.returns[0].returned, 3);
  EXPECT_EQ(d.returns[0].too_recent, 0);
  EXPECT_EQ(format_rate(*d.returns[0].percent()), "33.3");
  // 20 days: windows ending after 20 Nov are too recent: B2 (ends 23 Nov), B15 (24 Nov),
  // B7 (26 Nov), B8 (27 Nov). Judged B1 B3 B4 B5 B6: B1 yes, B3 no, B4 yes (17), B5 yes,
  // B6 yes (exactly 20). 4 of 5 = 80.0%.
  EXPECT_EQ(d.returns[1].window, 20);
  EXPECT_EQ(d.returns[1].judged, 5);
  EXPECT_EQ(d.returns[1].returned, 4);
  EXPECT_EQ(d.returns[1].too_recent, 4);
  EXPECT_EQ(format_rate(*d.returns[1].percent()), "80.0");
}

TEST(ReportData, ReasonsWithMeaningsAndSuppression) {
  auto d = build_report(report_input(), school_calendar());
  // DB: B3 B4 B5 B6 B8 B15 = 6 sessions, S02 S03 S06 S11 S04 = 5 pupils (shown);
  // PP: B1 B2 = 2 sessions, 1 pupil (suppressed); none: B7 (suppressed).
  ASSERT_EQ(d.reasons.size(), 3u);
  EXPECT_EQ(d.reasons[0].code, "DB");
  EXPECT_EQ(d.reasons[0].meaning, "Persistent or general disruptive behaviour");
  EXPECT_EQ(d.reasons[0].sessions, 6);
  EXPECT_EQ(d.reasons[0].pupils, 5);
  EXPECT_FALSE(d.reasons[0].suppressed);
  EXPECT_EQ(d.reasons[1].code, "PP");
  EXPECT_EQ(d.reasons[1].sessions, 2);
  EXPECT_TRUE(d.reasons[1].suppressed);
  EXPECT_EQ(d.reasons[2].code, "");
  EXPECT_EQ(d.reasons[2].meaning, "Not recorded");
}

TEST(ReportData, WorkBySubjectAndTeacher) {
  auto d = build_report(report_input(), school_calendar());
  // Ma: B1 handed in, B2 not set, B3 no course, B4 not checked (never reconciled), B8 handed
  // in: 5 lessons, 2 set, 2 handed in, 1 not set, 1 no course, 1 not checked; set 2/3 = 66.7%,
  // handed in 2/2 = 100.0%.
  ASSERT_EQ(d.work_by_subject.size(), 3u);
  const auto& ma = d.work_by_subject[0];
  EXPECT_EQ(ma.label, "Ma");
  EXPECT_EQ(ma.lessons, 5);
  EXPECT_EQ(ma.set, 2);
  EXPECT_EQ(ma.handed_in, 2);
  EXPECT_EQ(ma.not_set, 1);
  EXPECT_EQ(ma.no_course, 1);
  EXPECT_EQ(ma.not_checked, 1);
  EXPECT_EQ(format_rate(*ma.set_percent()), "66.7");
  EXPECT_EQ(format_rate(*ma.handed_in_percent()), "100.0");
  // En: B1 set, B3 unknown (not checked), B5 handed in: 3 lessons, 2 set, 1 handed in, 50.0%.
  const auto& en = d.work_by_subject[1];
  EXPECT_EQ(en.label, "En");
  EXPECT_EQ(en.lessons, 3);
  EXPECT_EQ(en.set, 2);
  EXPECT_EQ(en.handed_in, 1);
  EXPECT_EQ(en.not_checked, 1);
  EXPECT_EQ(format_rate(*en.handed_in_percent()), "50.0");
  // Sc: B3 handed in, B6 not set, B15 set: 3 lessons, 2 set, 1 handed in, 1 not set.
  const auto& sc = d.work_by_subject[2];
  EXPECT_EQ(sc.label, "Sc");
  EXPECT_EQ(sc.set, 2);
  EXPECT_EQ(sc.not_set, 1);
  // Teachers carry the same figures, named from the staff feed where it has them.
  ASSERT_EQ(d.work_by_teacher.size(), 3u);
  EXPECT_EQ(d.work_by_teacher[0].label, "Mr T One (T1)");
  EXPECT_EQ(d.work_by_teacher[0].lessons, 5);
  EXPECT_EQ(d.work_by_teacher[1].label, "Ms T Two (T2)");
  EXPECT_EQ(d.work_by_teacher[2].label, "T3");
  EXPECT_EQ(d.work_by_teacher[2].handed_in, 1);
}

TEST(ReportData, WeeksAndComparisonWithThePreviousRange) {
  auto d = build_report(report_input(), school_calendar());
  // w/c 12 Oct: B1 B3 B4 B5 B6 = 5; w/c 19 Oct: B2 B15 B7 B8 = 4.
  ASSERT_EQ(d.weeks.size(), 2u);
  EXPECT_EQ(d.weeks[0].monday, oct(12));
  EXPECT_EQ(d.weeks[0].sessions, 5);
  EXPECT_EQ(d.weeks[1].sessions, 4);
  // Previous (30 Sep..11 Oct): B0 only: 1 session, 1 pupil, 1 lesson, work set 1, handed in 1.
  EXPECT_EQ(d.previous_totals.sessions, 1);
  EXPECT_EQ(d.previous_totals.lessons, 1);
  ASSERT_EQ(d.comparison.size(), 6u);
  EXPECT_EQ(d.comparison[0].current, 9);
  EXPECT_EQ(d.comparison[0].previous, 1);
  EXPECT_EQ(d.comparison[0].change(), 8);
  EXPECT_EQ(format_rate(d.comparison[4].current), "45.0");  // 9 per 20 on roll
  EXPECT_EQ(format_rate(d.comparison[4].previous), "5.0");
  // Work handed in: now 4 of 6 lessons with work set (B4 unchecked) = 66.7; before 1/1 = 100.
  EXPECT_EQ(format_rate(d.comparison[5].current), "66.7");
  EXPECT_EQ(format_rate(d.comparison[5].change()), "-33.3");
}

TEST(ReportData, EmptyRange) {
  auto in = report_input();
  in.range = {Date::from_ymd(2026, 12, 1), Date::from_ymd(2026, 12, 4)};
  auto d = build_report(in, school_calendar());
  EXPECT_TRUE(d.empty());
  EXPECT_TRUE(d.repeat_students.empty());
  EXPECT_EQ(d.returns[0].judged, 0);
  EXPECT_TRUE(row(d, "Year group", "Whole school").suppressed);
}

TEST(ReportData, LabelsAndRounding) {
  EXPECT_EQ(year_label("9"), "Year 9");
  EXPECT_EQ(year_label("Year 10"), "Year 10");
  EXPECT_EQ(year_label(""), "Not recorded");
  EXPECT_EQ(year_label("99999999999"), "99999999999") << "kept as written, never an exception";
  EXPECT_EQ(sen_label("E"), "EHC plan");
  EXPECT_EQ(sen_label("?"), "Not recorded");
  EXPECT_EQ(pupil_premium_label(" yes "), "Pupil premium");
  EXPECT_EQ(gender_label("female"), "Female");
  EXPECT_EQ(format_rate(2.25), "2.3");
  EXPECT_EQ(format_rate(100.0 / 3), "33.3");
  EXPECT_EQ(format_rate(-0.01), "0.0");
}

}  // namespace
}  // namespace iesync

namespace iesync {
namespace {

using namespace iesync::testing;

const ImpactRow& impact_row(const ReportData& d, const std::string& dim, const std::string& label) {
  for (const auto& t : d.impact.groups)
    if (t.dimension == dim)
      for (const auto& r : t.rows)
        if (r.label == label) return r;
  static ImpactRow none;
  ADD_FAILURE() << "no impact row " << dim << " / " << label;
  return none;
}

const PatternTable& pattern(const ReportData& d, const std::string& dim) {
  for (const auto& t : d.patterns)
    if (t.dimension == dim) return t;
  static PatternTable none;
  ADD_FAILURE() << "no pattern table " << dim;
  return none;
}

Calendar impact_calendar() {
  return *Calendar::build(small_school_mapping().calendar);
}

TEST(ReportImpact, CountsEachIeOnceAndLeavesCutShortWindowsOut) {
  auto d = build_report(impact_input(), impact_calendar());
  ASSERT_TRUE(d.impact.available);
  EXPECT_EQ(d.impact.window, 2);
  // IEs starting in the range: S04, S01 (13-14 Oct, one IE), S02, S03, S06, S11, S12 = 7.
  EXPECT_EQ(d.impact.ies, 7);
  EXPECT_EQ(d.impact.compared, 5);
  EXPECT_EQ(d.impact.too_recent, 1);      // S12
  EXPECT_EQ(d.impact.no_data_before, 1);  // S04
  const auto& whole = impact_row(d, "Year group", "Whole school");
  EXPECT_FALSE(whole.suppressed);
  EXPECT_EQ(whole.pupils, 5);
  EXPECT_EQ(whole.ies, 5);
  EXPECT_EQ(whole.before, 7);  // 2 + 1 + 0 + 1 + 3
  EXPECT_EQ(whole.after, 5);   // 1 + 1 + 2 + 0 + 1: not the IE-day or the withdrawn incident
  EXPECT_EQ(whole.fewer, 3);   // S01, S06, S11
  EXPECT_EQ(whole.same, 1);    // S02
  EXPECT_EQ(whole.more, 1);    // S03
  EXPECT_EQ(format_rate(*whole.before_rate(2)), "7.0");  // 7 / (5 IEs * 2 days) * 10
  EXPECT_EQ(format_rate(*whole.after_rate(2)), "5.0");
  EXPECT_EQ(format_rate(*whole.fewer_percent()), "60.0");
}

TEST(ReportImpact, SmallGroupsAreHidden) {
  auto d = build_report(impact_input(), impact_calendar());
  // Year 9: S01 S02 S03 S06 = 4 pupils; Year 10: S11.
  const auto& y9 = impact_row(d, "Year group", "Year 9");
  EXPECT_EQ(y9.pupils, 4);
  EXPECT_TRUE(y9.suppressed);
  EXPECT_TRUE(impact_row(d, "Year group", "Year 10").suppressed);
  EXPECT_EQ(impact_row(d, "SEN status", "SEN support").pupils, 3);  // S01 S02 S03
  EXPECT_EQ(impact_row(d, "Gender", "Female").pupils, 3);           // S01 S03 S11
  EXPECT_EQ(d.impact.groups.size(), 4u);
}

TEST(ReportImpact, WithoutABehaviourFeedThereIsNoComparison) {
  auto in = impact_input();
  in.behaviour_applied = false;
  auto d = build_report(in, impact_calendar());
  EXPECT_FALSE(d.impact.available);
  EXPECT_TRUE(d.impact.groups.empty());
  EXPECT_EQ(d.impact.ies, 0);
}

TEST(ReportPatterns, ByReferrerDayPeriodAndHalfTerm) {
  auto d = build_report(impact_input(), impact_calendar());
  const auto& ref = pattern(d, "Referred by");
  ASSERT_EQ(ref.rows.size(), 4u);
  EXPECT_EQ(ref.rows[0].label, "Mr T One (T1)");
  EXPECT_EQ(ref.rows[0].sessions, 4);  // S04, S01 twice, S02; not S07's cancelled booking
  EXPECT_EQ(ref.rows[0].pupils, 3);
  EXPECT_FALSE(ref.rows[0].suppressed);  // about staff: never hidden
  EXPECT_EQ(ref.rows[1].label, "Ms T Two (T2)");
  EXPECT_EQ(ref.rows[1].sessions, 2);
  EXPECT_EQ(ref.rows[2].label, "T3");  // no staff record: the code
  EXPECT_EQ(ref.rows[3].label, "Not recorded");

  const auto& day = pattern(d, "Day of the week");
  ASSERT_EQ(day.rows.size(), 5u);
  EXPECT_EQ(day.rows[0].label, "Mon");
  EXPECT_EQ(day.rows[2].label, "Wed");
  EXPECT_EQ(day.rows[2].sessions, 2);
  EXPECT_TRUE(day.rows[2].suppressed);  // 2 pupils

  const auto& period = pattern(d, "Period");
  ASSERT_EQ(period.rows.size(), 3u);
  EXPECT_EQ(period.rows[0].label, "Starts 07:30");  // before period 1
  EXPECT_EQ(period.rows[1].label, "1");
  EXPECT_EQ(period.rows[1].sessions, 6);
  EXPECT_EQ(period.rows[1].pupils, 5);
  EXPECT_FALSE(period.rows[1].suppressed);
  EXPECT_EQ(period.rows[2].label, "5");

  const auto& half = pattern(d, "Half-term");
  ASSERT_EQ(half.rows.size(), 1u);
  EXPECT_EQ(half.rows[0].label, "up to 2026-10-23");
  EXPECT_EQ(half.rows[0].sessions, 8);
  EXPECT_EQ(half.rows[0].pupils, 7);
}

TEST(ReportPatterns, AnonymisedReferrersAreLettered) {
  auto in = impact_input();
  in.anonymise = true;
  auto d = build_report(in, impact_calendar());
  const auto& ref = pattern(d, "Referred by");
  ASSERT_EQ(ref.rows.size(), 4u);
  EXPECT_EQ(ref.rows[0].label, "Teacher A");
  EXPECT_EQ(ref.rows[1].label, "Teacher B");
  EXPECT_EQ(ref.rows[2].label, "Teacher C");
  EXPECT_EQ(ref.rows[3].label, "Not recorded");
}

TEST(ReportPatterns, HalfTermIsTheStretchBetweenHolidays) {
  auto m = small_school_mapping();
  m.calendar.closed.push_back({nov(13), nov(13)});  // an INSET day: not a holiday
  m.calendar.closed.push_back({Date::from_ymd(2026, 12, 21), Date::from_ymd(2027, 1, 1)});
  auto cal = *Calendar::build(m.calendar);
  // From the first open day after half term to the Friday before Christmas.
  EXPECT_EQ(half_term_label(nov(10), cal), "2026-11-02 to 2026-12-18");
  EXPECT_EQ(half_term_label(nov(16), cal), "2026-11-02 to 2026-12-18");
  EXPECT_EQ(half_term_label(oct(28), cal), "Holiday 2026-10-26 to 2026-10-30");
  EXPECT_EQ(half_term_label(Date::from_ymd(2027, 1, 4), cal), "from 2027-01-04");
  EXPECT_EQ(half_term_label(oct(12), cal), "up to 2026-10-23");
}

}  // namespace
}  // namespace iesync
