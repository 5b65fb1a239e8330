#include "store/mis_store.h"

#include "store/feed_apply.h"
#include "store/mis_rows.h"
#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

std::string text(const SQLite::Column& c) {
  return c.isNull() ? std::string() : c.getString();
}

std::optional<Date> date_col(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return Date::parse_iso(c.getString());
}

Student read_student(SQLite::Statement& q) {
  return Student{text(q.getColumn(0)), text(q.getColumn(1)), text(q.getColumn(2)),
                 text(q.getColumn(3)), text(q.getColumn(4)), text(q.getColumn(5)),
                 text(q.getColumn(6)), text(q.getColumn(7)), text(q.getColumn(8)),
                 text(q.getColumn(9))};
}

constexpr const char* kStudentCols =
    "id, forename, surname, year, reg_group, email, upn, sen, pupil_premium, gender";

}  // namespace

MisStore::MisStore(Store& store) : store_(store), db_(StoreAccess::db(store)) {}

MisStore::BulkCache::BulkCache(Store& store) : db_(StoreAccess::db(store)) {
  try {
    before_ = db_.execAndGet("PRAGMA cache_size").getInt();
    db_.exec("PRAGMA cache_size = -32768");  // negative: KiB
  } catch (const SQLite::Exception&) {
    before_.reset();  // a broken store is reported by whatever uses it next
  }
}

MisStore::BulkCache::~BulkCache() {
  try {
    if (before_) db_.exec("PRAGMA cache_size = " + std::to_string(*before_));
  } catch (const SQLite::Exception&) {
  }
}

Result<std::optional<FeedState>> MisStore::feed_state(Feed f) {
  return guarded(store_, "cannot read the state of the feeds", [&]() -> std::optional<FeedState> {
    SQLite::Statement q(db_,
                        "SELECT file, content_hash, applied_at, records, held_hash, held_reason "
                        "FROM feed_state WHERE feed = ?");
    q.bind(1, feed_name(f));
    if (!q.executeStep()) return std::nullopt;
    return FeedState{text(q.getColumn(0)),      text(q.getColumn(1)), text(q.getColumn(2)),
                     q.getColumn(3).getInt64(), text(q.getColumn(4)), text(q.getColumn(5))};
  });
}

Result<std::vector<std::pair<std::string, FeedState>>> MisStore::held_feeds() {
  return guarded(store_, "cannot read the held exports", [&] {
    std::vector<std::pair<std::string, FeedState>> out;
    SQLite::Statement q(db_,
                        "SELECT feed, file, content_hash, applied_at, records, held_hash, "
                        "held_reason FROM feed_state WHERE held_hash IS NOT NULL AND held_hash "
                        "!= '' ORDER BY feed");
    while (q.executeStep())
      out.emplace_back(
          text(q.getColumn(0)),
          FeedState{text(q.getColumn(1)), text(q.getColumn(2)), text(q.getColumn(3)),
                    q.getColumn(4).getInt64(), text(q.getColumn(5)), text(q.getColumn(6))});
    return out;
  });
}

Result<ApplyCounts> MisStore::replace_students(const std::vector<Student>& v,
                                               const AppliedFeed& a) {
  return replace_rows(store_, Feed::students, v, a);
}

Result<ApplyCounts> MisStore::replace_staff(const std::vector<Staff>& v, const AppliedFeed& a) {
  return replace_rows(store_, Feed::staff, v, a);
}

Result<ApplyCounts> MisStore::replace_memberships(const std::vector<Membership>& v,
                                                  const AppliedFeed& a) {
  return replace_rows(store_, Feed::memberships, v, a);
}

Result<ApplyCounts> MisStore::replace_lessons(const std::vector<Lesson>& v, const AppliedFeed& a) {
  return replace_rows(store_, Feed::timetable, v, a);
}

Result<ApplyCounts> MisStore::replace_bookings(const std::vector<Booking>& v,
                                               const AppliedFeed& a) {
  return replace_rows(store_, Feed::bookings, v, a);
}

Result<void> MisStore::hold(Feed f, const std::string& file, const std::string& hash,
                            const std::string& reason) {
  try {
    // A feed is only ever held against data already applied, so its row normally exists;
    // the insert branch keeps a hand-edited store from losing the hold.
    SQLite::Statement st(db_,
                         "INSERT INTO feed_state(feed, file, content_hash, applied_at, records, "
                         "held_hash, held_reason) VALUES (?, ?, '', '', 0, ?, ?) "
                         "ON CONFLICT(feed) DO UPDATE SET held_hash = excluded.held_hash, "
                         "held_reason = excluded.held_reason");
    st.bind(1, feed_name(f));
    st.bind(2, file);
    st.bind(3, hash);
    st.bind(4, reason);
    st.exec();
    return {};
  } catch (const std::exception& e) {
    return store_error(store_, file + ": could not record the held feed", e);
  }
}

Result<void> MisStore::release_hold(Feed f) {
  try {
    SQLite::Statement st(db_,
                         "UPDATE feed_state SET held_hash = NULL, held_reason = NULL "
                         "WHERE feed = ?");
    st.bind(1, feed_name(f));
    st.exec();
    return {};
  } catch (const std::exception& e) {
    return store_error(store_,
                       std::string("could not release the held ") + feed_name(f) + " export", e);
  }
}

Result<long long> MisStore::student_count() {
  return guarded(store_, "cannot count the students",
                 [&] { return db_.execAndGet("SELECT count(*) FROM students").getInt64(); });
}

Result<std::pair<long long, std::string>> MisStore::memberless_lessons() {
  return guarded(store_, "cannot read the lessons", [&] {
    SQLite::Statement q(db_,
                        "SELECT count(*), min(class_code) FROM lessons WHERE class_code NOT IN "
                        "(SELECT class_code FROM memberships)");
    q.executeStep();
    return std::pair<long long, std::string>(q.getColumn(0).getInt64(), text(q.getColumn(1)));
  });
}

Result<std::size_t> MisStore::classes_without_members(const std::vector<std::string>& classes) {
  return guarded(store_, "cannot read the class memberships", [&] {
    ReadSnapshot one_read(store_);
    std::unordered_set<std::string> seen;
    std::size_t empty = 0;
    SQLite::Statement q(db_, "SELECT 1 FROM memberships WHERE class_code = ? LIMIT 1");
    for (auto& c : classes) {
      if (!seen.insert(c).second) continue;
      q.bind(1, c);
      if (!q.executeStep()) ++empty;
      q.reset();
    }
    return empty;
  });
}

Result<long long> MisStore::class_count() {
  return guarded(store_, "cannot count the classes", [&] {
    return db_.execAndGet("SELECT count(DISTINCT class_code) FROM memberships").getInt64();
  });
}

Result<std::unordered_set<std::string>> MisStore::student_ids() {
  return guarded(store_, "cannot read the students", [&] {
    std::unordered_set<std::string> out;
    SQLite::Statement q(db_, "SELECT id FROM students");
    while (q.executeStep()) out.insert(q.getColumn(0).getString());
    return out;
  });
}

Result<std::unordered_set<std::string>> MisStore::class_codes() {
  return guarded(store_, "cannot read the classes", [&] {
    std::unordered_set<std::string> out;
    SQLite::Statement q(db_, "SELECT DISTINCT class_code FROM memberships");
    while (q.executeStep()) out.insert(q.getColumn(0).getString());
    return out;
  });
}

Result<std::vector<Student>> MisStore::students() {
  return guarded(store_, "cannot read the students", [&] {
    std::vector<Student> out;
    SQLite::Statement q(db_, std::string("SELECT ") + kStudentCols + " FROM students ORDER BY id");
    while (q.executeStep()) out.push_back(read_student(q));
    return out;
  });
}

Result<std::optional<Student>> MisStore::student(const std::string& id) {
  return guarded(store_, "cannot read student " + id, [&]() -> std::optional<Student> {
    SQLite::Statement q(db_, std::string("SELECT ") + kStudentCols + " FROM students WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return read_student(q);
  });
}

Result<std::vector<Student>> MisStore::students_with_ids(const std::vector<std::string>& ids) {
  return guarded(store_, "cannot read the students", [&] {
    ReadSnapshot one_read(store_);
    std::vector<Student> out;
    SQLite::Statement q(db_, std::string("SELECT ") + kStudentCols + " FROM students WHERE id = ?");
    for (const auto& id : ids) {
      q.bind(1, id);
      if (q.executeStep()) out.push_back(read_student(q));
      q.reset();
    }
    return out;
  });
}

Result<std::vector<Staff>> MisStore::staff() {
  return guarded(store_, "cannot read the staff", [&] {
    std::vector<Staff> out;
    SQLite::Statement q(db_, "SELECT code, name, email FROM staff ORDER BY code");
    while (q.executeStep())
      out.push_back(Staff{text(q.getColumn(0)), text(q.getColumn(1)), text(q.getColumn(2))});
    return out;
  });
}

Result<std::vector<Membership>> MisStore::memberships_of(const std::string& student_id) {
  return guarded(store_, "cannot read the classes of student " + student_id, [&] {
    std::vector<Membership> out;
    SQLite::Statement q(db_,
                        "SELECT student_id, class_code, start_date, end_date FROM memberships "
                        "WHERE student_id = ? ORDER BY class_code, start_date");
    q.bind(1, student_id);
    while (q.executeStep())
      out.push_back(Membership{text(q.getColumn(0)), text(q.getColumn(1)), date_col(q.getColumn(2)),
                               date_col(q.getColumn(3))});
    return out;
  });
}

Result<std::vector<Lesson>> MisStore::lessons_on(int cycle_day) {
  return guarded(store_, "cannot read the timetable", [&] {
    std::vector<Lesson> out;
    SQLite::Statement q(db_,
                        "SELECT class_code, cycle_day, day_name, start_time, end_time, room, "
                        "teacher, subject FROM lessons WHERE cycle_day = ? "
                        "ORDER BY start_time, class_code");
    q.bind(1, cycle_day);
    while (q.executeStep()) {
      Lesson l;
      l.class_code = text(q.getColumn(0));
      l.cycle_day = q.getColumn(1).getInt();
      l.day_name = text(q.getColumn(2));
      l.time = TimeRange{TimeOfDay::parse(text(q.getColumn(3))).value_or(TimeOfDay{}),
                         TimeOfDay::parse(text(q.getColumn(4))).value_or(TimeOfDay{})};
      l.room = text(q.getColumn(5));
      l.teacher = text(q.getColumn(6));
      l.subject = text(q.getColumn(7));
      out.push_back(std::move(l));
    }
    return out;
  });
}

namespace {

constexpr const char* kBookingCols =
    "id, student_id, date, start_spec, end_spec, reason, room, status, referred_by, incident_id";

std::vector<Booking> read_bookings(SQLite::Statement& q) {
  std::vector<Booking> out;
  while (q.executeStep()) {
    Booking b;
    b.id = text(q.getColumn(0));
    b.student_id = text(q.getColumn(1));
    b.date = Date::parse_iso(text(q.getColumn(2))).value_or(Date{});
    b.start_spec = text(q.getColumn(3));
    b.end_spec = text(q.getColumn(4));
    b.reason = text(q.getColumn(5));
    b.room = text(q.getColumn(6));
    b.status = booking_status_from_name(text(q.getColumn(7))).value_or(BookingStatus::booked);
    b.referred_by = text(q.getColumn(8));
    b.incident_id = text(q.getColumn(9));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace

Result<std::vector<Booking>> MisStore::bookings_between(Date first, Date last) {
  return guarded(store_, "cannot read the IE bookings", [&] {
    SQLite::Statement q(db_, std::string("SELECT ") + kBookingCols +
                                 " FROM bookings WHERE date BETWEEN ? AND ? "
                                 "ORDER BY date, start_spec, id");
    q.bind(1, first.iso());
    q.bind(2, last.iso());
    return read_bookings(q);
  });
}

Result<std::vector<Booking>> MisStore::bookings_of(const std::string& student_id) {
  return guarded(store_, "cannot read the IE bookings of student " + student_id, [&] {
    SQLite::Statement q(db_,
                        std::string("SELECT ") + kBookingCols +
                            " FROM bookings WHERE student_id = ? ORDER BY date, start_spec, id");
    q.bind(1, student_id);
    return read_bookings(q);
  });
}

}  // namespace iesync
