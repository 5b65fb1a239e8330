#include "store/notify_queue.h"

#include "mapping/notify/utc.h"
#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

Error db_error(const std::string& what, const std::exception& e) {
  return make_error("notification queue", what + ": " + e.what(),
                    "check the disk is not full and the store is writable");
}

std::optional<MailState> state_from(std::string_view s) {
  for (auto st : {MailState::pending, MailState::sent, MailState::failed})
    if (s == mail_state_name(st)) return st;
  return std::nullopt;
}

constexpr const char* kColumns =
    "id, key, kind, day, recipient, recipient_name, subject, text_body, html_body, state, tries, "
    "COALESCE(smtp_code, 0), COALESCE(last_error, ''), COALESCE(next_try_at, ''), "
    "COALESCE(sent_at, ''), created_at";

QueuedMail row_of(SQLite::Statement& q) {
  QueuedMail m;
  m.id = q.getColumn(0).getInt64();
  m.message.key = q.getColumn(1).getString();
  m.message.kind = q.getColumn(2).getString() == "digest" ? MailKind::digest : MailKind::chase;
  m.day = Date::parse_iso(q.getColumn(3).getString()).value_or(Date{});
  m.message.to_address = q.getColumn(4).getString();
  m.message.to_name = q.getColumn(5).getString();
  m.message.subject = q.getColumn(6).getString();
  m.message.text = q.getColumn(7).getString();
  m.message.html = q.getColumn(8).getString();
  m.state = state_from(q.getColumn(9).getString()).value_or(MailState::pending);
  m.tries = q.getColumn(10).getInt();
  m.smtp_code = q.getColumn(11).getInt();
  m.last_error = q.getColumn(12).getString();
  m.next_try_at = q.getColumn(13).getString();
  m.sent_at = q.getColumn(14).getString();
  m.created_at = q.getColumn(15).getString();
  m.message.date = parse_utc_text(m.created_at).value_or(TimePoint{});
  return m;
}

}  // namespace

const char* mail_state_name(MailState s) {
  switch (s) {
    case MailState::pending:
      return "pending";
    case MailState::sent:
      return "sent";
    case MailState::failed:
      return "failed";
  }
  return "?";
}

NotifyQueue::NotifyQueue(Store& store, Clock& clock, int max_tries)
    : store_(store), clock_(clock), max_tries_(max_tries) {}

Result<int> NotifyQueue::enqueue(std::span<const MailMessage> messages, Date day,
                                 std::span<const ChasedLesson> chased) {
  const std::string now = format_utc(clock_.now());
  int added = 0;
  try {
    SQLite::Transaction tx(StoreAccess::db(store_));
    SQLite::Statement ins(StoreAccess::db(store_),
                          "INSERT INTO notify_queue (key, kind, day, recipient, recipient_name, "
                          "subject, text_body, html_body, created_at, updated_at) "
                          "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING");
    for (const auto& m : messages) {
      ins.bind(1, m.key);
      ins.bind(2, mail_kind_name(m.kind));
      ins.bind(3, day.iso());
      ins.bind(4, m.to_address);
      ins.bind(5, m.to_name);
      ins.bind(6, m.subject);
      ins.bind(7, m.text);
      ins.bind(8, m.html);
      ins.bind(9, now);
      ins.bind(10, now);
      added += ins.exec();
      ins.reset();
    }
    SQLite::Statement ch(StoreAccess::db(store_),
                         "INSERT INTO notify_chased (teacher, date, class_code, start_time, "
                         "student_id, chased_at, message_key) VALUES (?,?,?,?,?,?,?) "
                         "ON CONFLICT DO NOTHING");
    for (const auto& c : chased) {
      ch.bind(1, c.teacher);
      ch.bind(2, c.date.iso());
      ch.bind(3, c.class_code);
      ch.bind(4, c.start.str());
      ch.bind(5, c.student_id);
      ch.bind(6, now);
      // The message that carries it: the teacher's chase queued in this same call.
      std::string key;
      for (const auto& m : messages)
        if (m.kind == MailKind::chase && m.key.ends_with("|" + c.teacher)) key = m.key;
      ch.bind(7, key);
      ch.exec();
      ch.reset();
    }
    tx.commit();
  } catch (const std::exception& e) {
    return db_error("cannot queue the emails", e);
  }
  return added;
}

Result<std::vector<QueuedMail>> NotifyQueue::due(TimePoint now, int limit) {
  std::vector<QueuedMail> out;
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        std::string("SELECT ") + kColumns +
                            " FROM notify_queue WHERE state = 'pending' AND "
                            "(next_try_at IS NULL OR next_try_at <= ?) ORDER BY id LIMIT ?");
    q.bind(1, format_utc(now));
    q.bind(2, limit);
    while (q.executeStep()) out.push_back(row_of(q));
  } catch (const std::exception& e) {
    return db_error("cannot read the queue", e);
  }
  return out;
}

Result<void> NotifyQueue::mark_sent(std::int64_t id) {
  const std::string now = format_utc(clock_.now());
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "UPDATE notify_queue SET state = 'sent', tries = tries + 1, sent_at = ?, "
                        "updated_at = ?, last_error = NULL, smtp_code = 250, next_try_at = NULL "
                        "WHERE id = ? AND state = 'pending'");
    q.bind(1, now);
    q.bind(2, now);
    q.bind(3, id);
    q.exec();
  } catch (const std::exception& e) {
    return db_error("cannot record a sent email", e);
  }
  return {};
}

Result<MailState> NotifyQueue::mark_deferred(std::int64_t id, int smtp_code,
                                             const std::string& error, TimePoint next_try_at) {
  const std::string now = format_utc(clock_.now());
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "UPDATE notify_queue SET tries = tries + 1, smtp_code = ?, last_error = ?, "
                        "next_try_at = ?, updated_at = ?, "
                        "state = CASE WHEN tries + 1 >= ? THEN 'failed' ELSE 'pending' END "
                        "WHERE id = ? AND state = 'pending' RETURNING state");
    q.bind(1, smtp_code);
    q.bind(2, error);
    q.bind(3, format_utc(next_try_at));
    q.bind(4, now);
    q.bind(5, max_tries_);
    q.bind(6, id);
    if (!q.executeStep())
      return make_error("notification queue", "no pending email " + std::to_string(id));
    return state_from(q.getColumn(0).getString()).value_or(MailState::pending);
  } catch (const std::exception& e) {
    return db_error("cannot record a deferred email", e);
  }
}

Result<void> NotifyQueue::mark_failed(std::int64_t id, int smtp_code, const std::string& error) {
  try {
    SQLite::Statement q(
        StoreAccess::db(store_),
        "UPDATE notify_queue SET state = 'failed', tries = tries + 1, smtp_code = ?, "
        "last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'");
    q.bind(1, smtp_code);
    q.bind(2, error);
    q.bind(3, format_utc(clock_.now()));
    q.bind(4, id);
    q.exec();
  } catch (const std::exception& e) {
    return db_error("cannot record a refused email", e);
  }
  return {};
}

Result<void> NotifyQueue::postpone(std::int64_t id, const std::string& error,
                                   TimePoint next_try_at) {
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "UPDATE notify_queue SET last_error = ?, next_try_at = ?, updated_at = ? "
                        "WHERE id = ? AND state = 'pending'");
    q.bind(1, error);
    q.bind(2, format_utc(next_try_at));
    q.bind(3, format_utc(clock_.now()));
    q.bind(4, id);
    q.exec();
  } catch (const std::exception& e) {
    return db_error("cannot record an email that waits", e);
  }
  return {};
}

Result<std::vector<QueuedMail>> NotifyQueue::list(int limit) {
  std::vector<QueuedMail> out;
  try {
    SQLite::Statement q(StoreAccess::db(store_), std::string("SELECT ") + kColumns +
                                                     " FROM notify_queue ORDER BY id DESC LIMIT ?");
    q.bind(1, limit);
    while (q.executeStep()) out.push_back(row_of(q));
  } catch (const std::exception& e) {
    return db_error("cannot read the queue", e);
  }
  return out;
}

Result<std::map<MailState, int>> NotifyQueue::counts() {
  std::map<MailState, int> out{
      {MailState::pending, 0}, {MailState::sent, 0}, {MailState::failed, 0}};
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT state, COUNT(*) FROM notify_queue GROUP BY state");
    while (q.executeStep())
      if (auto st = state_from(q.getColumn(0).getString())) out[*st] = q.getColumn(1).getInt();
  } catch (const std::exception& e) {
    return db_error("cannot count the queue", e);
  }
  return out;
}

Result<std::map<std::string, std::map<std::string, int>>> NotifyQueue::counts_by_kind() {
  std::map<std::string, std::map<std::string, int>> out;
  for (const char* k : {"chase", "digest"})
    for (auto st : {MailState::pending, MailState::sent, MailState::failed})
      out[k][mail_state_name(st)] = 0;
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT kind, state, COUNT(*) FROM notify_queue GROUP BY kind, state");
    while (q.executeStep())
      out[q.getColumn(0).getString()][q.getColumn(1).getString()] = q.getColumn(2).getInt();
  } catch (const std::exception& e) {
    return db_error("cannot count the queue", e);
  }
  return out;
}

Result<std::optional<std::string>> NotifyQueue::waiting_reason() {
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT last_error FROM notify_queue WHERE state = 'pending' AND "
                        "last_error IS NOT NULL ORDER BY id LIMIT 1");
    if (q.executeStep()) return std::optional<std::string>(q.getColumn(0).getString());
  } catch (const std::exception& e) {
    return db_error("cannot read the queue", e);
  }
  return std::optional<std::string>();
}

Result<NotifyQueue::Trouble> NotifyQueue::trouble(TimePoint now, std::chrono::seconds grace,
                                                  std::chrono::seconds recent) {
  return guarded(store_, "cannot read the email queue", [&] {
    Trouble t;
    auto& db = StoreAccess::db(store_);
    // Due from when it was queued (a retry's next_try_at is the back-off, not the due time).
    SQLite::Statement o(db,
                        "SELECT count(*), min(created_at) FROM notify_queue "
                        "WHERE state = 'pending' AND created_at < ?");
    o.bind(1, format_utc(now - grace));
    if (o.executeStep()) {
      t.overdue = o.getColumn(0).getInt();
      if (!o.getColumn(1).isNull()) t.oldest_due = o.getColumn(1).getString();
    }
    SQLite::Statement f(db,
                        "SELECT count(*) FROM notify_queue WHERE state = 'failed' "
                        "AND updated_at >= ?");
    f.bind(1, format_utc(now - recent));
    if (f.executeStep()) t.failed = f.getColumn(0).getInt();
    return t;
  });
}

Result<std::map<ChasedLesson, std::string>> NotifyQueue::chased_between(Date first, Date last) {
  std::map<ChasedLesson, std::string> out;
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT teacher, date, class_code, start_time, student_id, chased_at "
                        "FROM notify_chased WHERE date BETWEEN ? AND ?");
    q.bind(1, first.iso());
    q.bind(2, last.iso());
    while (q.executeStep()) {
      ChasedLesson c;
      c.teacher = q.getColumn(0).getString();
      c.date = Date::parse_iso(q.getColumn(1).getString()).value_or(Date{});
      c.class_code = q.getColumn(2).getString();
      c.start = TimeOfDay::parse(q.getColumn(3).getString()).value_or(TimeOfDay{});
      c.student_id = q.getColumn(4).getString();
      out[c] = q.getColumn(5).getString();
    }
  } catch (const std::exception& e) {
    return db_error("cannot read who was chased", e);
  }
  return out;
}

Result<bool> NotifyQueue::ran(const std::string& slot) {
  try {
    SQLite::Statement q(StoreAccess::db(store_), "SELECT 1 FROM notify_runs WHERE slot = ?");
    q.bind(1, slot);
    return q.executeStep();
  } catch (const std::exception& e) {
    return db_error("cannot read the notification times", e);
  }
}

Result<void> NotifyQueue::mark_ran(const std::string& slot) {
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "INSERT INTO notify_runs (slot, ran_at) VALUES (?, ?) "
                        "ON CONFLICT(slot) DO NOTHING");
    q.bind(1, slot);
    q.bind(2, format_utc(clock_.now()));
    q.exec();
  } catch (const std::exception& e) {
    return db_error("cannot record a notification time", e);
  }
  return {};
}

}  // namespace iesync
