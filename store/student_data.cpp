#include "store/student_data.h"

#include <boost/json.hpp>
#include <set>
#include <vector>

#include "store/record_cache.h"
#include "store/retention.h"
#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace json = boost::json;

namespace {

// Every statement below binds the same two parameters, so each table's "about this
// student" condition is written once and shared by export and erase.
//   ?1 the student id   ?2 "sha256:<hash>" (erasure records)
struct Scope {
  const char* table;
  const char* where;
};

// The outbox key and the audit subject of an item start "student_id|".
constexpr const char* kKeyOf = "substr(%s, 1, length(?1) + 1) = ?1 || '|'";

std::string key_prefix(const char* column) {
  std::string s = kKeyOf;
  auto at = s.find("%s");
  s.replace(at, 2, column);
  return s;
}

void bind(SQLite::Statement& q, const StudentRef& who) {
  // Not every condition uses both; binding one a statement lacks is an error.
  if (q.getIndex("?1") != 0) q.bind(1, who.id);
  if (q.getIndex("?2") != 0) q.bind(2, "sha256:" + who.id_hash);
}

json::value cell(const SQLite::Column& c) {
  if (c.isNull()) return nullptr;
  if (c.isInteger()) return c.getInt64();
  if (c.isFloat()) return c.getDouble();
  return json::string(c.getString());
}

json::array rows(SQLite::Statement& q) {
  json::array out;
  while (q.executeStep()) {
    json::object o;
    for (int i = 0; i < q.getColumnCount(); ++i) o[q.getColumnName(i)] = cell(q.getColumn(i));
    out.push_back(std::move(o));
  }
  return out;
}

json::array select(SQLite::Database& db, const std::string& sql, const StudentRef& who) {
  SQLite::Statement q(db, sql);
  bind(q, who);
  return rows(q);
}

json::array select_in(SQLite::Database& db, const std::string& table, const std::string& column,
                      const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) {
    SQLite::Statement q(db, "SELECT * FROM " + table + " WHERE " + column + " = ?");
    q.bind(1, v);
    for (auto& r : rows(q)) out.push_back(std::move(r));
  }
  return out;
}

// Course work assigned to the student by name (assignee_mode INDIVIDUAL_STUDENTS) lists
// their Classroom user id in a JSON array.
constexpr const char* kAssignedTo = "instr(assignees, '\"' || ? || '\"') > 0";

// The student's email from their students row, then their Classroom user ids.
struct ClassroomIds {
  std::vector<std::string> emails;
  std::vector<std::string> user_ids;
};

ClassroomIds classroom_ids(SQLite::Database& db, const StudentRef& who) {
  ClassroomIds ids;
  {
    SQLite::Statement q(db,
                        "SELECT email FROM students WHERE id = ?1 AND email IS NOT NULL "
                        "AND email <> ''");
    q.bind(1, who.id);
    while (q.executeStep()) ids.emails.push_back(q.getColumn(0).getString());
  }
  std::set<std::string> uids;
  for (const auto& e : ids.emails) {
    SQLite::Statement q(db,
                        "SELECT user_id FROM classroom_users WHERE email = ? COLLATE NOCASE "
                        "AND user_id IS NOT NULL AND user_id <> ''");
    q.bind(1, e);
    while (q.executeStep()) uids.insert(q.getColumn(0).getString());
  }
  ids.user_ids.assign(uids.begin(), uids.end());
  return ids;
}

const std::vector<Scope>& scopes() {
  static const std::vector<Scope> s = [] {
    static const std::string outbox = "student_id = ?1 OR " + key_prefix("key");
    static const std::string audit = key_prefix("subject") + " OR subject = ?2";
    return std::vector<Scope>{
        {"students", "id = ?1"},
        {"memberships", "student_id = ?1"},
        {"bookings", "student_id = ?1"},
        {"behaviour_incidents", "student_id = ?1"},
        {"review_flags", "student_id = ?1"},
        {"ie_sessions", "student_id = ?1"},
        {"outbox", outbox.c_str()},
        {"audit", audit.c_str()},
        {"notify_chased", "student_id = ?1"},
    };
  }();
  return s;
}

// Whether anything but an earlier erasure record is held: that alone is not "a student".
bool held(SQLite::Database& db, const StudentRef& who) {
  for (const auto& s : scopes()) {
    std::string where = s.where;
    if (std::string(s.table) == "audit") where = key_prefix("subject");
    SQLite::Statement q(db,
                        std::string("SELECT 1 FROM ") + s.table + " WHERE " + where + " LIMIT 1");
    bind(q, who);
    if (q.executeStep()) return true;
  }
  return false;
}

// The emails that name the student (SPEC §9): the chase messages their chased lessons went
// out in, and any message whose subject or text names them as the emails do ("Forename
// Surname", or "Student <id>" when the students row was missing). Read before the rows go.
// What a sent email's subject and bodies become when a pupil it named is erased.
constexpr const char* kErasedMail = "(removed: the email named a pupil whose record was erased)";

constexpr const char* kNamesThem =
    "key IN (SELECT message_key FROM notify_chased WHERE student_id = ?1) "
    "OR (?2 <> '' AND (instr(subject, ?2) > 0 OR instr(text_body, ?2) > 0)) "
    "OR instr(text_body, 'Student ' || ?1) > 0";

std::string display_name(SQLite::Database& db, const StudentRef& who) {
  SQLite::Statement q(db, "SELECT forename || ' ' || surname FROM students WHERE id = ?");
  q.bind(1, who.id);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

// Binds ?1 the id and ?2 the name for kNamesThem.
SQLite::Statement naming(SQLite::Database& db, const std::string& select, const StudentRef& who,
                         const std::string& name) {
  SQLite::Statement q(db, select + " WHERE " + kNamesThem);
  q.bind(1, who.id);
  q.bind(2, name);
  return q;
}

}  // namespace

Result<std::optional<json::object>> export_student(Store& store, const StudentRef& who,
                                                   TimePoint now) {
  auto& db = StoreAccess::db(store);
  try {
    // One read transaction: a cycle committing half-way through cannot tear the document.
    SQLite::Transaction tx(db);
    if (!held(db, who)) return std::optional<json::object>{};
    json::object doc;
    doc["export"] = json::object{
        {"what", "everything iesync holds about one student (UK GDPR subject access)"},
        {"student_id", who.id},
        {"generated_at", format_utc(now)},
        {"store", store.path().string()},
        {"schema_version", store.schema_version().value()},
        {"note",
         "iesync copies this from the MIS and Google Classroom; the MIS remains the "
         "school's record. Times are UTC."},
    };
    auto students = select(db, "SELECT * FROM students WHERE id = ?1", who);
    doc["student"] = students.empty() ? json::value(nullptr) : students.front();
    doc["memberships"] =
        select(db, "SELECT * FROM memberships WHERE student_id = ?1 ORDER BY class_code", who);
    doc["bookings"] =
        select(db, "SELECT * FROM bookings WHERE student_id = ?1 ORDER BY date, id", who);
    doc["behaviour_incidents"] = select(
        db, "SELECT * FROM behaviour_incidents WHERE student_id = ?1 ORDER BY date, id", who);
    doc["review_flags"] =
        select(db, "SELECT * FROM review_flags WHERE student_id = ?1 ORDER BY kind", who);
    auto sessions = select(
        db, "SELECT * FROM ie_sessions WHERE student_id = ?1 ORDER BY date, booking_id", who);
    for (auto& s : sessions) {
      auto& so = s.as_object();
      SQLite::Statement q(db,
                          "SELECT * FROM session_lessons WHERE booking_id = ? "
                          "ORDER BY start_time, class_code");
      q.bind(1, std::string(so.at("booking_id").as_string()));
      so["lessons"] = rows(q);
    }
    doc["ie_sessions"] = std::move(sessions);
    for (const auto& s : scopes()) {
      std::string table = s.table;
      if (table != "outbox" && table != "audit") continue;
      doc[table] = select(db, "SELECT * FROM " + table + " WHERE " + s.where + " ORDER BY id", who);
    }
    doc["notify_chased"] = select(
        db, "SELECT * FROM notify_chased WHERE student_id = ?1 ORDER BY date, start_time", who);
    {
      // Which emails named them, without the bodies: those name other pupils too.
      auto q = naming(db,
                      "SELECT key, kind, day, recipient, recipient_name, state, created_at, "
                      "sent_at FROM notify_queue",
                      who, display_name(db, who));
      doc["notify_messages"] = rows(q);
    }
    auto ids = classroom_ids(db, who);
    json::object classroom;
    classroom["users"] = select_in(db, "classroom_users", "email", ids.emails);
    classroom["submissions"] = select_in(db, "classroom_submissions", "user_id", ids.user_ids);
    classroom["submission_listings"] =
        select_in(db, "classroom_submission_fetches", "user_id", ids.user_ids);
    for (auto [table, key] :
         {std::pair{"classroom_coursework", "coursework_assigned_individually"},
          std::pair{"classroom_materials", "materials_assigned_individually"}}) {
      json::array assigned;
      for (const auto& uid : ids.user_ids) {
        SQLite::Statement q(db, std::string("SELECT * FROM ") + table + " WHERE " + kAssignedTo);
        q.bind(1, uid);
        for (auto& r : rows(q)) assigned.push_back(std::move(r));
      }
      classroom[key] = std::move(assigned);
    }
    doc["classroom"] = std::move(classroom);
    return std::optional<json::object>(std::move(doc));
  } catch (const std::exception& e) {
    return store_error(store, "cannot read the store for the export", e);
  }
}

long long ErasureSummary::total() const {
  long long n = 0;
  for (const auto& [t, c] : rows) n += c;
  return n;
}

std::string ErasureSummary::describe() const {
  std::string out;
  for (const auto& [t, c] : rows) {
    if (!out.empty()) out += ", ";
    out += t + " " + std::to_string(c);
  }
  return out;
}

Result<std::optional<ErasureSummary>> erase_student(Store& store, const StudentRef& who,
                                                    TimePoint now) {
  auto& db = StoreAccess::db(store);
  ErasureSummary sum;
  try {
    // Freed pages are zeroed as rows go, so the data does not linger even before VACUUM.
    db.exec("PRAGMA secure_delete = ON");
    SQLite::Transaction tx(db);
    if (!held(db, who)) return std::optional<ErasureSummary>{};
    auto count = [&](const std::string& table, long long n) {
      if (n > 0) sum.rows[table] += n;
    };
    // The Classroom ids come from the students row, so read them before it goes.
    auto ids = classroom_ids(db, who);
    // Emails naming them, found before notify_chased and the students row go. One not yet
    // sent is deleted, and the chase marks it carried for other pupils are released so the
    // next chase time asks again without this pupil. One already sent or failed keeps its
    // row (when, to whom, state) with the subject and bodies replaced.
    {
      const std::string name = display_name(db, who);
      std::vector<std::string> unsent, done;
      auto q = naming(db, "SELECT key, state FROM notify_queue", who, name);
      while (q.executeStep())
        (q.getColumn(1).getString() == "pending" ? unsent : done)
            .push_back(q.getColumn(0).getString());
      SQLite::Statement del_chased(db,
                                   "DELETE FROM notify_chased WHERE message_key = ? "
                                   "AND student_id <> ?");
      SQLite::Statement del(db, "DELETE FROM notify_queue WHERE key = ?");
      for (const auto& k : unsent) {
        del_chased.bind(1, k);
        del_chased.bind(2, who.id);
        count("notify_chased (others released)", del_chased.exec());
        del_chased.reset();
        del.bind(1, k);
        count("notify_queue", del.exec());
        del.reset();
      }
      SQLite::Statement blank(db,
                              "UPDATE notify_queue SET subject = ?, text_body = ?, "
                              "html_body = ? WHERE key = ?");
      for (const auto& k : done) {
        blank.bind(1, kErasedMail);
        blank.bind(2, kErasedMail);
        blank.bind(3, kErasedMail);
        blank.bind(4, k);
        count("notify_queue (blanked)", blank.exec());
        blank.reset();
      }
    }
    {
      SQLite::Statement q(db,
                          "DELETE FROM session_lessons WHERE booking_id IN "
                          "(SELECT booking_id FROM ie_sessions WHERE student_id = ?1)");
      bind(q, who);
      count("session_lessons", q.exec());
    }
    // The record caches say which row each exported record is; this student's rows go.
    drop_all_record_caches(db);
    for (const auto& s : scopes()) {
      std::string where = s.where;
      // Earlier erasure records of this id stay: they hold no data and prove the erasures.
      if (std::string(s.table) == "audit") where = key_prefix("subject");
      SQLite::Statement q(db, std::string("DELETE FROM ") + s.table + " WHERE " + where);
      bind(q, who);
      count(s.table, q.exec());
    }
    for (const auto& uid : ids.user_ids) {
      for (const char* table : {"classroom_submissions", "classroom_submission_fetches"}) {
        SQLite::Statement q(db, std::string("DELETE FROM ") + table + " WHERE user_id = ?");
        q.bind(1, uid);
        count(table, q.exec());
      }
      // A cache: the next cycle fetches the course work again, without this student if
      // Classroom no longer assigns it to them.
      for (const char* table : {"classroom_coursework", "classroom_materials"}) {
        SQLite::Statement q(db, std::string("DELETE FROM ") + table + " WHERE " + kAssignedTo);
        q.bind(1, uid);
        count(table, q.exec());
      }
    }
    for (const auto& e : ids.emails) {
      SQLite::Statement q(db, "DELETE FROM classroom_users WHERE email = ? COLLATE NOCASE");
      q.bind(1, e);
      count("classroom_users", q.exec());
    }
    SQLite::Statement a(db,
                        "INSERT INTO audit(at, action, subject, target, detail) "
                        "VALUES (?, ?, ?, NULL, ?)");
    a.bind(1, format_utc(now));
    a.bind(2, kErasureAuditAction);
    a.bind(3, "sha256:" + who.id_hash);
    a.bind(4, "student record erased: " + std::to_string(sum.total()) + " row(s) removed (" +
                  sum.describe() + ")");
    a.exec();
    tx.commit();
  } catch (const std::exception& e) {
    return store_error(store, "erasing the student failed, nothing was removed", e);
  }
  // Deleted rows can survive in free pages and in the WAL: rebuild the file and empty the
  // WAL. The erasure itself is committed; a failure here is reported, not rolled back.
  try {
    db.exec("VACUUM");
    sum.vacuumed = true;
    SQLite::Statement q(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (q.executeStep()) sum.wal_truncated = q.getColumn(0).getInt() == 0;
  } catch (const SQLite::Exception&) {
    // vacuumed / wal_truncated stay false; the caller says what to do.
  }
  return std::optional<ErasureSummary>(std::move(sum));
}

}  // namespace iesync
