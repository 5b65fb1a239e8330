#include "store/impact_store.h"

#include "store/feed_apply.h"
#include "store/mis_rows.h"
#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

ImpactStore::ImpactStore(Store& store) : store_(store), db_(StoreAccess::db(store)) {}

namespace {

std::string text(const SQLite::Column& c) {
  return c.isNull() ? std::string() : c.getString();
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

Result<ApplyCounts> ImpactStore::replace_incidents(const std::vector<Incident>& v,
                                                   const AppliedFeed& a) {
  return replace_rows(store_, Feed::behaviour, v, a);
}

Result<long long> ImpactStore::incident_count() {
  return guarded(store_, "cannot count the behaviour incidents", [&] {
    return db_.execAndGet("SELECT count(*) FROM behaviour_incidents").getInt64();
  });
}

Result<std::optional<Date>> ImpactStore::first_incident_date() {
  return guarded(store_, "cannot read the behaviour incidents", [&]() -> std::optional<Date> {
    auto c = db_.execAndGet("SELECT min(date) FROM behaviour_incidents");
    if (c.isNull()) return std::nullopt;
    return Date::parse_iso(c.getString());
  });
}

Result<std::vector<Incident>> ImpactStore::incidents_of(const std::string& student_id) {
  return guarded(store_, "cannot read the behaviour incidents of student " + student_id, [&] {
    SQLite::Statement q(db_, std::string("SELECT ") + kIncidentCols +
                                 " FROM behaviour_incidents WHERE student_id = ? ORDER BY date, "
                                 "time, id");
    q.bind(1, student_id);
    return read_incidents(q);
  });
}

Result<std::vector<Incident>> ImpactStore::incidents_between(Date first, Date last) {
  return guarded(store_, "cannot read the behaviour incidents", [&] {
    SQLite::Statement q(db_, std::string("SELECT ") + kIncidentCols +
                                 " FROM behaviour_incidents WHERE date BETWEEN ? AND ? "
                                 "ORDER BY student_id, date, time, id");
    q.bind(1, first.iso());
    q.bind(2, last.iso());
    return read_incidents(q);
  });
}

Result<std::vector<std::string>> ImpactStore::students_with_bookings(Date last) {
  return guarded(store_, "cannot read the IE bookings", [&] {
    SQLite::Statement q(db_,
                        "SELECT DISTINCT student_id FROM bookings WHERE date <= ? AND status IN "
                        "('booked', 'attended') ORDER BY student_id");
    q.bind(1, last.iso());
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

Result<std::vector<SessionTally>> ImpactStore::sessions_of(const std::string& student_id) {
  return guarded(store_, "cannot read the IE sessions of student " + student_id, [&] {
    SQLite::Statement q(
        db_,
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
  });
}

Result<std::map<std::pair<std::string, std::string>, std::string>> ImpactStore::logged_flags() {
  return guarded(store_, "cannot read the review flags already told", [&] {
    std::map<std::pair<std::string, std::string>, std::string> out;
    SQLite::Statement q(db_, "SELECT student_id, kind, since FROM review_flags");
    while (q.executeStep())
      out[{q.getColumn(0).getString(), q.getColumn(1).getString()}] = q.getColumn(2).getString();
    return out;
  });
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
  } catch (const std::exception& e) {
    // They are told again next cycle.
    return store_error(store_, "could not record the review flags told in sync.log", e);
  }
}

}  // namespace iesync
