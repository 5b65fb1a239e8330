// Schema history. Never edit a migration that has shipped: add the next one.
#include "store/migrations.h"

#include <array>

namespace iesync {

namespace {

// 1: what the MIS says: the last good copy of each feed, and which file it came from.
constexpr const char* kV1 = R"sql(
CREATE TABLE feed_state (
  feed          TEXT PRIMARY KEY,       -- students, staff, memberships, timetable, bookings
  file          TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  applied_at    TEXT NOT NULL,          -- UTC RFC 3339
  records       INTEGER NOT NULL,
  held_hash     TEXT,                   -- a newer export held by [safety] until --accept-drop
  held_reason   TEXT
);
CREATE TABLE students (
  id            TEXT PRIMARY KEY,
  forename      TEXT NOT NULL,
  surname       TEXT NOT NULL,
  year          TEXT NOT NULL,
  reg_group     TEXT,
  email         TEXT,
  upn           TEXT,
  sen           TEXT,
  pupil_premium TEXT,
  gender        TEXT
);
CREATE TABLE staff (
  code          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  email         TEXT
);
-- No foreign key to students: each feed replaces its own table, and a new students export
-- must not wipe the memberships of an unchanged memberships export. The importer checks
-- that every membership names a known student.
CREATE TABLE memberships (
  student_id    TEXT NOT NULL,
  class_code    TEXT NOT NULL,
  start_date    TEXT,                   -- inclusive; NULL = open
  end_date      TEXT,                   -- inclusive; NULL = open
  PRIMARY KEY (student_id, class_code, start_date)
);
CREATE INDEX memberships_class ON memberships(class_code);
CREATE TABLE lessons (
  id            INTEGER PRIMARY KEY,
  class_code    TEXT NOT NULL,
  cycle_day     INTEGER NOT NULL,       -- 1..(5 * cycle), resolved from the day name
  day_name      TEXT NOT NULL,          -- as exported
  start_time    TEXT NOT NULL,          -- HH:MM
  end_time      TEXT NOT NULL,
  room          TEXT,
  teacher       TEXT,
  subject       TEXT
);
CREATE INDEX lessons_day ON lessons(cycle_day, class_code);
CREATE TABLE bookings (
  id            TEXT PRIMARY KEY,
  student_id    TEXT NOT NULL,
  date          TEXT NOT NULL,          -- YYYY-MM-DD
  start_spec    TEXT NOT NULL,          -- HH:MM, a period name, AM, PM or ALL
  end_spec      TEXT NOT NULL,          -- HH:MM, a period name, or empty
  reason        TEXT,
  room          TEXT,
  status        TEXT NOT NULL DEFAULT 'booked'
);
CREATE INDEX bookings_date ON bookings(date);
)sql";

// 2: what Classroom said, with when, so a cycle without Classroom can show the last known.
constexpr const char* kV2 = R"sql(
CREATE TABLE classroom_courses (
  course_ref    TEXT PRIMARY KEY,       -- what we asked for: an id or "d:..." alias
  course_id     TEXT,                   -- NULL when Classroom said 404
  name          TEXT,
  link          TEXT,
  fetched_at    TEXT NOT NULL
);
CREATE TABLE classroom_coursework (
  course_id     TEXT NOT NULL,
  id            TEXT NOT NULL,
  title         TEXT,
  state         TEXT NOT NULL,
  link          TEXT,
  due_utc       TEXT,                   -- RFC 3339 or NULL
  scheduled_utc TEXT,
  created_utc   TEXT,
  assignee_mode TEXT,
  assignees     TEXT,                   -- JSON array of user ids when INDIVIDUAL_STUDENTS
  fetched_at    TEXT NOT NULL,
  PRIMARY KEY (course_id, id)
);
CREATE TABLE classroom_users (
  email         TEXT PRIMARY KEY,
  user_id       TEXT,
  fetched_at    TEXT NOT NULL
);
CREATE TABLE classroom_submissions (
  course_id     TEXT NOT NULL,
  coursework_id TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  state         TEXT NOT NULL,
  updated_utc   TEXT,
  fetched_at    TEXT NOT NULL,
  PRIMARY KEY (course_id, coursework_id, user_id)
);
-- When one student's submissions in one course were last listed: a student with no
-- submissions has no rows above, and "listed, none" must differ from "never listed".
CREATE TABLE classroom_submission_fetches (
  course_id     TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  fetched_at    TEXT NOT NULL,
  PRIMARY KEY (course_id, user_id)
);
)sql";

// 3: reconciled IE sessions and the lessons each covers, kept for reports.
constexpr const char* kV3 = R"sql(
CREATE TABLE ie_sessions (
  booking_id    TEXT PRIMARY KEY,
  student_id    TEXT NOT NULL,
  date          TEXT NOT NULL,
  start_time    TEXT NOT NULL,
  end_time      TEXT NOT NULL,
  status        TEXT NOT NULL,
  room          TEXT,
  reason        TEXT,
  problem       TEXT,                   -- why it covers nothing, if it does not
  updated_at    TEXT NOT NULL
);
CREATE INDEX ie_sessions_date ON ie_sessions(date);
CREATE INDEX ie_sessions_student ON ie_sessions(student_id);
CREATE TABLE session_lessons (
  booking_id    TEXT NOT NULL REFERENCES ie_sessions(booking_id) ON DELETE CASCADE,
  class_code    TEXT NOT NULL,
  start_time    TEXT NOT NULL,
  end_time      TEXT NOT NULL,
  subject       TEXT,
  teacher       TEXT,
  room          TEXT,
  course_ref    TEXT,                   -- what the class maps to: an id or "d:..." alias
  course_id     TEXT,                   -- the Classroom course, when it exists
  work_status   TEXT NOT NULL,          -- handed_in, set, not_set, no_course, unknown
  last_known    TEXT,                   -- when unknown: the status the last data gave
  work_items    TEXT NOT NULL DEFAULT '[]',
  checked_at    TEXT,
  PRIMARY KEY (booking_id, class_code, start_time)
);
CREATE TABLE cycles (
  id            INTEGER PRIMARY KEY,
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  result        TEXT,                   -- ok, record_errors, failed
  summary       TEXT
);
)sql";

// 4: the durable outbox and the audit trail of every write-back.
constexpr const char* kV4 = R"sql(
CREATE TABLE outbox (
  id            INTEGER PRIMARY KEY,
  key           TEXT NOT NULL UNIQUE,   -- student|date|lesson-or-session|kind
  kind          TEXT NOT NULL,          -- lesson_mark, session_mark, exclusion, retraction
  student_id    TEXT NOT NULL,
  date          TEXT NOT NULL,
  payload       TEXT NOT NULL,          -- JSON of the CSV columns (store/outbox.h)
  state         TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','sent','confirmed','conflict','failed',
                                 'superseded','discarded')),
  revision      INTEGER NOT NULL DEFAULT 1,  -- +1 each time a retracted mark is wanted again
  tries         INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  target        TEXT,                   -- file or wonde: which target sent it
  target_ref    TEXT,                   -- file name or writeback_id
  next_try_at   TEXT,                   -- UTC RFC 3339; NULL = as soon as possible
  sent_at       TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_try_at);
CREATE INDEX outbox_student ON outbox(student_id, date);
CREATE TABLE audit (
  id            INTEGER PRIMARY KEY,
  at            TEXT NOT NULL,
  action        TEXT NOT NULL,          -- enqueue, update, sent, confirmed, conflict, failed, ...
  subject       TEXT,                   -- outbox key, or a student id for erasures (no data)
  target        TEXT,
  detail        TEXT
);
CREATE INDEX audit_subject ON audit(subject);
)sql";

// 5: what each feed's newest export looked like on disk when it was last hashed, so an
// unchanged export is recognised by its size, times and inode without reading it.
constexpr const char* kV5 = R"sql(
CREATE TABLE export_fingerprint (
  feed          TEXT PRIMARY KEY,       -- as feed_state.feed
  path          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  mtime_ns      INTEGER NOT NULL,
  ctime_ns      INTEGER NOT NULL,       -- changes on any write, even one that restores mtime
  inode         INTEGER NOT NULL,
  device        INTEGER NOT NULL,
  content_hash  TEXT NOT NULL           -- SHA-256, hex, of the file in that state
);
)sql";

// 6: `in_doubt`, for a write whose outcome is unknown (timeout, reset, a crash between the
// request and the commit): the Wonde API has no idempotency key, so such an item is read back
// from the MIS before it is ever sent again. SQLite cannot change a CHECK in place, so the
// table is rebuilt. And a day's cache of what the MIS's lookups said (students, codes,
// behaviour attributes), so a cycle does not fetch a school's whole roll every 15 minutes.
constexpr const char* kV6 = R"sql(
CREATE TABLE outbox_v6 (
  id            INTEGER PRIMARY KEY,
  key           TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL,
  student_id    TEXT NOT NULL,
  date          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','in_doubt','sent','confirmed','conflict','failed',
                                 'superseded','discarded')),
  revision      INTEGER NOT NULL DEFAULT 1,
  tries         INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  target        TEXT,
  target_ref    TEXT,
  next_try_at   TEXT,
  sent_at       TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
INSERT INTO outbox_v6 SELECT id, key, kind, student_id, date, payload, state, revision, tries,
  last_error, target, target_ref, next_try_at, sent_at, created_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v6 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_try_at);
CREATE INDEX outbox_student ON outbox(student_id, date);
CREATE TABLE lookup_cache (
  name          TEXT PRIMARY KEY,       -- e.g. "wonde:A1930499544:students"
  day           TEXT NOT NULL,          -- the school day (YYYY-MM-DD) it was fetched for
  value         TEXT NOT NULL           -- JSON, as the connector stored it
);
)sql";

// 7: the optional behaviour feed and the impact of IE (SPEC §10): incidents as exported, who
// referred each booking and for which incident, and the review flags already told in
// sync.log (so each is told once while it stays open).
constexpr const char* kV7 = R"sql(
ALTER TABLE bookings ADD COLUMN referred_by TEXT;   -- staff code
ALTER TABLE bookings ADD COLUMN incident_id TEXT;
CREATE TABLE behaviour_incidents (
  id            TEXT PRIMARY KEY,
  student_id    TEXT NOT NULL,          -- checked against students by the importer
  date          TEXT NOT NULL,          -- YYYY-MM-DD
  time          TEXT,                   -- HH:MM or a period name
  type          TEXT,
  points        INTEGER NOT NULL DEFAULT 0,
  recorded_by   TEXT,                   -- staff code
  status        TEXT                    -- as exported; withdrawn and deleted are not counted
);
CREATE INDEX behaviour_incidents_student ON behaviour_incidents(student_id, date);
CREATE INDEX behaviour_incidents_date ON behaviour_incidents(date);
CREATE TABLE review_flags (
  student_id    TEXT NOT NULL,
  kind          TEXT NOT NULL,          -- repeat_ie, sen_repeat_ie, incidents_after_return
  since         TEXT NOT NULL,          -- YYYY-MM-DD
  logged_at     TEXT NOT NULL,          -- UTC RFC 3339: when sync.log told it
  PRIMARY KEY (student_id, kind)
);
)sql";

// 8: the notification queue of SPEC §9, one row per message per
// recipient (pending -> sent, or failed after retries), kept like the outbox so a mail server
// that is down loses nothing and a restart sends nothing twice that was recorded as sent;
// the lessons each teacher has been chased for, so a (teacher, lesson, pupil) is chased once;
// and the chase and digest times already run, so a restart does not run them again.
constexpr const char* kV8 = R"sql(
CREATE TABLE notify_queue (
  id            INTEGER PRIMARY KEY,
  key           TEXT NOT NULL UNIQUE,   -- "chase|2026-12-01|15:45|T01", "digest|2026-12-01|addr"
  kind          TEXT NOT NULL CHECK (kind IN ('chase','digest')),
  day           TEXT NOT NULL,          -- the school day it is about (YYYY-MM-DD)
  recipient     TEXT NOT NULL,
  recipient_name TEXT NOT NULL DEFAULT '',
  subject       TEXT NOT NULL,
  text_body     TEXT NOT NULL,
  html_body     TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),
  tries         INTEGER NOT NULL DEFAULT 0,
  smtp_code     INTEGER,
  last_error    TEXT,
  next_try_at   TEXT,                   -- RFC 3339 UTC; NULL = now
  sent_at       TEXT,
  created_at    TEXT NOT NULL,          -- also the message's Date header
  updated_at    TEXT NOT NULL
);
CREATE INDEX notify_queue_due ON notify_queue(state, next_try_at);
CREATE INDEX notify_queue_day ON notify_queue(day);
CREATE TABLE notify_chased (
  teacher       TEXT NOT NULL,          -- staff code
  date          TEXT NOT NULL,          -- the lesson's date
  class_code    TEXT NOT NULL,
  start_time    TEXT NOT NULL,          -- HH:MM
  student_id    TEXT NOT NULL,
  chased_at     TEXT NOT NULL,          -- RFC 3339 UTC
  message_key   TEXT NOT NULL,
  PRIMARY KEY (teacher, date, class_code, start_time, student_id)
);
CREATE INDEX notify_chased_student ON notify_chased(student_id);
CREATE TABLE notify_runs (
  slot          TEXT PRIMARY KEY,       -- "chase 2026-12-01 15:45", "digest 2026-12-01"
  ran_at        TEXT NOT NULL
);
)sql";

// 9: course work materials (SPEC §5: posted work with nothing to hand in counts as set). Kept
// beside the course work so a cycle without Classroom still shows them. A course whose
// materials were never read has materials_fetched_at NULL, and a lesson reconciled without its
// materials says so (materials_checked 0).
constexpr const char* kV9 = R"sql(
CREATE TABLE classroom_materials (
  course_id     TEXT NOT NULL,
  id            TEXT NOT NULL,
  title         TEXT,
  state         TEXT NOT NULL,
  link          TEXT,
  scheduled_utc TEXT,
  created_utc   TEXT,
  assignee_mode TEXT,
  assignees     TEXT,                   -- JSON array of user ids when INDIVIDUAL_STUDENTS
  fetched_at    TEXT NOT NULL,
  PRIMARY KEY (course_id, id)
);
ALTER TABLE classroom_courses ADD COLUMN materials_fetched_at TEXT;
ALTER TABLE session_lessons ADD COLUMN materials_checked INTEGER NOT NULL DEFAULT 1;
)sql";

// 10: the school day each cycle reconciled, and whether it was that day's own cycle, a
// catch-up of a day missed or a look-ahead: a restarted daemon finds the last day it
// reconciled as today here and catches up every open day missed since ([schedule] catch_up).
// Rows from before have both NULL.
constexpr const char* kV10 = R"sql(
ALTER TABLE cycles ADD COLUMN day TEXT;
ALTER TABLE cycles ADD COLUMN day_kind TEXT CHECK (day_kind IN ('catch_up','today','look_ahead'));
CREATE INDEX cycles_day ON cycles(day_kind, day);
)sql";

// 11: each MIS row's identity and content hashes (XXH3, as signed 64-bit integers), so a
// changed export is applied as a diff: only the rows whose hashes moved are written
// (store/feed_apply.h). Rows from before have NULL hashes and are replaced the first time
// their feed changes. Also an index of bookings by pupil: the review flags and the pupil page
// read each pupil's bookings, which was a scan of every booking per pupil.
constexpr const char* kV11 = R"sql(
ALTER TABLE students ADD COLUMN row_key INTEGER;
ALTER TABLE students ADD COLUMN row_hash INTEGER;
ALTER TABLE staff ADD COLUMN row_key INTEGER;
ALTER TABLE staff ADD COLUMN row_hash INTEGER;
ALTER TABLE memberships ADD COLUMN row_key INTEGER;
ALTER TABLE memberships ADD COLUMN row_hash INTEGER;
ALTER TABLE lessons ADD COLUMN row_key INTEGER;
ALTER TABLE lessons ADD COLUMN row_hash INTEGER;
ALTER TABLE bookings ADD COLUMN row_key INTEGER;
ALTER TABLE bookings ADD COLUMN row_hash INTEGER;
ALTER TABLE behaviour_incidents ADD COLUMN row_key INTEGER;
ALTER TABLE behaviour_incidents ADD COLUMN row_hash INTEGER;
CREATE INDEX bookings_student ON bookings(student_id, date);
)sql";

// 12: the record cache (store/record_cache.h): for each feed, the hash of every raw record
// of the export in use and the row it became, so a re-export parses only the records that
// changed. A base written when a feed is read whole, and the changes since in a small row
// of their own, so a nightly re-export does not rewrite the whole base (SQLite rewrites a
// whole row when any column of it changes). Written with the feed's rows, and dropped
// whenever they are changed any other way.
constexpr const char* kV12 = R"sql(
CREATE TABLE feed_records (
  feed          TEXT PRIMARY KEY,       -- as feed_state.feed
  content_hash  TEXT NOT NULL,          -- the export these records are of
  context       INTEGER NOT NULL,       -- hash of the mapping and the export's header
  added         BLOB NOT NULL,          -- records since the base: (record hash, row key, rowid)
  removed       BLOB NOT NULL           -- records of the base no longer in use
);
CREATE TABLE feed_record_base (
  feed          TEXT PRIMARY KEY,
  records       BLOB NOT NULL           -- (record hash, row key hash, rowid), sorted
);
)sql";

constexpr std::array<Migration, 12> kMigrations = {{
    {1, "MIS feeds", kV1},
    {2, "Classroom cache", kV2},
    {3, "IE sessions", kV3},
    {4, "outbox and audit", kV4},
    {5, "export fingerprints", kV5},
    {6, "in-doubt write-backs and the lookup cache", kV6},
    {7, "behaviour incidents, referrals and review flags", kV7},
    {8, "notification queue", kV8},
    {9, "Classroom course work materials", kV9},
    {10, "the day of each cycle", kV10},
    {11, "row hashes for applying changed exports as a diff; bookings by pupil", kV11},
    {12, "the record cache of each feed", kV12},
}};

}  // namespace

std::span<const Migration> all_migrations() {
  return kMigrations;
}

}  // namespace iesync
