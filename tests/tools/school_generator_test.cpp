// The synthetic-school generator: the committed demo exports are exactly what it produces
// (so the demo stays reproducible), and the school it makes is one a real importer can trust:
// a clash-free timetable, one set per subject per student, sane bookings.
#include <gtest/gtest.h>

#ifndef IESYNC_HAVE_GENERATOR

// The generator library lives in bench/generator (target iesync_generator); until the tests
// CMake links it, say so rather than pass silently.
TEST(SchoolGenerator, NotLinked) {
  GTEST_SKIP()
      << "iesync_generator is not linked into iesync_tests; see bench/generator/CMakeLists.txt";
}

#else

#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <string>

#include "bench/generator/school_generator.h"
#include "connectors/mis/importer.h"
#include "tests/support/files.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync::gen {
namespace {

Date D(const char* iso) {
  return *Date::parse_iso(iso);
}

using iesync::test::slurp;

Options demo_options() {
  Options o;
  o.students = 150;
  o.seed = 1;
  o.start = D("2026-11-23");
  return o;
}

TEST(SchoolGenerator, CommittedDemoExportsAreByteIdenticalToAFreshRun) {
  const School school = generate(demo_options());
  const std::filesystem::path dir =
      std::filesystem::path(IESYNC_SOURCE_DIR) / "examples/demo/exports";
  for (Feed feed : kAllFeeds) {
    const auto path = dir / file_name(feed, Format::xml);
    SCOPED_TRACE(path.string());
    ASSERT_TRUE(std::filesystem::exists(path));
    EXPECT_TRUE(slurp(path) == render(school, feed, Format::xml))
        << "the demo export differs from the generator's output; regenerate it with "
           "generate-school --students 150 --seed 1 --start 2026-11-23 --format xml "
           "--out examples/demo/exports";
  }
}

TEST(SchoolGenerator, SameSeedSameBytesOtherSeedOtherSchool) {
  Options o = demo_options();
  const School a = generate(o);
  const School b = generate(o);
  o.seed = 2;
  const School c = generate(o);
  for (Feed feed : kAllFeeds)
    for (Format f : {Format::xml, Format::csv}) EXPECT_EQ(render(a, feed, f), render(b, feed, f));
  EXPECT_NE(render(a, Feed::students, Format::xml), render(c, Feed::students, Format::xml));
  EXPECT_NE(render(a, Feed::bookings, Format::csv), render(c, Feed::bookings, Format::csv));
}

TEST(SchoolGenerator, CaptionsAreEncodedAsCommandReporterDoes) {
  EXPECT_EQ(encode_caption("Legal Surname"), "Legal_x0020_Surname");
  EXPECT_EQ(encode_caption("Class/Group"), "Class_x002F_Group");
  EXPECT_EQ(encode_caption("Adno"), "Adno");
  EXPECT_EQ(file_name(Feed::bookings, Format::xml), "ie-bookings.xml");
  EXPECT_EQ(file_name(Feed::memberships, Format::csv), "memberships.csv");
}

TEST(SchoolGenerator, XmlIsASuperStarReportWithNullColumnsLeftOut) {
  const School school = generate(demo_options());
  for (Feed feed : kAllFeeds) {
    SCOPED_TRACE(feed_name(feed));
    const std::string text = render(school, feed, Format::xml);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_buffer(text.data(), text.size()));
    auto root = doc.child("SuperStarReport");
    ASSERT_TRUE(root);
    size_t n = 0;
    for (auto r = root.child("Record"); r; r = r.next_sibling("Record")) ++n;
    const size_t expected = feed == Feed::students      ? school.students.size()
                            : feed == Feed::staff       ? school.staff.size()
                            : feed == Feed::memberships ? school.memberships.size()
                            : feed == Feed::timetable   ? school.lessons.size()
                            : feed == Feed::bookings    ? school.bookings.size()
                                                        : school.incidents.size();
    EXPECT_EQ(n, expected);
  }
  const std::string students = render(school, Feed::students, Format::xml);
  pugi::xml_document doc;
  doc.load_buffer(students.data(), students.size());
  auto first = doc.child("SuperStarReport").child("Record");
  EXPECT_STREQ(first.child_value("Adno"), "001001");   // leading zeros kept
  EXPECT_STREQ(first.child_value("Year"), "Year  7");  // SIMS pads single digits
  EXPECT_TRUE(first.child("Legal_x0020_Surname"));
  // AM/PM/ALL bookings have no End element at all.
  const std::string bookings = render(school, Feed::bookings, Format::xml);
  pugi::xml_document bdoc;
  bdoc.load_buffer(bookings.data(), bookings.size());
  int whole_sessions = 0;
  for (auto r : bdoc.child("SuperStarReport").children("Record")) {
    std::string start = r.child_value("Start");
    if (start == "AM" || start == "PM" || start == "ALL") {
      ++whole_sessions;
      EXPECT_FALSE(r.child("End"));
    } else {
      EXPECT_TRUE(r.child("End"));
    }
  }
  EXPECT_GT(whole_sessions, 0);
}

// A minimal RFC 4180 reader, enough to check the generator's quoting round-trips.
std::vector<std::vector<std::string> > read_csv(const std::string& s) {
  std::vector<std::vector<std::string> > rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      ++i;
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

TEST(SchoolGenerator, CsvQuotesFieldsWithCommasAndUsesUkDates) {
  const School school = generate(demo_options());
  auto staff = read_csv(render(school, Feed::staff, Format::csv));
  ASSERT_EQ(staff.size(), school.staff.size() + 1);
  EXPECT_EQ(staff[0], (std::vector<std::string>{"Staff Code", "Name", "Email"}));
  for (size_t i = 0; i < school.staff.size(); ++i) {
    ASSERT_EQ(staff[i + 1].size(), 3u);
    EXPECT_EQ(staff[i + 1][1], school.staff[i].name);
    EXPECT_NE(school.staff[i].name.find(", "), std::string::npos);
  }
  auto members = read_csv(render(school, Feed::memberships, Format::csv));
  ASSERT_GT(members.size(), 1u);
  EXPECT_EQ(members[1][2], "01/09/2026");
}

TEST(SchoolGenerator, StudentsSpreadOverYears7To13WithSyntheticEmails) {
  Options o = demo_options();
  o.students = 2000;
  const School school = generate(o);
  ASSERT_EQ(school.students.size(), 2000u);
  std::map<int, int> per_year;
  std::set<std::string> ids, emails;
  for (const auto& s : school.students) {
    ++per_year[s.year];
    EXPECT_EQ(s.id.size(), 6u);
    ids.insert(s.id);
    emails.insert(s.email);
    EXPECT_TRUE(s.email.ends_with("@demo.sch.uk")) << s.email;
    EXPECT_TRUE(s.reg_group.starts_with(std::to_string(s.year))) << s.reg_group;
    EXPECT_TRUE(s.sen == "N" || s.sen == "K" || s.sen == "E");
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_EQ(emails.size(), 2000u);
  ASSERT_EQ(per_year.size(), 7u);
  EXPECT_EQ(per_year.begin()->first, 7);
  EXPECT_EQ(per_year.rbegin()->first, 13);
  for (auto [year, n] : per_year) EXPECT_GT(n, 150) << "Year " << year;
}

// Every student, on the bookings Monday, has exactly one lesson in each of the 50 slots of
// the fortnight plus a daily tutor registration; no teacher or room is in two places at once.
TEST(SchoolGenerator, TimetableIsClashFreeAndCoversEveryStudentSlot) {
  Options o = demo_options();
  o.students = 1200;  // several sets per subject, so set changes and pooling are exercised
  const School school = generate(o);
  std::map<std::string, std::vector<const Lesson*> > by_class;
  std::set<std::tuple<std::string, int, int> > teacher_slots, room_slots;
  for (const auto& l : school.lessons) {
    if (l.class_code.empty()) continue;  // staff free
    by_class[l.class_code].push_back(&l);
    EXPECT_TRUE(teacher_slots.insert({l.teacher, l.cycle_day, l.time.start.minutes}).second)
        << l.teacher << " teaches twice on day " << l.cycle_day << " at " << l.time.start.str();
    EXPECT_TRUE(room_slots.insert({l.room, l.cycle_day, l.time.start.minutes}).second)
        << l.room << " double-booked";
  }
  const Date monday = D("2026-11-23");
  std::map<std::string, std::set<std::pair<int, int> > > slots;
  std::map<std::string, int> tutor;
  int moved = 0;
  for (const auto& m : school.memberships) {
    if (m.end) ++moved;
    if (m.start > monday || (m.end && *m.end < monday)) continue;
    ASSERT_TRUE(by_class.count(m.class_code)) << m.class_code;
    if (m.class_code.ends_with("/Tu")) {
      ++tutor[m.student_id];
      continue;
    }
    for (const Lesson* l : by_class[m.class_code])
      EXPECT_TRUE(slots[m.student_id].insert({l->cycle_day, l->time.start.minutes}).second)
          << m.student_id << " has two lessons at once";
  }
  EXPECT_GT(moved, 0);
  size_t active = 0;
  for (const auto& s : school.students) {
    if (!slots.count(s.id)) continue;  // joined after the bookings Monday
    ++active;
    EXPECT_EQ(slots[s.id].size(), 50u) << s.id;
    EXPECT_EQ(tutor[s.id], 1) << s.id;
  }
  EXPECT_GT(active, school.students.size() * 9 / 10);
  std::set<std::string> staff_codes;
  for (const auto& m : school.staff) EXPECT_TRUE(staff_codes.insert(m.code).second) << m.code;
  for (const auto& l : school.lessons) EXPECT_TRUE(staff_codes.count(l.teacher)) << l.teacher;
}

TEST(SchoolGenerator, BookingsFallInTheWeekWithDfeReasonsAndMixedSpans) {
  const School school = generate(demo_options());
  const std::set<std::string> reasons = {"PP", "PA", "VP", "VA", "BU", "RA", "LG", "DS",
                                         "SM", "DA", "DM", "TH", "DB", "MT", "OW", "PH"};
  const std::set<std::string> statuses = {"", "booked", "attended", "absent", "cancelled"};
  std::set<std::string> ids, starts, seen_status;
  std::set<std::pair<std::string, Date> > student_days;
  std::set<std::string> student_ids;
  for (const auto& s : school.students) student_ids.insert(s.id);
  ASSERT_GE(school.bookings.size(), 20u);
  for (const auto& b : school.bookings) {
    EXPECT_TRUE(ids.insert(b.id).second);
    EXPECT_GE(b.date, D("2026-11-23"));
    EXPECT_LE(b.date, D("2026-11-27"));
    EXPECT_TRUE(reasons.count(b.reason)) << b.reason;
    EXPECT_TRUE(statuses.count(b.status)) << b.status;
    EXPECT_TRUE(student_ids.count(b.student_id));
    EXPECT_TRUE(student_days.insert({b.student_id, b.date}).second);
    starts.insert(b.start == "AM" || b.start == "PM" || b.start == "ALL" ? b.start
                  : b.start.find(':') != std::string::npos               ? "HH:MM"
                                                                         : "period");
    seen_status.insert(b.status);
  }
  EXPECT_GE(starts.size(), 4u);
  EXPECT_GE(seen_status.size(), 3u);
}

// ---- gen::edit: a re-export with a share of every feed changed ----------------------------

// Each feed's records by identity, so two schools can be compared record by record.
std::map<std::string, std::string> keyed(const School& s, Feed feed) {
  std::map<std::string, std::string> out;
  auto put = [&](std::string key, std::string value) {
    EXPECT_TRUE(out.emplace(key, std::move(value)).second)
        << feed_name(feed) << ": two records have the key " << key;
  };
  switch (feed) {
    case Feed::students:
      for (const auto& st : s.students)
        put(st.id, st.forename + "|" + st.surname + "|" + std::to_string(st.year) + "|" +
                       st.reg_group + "|" + st.email + "|" + st.upn + "|" + st.sen + "|" +
                       st.pupil_premium + "|" + st.gender);
      break;
    case Feed::staff:
      for (const auto& m : s.staff) put(m.code, m.name + "|" + m.email);
      break;
    case Feed::memberships:
      for (const auto& m : s.memberships)
        put(m.student_id + "|" + m.class_code + "|" + m.start.iso(), m.end ? m.end->iso() : "");
      break;
    case Feed::timetable:
      for (const auto& l : s.lessons)
        if (!l.class_code.empty())
          put(l.class_code + "|" + std::to_string(l.cycle_day) + "|" + l.time.start.str(),
              l.time.end.str() + "|" + l.room + "|" + l.teacher);
      break;
    case Feed::bookings:
      for (const auto& b : s.bookings)
        put(b.id, b.student_id + "|" + b.date.iso() + "|" + b.start + "|" + b.end + "|" + b.reason +
                      "|" + b.room + "|" + b.status);
      break;
    case Feed::behaviour:
      for (const auto& i : s.incidents)
        put(i.id, i.student_id + "|" + i.date.iso() + "|" + i.time + "|" + i.type + "|" +
                      std::to_string(i.points) + "|" + i.recorded_by + "|" + i.status);
      break;
  }
  return out;
}

struct Changes {
  size_t updated = 0, deleted = 0, inserted = 0;
  size_t total() const { return updated + deleted + inserted; }
};

Changes diff(const School& before, const School& after, Feed feed) {
  const auto a = keyed(before, feed), b = keyed(after, feed);
  Changes c;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end())
      ++c.deleted;
    else if (it->second != v)
      ++c.updated;
  }
  for (const auto& [k, v] : b) c.inserted += a.contains(k) ? 0 : 1;
  return c;
}

TEST(SchoolEdit, SameSeedSameEditOtherSeedOtherEdit) {
  Options o = demo_options();
  o.students = 400;
  const School original = generate(o);
  School a = original, b = original, c = original;
  edit(a, 0.05, 7);
  edit(b, 0.05, 7);
  edit(c, 0.05, 8);
  for (Feed feed : kAllFeeds) {
    SCOPED_TRACE(feed_name(feed));
    EXPECT_EQ(render(a, feed, Format::xml), render(b, feed, Format::xml));
    EXPECT_NE(render(a, feed, Format::xml), render(original, feed, Format::xml));
  }
  EXPECT_NE(render(a, Feed::memberships, Format::xml), render(c, Feed::memberships, Format::xml));
}

// About `fraction` of each feed changes, as a mix of updates, deletions and insertions; a
// deleted student's records count towards their feed's deletions, so the share stays near.
TEST(SchoolEdit, ChangesAboutTheAskedShareOfEveryFeedWithAllThreeKinds) {
  Options o = demo_options();
  o.students = 900;
  const School original = generate(o);
  for (double fraction : {0.01, 0.1, 0.5, 1.0}) {
    School edited = original;
    edit(edited, fraction, 3);
    for (Feed feed : kAllFeeds) {
      SCOPED_TRACE(std::string(feed_name(feed)) + " at " + std::to_string(fraction));
      const size_t n = keyed(original, feed).size();
      const double asked = std::max(1.0, fraction * double(n));
      const Changes c = diff(original, edited, feed);
      EXPECT_GE(double(c.total()), 0.7 * asked) << c.total() << " of " << n;
      EXPECT_LE(double(c.total()), 1.5 * asked + 3) << c.total() << " of " << n;
      EXPECT_GE(c.updated, 1u);
      if (asked >= 9) {  // enough changes for each kind to have its third
        EXPECT_GE(c.deleted, 1u);
        EXPECT_GE(c.inserted, 1u);
      }
    }
  }
}

TEST(SchoolEdit, ATinyFractionOfATinySchoolStillChangesEveryFeed) {
  Options o = demo_options();
  o.students = 12;
  const School original = generate(o);
  School edited = original;
  edit(edited, 1e-6, 1);
  for (Feed feed : kAllFeeds) {
    SCOPED_TRACE(feed_name(feed));
    EXPECT_GE(diff(original, edited, feed).total(), 1u);
  }
}

// Edit after edit, the school stays one the importer takes whole: every feed applied, no
// record skipped (ids unique, every student and class named exists, every lesson's teacher
// is on the staff, valid dates).
TEST(SchoolEdit, RepeatedEditsStayWellFormedAndImportWithoutARecordError) {
  using namespace iesync::mis_test;
  Options o = demo_options();
  o.students = 300;
  School school = generate(o);
  ImportFixture f;
  Config cfg = demo_config(f.exports);
  cfg.mis.feeds[Feed::behaviour] = "behaviour.xml";
  CollectingSink events;
  for (std::uint32_t round = 0; round < 4; ++round) {
    SCOPED_TRACE("edit " + std::to_string(round));
    if (round > 0) edit(school, 0.04, round);
    std::set<std::string> students, staff, classes;
    for (const auto& s : school.students) EXPECT_TRUE(students.insert(s.id).second) << s.id;
    for (const auto& m : school.staff) EXPECT_TRUE(staff.insert(m.code).second) << m.code;
    for (const auto& l : school.lessons) {
      EXPECT_TRUE(staff.contains(l.teacher)) << l.teacher;
      if (!l.class_code.empty()) classes.insert(l.class_code);
    }
    for (const auto& m : school.memberships) {
      EXPECT_TRUE(students.contains(m.student_id)) << m.student_id;
      EXPECT_TRUE(classes.contains(m.class_code)) << m.class_code;
      EXPECT_TRUE(!m.end || *m.end >= m.start);
    }
    for (const auto& b : school.bookings) EXPECT_TRUE(students.contains(b.student_id));
    for (const auto& i : school.incidents) EXPECT_TRUE(students.contains(i.student_id));

    ASSERT_TRUE(write_feeds(school, Format::xml, f.exports));
    for (Feed feed : kAllFeeds)
      set_mtime(f.exports / file_name(feed, Format::xml), f.clock.now() - std::chrono::hours{1});
    Importer importer(cfg, f.tmp.store(), events, f.clock);
    const ImportResult r = importer.run(/*accept_drop=*/false, /*dry_run=*/false);
    EXPECT_EQ(r.record_errors, 0u);
    for (const auto& out : r.feeds) {
      EXPECT_EQ(out.status, FeedStatus::applied) << feed_name(out.feed) << ": " << out.message;
      EXPECT_EQ(out.skipped, 0u) << feed_name(out.feed) << ": " << out.message;
    }
    EXPECT_EQ(f.count("students"), (long long)school.students.size());
    EXPECT_EQ(f.count("memberships"), (long long)school.memberships.size());
    EXPECT_EQ(f.count("bookings"), (long long)school.bookings.size());
    EXPECT_EQ(f.count("behaviour_incidents"), (long long)school.incidents.size());
  }
}

}  // namespace
}  // namespace iesync::gen

#endif
