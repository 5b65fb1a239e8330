#include "store/outbox.h"

#include <boost/json.hpp>
#include <variant>

#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace json = boost::json;

const char* outbox_state_name(OutboxState s) {
  switch (s) {
    case OutboxState::pending:
      return "pending";
    case OutboxState::in_doubt:
      return "in_doubt";
    case OutboxState::sent:
      return "sent";
    case OutboxState::confirmed:
      return "confirmed";
    case OutboxState::conflict:
      return "conflict";
    case OutboxState::failed:
      return "failed";
    case OutboxState::superseded:
      return "superseded";
    case OutboxState::discarded:
      return "discarded";
  }
  return "?";
}

std::optional<OutboxState> outbox_state_from_name(std::string_view s) {
  for (auto st : {OutboxState::pending, OutboxState::in_doubt, OutboxState::sent,
                  OutboxState::confirmed, OutboxState::conflict, OutboxState::failed,
                  OutboxState::superseded, OutboxState::discarded})
    if (s == outbox_state_name(st)) return st;
  return std::nullopt;
}

std::string OutboxRow::send_key() const {
  return revision <= 1 ? item.key : item.key + "#r" + std::to_string(revision);
}

std::string retraction_key_for(const std::string& mark_key) {
  auto bar = mark_key.rfind('|');
  return (bar == std::string::npos ? mark_key : mark_key.substr(0, bar)) + "|" +
         write_kind_name(WriteKind::retraction);
}

std::string write_item_to_json(const WriteItem& it) {
  json::object o;
  o["kind"] = write_kind_name(it.kind);
  o["student_id"] = it.student_id;
  o["date"] = it.date.iso();
  o["session"] = it.session;
  o["class"] = it.class_code;
  o["start"] = it.start.str();
  o["end"] = it.end.str();
  o["code"] = it.code;
  o["comment"] = it.comment;
  o["reason"] = it.reason;
  o["booking_id"] = it.booking_id;
  o["lessons_missed"] = it.lessons_missed;
  return json::serialize(o);
}

Result<WriteItem> write_item_from_json(const std::string& text, const std::string& key) {
  auto bad = [&](const std::string& what) {
    return make_error("outbox item " + key, "stored payload is unreadable: " + what,
                      "discard the item (iesync outbox discard ID) and let the next cycle "
                      "queue it again");
  };
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad("not a JSON object");
  const auto& o = v.as_object();
  auto str = [&](const char* name) -> std::string {
    auto* p = o.if_contains(name);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  WriteItem it;
  it.key = key;
  auto kind = str("kind");
  bool known = false;
  for (auto k : {WriteKind::lesson_mark, WriteKind::session_mark, WriteKind::exclusion,
                 WriteKind::retraction})
    if (kind == write_kind_name(k)) it.kind = k, known = true;
  if (!known) return bad("unknown kind '" + kind + "'");
  it.student_id = str("student_id");
  auto d = Date::parse_iso(str("date"));
  if (!d) return bad("bad date");
  it.date = *d;
  it.session = str("session");
  it.class_code = str("class");
  auto s = TimeOfDay::parse(str("start"));
  auto e = TimeOfDay::parse(str("end"));
  if (!s || !e) return bad("bad start/end");
  it.start = *s;
  it.end = *e;
  it.code = str("code");
  it.comment = str("comment");
  it.reason = str("reason");
  it.booking_id = str("booking_id");
  if (auto* p = o.if_contains("lessons_missed"); p && p->is_int64())
    it.lessons_missed = static_cast<int>(p->as_int64());
  return it;
}

namespace {

constexpr const char* kColumns =
    "id, key, payload, state, revision, tries, last_error, target, target_ref, next_try_at, "
    "sent_at, created_at, updated_at";

std::string col_str(SQLite::Statement& q, int i) {
  return q.getColumn(i).isNull() ? std::string() : q.getColumn(i).getString();
}

Result<OutboxRow> read_row(SQLite::Statement& q) {
  OutboxRow r;
  r.id = q.getColumn(0).getInt64();
  auto key = q.getColumn(1).getString();
  auto item = write_item_from_json(q.getColumn(2).getString(), key);
  if (!item) return item.error();
  r.item = std::move(*item);
  auto st = outbox_state_from_name(q.getColumn(3).getString());
  if (!st)
    return make_error("outbox item " + key, "unknown state '" + q.getColumn(3).getString() + "'",
                      "the store was edited by hand; restore it from a backup");
  r.state = *st;
  r.revision = q.getColumn(4).getInt();
  r.tries = q.getColumn(5).getInt();
  r.last_error = col_str(q, 6);
  r.target = col_str(q, 7);
  r.target_ref = col_str(q, 8);
  r.next_try_at = col_str(q, 9);
  r.sent_at = col_str(q, 10);
  r.created_at = col_str(q, 11);
  r.updated_at = col_str(q, 12);
  return r;
}

struct AuditLine {
  std::string action;
  std::string subject;  // the item's key
  std::string target;   // empty: none
  std::string detail;
};

void audit(SQLite::Database& db, const std::string& at, const AuditLine& a) {
  SQLite::Statement q(db,
                      "INSERT INTO audit(at, action, subject, target, detail) VALUES (?,?,?,?,?)");
  q.bind(1, at);
  q.bind(2, a.action);
  q.bind(3, a.subject);
  if (a.target.empty())
    q.bind(4);
  else
    q.bind(4, a.target);
  q.bind(5, a.detail);
  q.exec();
}

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;

// Every state change of a row goes through here: one UPDATE that sets the state, updated_at
// and whatever else the step changes, then its audit line, in the caller's transaction.
class Move {
 public:
  explicit Move(OutboxState to) : to_(to) {}
  Move& set(const std::string& column, SqlValue v) {
    sql_ += ", " + column + " = ?";
    values_.push_back(std::move(v));
    return *this;
  }
  // An assignment without a value of ours ("revision = revision + 1").
  Move& sql(const std::string& assignment) {
    sql_ += ", " + assignment;
    return *this;
  }
  // The item starts its sending over: no tries counted, no error, no waiting.
  Move& afresh() { return sql("tries = 0, last_error = NULL, next_try_at = NULL"); }

  void apply(SQLite::Database& db, std::int64_t id, const std::string& now,
             const AuditLine& line) const {
    SQLite::Statement q(db, "UPDATE outbox SET state = ?, updated_at = ?" + sql_ + " WHERE id = ?");
    int i = 1;
    q.bind(i++, outbox_state_name(to_));
    q.bind(i++, now);
    for (const auto& v : values_) {
      if (auto* n = std::get_if<std::int64_t>(&v))
        q.bind(i, *n);
      else if (auto* t = std::get_if<std::string>(&v))
        q.bind(i, *t);
      else
        q.bind(i);
      ++i;
    }
    q.bind(i, id);
    q.exec();
    audit(db, now, line);
  }

 private:
  OutboxState to_;
  std::string sql_;
  std::vector<SqlValue> values_;
};

std::optional<OutboxRow> find_in(SQLite::Database& db, const std::string& key) {
  SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM outbox WHERE key = ?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  auto r = read_row(q);
  if (!r) throw ErrorException(r.error());
  return std::move(*r);
}

std::optional<OutboxRow> get_in(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM outbox WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto r = read_row(q);
  if (!r) throw ErrorException(r.error());
  return std::move(*r);
}

// The row with `id`, or an error (thrown, so the transaction rolls back) naming it.
OutboxRow require_in(SQLite::Database& db, std::int64_t id) {
  auto row = get_in(db, id);
  if (!row)
    throw ErrorException(make_error("outbox", "no item with id " + std::to_string(id),
                                    "list the items with: iesync outbox list"));
  return std::move(*row);
}

void insert_item(SQLite::Database& db, const WriteItem& it, int revision, const std::string& now) {
  SQLite::Statement q(db,
                      "INSERT INTO outbox(key, kind, student_id, date, payload, state, revision, "
                      "created_at, updated_at) VALUES (?,?,?,?,?, 'pending', ?, ?, ?)");
  q.bind(1, it.key);
  q.bind(2, write_kind_name(it.kind));
  q.bind(3, it.student_id);
  q.bind(4, it.date.iso());
  q.bind(5, write_item_to_json(it));
  q.bind(6, revision);
  q.bind(7, now);
  q.bind(8, now);
  q.exec();
}

bool is_sent(OutboxState s) {
  return s == OutboxState::sent || s == OutboxState::confirmed;
}

// What enqueue did with one item; EnqueueSummary counts them.
enum class Enqueued { added, updated, unchanged, requeued, changed_after_send };

void tally(EnqueueSummary& sum, Enqueued e) {
  switch (e) {
    case Enqueued::added:
      ++sum.added;
      break;
    case Enqueued::updated:
      ++sum.updated;
      break;
    case Enqueued::unchanged:
      ++sum.unchanged;
      break;
    case Enqueued::requeued:
      ++sum.requeued;
      break;
    case Enqueued::changed_after_send:
      ++sum.changed_after_send;
      break;
  }
}

// A key seen for the first time: pending at revision 1.
Enqueued add_new(SQLite::Database& db, const WriteItem& it, const std::string& now) {
  insert_item(db, it, 1, now);
  audit(db, now, {"enqueue", it.key, {}, std::string(write_kind_name(it.kind)) + " " + it.code});
  return Enqueued::added;
}

// The retraction of this revision of mark `row`, queued or sent (a superseded or discarded one
// undoes nothing); nullopt for a retraction item itself, which has none.
std::optional<OutboxRow> live_retraction_of(SQLite::Database& db, const OutboxRow& row,
                                            const WriteItem& it) {
  if (it.kind == WriteKind::retraction) return std::nullopt;
  auto r = find_in(db, retraction_key_for(it.key));
  if (!r || r->revision != row.revision || r->state == OutboxState::superseded ||
      r->state == OutboxState::discarded)
    return std::nullopt;
  return r;
}

// A sent mark wanted again after its retraction was queued. If the retraction never reached
// the MIS, the MIS still holds the mark: the retraction is dropped, and an unchanged mark is
// done with (nullopt: it changed, and goes on as any change to a sent mark). If the MIS holds
// "-" now, the mark goes out again as a new revision.
std::optional<Enqueued> want_again_after_retraction(SQLite::Database& db, const OutboxRow& row,
                                                    const OutboxRow& retraction,
                                                    const WriteItem& it, const std::string& payload,
                                                    bool same, const std::string& now) {
  if (retraction.state == OutboxState::pending || retraction.state == OutboxState::failed) {
    Move(OutboxState::superseded)
        .apply(db, retraction.id, now,
               {"supersede", retraction.item.key, {}, "the mark it would undo is wanted again"});
    if (same) return Enqueued::unchanged;
    return std::nullopt;
  }
  Move(OutboxState::pending)
      .set("payload", payload)
      .sql("revision = revision + 1, target_ref = NULL")
      .afresh()
      .apply(db, row.id, now,
             {"requeue",
              it.key,
              {},
              "wanted again after its retraction was sent; revision " +
                  std::to_string(row.revision + 1)});
  return Enqueued::requeued;
}

// Dropped before sending (booking cancelled), now wanted again (reinstated).
Enqueued requeue_superseded(SQLite::Database& db, const OutboxRow& row, const WriteItem& it,
                            const std::string& payload, const std::string& now) {
  Move(OutboxState::pending)
      .set("payload", payload)
      .afresh()
      .apply(db, row.id, now, {"requeue", it.key, {}, "wanted again after it was superseded"});
  return Enqueued::requeued;
}

// The fact changed. Before sending it is updated in place; after, the MIS (or the admin) has
// the last word on it and the change is only audited: the caller retracts and re-queues if it
// must change.
Enqueued change_payload(SQLite::Database& db, const OutboxRow& row, const WriteItem& it,
                        const std::string& payload, const std::string& now) {
  if (row.state == OutboxState::pending || row.state == OutboxState::failed) {
    Move(OutboxState::pending)
        .set("payload", payload)
        .sql("tries = 0, next_try_at = NULL")  // last_error stays: it explains the history
        .apply(db, row.id, now,
               {"update",
                it.key,
                {},
                "payload changed before sending: code " + row.item.code + " -> " + it.code});
    return Enqueued::updated;
  }
  // Sent, confirmed, conflict, in_doubt or discarded.
  audit(db, now,
        {"ignore_change",
         it.key,
         {},
         std::string("payload changed while ") + outbox_state_name(row.state) + ": code " +
             row.item.code + " -> " + it.code + "; left as it is"});
  return Enqueued::changed_after_send;
}

// One item, idempotent by key: what happens depends on the row already under its key.
Enqueued enqueue_one(SQLite::Database& db, const WriteItem& it, const std::string& now) {
  auto row = find_in(db, it.key);
  if (!row) return add_new(db, it, now);
  const auto payload = write_item_to_json(it);
  const bool same = write_item_to_json(row->item) == payload;
  auto retraction = live_retraction_of(db, *row, it);
  if (is_sent(row->state) && retraction)
    if (auto done = want_again_after_retraction(db, *row, *retraction, it, payload, same, now))
      return *done;
  if (row->state == OutboxState::superseded) return requeue_superseded(db, *row, it, payload, now);
  if (same) return Enqueued::unchanged;
  return change_payload(db, *row, it, payload, now);
}

// Runs `work(db, now)` in one transaction, committed only when it succeeds. An
// ErrorException is the work's own refusal; any other exception is the store failing.
template <class Work>
auto in_transaction(Store& store, Clock& clock, const std::string& what, Work work)
    -> decltype(work(StoreAccess::db(store), std::string())) {
  auto& db = StoreAccess::db(store);
  try {
    SQLite::Transaction tx(db);
    auto r = work(db, format_utc(clock.now()));
    if (r) tx.commit();
    return r;
  } catch (const ErrorException& e) {
    return e.error();
  } catch (const std::exception& e) {
    return store_error(store, what, e);
  }
}

}  // namespace

Outbox::Outbox(Store& store, Clock& clock, int max_tries)
    : store_(store), clock_(clock), max_tries_(max_tries) {}

Result<EnqueueSummary> Outbox::enqueue(std::span<const WriteItem> items) {
  return in_transaction(
      store_, clock_, "cannot queue write-back items",
      [&](SQLite::Database& db, const std::string& now) -> Result<EnqueueSummary> {
        EnqueueSummary sum;
        for (const auto& it : items) {
          if (it.key.empty()) return make_error("", "write item without a key");
          tally(sum, enqueue_one(db, it, now));
        }
        return sum;
      });
}

Result<bool> Outbox::retract(const std::string& key, const std::string& why) {
  return in_transaction(
      store_, clock_, "cannot queue a retraction of " + key,
      [&](SQLite::Database& db, const std::string& now) -> Result<bool> {
        auto row = find_in(db, key);
        if (!row || row->item.kind == WriteKind::retraction) return false;
        // An in-doubt mark may be in the MIS: undo it as if sent. Should the read-back find it
        // was never there, resend() supersedes it rather than sending it.
        if (is_sent(row->state) || row->state == OutboxState::in_doubt) {
          const auto rkey = retraction_key_for(key);
          WriteItem r = row->item;
          r.kind = WriteKind::retraction;
          r.code = "-";
          r.key = rkey;
          r.comment = why;
          auto existing = find_in(db, rkey);
          if (!existing) {
            insert_item(db, r, row->revision, now);
            audit(db, now, {"enqueue", rkey, {}, "retraction of " + key + ": " + why});
            return true;
          }
          if (existing->revision < row->revision || existing->state == OutboxState::superseded) {
            Move(OutboxState::pending)
                .set("payload", write_item_to_json(r))
                .set("revision", std::int64_t{row->revision})
                .sql("target_ref = NULL")
                .afresh()
                .apply(db, existing->id, now,
                       {"requeue", rkey, {}, "retraction of " + key + " again: " + why});
            return true;
          }
          return false;
        }
        if (row->state == OutboxState::pending || row->state == OutboxState::failed ||
            row->state == OutboxState::conflict) {
          // Nothing of ours reached the MIS for this revision (a re-queued revision's
          // predecessor was already undone), so dropping it is the whole retraction.
          Move(OutboxState::superseded).apply(db, row->id, now, {"supersede", key, {}, why});
          return true;
        }
        return false;
      });
}

Result<std::vector<OutboxRow>> Outbox::due(TimePoint now, int limit) {
  std::vector<OutboxRow> out;
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        std::string("SELECT ") + kColumns +
                            " FROM outbox WHERE state = 'pending' AND (next_try_at IS NULL OR "
                            "next_try_at <= ?) ORDER BY id LIMIT ?");
    q.bind(1, format_utc(now));
    q.bind(2, limit);
    while (q.executeStep()) {
      auto r = read_row(q);
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
  } catch (const std::exception& e) {
    return store_error(store_, "cannot read the outbox", e);
  }
  return out;
}

namespace {

Result<void> mark_many(Store& store, Clock& clock, std::span<const std::int64_t> ids,
                       OutboxState to, const std::string& target, const std::string& ref) {
  return in_transaction(
      store, clock, "cannot record write-back results",
      [&](SQLite::Database& db, const std::string& now) -> Result<void> {
        for (auto id : ids) {
          auto row = require_in(db, id);
          // Only a pending or in-doubt item can go out; confirming a sent one is the other step.
          bool ok = row.state == OutboxState::pending || row.state == OutboxState::in_doubt ||
                    (to == OutboxState::confirmed && row.state == OutboxState::sent);
          if (!ok) {
            if (row.state == to) continue;  // already recorded: a repeat is harmless
            return make_error("outbox item " + row.item.key,
                              std::string("cannot mark it ") + outbox_state_name(to) +
                                  " while it is " + outbox_state_name(row.state));
          }
          Move(to)
              .set("target", target)
              .set("target_ref", ref)
              .sql("last_error = NULL, next_try_at = NULL")
              .set("sent_at", row.sent_at.empty() ? now : row.sent_at)
              .apply(db, id, now, {outbox_state_name(to), row.item.key, target, ref});
        }
        return {};
      });
}

}  // namespace

Result<std::vector<OutboxRow>> Outbox::in_doubt(int limit) {
  std::vector<OutboxRow> out;
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        std::string("SELECT ") + kColumns +
                            " FROM outbox WHERE state = 'in_doubt' ORDER BY id LIMIT ?");
    q.bind(1, limit);
    while (q.executeStep()) {
      auto r = read_row(q);
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
  } catch (const std::exception& e) {
    return store_error(store_, "cannot read the outbox", e);
  }
  return out;
}

Result<void> Outbox::mark_in_doubt(std::span<const std::int64_t> ids, const std::string& target) {
  return in_transaction(store_, clock_, "cannot record that a write-back is going out",
                        [&](SQLite::Database& db, const std::string& now) -> Result<void> {
                          for (auto id : ids) {
                            auto row = require_in(db, id);
                            if (row.state == OutboxState::in_doubt) continue;
                            if (row.state != OutboxState::pending)
                              return make_error("outbox item " + row.item.key,
                                                std::string("cannot send it while it is ") +
                                                    outbox_state_name(row.state));
                            Move(OutboxState::in_doubt)
                                .set("target", target)
                                .apply(db, id, now, {"sending", row.item.key, target, {}});
                          }
                          return {};
                        });
}

Result<OutboxState> Outbox::resend(std::int64_t id, const std::string& why) {
  return in_transaction(
      store_, clock_, "cannot record a read-back",
      [&](SQLite::Database& db, const std::string& now) -> Result<OutboxState> {
        auto row = require_in(db, id);
        if (row.state != OutboxState::in_doubt) return row.state;
        if (row.item.kind != WriteKind::retraction) {
          auto r = find_in(db, retraction_key_for(row.item.key));
          if (r && r->revision == row.revision && r->state != OutboxState::superseded &&
              r->state != OutboxState::discarded) {
            Move(OutboxState::superseded)
                .apply(db, id, now,
                       {"supersede", row.item.key, {}, why + "; its booking changed meanwhile"});
            return OutboxState::superseded;
          }
        }
        Move(OutboxState::pending)
            .sql("next_try_at = NULL")
            .apply(db, id, now, {"resend", row.item.key, {}, why});
        return OutboxState::pending;
      });
}

Result<void> Outbox::note_in_doubt(std::int64_t id, const std::string& target,
                                   const std::string& why) {
  return in_transaction(store_, clock_, "cannot record a write-back in doubt",
                        [&](SQLite::Database& db, const std::string& now) -> Result<void> {
                          auto row = require_in(db, id);
                          Move(OutboxState::in_doubt)
                              .sql("tries = tries + 1")
                              .set("target", target)
                              .set("last_error", why)
                              .apply(db, id, now, {"in_doubt", row.item.key, target, why});
                          return {};
                        });
}

Result<void> Outbox::mark_sent(std::span<const std::int64_t> ids, const std::string& target,
                               const std::string& target_ref) {
  return mark_many(store_, clock_, ids, OutboxState::sent, target, target_ref);
}

Result<void> Outbox::mark_confirmed(std::span<const std::int64_t> ids, const std::string& target,
                                    const std::string& target_ref) {
  return mark_many(store_, clock_, ids, OutboxState::confirmed, target, target_ref);
}

Result<void> Outbox::mark_conflict(std::int64_t id, const std::string& target,
                                   const std::string& detail) {
  return in_transaction(store_, clock_, "cannot record a write-back conflict",
                        [&](SQLite::Database& db, const std::string& now) -> Result<void> {
                          auto row = require_in(db, id);
                          Move(OutboxState::conflict)
                              .set("target", target)
                              .set("last_error", detail)
                              .sql("next_try_at = NULL")
                              .apply(db, id, now, {"conflict", row.item.key, target, detail});
                          return {};
                        });
}

Result<OutboxState> Outbox::mark_failed_try(std::int64_t id, const std::string& target,
                                            const std::string& error, TimePoint next_try_at) {
  return in_transaction(store_, clock_, "cannot record a failed write-back",
                        [&](SQLite::Database& db, const std::string& now) -> Result<OutboxState> {
                          auto row = require_in(db, id);
                          const int tries = row.tries + 1;
                          const bool give_up = tries >= max_tries_;
                          const auto to = give_up ? OutboxState::failed : OutboxState::pending;
                          Move(to)
                              .set("tries", std::int64_t{tries})
                              .set("target", target)
                              .set("last_error", error)
                              .set("next_try_at",
                                   give_up ? SqlValue{nullptr} : SqlValue{format_utc(next_try_at)})
                              .apply(db, id, now,
                                     {give_up ? "failed" : "try_failed", row.item.key, target,
                                      "try " + std::to_string(tries) + ": " + error});
                          return to;
                        });
}

Result<void> Outbox::mark_failed(std::int64_t id, const std::string& target,
                                 const std::string& error) {
  return in_transaction(store_, clock_, "cannot record a failed write-back",
                        [&](SQLite::Database& db, const std::string& now) -> Result<void> {
                          auto row = require_in(db, id);
                          Move(OutboxState::failed)
                              .sql("tries = tries + 1, next_try_at = NULL")
                              .set("target", target)
                              .set("last_error", error)
                              .apply(db, id, now, {"failed", row.item.key, target, error});
                          return {};
                        });
}

Result<void> Outbox::retry(std::int64_t id) {
  return in_transaction(
      store_, clock_, "cannot retry outbox item " + std::to_string(id),
      [&](SQLite::Database& db, const std::string& now) -> Result<void> {
        auto row = require_in(db, id);
        if (row.state != OutboxState::failed && row.state != OutboxState::conflict)
          return make_error("outbox item " + std::to_string(id),
                            std::string("it is ") + outbox_state_name(row.state) +
                                "; only failed or conflict items can be retried");
        Move(OutboxState::pending)
            .sql("tries = 0, next_try_at = NULL")
            .apply(db, id, now,
                   {"retry",
                    row.item.key,
                    {},
                    std::string("by the admin, was ") + outbox_state_name(row.state)});
        return {};
      });
}

Result<void> Outbox::discard(std::int64_t id, const std::string& reason) {
  return in_transaction(
      store_, clock_, "cannot discard outbox item " + std::to_string(id),
      [&](SQLite::Database& db, const std::string& now) -> Result<void> {
        auto row = require_in(db, id);
        if (is_sent(row.state) || row.state == OutboxState::discarded)
          return make_error(
              "outbox item " + std::to_string(id),
              std::string("it is ") + outbox_state_name(row.state) + " and cannot be discarded",
              is_sent(row.state) ? "the MIS already has it; change it in the MIS" : std::string());
        if (reason.empty())
          return make_error("outbox item " + std::to_string(id), "a discard needs a reason",
                            "add --reason TEXT");
        Move(OutboxState::discarded)
            .sql("next_try_at = NULL")
            .apply(
                db, id, now,
                {"discard",
                 row.item.key,
                 {},
                 std::string("by the admin, was ") + outbox_state_name(row.state) + ": " + reason});
        return {};
      });
}

Result<std::vector<OutboxRow>> Outbox::list(const OutboxFilter& f) {
  std::vector<OutboxRow> out;
  try {
    std::string sql = std::string("SELECT ") + kColumns + " FROM outbox WHERE 1=1";
    if (f.state) sql += " AND state = :state";
    if (!f.student_id.empty()) sql += " AND student_id = :student";
    if (f.date) sql += " AND date = :date";
    sql += " ORDER BY id LIMIT :limit";
    SQLite::Statement q(StoreAccess::db(store_), sql);
    if (f.state) q.bind(":state", outbox_state_name(*f.state));
    if (!f.student_id.empty()) q.bind(":student", f.student_id);
    if (f.date) q.bind(":date", f.date->iso());
    q.bind(":limit", f.limit);
    while (q.executeStep()) {
      auto r = read_row(q);
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
  } catch (const std::exception& e) {
    return store_error(store_, "cannot read the outbox", e);
  }
  return out;
}

Result<std::optional<OutboxRow>> Outbox::get(std::int64_t id) {
  try {
    return get_in(StoreAccess::db(store_), id);
  } catch (const ErrorException& e) {
    return e.error();
  } catch (const std::exception& e) {
    return store_error(store_, "cannot read the outbox", e);
  }
}

Result<std::optional<OutboxRow>> Outbox::find(const std::string& key) {
  try {
    return find_in(StoreAccess::db(store_), key);
  } catch (const ErrorException& e) {
    return e.error();
  } catch (const std::exception& e) {
    return store_error(store_, "cannot read the outbox", e);
  }
}

Result<std::map<OutboxState, int>> Outbox::counts() {
  std::map<OutboxState, int> out;
  for (auto st : {OutboxState::pending, OutboxState::in_doubt, OutboxState::sent,
                  OutboxState::confirmed, OutboxState::conflict, OutboxState::failed,
                  OutboxState::superseded, OutboxState::discarded})
    out[st] = 0;
  try {
    SQLite::Statement q(StoreAccess::db(store_),
                        "SELECT state, COUNT(*) FROM outbox GROUP BY state");
    while (q.executeStep()) {
      auto st = outbox_state_from_name(q.getColumn(0).getString());
      if (st) out[*st] = q.getColumn(1).getInt();
    }
  } catch (const std::exception& e) {
    return store_error(store_, "cannot count the outbox", e);
  }
  return out;
}

}  // namespace iesync
