// Subject access export and erasure on a real store: every table, two students, and a
// byte-level check that the erased student's details are gone from the file.
#include "store/student_data.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "privacy_support.h"
#include "store/retention.h"
#include "store/store_access.h"

namespace iesync {
namespace {

namespace json = boost::json;

TimePoint noon() {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{12};
}

// Synthetic people only. Ids keep their leading zeros; 001042's UPN deliberately contains
// the other student's id as a substring.
struct Pupil {
  std::string id, forename, surname, email, upn, uid, booking;
};
const Pupil kAda{
    "001042",        "Adaeze",       "Quillfeather", "adaeze.quillfeather@example.sch.uk",
    "Z900000001042", "uid-ada-7781", "IE42"};
const Pupil kBen{
    "1042",          "Benedikt",     "Marrowgate", "benedikt.marrowgate@example.sch.uk",
    "Z900000009999", "uid-ben-1123", "IE43"};

StudentRef ref(const Pupil& p) {
  return {p.id, "hash-of-" + p.id};
}

class StudentData : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto* p : {&kAda, &kBen}) add(*p);
    // Course work assigned to Ada by name, and one for the whole class.
    exec(
        "INSERT INTO classroom_coursework(course_id, id, state, assignee_mode, assignees, "
        "fetched_at) VALUES ('c1', 'w-ada', 'PUBLISHED', 'INDIVIDUAL_STUDENTS', '[\"" +
        kAda.uid + "\"]', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO classroom_coursework(course_id, id, state, assignee_mode, fetched_at) "
        "VALUES ('c1', 'w-all', 'PUBLISHED', 'ALL_STUDENTS', '2026-11-23T09:00:00Z')");
    // And a material posted for Ada by name, and one for the class.
    exec(
        "INSERT INTO classroom_materials(course_id, id, state, assignee_mode, assignees, "
        "fetched_at) VALUES ('c1', 'm-ada', 'PUBLISHED', 'INDIVIDUAL_STUDENTS', '[\"" +
        kAda.uid + "\"]', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO classroom_materials(course_id, id, state, assignee_mode, fetched_at) "
        "VALUES ('c1', 'm-all', 'PUBLISHED', 'ALL_STUDENTS', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO classroom_courses(course_ref, course_id, name, fetched_at) VALUES "
        "('d:9X1-Ma', 'c1', '9X1 Maths', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO cycles(started_at, result, summary) VALUES ('2026-11-23T09:00:00Z', 'ok', "
        "'Cycle for 2026-11-23: 2 student(s) in IE')");
    // Emails as the chase and digest write them: a sent chase and an unsent one naming both
    // pupils, an unsent chase naming Ben alone, and a sent digest naming both.
    const std::string both =
        kAda.forename + " " + kAda.surname + ", " + kBen.forename + " " + kBen.surname;
    mail("chase|2026-11-23|15:45|T1", "chase", "sent", both);
    mail("chase|2026-11-24|08:00|T2", "chase", "pending", both);
    mail("chase|2026-11-24|08:00|T3", "chase", "pending", kBen.forename + " " + kBen.surname);
    mail("digest|2026-11-23|lead@example.sch.uk", "digest", "sent", both);
    chased("T1", kAda, "chase|2026-11-23|15:45|T1");
    chased("T1", kBen, "chase|2026-11-23|15:45|T1");
    chased("T2", kAda, "chase|2026-11-24|08:00|T2");
    chased("T2", kBen, "chase|2026-11-24|08:00|T2");
    chased("T3", kBen, "chase|2026-11-24|08:00|T3");
  }

  void mail(const std::string& key, const std::string& kind, const std::string& state,
            const std::string& names) {
    exec(
        "INSERT INTO notify_queue(key, kind, day, recipient, recipient_name, subject, "
        "text_body, html_body, state, created_at, updated_at) VALUES ('" +
        key + "', '" + kind + "', '2026-11-23', 'teacher@example.sch.uk', 'Mr T', 'Work to set (" +
        names + ")', 'Dear Mr T,\n- " + names + " (9X)', '<td>" + names + "</td>', '" + state +
        "', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z')");
  }
  void chased(const std::string& teacher, const Pupil& p, const std::string& key) {
    exec(
        "INSERT INTO notify_chased(teacher, date, class_code, start_time, student_id, "
        "chased_at, message_key) VALUES ('" +
        teacher + "', '2026-11-24', '9X1/Ma', '08:50', '" + p.id + "', '2026-11-23T15:45:00Z', '" +
        key + "')");
  }

  void exec(const std::string& sql) { StoreAccess::db(tmp.store()).exec(sql); }
  long long count(const std::string& sql) {
    return StoreAccess::db(tmp.store()).execAndGet(sql).getInt64();
  }

  void add(const Pupil& p) {
    exec(
        "INSERT INTO students(id, forename, surname, year, reg_group, email, upn, sen, "
        "pupil_premium, gender) VALUES ('" +
        p.id + "', '" + p.forename + "', '" + p.surname + "', 'Year 9', '9X', '" + p.email +
        "', '" + p.upn + "', 'K', 'Y', 'F')");
    for (const char* cls : {"9X1/Ma", "9X1/En"})
      exec("INSERT INTO memberships(student_id, class_code, start_date) VALUES ('" + p.id + "', '" +
           cls + "', '2026-09-07')");
    exec(
        "INSERT INTO bookings(id, student_id, date, start_spec, end_spec, reason, status) "
        "VALUES ('" +
        p.booking + "', '" + p.id + "', '2026-11-23', '1', '2', 'DB', 'attended')");
    exec(
        "INSERT INTO ie_sessions(booking_id, student_id, date, start_time, end_time, status, "
        "reason, updated_at) VALUES ('" +
        p.booking + "', '" + p.id +
        "', '2026-11-23', '08:50', '10:50', 'attended', 'DB', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO session_lessons(booking_id, class_code, start_time, end_time, course_id, "
        "work_status, work_items) VALUES ('" +
        p.booking +
        "', '9X1/Ma', '08:50', '09:50', 'c1', "
        "'handed_in', '[{\"title\":\"Fractions\"}]')");
    std::string key = p.id + "|2026-11-23|9X1/Ma@08:50|lesson_mark";
    exec(
        "INSERT INTO outbox(key, kind, student_id, date, payload, state, created_at, "
        "updated_at) VALUES ('" +
        key + "', 'lesson_mark', '" + p.id +
        "', '2026-11-23', "
        "'{\"student_id\":\"" +
        p.id + "\",\"comment\":\"Internal exclusion (" + p.booking +
        ")\"}', 'sent', '2026-11-23T09:00:00Z', '2026-11-23T09:01:00Z')");
    exec(
        "INSERT INTO audit(at, action, subject, target, detail) VALUES "
        "('2026-11-23T09:01:00Z', 'sent', '" +
        key + "', 'file', 'iesync-20261123-090100-0001.csv')");
    exec("INSERT INTO classroom_users(email, user_id, fetched_at) VALUES ('" + p.email + "', '" +
         p.uid + "', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO classroom_submissions(course_id, coursework_id, user_id, state, fetched_at) "
        "VALUES ('c1', 'w-all', '" +
        p.uid + "', 'TURNED_IN', '2026-11-23T09:00:00Z')");
    exec(
        "INSERT INTO classroom_submission_fetches(course_id, user_id, fetched_at) VALUES ('c1', '" +
        p.uid + "', '2026-11-23T09:00:00Z')");
  }

  // Every text cell of every table (so a table added later is covered too) that equals
  // or contains `needle`, as "table.column".
  std::vector<std::string> cells_containing(const std::string& needle) {
    std::vector<std::string> out;
    auto& db = StoreAccess::db(tmp.store());
    SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (tables.executeStep()) {
      std::string t = tables.getColumn(0).getString();
      SQLite::Statement q(db, "SELECT * FROM \"" + t + "\"");
      while (q.executeStep())
        for (int i = 0; i < q.getColumnCount(); ++i)
          if (q.getColumn(i).isText() &&
              q.getColumn(i).getString().find(needle) != std::string::npos)
            out.push_back(t + "." + q.getColumnName(i));
    }
    return out;
  }

  TempStore tmp;
};

TEST_F(StudentData, ExportHoldsEveryTableAboutTheStudentAndNothingAboutOthers) {
  auto doc = export_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(doc) << doc.error().to_string();
  ASSERT_TRUE(doc->has_value());
  const auto& d = **doc;
  const auto& head = d.at("export").as_object();
  EXPECT_EQ(head.at("student_id").as_string(), "001042");
  EXPECT_EQ(head.at("generated_at").as_string(), "2026-11-23T12:00:00Z");
  EXPECT_EQ(head.at("store").as_string(), tmp.store().path().string());
  EXPECT_EQ(head.at("schema_version").as_int64(), Store::latest_version());

  const auto& st = d.at("student").as_object();
  EXPECT_EQ(st.at("surname").as_string(), "Quillfeather");
  EXPECT_EQ(st.at("upn").as_string(), kAda.upn);
  EXPECT_EQ(st.at("sen").as_string(), "K") << "every mapped column, not a chosen few";
  EXPECT_EQ(d.at("memberships").as_array().size(), 2u);
  EXPECT_EQ(d.at("bookings").as_array().size(), 1u);
  const auto& sessions = d.at("ie_sessions").as_array();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].at("booking_id").as_string(), kAda.booking);
  EXPECT_EQ(sessions[0].at("lessons").as_array().size(), 1u);
  ASSERT_EQ(d.at("outbox").as_array().size(), 1u);
  EXPECT_EQ(d.at("outbox").as_array()[0].at("state").as_string(), "sent");
  ASSERT_EQ(d.at("audit").as_array().size(), 1u);
  const auto& cr = d.at("classroom").as_object();
  EXPECT_EQ(cr.at("users").as_array().size(), 1u);
  EXPECT_EQ(cr.at("submissions").as_array().size(), 1u);
  EXPECT_EQ(cr.at("submission_listings").as_array().size(), 1u);
  ASSERT_EQ(cr.at("coursework_assigned_individually").as_array().size(), 1u);
  EXPECT_EQ(cr.at("coursework_assigned_individually").as_array()[0].at("id").as_string(), "w-ada");
  ASSERT_EQ(cr.at("materials_assigned_individually").as_array().size(), 1u);
  EXPECT_EQ(cr.at("materials_assigned_individually").as_array()[0].at("id").as_string(), "m-ada");

  // 1042 is a different student from 001042: nothing of Ben's leaks into Ada's export.
  auto text = json::serialize(d);
  for (const auto& s : {kBen.surname, kBen.email, kBen.uid, kBen.booking, kBen.upn})
    EXPECT_EQ(text.find(s), std::string::npos) << s;
}

TEST_F(StudentData, AnIdHeldNowhereIsUnknownAndZerosMatter) {
  for (const char* id : {"999999", "01042", "1042 ", ""}) {
    auto doc = export_student(tmp.store(), {id, "h"}, noon());
    ASSERT_TRUE(doc);
    EXPECT_FALSE(doc->has_value()) << "'" << id << "'";
    auto er = erase_student(tmp.store(), {id, "h"}, noon());
    ASSERT_TRUE(er);
    EXPECT_FALSE(er->has_value()) << "'" << id << "'";
  }
}

TEST_F(StudentData, AStudentKnownOnlyFromABookingIsStillHeld) {
  exec(
      "INSERT INTO bookings(id, student_id, date, start_spec, end_spec) VALUES "
      "('IE77', '007777', '2026-11-24', 'AM', '')");
  auto doc = export_student(tmp.store(), {"007777", "h"}, noon());
  ASSERT_TRUE(doc);
  ASSERT_TRUE(doc->has_value());
  EXPECT_TRUE((**doc).at("student").is_null());
  EXPECT_EQ((**doc).at("bookings").as_array().size(), 1u);
}

TEST_F(StudentData, EraseRemovesEveryRowInEveryTableLeavingAnAuditLineWithoutData) {
  auto er = erase_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(er) << er.error().to_string();
  ASSERT_TRUE(er->has_value());
  const auto& sum = **er;
  EXPECT_TRUE(sum.vacuumed);
  EXPECT_TRUE(sum.wal_truncated);
  EXPECT_EQ(sum.rows.at("students"), 1);
  EXPECT_EQ(sum.rows.at("memberships"), 2);
  EXPECT_EQ(sum.rows.at("bookings"), 1);
  EXPECT_EQ(sum.rows.at("ie_sessions"), 1);
  EXPECT_EQ(sum.rows.at("session_lessons"), 1);
  EXPECT_EQ(sum.rows.at("outbox"), 1);
  EXPECT_EQ(sum.rows.at("audit"), 1);
  EXPECT_EQ(sum.rows.at("classroom_users"), 1);
  EXPECT_EQ(sum.rows.at("classroom_submissions"), 1);
  EXPECT_EQ(sum.rows.at("classroom_submission_fetches"), 1);
  EXPECT_EQ(sum.rows.at("classroom_coursework"), 1);
  EXPECT_EQ(sum.rows.at("classroom_materials"), 1);

  for (const auto& s : {kAda.id + "|", kAda.email, kAda.upn, kAda.uid, kAda.surname, kAda.booking})
    EXPECT_TRUE(cells_containing(s).empty()) << s << " still in " << cells_containing(s).front();
  EXPECT_EQ(count("SELECT count(*) FROM students WHERE id = '001042'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM memberships WHERE student_id = '001042'"), 0);

  // The erasure record: the hash, counts, no id, no name.
  SQLite::Statement q(StoreAccess::db(tmp.store()),
                      "SELECT at, subject, detail FROM audit WHERE action = ?");
  q.bind(1, kErasureAuditAction);
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "2026-11-23T12:00:00Z");
  EXPECT_EQ(q.getColumn(1).getString(), "sha256:hash-of-001042");
  std::string detail = q.getColumn(2).getString();
  EXPECT_EQ(detail.find("student record erased"), 0u) << detail;
  EXPECT_EQ(detail.find(kAda.id), std::string::npos) << detail;
  EXPECT_FALSE(q.executeStep()) << "one erasure, one record";

  // Ben (1042) is untouched, and the shared course cache stays.
  EXPECT_EQ(count("SELECT count(*) FROM students WHERE id = '1042'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM memberships WHERE student_id = '1042'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE student_id = '1042'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit WHERE subject LIKE '1042|%'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM classroom_users WHERE user_id = 'uid-ben-1123'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM classroom_coursework WHERE id = 'w-all'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM classroom_materials WHERE id = 'm-all'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM classroom_courses"), 1);

  // Not in the file's bytes either: VACUUM rebuilt it and the WAL was emptied.
  auto path = tmp.store().path();
  std::string bytes = privacy_test::slurp(path) + privacy_test::slurp(path.string() + "-wal");
  for (const auto& s : {kAda.email, kAda.upn, kAda.surname, kAda.uid})
    EXPECT_EQ(bytes.find(s), std::string::npos) << s << " is still in the store file";
  EXPECT_NE(bytes.find(kBen.email), std::string::npos) << "the check can see data that is there";

  // Erased means unknown: export and a second erase both say so.
  auto again = export_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
  auto twice = erase_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(twice);
  EXPECT_FALSE(twice->has_value());
}

TEST_F(StudentData, ExportListsTheChasesAndWhichEmailsNamedThemWithoutOtherPupils) {
  auto doc = export_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(doc) << doc.error().to_string();
  ASSERT_TRUE(doc->has_value());
  const auto& d = **doc;
  ASSERT_EQ(d.at("notify_chased").as_array().size(), 2u);
  for (const auto& c : d.at("notify_chased").as_array())
    EXPECT_EQ(c.at("student_id").as_string(), kAda.id);
  std::set<std::string> keys;
  for (const auto& m : d.at("notify_messages").as_array())
    keys.insert(std::string(m.at("key").as_string()));
  EXPECT_EQ(keys, (std::set<std::string>{"chase|2026-11-23|15:45|T1", "chase|2026-11-24|08:00|T2",
                                         "digest|2026-11-23|lead@example.sch.uk"}));
  // The bodies name Ben too, so they stay out of Ada's export.
  EXPECT_EQ(json::serialize(d).find(kBen.surname), std::string::npos);
}

TEST_F(StudentData, EraseDeletesUnsentEmailsNamingThemAndBlanksSentOnes) {
  auto er = erase_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(er) << er.error().to_string();
  ASSERT_TRUE(er->has_value());
  const auto& sum = **er;
  EXPECT_EQ(sum.rows.at("notify_chased"), 2) << "Ada's own chase records";
  EXPECT_EQ(sum.rows.at("notify_queue"), 1) << "the unsent chase naming her";
  EXPECT_EQ(sum.rows.at("notify_queue (blanked)"), 2) << "the sent chase and the digest";
  EXPECT_EQ(sum.rows.at("notify_chased (others released)"), 1);

  EXPECT_EQ(count("SELECT count(*) FROM notify_queue WHERE key = 'chase|2026-11-24|08:00|T2'"), 0);
  // Ben's lesson in the deleted chase is released, so the next chase time asks T2 again;
  // his lesson in the sent chase stays chased, and T3's chase about him alone is untouched.
  EXPECT_EQ(count("SELECT count(*) FROM notify_chased WHERE student_id = '1042'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM notify_chased WHERE teacher = 'T2'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM notify_queue WHERE key = 'chase|2026-11-24|08:00|T3' "
                  "AND instr(text_body, 'Marrowgate') > 0 AND state = 'pending'"),
            1);
  // The sent ones keep when and to whom, not what they said.
  EXPECT_EQ(count("SELECT count(*) FROM notify_queue WHERE state = 'sent' "
                  "AND instr(subject, 'removed') > 0 AND instr(text_body, 'removed') > 0 "
                  "AND instr(html_body, 'removed') > 0"),
            2);
  EXPECT_TRUE(cells_containing(kAda.forename).empty()) << cells_containing(kAda.forename).front();
}

TEST_F(StudentData, AReimportedStudentsExportShowsTheEarlierErasureRecord) {
  ASSERT_TRUE(erase_student(tmp.store(), ref(kAda), noon()));
  add(kAda);  // the MIS still exports them, so the next import brings them back
  auto doc = export_student(tmp.store(), ref(kAda), noon());
  ASSERT_TRUE(doc);
  ASSERT_TRUE(doc->has_value());
  bool erasure = false;
  for (const auto& a : (**doc).at("audit").as_array())
    erasure |= a.at("action").as_string() == kErasureAuditAction;
  EXPECT_TRUE(erasure);
}

}  // namespace
}  // namespace iesync
