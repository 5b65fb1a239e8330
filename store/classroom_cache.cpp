#include "store/classroom_cache.h"

#include <boost/json.hpp>

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace json = boost::json;

namespace {

void bind_time(SQLite::Statement& st, int i, const std::optional<TimePoint>& t) {
  if (t)
    st.bind(i, format_utc(*t));
  else
    st.bind(i);  // NULL
}

// Columns read through strftime('%s', ...) come back as integer seconds or NULL.
std::optional<TimePoint> column_time(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return TimePoint{std::chrono::seconds{c.getInt64()}};
}

std::string opt_text(const SQLite::Column& c) {
  return c.isNull() ? std::string{} : c.getString();
}

std::string assignees_json(const CourseWork& w) {
  json::array ids;
  for (const auto& id : w.individual_students) ids.emplace_back(id);
  return json::serialize(ids);
}

void read_assignees(const SQLite::Column& c, CourseWork& w) {
  boost::system::error_code ec;
  auto ids = json::parse(opt_text(c), ec);
  if (!ec && ids.is_array())
    for (auto& id : ids.as_array())
      if (id.is_string()) w.individual_students.emplace_back(id.as_string());
}

// Replaces a course's cached materials; the course row says when they were read.
void put_materials(SQLite::Database& db, const CourseSnapshot& s, const std::string& at) {
  SQLite::Statement del(db, "DELETE FROM classroom_materials WHERE course_id = ?");
  del.bind(1, *s.course_id);
  del.exec();
  SQLite::Statement ins(db,
                        "INSERT OR REPLACE INTO classroom_materials (course_id, id, title, state, "
                        "link, scheduled_utc, created_utc, assignee_mode, assignees, fetched_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)");
  for (const auto& m : s.materials) {
    ins.bind(1, *s.course_id);
    ins.bind(2, m.id);
    ins.bind(3, m.title);
    ins.bind(4, m.state);
    ins.bind(5, m.link);
    bind_time(ins, 6, m.scheduled);
    bind_time(ins, 7, m.created);
    ins.bind(8, m.assignee_mode);
    ins.bind(9, assignees_json(m));
    ins.bind(10, at);
    ins.exec();
    ins.reset();
  }
  SQLite::Statement up(
      db, "UPDATE classroom_courses SET materials_fetched_at = ? WHERE course_ref = ?");
  up.bind(1, at);
  up.bind(2, s.course_ref);
  up.exec();
}

std::vector<CourseWork> cached_materials(SQLite::Database& db, const std::string& course_id) {
  std::vector<CourseWork> out;
  SQLite::Statement q(db,
                      "SELECT id, title, state, link, strftime('%s', scheduled_utc), "
                      "strftime('%s', created_utc), assignee_mode, assignees "
                      "FROM classroom_materials WHERE course_id = ? ORDER BY id");
  q.bind(1, course_id);
  while (q.executeStep()) {
    CourseWork m;
    m.course_id = course_id;
    m.id = q.getColumn(0).getString();
    m.title = opt_text(q.getColumn(1));
    m.state = q.getColumn(2).getString();
    m.link = opt_text(q.getColumn(3));
    m.scheduled = column_time(q.getColumn(4));
    m.created = column_time(q.getColumn(5));
    m.assignee_mode = opt_text(q.getColumn(6));
    read_assignees(q.getColumn(7), m);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

Result<void> ClassroomCache::put_course(const CourseSnapshot& s) {
  try {
    auto& db = StoreAccess::db(store_);
    SQLite::Transaction tx(db);
    const std::string at = format_utc(s.fetched_at.value());
    SQLite::Statement up(db,
                         "INSERT INTO classroom_courses"
                         " (course_ref, course_id, name, link, fetched_at) VALUES (?,?,?,?,?)"
                         " ON CONFLICT (course_ref) DO UPDATE SET"
                         // when materials were read stays, unless the ref now names another
                         // course
                         " materials_fetched_at = CASE WHEN course_id IS excluded.course_id"
                         " THEN materials_fetched_at END,"
                         " course_id = excluded.course_id, name = excluded.name,"
                         " link = excluded.link, fetched_at = excluded.fetched_at");
    up.bind(1, s.course_ref);
    if (s.course_id)
      up.bind(2, *s.course_id);
    else
      up.bind(2);
    up.bind(3, s.name);
    up.bind(4, s.link);
    up.bind(5, at);
    up.exec();
    if (s.course_id) {
      SQLite::Statement del(db, "DELETE FROM classroom_coursework WHERE course_id = ?");
      del.bind(1, *s.course_id);
      del.exec();
      SQLite::Statement ins(db,
                            "INSERT OR REPLACE INTO classroom_coursework (course_id, id, title, "
                            "state, link, due_utc, scheduled_utc, created_utc, assignee_mode, "
                            "assignees, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
      for (const auto& w : s.work) {
        ins.bind(1, *s.course_id);
        ins.bind(2, w.id);
        ins.bind(3, w.title);
        ins.bind(4, w.state);
        ins.bind(5, w.link);
        bind_time(ins, 6, w.due);
        bind_time(ins, 7, w.scheduled);
        bind_time(ins, 8, w.created);
        ins.bind(9, w.assignee_mode);
        ins.bind(10, assignees_json(w));
        ins.bind(11, at);
        ins.exec();
        ins.reset();
      }
      // Materials not read this time keep their last copy and its time.
      if (s.materials_checked) put_materials(db, s, at);
    }
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return store_error(store_, "the Classroom cache could not be used", e);
  }
}

Result<std::optional<CourseSnapshot>> ClassroomCache::course(const std::string& course_ref) {
  try {
    auto& db = StoreAccess::db(store_);
    SQLite::Statement q(db,
                        "SELECT course_id, name, link, strftime('%s', fetched_at), "
                        "materials_fetched_at IS NOT NULL FROM classroom_courses "
                        "WHERE course_ref = ?");
    q.bind(1, course_ref);
    if (!q.executeStep()) return std::optional<CourseSnapshot>{};
    CourseSnapshot s;
    s.course_ref = course_ref;
    if (!q.getColumn(0).isNull()) s.course_id = q.getColumn(0).getString();
    s.name = opt_text(q.getColumn(1));
    s.link = opt_text(q.getColumn(2));
    s.fetched_at = column_time(q.getColumn(3));
    s.materials_checked = q.getColumn(4).getInt() != 0;
    if (s.course_id) {
      SQLite::Statement w(db,
                          "SELECT id, title, state, link, strftime('%s', due_utc), "
                          "strftime('%s', scheduled_utc), strftime('%s', created_utc), "
                          "assignee_mode, assignees FROM classroom_coursework "
                          "WHERE course_id = ? ORDER BY id");
      w.bind(1, *s.course_id);
      while (w.executeStep()) {
        CourseWork cw;
        cw.course_id = *s.course_id;
        cw.id = w.getColumn(0).getString();
        cw.title = opt_text(w.getColumn(1));
        cw.state = w.getColumn(2).getString();
        cw.link = opt_text(w.getColumn(3));
        cw.due = column_time(w.getColumn(4));
        cw.scheduled = column_time(w.getColumn(5));
        cw.created = column_time(w.getColumn(6));
        cw.assignee_mode = opt_text(w.getColumn(7));
        read_assignees(w.getColumn(8), cw);
        s.work.push_back(std::move(cw));
      }
      if (s.materials_checked) s.materials = cached_materials(db, *s.course_id);
    }
    return std::optional<CourseSnapshot>(std::move(s));
  } catch (const std::exception& e) {
    return store_error(store_, "the Classroom cache could not be used", e);
  }
}

Result<void> ClassroomCache::put_user(const std::string& email, const std::string& user_id,
                                      TimePoint at) {
  try {
    SQLite::Statement st(StoreAccess::db(store_),
                         "INSERT OR REPLACE INTO classroom_users (email, user_id, fetched_at) "
                         "VALUES (?,?,?)");
    st.bind(1, email);
    st.bind(2, user_id);
    st.bind(3, format_utc(at));
    st.exec();
    return {};
  } catch (const std::exception& e) {
    return store_error(store_, "the Classroom cache could not be used", e);
  }
}

Result<std::optional<std::string>> ClassroomCache::user_id(const std::string& email) {
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT user_id FROM classroom_users WHERE email = ? AND user_id IS NOT "
                        "NULL AND user_id <> ''");
    q.bind(1, email);
    if (!q.executeStep()) return std::optional<std::string>{};
    return std::optional<std::string>(q.getColumn(0).getString());
  } catch (const std::exception& e) {
    return store_error(store_, "the Classroom cache could not be used", e);
  }
}

Result<void> ClassroomCache::put_submissions(const StudentSubmissions& s) {
  try {
    auto& db = StoreAccess::db(store_);
    SQLite::Transaction tx(db);
    const std::string at = format_utc(s.fetched_at.value());
    SQLite::Statement del(db,
                          "DELETE FROM classroom_submissions WHERE course_id = ? AND user_id = ?");
    del.bind(1, s.course_id);
    del.bind(2, s.user_id);
    del.exec();
    SQLite::Statement ins(db,
                          "INSERT OR REPLACE INTO classroom_submissions (course_id, "
                          "coursework_id, user_id, state, updated_utc, fetched_at) "
                          "VALUES (?,?,?,?,?,?)");
    for (const auto& sub : s.submissions) {
      ins.bind(1, s.course_id);
      ins.bind(2, sub.coursework_id);
      ins.bind(3, s.user_id);
      ins.bind(4, sub.state);
      bind_time(ins, 5, sub.updated);
      ins.bind(6, at);
      ins.exec();
      ins.reset();
    }
    SQLite::Statement f(db,
                        "INSERT OR REPLACE INTO classroom_submission_fetches (course_id, "
                        "user_id, fetched_at) VALUES (?,?,?)");
    f.bind(1, s.course_id);
    f.bind(2, s.user_id);
    f.bind(3, at);
    f.exec();
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return store_error(store_, "the Classroom cache could not be used", e);
  }
}

Result<std::optional<StudentSubmissions>> ClassroomCache::submissions(const std::string& course_id,
                                                                      const std::string& email) {
  try {
    auto& db = StoreAccess::db(store_);
    SQLite::Statement q(db,
                        "SELECT u.user_id, strftime('%s', f.fetched_at) FROM classroom_users u "
                        "JOIN classroom_submission_fetches f ON f.user_id = u.user_id "
                        "WHERE u.email = ? AND f.course_id = ?");
    q.bind(1, email);
    q.bind(2, course_id);
    if (!q.executeStep()) return std::optional<StudentSubmissions>{};
    StudentSubmissions s;
    s.course_id = course_id;
    s.email = email;
    s.user_id = q.getColumn(0).getString();
    s.fetched_at = column_time(q.getColumn(1));
    SQLite::Statement r(db,
                        "SELECT coursework_id, state, strftime('%s', updated_utc) FROM "
                        "classroom_submissions WHERE course_id = ? AND user_id = ? "
                        "ORDER BY coursework_id");
    r.bind(1, course_id);
    r.bind(2, s.user_id);
    while (r.executeStep()) {
      Submission sub;
      sub.course_id = course_id;
      sub.coursework_id = r.getColumn(0).getString();
      sub.user_id = s.user_id;
      sub.state = r.getColumn(1).getString();
      sub.updated = column_time(r.getColumn(2));
      s.submissions.push_back(std::move(sub));
    }
    return std::optional<StudentSubmissions>(std::move(s));
  } catch (const std::exception& e) {
    return store_error(store_, "the Classroom cache could not be used", e);
  }
}

}  // namespace iesync
