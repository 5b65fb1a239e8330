#include "store/retention.h"

#include "mapping/civil.h"
#include "store/record_cache.h"
#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

long long run(SQLite::Database& db, const char* sql, const std::string& cutoff) {
  SQLite::Statement q(db, sql);
  q.bind(1, cutoff);
  return q.exec();
}

long long run(SQLite::Database& db, const char* sql, const std::string& day,
              const std::string& at) {
  SQLite::Statement q(db, sql);
  q.bind(1, day);
  q.bind(2, at);
  return q.exec();
}

void add(std::string& out, long long n, const char* what) {
  if (n == 0) return;
  if (!out.empty()) out += ", ";
  out += std::to_string(n) + " " + what;
}

}  // namespace

std::string PurgeCounts::describe() const {
  std::string out;
  add(out, sessions, "IE session(s)");
  add(out, session_lessons, "session lesson(s)");
  add(out, bookings, "booking(s)");
  add(out, incidents, "behaviour incident(s)");
  add(out, outbox, "write-back item(s)");
  add(out, audit, "audit row(s)");
  add(out, classroom, "Classroom cache row(s)");
  add(out, cycles, "cycle record(s)");
  add(out, notify_messages, "email(s)");
  add(out, notify_chased, "chase record(s)");
  return out;
}

Result<PurgeCounts> purge_expired(Store& store, std::chrono::seconds retain, TimePoint now) {
  PurgeCounts c;
  if (retain.count() <= 0) return c;
  const TimePoint cutoff_at = now - retain;
  // RFC 3339 UTC text in one fixed format compares correctly as a string.
  const std::string cutoff = format_utc(cutoff_at);
  const std::string cutoff_day = Date{std::chrono::floor<std::chrono::days>(cutoff_at)}.iso();
  auto& db = StoreAccess::db(store);
  try {
    SQLite::Transaction tx(db);
    // Lessons first, so the count is ours and not hidden in the ON DELETE CASCADE.
    c.session_lessons = run(db,
                            "DELETE FROM session_lessons WHERE booking_id IN "
                            "(SELECT booking_id FROM ie_sessions WHERE date < ?)",
                            cutoff_day);
    c.sessions = run(db, "DELETE FROM ie_sessions WHERE date < ?", cutoff_day);
    c.bookings = run(db, "DELETE FROM bookings WHERE date < ?", cutoff_day);
    c.incidents = run(db, "DELETE FROM behaviour_incidents WHERE date < ?", cutoff_day);
    // The record caches say which row each exported record is; those rows are gone.
    if (c.bookings) drop_record_cache(db, Feed::bookings);
    if (c.incidents) drop_record_cache(db, Feed::behaviour);
    c.outbox = run(db, "DELETE FROM outbox WHERE state <> 'pending' AND updated_at < ?", cutoff);
    {
      SQLite::Statement q(db, "DELETE FROM audit WHERE at < ? AND action <> ?");
      q.bind(1, cutoff);
      q.bind(2, kErasureAuditAction);
      c.audit = q.exec();
    }
    for (const char* sql : {"DELETE FROM classroom_courses WHERE fetched_at < ?",
                            "DELETE FROM classroom_coursework WHERE fetched_at < ?",
                            "DELETE FROM classroom_materials WHERE fetched_at < ?",
                            "DELETE FROM classroom_users WHERE fetched_at < ?",
                            "DELETE FROM classroom_submissions WHERE fetched_at < ?",
                            "DELETE FROM classroom_submission_fetches WHERE fetched_at < ?"})
      c.classroom += run(db, sql, cutoff);
    c.cycles = run(db, "DELETE FROM cycles WHERE started_at < ?", cutoff);
    // Emails name pupils: one about a day before the cutoff goes whatever its state (a chase
    // for a lesson that long ago is no use to anyone), as does a sent or failed one last
    // changed before the cutoff.
    c.notify_messages = run(db,
                            "DELETE FROM notify_queue WHERE day < ?1 "
                            "OR (state <> 'pending' AND updated_at < ?2)",
                            cutoff_day, cutoff);
    c.notify_chased = run(db, "DELETE FROM notify_chased WHERE date < ?", cutoff_day);
    tx.commit();
  } catch (const std::exception& e) {
    return store_error(store, "purging data older than [store] retain failed (nothing was removed)",
                       e);
  }
  return c;
}

void purge_expired_and_report(Store& store, std::chrono::seconds retain, TimePoint now,
                              EventSink& events) {
  auto purged = purge_expired(store, retain, now);
  if (!purged) {
    events.emit(Event{Severity::error, "store.purge_failed", purged.error().to_string(), {}});
    return;
  }
  if (purged->total() == 0) return;
  events.emit(Event{Severity::info,
                    "store.purged",
                    "Removed data older than [store] retain (" + format_duration(retain) +
                        "): " + purged->describe() + ".",
                    {{"rows", std::to_string(purged->total())}}});
}

}  // namespace iesync
