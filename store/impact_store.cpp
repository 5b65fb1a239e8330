#include "store/impact_store.h"

#include "store/feed_state_row.h"
#include "store/store_access.h"

namespace iesync {

ImpactStore::ImpactStore(Store& store) : store_(store), db_(StoreAccess::db(store)) {}

namespace {

std::string text(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }

void bind_opt(SQLite::Statement& q, int i, const std::string& v) {
  if (v.empty())
    q.bind(i);
  else
    q.bind(i, v);
}

constexpr const char* kIncidentCols =
    "id, student_id, date, time, type, points, recorded_by, status";

std::vector<Incident> read_incidents(SQLite::Statement& q) {
  std::vector<Incident> out;
  while (q.executeStep()) {
    Incident i;
    i.id = text(q.getColumn(0));
    i.student_id = text(q.getColumn(1));
    i.date = Date::parse_iso(text(q.getColumn(2))).value_or(Date{});
    i.time = text(q.getColumn(3));
    i.type = text(q.getColumn(4));
    i.points = q.getColumn(5).getInt();
    i.recorded_by = text(q.getColumn(6));
    i.status = text(q.getColumn(7));
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace

Result<void> ImpactStore::replace_incidents(const std::vector<Incident>& v, const AppliedFeed& a) {
  try {
    SQLite::Transaction tx(db_);
    db_.exec("DELETE FROM behaviour_incidents");
    SQLite::Statement q(db_, std::string("INSERT INTO behaviour_incidents(") + kIncidentCols +
                                 ") VALUES (?,?,?,?,?,?,?,?)");
    for (const auto& i : v) {
      q.bind(1, i.id);
      q.bind(2, i.student_id);
      q.bind(3, i.date.iso());
      bind_opt(q, 4, i.time);
      bind_opt(q, 5, i.type);
      q.bind(6, i.points);
      bind_opt(q, 7, i.recorded_by);
      bind_opt(q, 8, i.status);
      q.exec();
      q.reset();
    }
    write_applied_feed_state(db_, Feed::behaviour, static_cast<long long>(v.size()), a);
    tx.commit();
    return {};
  } catch (const SQLite::Exception& e) {
    return make_error(a.file, std::string("could not save the behaviour feed in the store: ") +
                                  e.what(),
                      "the store is unchanged; check the disk is not full and the store is "
                      "writable");
  }
}

long long ImpactStore::incident_count() {
  return db_.execAndGet("SELECT count(*) FROM behaviour_incidents").getInt64();
}

std::optional<Date> ImpactStore::first_incident_date() {
  auto c = db_.execAndGet("SELECT min(date) FROM behaviour_incidents");
  if (c.isNull()) return std::nullopt;
  return Date::parse_iso(c.getString());
}

std::vector<Incident> ImpactStore::incidents_of(const std::string& student_id) {
  SQLite::Statement q(db_, std::string("SELECT ") + kIncidentCols +
                               " FROM behaviour_incidents WHERE student_id = ? ORDER BY date, "
                               "time, id");
  q.bind(1, student_id);
  return read_incidents(q);
}

std::vector<Incident> ImpactStore::incidents_between(Date first, Date last) {
  SQLite::Statement q(db_, std::string("SELECT ") + kIncidentCols +
                               " FROM behaviour_incidents WHERE date BETWEEN ? AND ? "
                               "ORDER BY student_id, date, time, id");
  q.bind(1, first.iso());
  q.bind(2, last.iso());
  return read_incidents(q);
}

std::vector<std::string> ImpactStore::students_with_bookings(Date last) {
  SQLite::Statement q(db_,
                      "SELECT DISTINCT student_id FROM bookings WHERE date <= ? AND status IN "
                      "('booked', 'attended') ORDER BY student_id");
  q.bind(1, last.iso());
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

std::vector<SessionTally> ImpactStore::sessions_of(const std::string& student_id) {
  SQLite::Statement q(db_,
                      "SELECT s.booking_id, s.date, count(l.class_code), "
                      "coalesce(sum(l.work_status IN ('set', 'handed_in')), 0), "
                      "coalesce(sum(l.work_status = 'handed_in'), 0) "
                      "FROM ie_sessions s LEFT JOIN session_lessons l ON l.booking_id = "
                      "s.booking_id WHERE s.student_id = ? GROUP BY s.booking_id ORDER BY s.date");
  q.bind(1, student_id);
  std::vector<SessionTally> out;
  while (q.executeStep()) {
    SessionTally t;
    t.booking_id = q.getColumn(0).getString();
    t.date = Date::parse_iso(text(q.getColumn(1))).value_or(Date{});
    t.lessons = q.getColumn(2).getInt();
    t.work_set = q.getColumn(3).getInt();
    t.handed_in = q.getColumn(4).getInt();
    out.push_back(std::move(t));
  }
  return out;
}

std::map<std::pair<std::string, std::string>, std::string> ImpactStore::logged_flags() {
  std::map<std::pair<std::string, std::string>, std::string> out;
  SQLite::Statement q(db_, "SELECT student_id, kind, since FROM review_flags");
  while (q.executeStep())
    out[{q.getColumn(0).getString(), q.getColumn(1).getString()}] = q.getColumn(2).getString();
  return out;
}

Result<void> ImpactStore::update_logged_flags(
    const std::vector<std::tuple<std::string, std::string, std::string>>& told,
    const std::vector<std::pair<std::string, std::string>>& closed, TimePoint now) {
  try {
    SQLite::Transaction tx(db_);
    SQLite::Statement del(db_, "DELETE FROM review_flags WHERE student_id = ? AND kind = ?");
    for (const auto& [student, kind] : closed) {
      del.bind(1, student);
      del.bind(2, kind);
      del.exec();
      del.reset();
    }
    SQLite::Statement ins(db_,
                          "INSERT OR REPLACE INTO review_flags(student_id, kind, since, "
                          "logged_at) VALUES (?,?,?,?)");
    const std::string at = format_utc(now);
    for (const auto& [student, kind, since] : told) {
      ins.bind(1, student);
      ins.bind(2, kind);
      ins.bind(3, since);
      ins.bind(4, at);
      ins.exec();
      ins.reset();
    }
    tx.commit();
    return {};
  } catch (const SQLite::Exception& e) {
    return make_error(store_.path().string(),
                      std::string("could not record the review flags told in sync.log: ") +
                          e.what(),
                      "they will be told again next cycle; check the disk");
  }
}

}  // namespace iesync
