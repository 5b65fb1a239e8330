#include "store/feed_apply.h"

#include <sqlite3.h>

#include <unordered_map>
#include <unordered_set>

#include "store/mis_store.h"
#include "store/row_plan.h"
#include "store/store_access.h"
#include "store/store_error.h"

namespace iesync {

namespace {

std::string column_list(const TableSpec& t) {
  std::string s;
  for (auto* c : t.columns) s += std::string(s.empty() ? "" : ", ") + c;
  return s;
}

std::string placeholders(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

// The feed_state row of an applied feed, in the same savepoint as its rows.
void write_applied_feed_state(SQLite::Database& db, Feed f, long long records,
                              const AppliedFeed& a) {
  SQLite::Statement st(db,
                       "INSERT INTO feed_state(feed, file, content_hash, applied_at, records, "
                       "held_hash, held_reason) VALUES (?, ?, ?, ?, ?, NULL, NULL) "
                       "ON CONFLICT(feed) DO UPDATE SET file = excluded.file, content_hash = "
                       "excluded.content_hash, applied_at = excluded.applied_at, records = "
                       "excluded.records, held_hash = NULL, held_reason = NULL");
  st.bind(1, feed_name(f));
  st.bind(2, a.file);
  st.bind(3, a.content_hash);
  st.bind(4, a.applied_at);
  st.bind(5, static_cast<int64_t>(records));
  st.exec();
}

// SQLite keeps 64-bit signed integers; the hashes go in as their bit pattern.
int64_t as_stored(std::uint64_t h) {
  return static_cast<int64_t>(h);
}

struct Hashes {
  std::uint64_t key, content;
};

Hashes hashes_of(const TableSpec& t, const RowImage& row) {
  const std::uint64_t content = row.hash(row.size());
  return {t.key_columns ? row.hash(t.key_columns) : content, content};
}

std::vector<StoredRowHash> stored_hashes(SQLite::Database& db, const TableSpec& t) {
  std::vector<StoredRowHash> out;
  SQLite::Statement q(db, std::string("SELECT rowid, row_key, row_hash FROM ") + t.table);
  while (q.executeStep()) {
    StoredRowHash s;
    s.rowid = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) s.key = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
    if (!q.getColumn(2).isNull()) s.content = static_cast<std::uint64_t>(q.getColumn(2).getInt64());
    out.push_back(s);
  }
  return out;
}

// Rewrites rows that keep their identity (same key hash, other content). Only the columns past
// the key are set: indexes on the key's columns (memberships have two) are then left alone,
// where setting every column rewrote the row's entry in each, a page of each index per row.
// The key's columns are matched as well as the rowid (IS: a NULL start date is a value); a row
// whose identity only hashes alike, or was edited by hand, is rewritten whole.
class RowRewriter {
 public:
  RowRewriter(SQLite::Database& db, const TableSpec& t) : db_(db), t_(t) {
    const std::size_t cols = t.columns.size();
    std::string set, same;
    for (std::size_t c = 0; c < cols; ++c) {
      const std::string assign = std::string(t.columns[c]) + " = " + param(c + 1);
      all_ += assign + ", ";
      if (c < t.key_columns)
        same += std::string(" AND ") + t.columns[c] + " IS " + param(c + 1);
      else
        set += assign + ", ";
    }
    hashes_ = "row_key = " + param(cols + 1) + ", row_hash = " + param(cols + 2) +
              " WHERE rowid = " + param(cols + 3);
    keeping_key_.emplace(db, std::string("UPDATE ") + t.table + " SET " + set + hashes_ + same);
  }

  void rewrite(const RowImage& img, const Hashes& h, long long rowid) {
    if (run(*keeping_key_, img, h, rowid) == 1) return;
    if (!whole_) whole_.emplace(db_, std::string("UPDATE ") + t_.table + " SET " + all_ + hashes_);
    run(*whole_, img, h, rowid);
  }

 private:
  static std::string param(std::size_t i) { return "?" + std::to_string(i); }

  int run(SQLite::Statement& q, const RowImage& img, const Hashes& h, long long rowid) {
    const int cols = static_cast<int>(t_.columns.size());
    img.bind(q);
    q.bind(cols + 1, as_stored(h.key));
    q.bind(cols + 2, as_stored(h.content));
    q.bind(cols + 3, static_cast<int64_t>(rowid));
    const int changed = q.exec();
    q.reset();
    return changed;
  }

  SQLite::Database& db_;
  const TableSpec& t_;
  std::string all_, hashes_;
  std::optional<SQLite::Statement> keeping_key_, whole_;
};

}  // namespace

ApplyCounts apply_rows(SQLite::Database& db, const TableSpec& t, std::size_t n,
                       const RowSource& row, std::vector<CachedRecord>* refs) {
  const std::size_t cols = t.columns.size();
  SQLite::Statement insert(db, std::string("INSERT INTO ") + t.table + "(" + column_list(t) +
                                   ", row_key, row_hash) VALUES (" + placeholders(cols + 2) + ")");
  RowImage img;
  auto build = [&](std::size_t i) {
    img.clear();
    row(i, img);
  };
  auto write = [&](SQLite::Statement& q, const Hashes& h) {
    img.bind(q);
    q.bind(static_cast<int>(cols) + 1, as_stored(h.key));
    q.bind(static_cast<int>(cols) + 2, as_stored(h.content));
  };
  ApplyCounts counts;
  if (refs) refs->assign(n, CachedRecord{});
  auto stored = stored_hashes(db, t);
  if (stored.empty()) {
    // A fresh store (or an emptied table): every row is new, one pass.
    for (std::size_t i = 0; i < n; ++i) {
      build(i);
      auto h = hashes_of(t, img);
      write(insert, h);
      insert.exec();
      insert.reset();
      if (refs) (*refs)[i] = {0, h.key, db.getLastInsertRowid()};
    }
    counts.inserted = n;
    return counts;
  }

  std::vector<NewRowHash> fresh(n);
  for (std::size_t i = 0; i < n; ++i) {
    build(i);
    auto h = hashes_of(t, img);
    fresh[i] = {h.key, h.content};
  }
  auto plan = plan_rows(std::move(stored), fresh, refs != nullptr);
  if (refs)
    for (auto [i, rowid] : plan.kept) (*refs)[i] = {0, fresh[i].key, rowid};
  // Deletes first, so no insert meets the key of a row that is going.
  if (plan.delete_all) {
    db.exec(std::string("DELETE FROM ") + t.table);
  } else {
    SQLite::Statement del(db, std::string("DELETE FROM ") + t.table + " WHERE rowid = ?");
    for (long long id : plan.deletes) {
      del.bind(1, static_cast<int64_t>(id));
      del.exec();
      del.reset();
    }
  }
  if (!plan.updates.empty()) {
    RowRewriter rewriter(db, t);
    for (auto [i, rowid] : plan.updates) {
      build(i);
      rewriter.rewrite(img, {fresh[i].key, fresh[i].content}, rowid);
      if (refs) (*refs)[i] = {0, fresh[i].key, rowid};
    }
  }
  for (std::size_t i : plan.inserts) {
    build(i);
    write(insert, {fresh[i].key, fresh[i].content});
    insert.exec();
    insert.reset();
    if (refs) (*refs)[i] = {0, fresh[i].key, db.getLastInsertRowid()};
  }
  counts.inserted = plan.inserts.size();
  counts.updated = plan.updates.size();
  counts.deleted = plan.deletes.size();
  counts.unchanged = plan.unchanged;
  return counts;
}

Result<ApplyCounts> apply_feed(Store& store, Feed f, const TableSpec& t, std::size_t n,
                               const RowSource& row, const AppliedFeed& a,
                               const RecordHashes* records) {
  try {
    auto& db = StoreAccess::db(store);
    Savepoint feed(db, "feed");
    std::vector<CachedRecord> refs;
    auto counts = apply_rows(db, t, n, row, records ? &refs : nullptr);
    write_applied_feed_state(db, f, static_cast<long long>(n), a);
    bool cached = records != nullptr;
    for (std::size_t i = 0; cached && i < n; ++i) {
      auto raw = records->raw_of(i);
      if (raw)
        refs[i].raw = *raw;
      else
        cached = false;
    }
    if (cached)
      write_record_cache(db, f, a.content_hash, records->context, std::move(refs));
    else
      drop_record_cache(db, f);
    feed.release();
    return counts;
  } catch (const std::exception& e) {
    return store_error(store, a.file + ": could not save the " + feed_name(f) + " feed", e);
  }
}

Result<std::optional<ChangedApplied>> apply_changed(Store& store, Feed f, const TableSpec& t,
                                                    std::size_t n, const RowSource& row,
                                                    const ChangedRecords& changed,
                                                    const AppliedFeed& a) {
  try {
    auto& db = StoreAccess::db(store);
    Savepoint feed(db, "feed");
    const std::string table = t.table;
    // The cache must describe the table exactly: as many rows, and each gone record's row
    // still there with its identity.
    const auto& cached = changed.cache->records;
    const auto rows = db.execAndGet("SELECT count(*) FROM " + table).getInt64();
    if (static_cast<std::size_t>(rows) != cached.size()) return std::nullopt;
    struct Gone {
      std::uint64_t key, content;
      long long rowid;
      std::string first;
      bool taken = false;
    };
    std::vector<Gone> gone;
    {
      SQLite::Statement q(db, std::string("SELECT row_key, row_hash, ") +
                                  t.columns.at(changed.gone_column) + " FROM " + table +
                                  " WHERE rowid = ?");
      for (auto& g : changed.gone) {
        q.bind(1, static_cast<int64_t>(g.rowid));
        if (!q.executeStep() || q.getColumn(0).isNull() || q.getColumn(1).isNull() ||
            static_cast<std::uint64_t>(q.getColumn(0).getInt64()) != g.key)
          return std::nullopt;
        gone.push_back({g.key, static_cast<std::uint64_t>(q.getColumn(1).getInt64()), g.rowid,
                        q.getColumn(2).getString()});
        q.reset();
      }
    }
    RowImage img;
    std::vector<Hashes> fresh(n);
    for (std::size_t i = 0; i < n; ++i) {
      img.clear();
      row(i, img);
      fresh[i] = hashes_of(t, img);
    }
    // Every identity touched must be held by at most one stored row (plan_rows trusts no
    // other), and for a keyed table no new row may take a kept row's key.
    std::unordered_map<std::uint64_t, std::size_t> stored_with;  // key -> stored rows
    std::unordered_set<std::uint64_t> fresh_keys;
    for (auto& h : fresh) {
      stored_with.emplace(h.key, 0);
      fresh_keys.insert(h.key);
    }
    for (auto& g : gone) stored_with[g.key] = 0;
    auto count = [&](std::uint64_t key) {
      auto it = stored_with.find(key);
      return it != stored_with.end() && ++it->second > 1;
    };
    // Most cached records touch none of these few identities: a bit per identity's low bits
    // says so without a hash-table lookup (two per cached record took 0.5 ms of the 4.5 ms
    // applying 267 changes among 26,702 memberships).
    std::vector<bool> touched(std::size_t{1} << 16);
    auto slot = [](std::uint64_t key) { return static_cast<std::size_t>(key & 0xffff); };
    for (auto& [key, rows] : stored_with) touched[slot(key)] = true;
    for (std::size_t i = 0, k = 0; i < cached.size(); ++i) {
      const bool is_gone = k < changed.gone.size() && changed.gone[k] == cached[i];
      if (is_gone) ++k;
      if (!touched[slot(cached[i].key)]) continue;
      if (count(cached[i].key)) return std::nullopt;
      if (!is_gone && t.key_columns && fresh_keys.contains(cached[i].key)) return std::nullopt;
    }

    // The plan, as plan_rows makes it for these identities: the first new row with a gone
    // row's identity takes that row (unchanged, or rewritten); the others are inserted.
    std::unordered_map<std::uint64_t, std::size_t> gone_at;
    for (std::size_t k = 0; k < gone.size(); ++k) gone_at.emplace(gone[k].key, k);
    ChangedApplied out;
    std::vector<CachedRecord> records;  // the new records' cache entries
    records.reserve(n);
    std::vector<std::pair<std::size_t, long long>> updates;
    std::vector<std::size_t> inserts;
    for (std::size_t i = 0; i < n; ++i) {
      auto it = gone_at.find(fresh[i].key);
      if (it != gone_at.end() && !gone[it->second].taken) {
        auto& g = gone[it->second];
        g.taken = true;
        records.push_back({changed.raw[i], fresh[i].key, g.rowid});
        if (g.content == fresh[i].content)
          ++out.counts.unchanged;
        else
          updates.emplace_back(i, g.rowid);
      } else {
        inserts.push_back(i);
      }
    }
    const std::size_t kept = cached.size() - changed.gone.size();
    out.counts.unchanged += kept;

    const std::size_t cols = t.columns.size();
    auto write = [&](SQLite::Statement& q, std::size_t i) {
      img.clear();
      row(i, img);
      img.bind(q);
      q.bind(static_cast<int>(cols) + 1, as_stored(fresh[i].key));
      q.bind(static_cast<int>(cols) + 2, as_stored(fresh[i].content));
    };
    {
      SQLite::Statement del(db, "DELETE FROM " + table + " WHERE rowid = ?");
      for (auto& g : gone) {
        if (g.taken) continue;
        del.bind(1, static_cast<int64_t>(g.rowid));
        del.exec();
        del.reset();
        out.gone_keys.push_back(g.first);
        ++out.counts.deleted;
      }
    }
    if (!updates.empty()) {
      RowRewriter rewriter(db, t);
      for (auto [i, rowid] : updates) {
        img.clear();
        row(i, img);
        rewriter.rewrite(img, fresh[i], rowid);
      }
      out.counts.updated = updates.size();
    }
    if (!inserts.empty()) {
      SQLite::Statement insert(db, "INSERT INTO " + table + "(" + column_list(t) +
                                       ", row_key, row_hash) VALUES (" + placeholders(cols + 2) +
                                       ")");
      for (std::size_t i : inserts) {
        write(insert, i);
        insert.exec();
        insert.reset();
        records.push_back({changed.raw[i], fresh[i].key, db.getLastInsertRowid()});
      }
      out.counts.inserted = inserts.size();
    }
    if (changed.student_column && !changed.students_gone.empty()) {
      SQLite::Statement q(
          db, "SELECT 1 FROM " + table + " WHERE " + changed.student_column + " = ? LIMIT 1");
      for (auto& id : changed.students_gone) {
        q.bind(1, id);
        if (q.executeStep()) return std::nullopt;
        q.reset();
      }
    }
    if (changed.accept && !changed.accept(out.gone_keys)) return std::nullopt;
    write_applied_feed_state(db, f, static_cast<long long>(kept + n), a);
    write_record_changes(db, f, a.content_hash, changed.context, *changed.cache, changed.gone,
                         std::move(records));
    feed.release();
    return out;
  } catch (const std::exception& e) {
    return store_error(store, a.file + ": could not save the " + feed_name(f) + " feed", e);
  }
}

// ---- The staged read ----

namespace {

std::string staged_column(std::size_t i) {
  return "c" + std::to_string(i);
}

long long count_of(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

}  // namespace

StagedRows::StagedRows(Store& store, const TableSpec& t) : db_(StoreAccess::db(store)), t_(t) {
  std::string cols;
  for (std::size_t i = 0; i < t.columns.size(); ++i) cols += ", " + staged_column(i);
  db_.exec("DROP TABLE IF EXISTS temp.staged_rows");
  db_.exec("DROP TABLE IF EXISTS temp.staged_keys");
  // The temp tables' pages beyond this go to a temp file. 2 MB (the default) made a large
  // school's memberships, whose keys come in no useful order, write most pages many times.
  temp_cache_before_ = db_.execAndGet("PRAGMA temp.cache_size").getInt();
  db_.exec("PRAGMA temp.cache_size = -8192");
  db_.exec(
      "CREATE TEMP TABLE staged_rows (n INTEGER PRIMARY KEY, k INTEGER, h INTEGER, raw INTEGER, "
      "rid INTEGER" +
      cols + ")");
  db_.exec("CREATE TEMP TABLE staged_keys (key TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID");
  insert_.emplace(db_,
                  "INSERT INTO staged_rows VALUES (" + placeholders(t.columns.size() + 5) + ")");
  key_insert_.emplace(db_, "INSERT INTO staged_keys VALUES (?, ?) ON CONFLICT DO NOTHING");
  key_find_.emplace(db_, "SELECT n FROM staged_keys WHERE key = ?");
}

StagedRows::~StagedRows() {
  insert_.reset();
  key_insert_.reset();
  key_find_.reset();
  try {
    db_.exec("DROP TABLE IF EXISTS temp.staged_rows");
    db_.exec("DROP TABLE IF EXISTS temp.staged_keys");
    if (temp_cache_before_)
      db_.exec("PRAGMA temp.cache_size = " + std::to_string(*temp_cache_before_));
  } catch (const SQLite::Exception&) {
    // A store that failed keeps them until it is closed; they are in its temp database only.
  }
}

void StagedRows::add(const RowImage& row, std::optional<std::uint64_t> raw) {
  auto h = hashes_of(t_, row);
  auto& q = *insert_;
  q.bind(1, static_cast<int64_t>(rows_));
  q.bind(2, as_stored(h.key));
  q.bind(3, as_stored(h.content));
  if (raw)
    q.bind(4, as_stored(*raw));
  else
    q.bind(4);
  all_raw_ = all_raw_ && raw;
  q.bind(5);
  row.bind(q, 6);
  q.exec();
  q.reset();
  ++rows_;
}

std::optional<std::size_t> StagedRows::first(std::string_view key, std::size_t number) {
  const std::string k(key);
  key_insert_->bind(1, k);
  key_insert_->bind(2, static_cast<int64_t>(number));
  key_insert_->exec();
  key_insert_->reset();
  if (db_.getChanges() > 0) return std::nullopt;
  key_find_->bind(1, k);
  std::optional<std::size_t> out;
  if (key_find_->executeStep()) out = static_cast<std::size_t>(key_find_->getColumn(0).getInt64());
  key_find_->reset();
  return out;
}

std::size_t StagedRows::distinct(std::size_t c) {
  return static_cast<std::size_t>(
      count_of(db_, "SELECT count(DISTINCT " + staged_column(c) + ") FROM staged_rows"));
}

std::pair<std::size_t, std::string> StagedRows::not_in(std::size_t c, const char* table,
                                                       const char* in_column) {
  const std::string col = staged_column(c);
  SQLite::Statement q(db_, "SELECT count(*), min(" + col + ") FROM staged_rows WHERE " + col +
                               " NOT IN (SELECT " + in_column + " FROM " + table + ")");
  q.executeStep();
  return {static_cast<std::size_t>(q.getColumn(0).getInt64()),
          q.getColumn(1).isNull() ? std::string() : q.getColumn(1).getString()};
}

// The plan of plan_rows, made by SQL over the staged rows: a stored key held by exactly one
// row (with both hashes) is taken by the first new row with that key, unchanged or rewritten;
// every other stored row goes; every new row that took none is inserted, in export order.
Result<ApplyCounts> apply_staged(Store& store, Feed f, StagedRows& rows, const AppliedFeed& a,
                                 std::optional<std::uint64_t> cache_context) {
  try {
    auto& db = StoreAccess::db(store);
    const TableSpec& t = rows.t_;
    const std::string table = t.table;
    Savepoint feed(db, "feed");
    struct DropTemps {
      SQLite::Database& db;
      ~DropTemps() {
        try {
          db.exec("DROP TABLE IF EXISTS temp.staged_stored");
          db.exec("DROP TABLE IF EXISTS temp.staged_matched");
          db.exec("DROP INDEX IF EXISTS temp.staged_rows_k");
        } catch (const SQLite::Exception&) {
        }
      }
    } drop_temps{db};
    // A rolled-back savepoint of an earlier feed can have brought these back.
    db.exec("DROP TABLE IF EXISTS temp.staged_stored");
    db.exec("DROP TABLE IF EXISTS temp.staged_matched");
    db.exec("DROP INDEX IF EXISTS temp.staged_rows_k");
    db.exec("CREATE INDEX temp.staged_rows_k ON staged_rows(k, n)");
    db.exec(
        "CREATE TEMP TABLE staged_stored (k INTEGER PRIMARY KEY, c INTEGER, rid INTEGER, h "
        "INTEGER)");
    db.exec("INSERT INTO staged_stored SELECT row_key, count(*), min(rowid), min(row_hash) FROM " +
            table + " WHERE row_key IS NOT NULL AND row_hash IS NOT NULL GROUP BY row_key");
    db.exec("CREATE TEMP TABLE staged_matched (n INTEGER PRIMARY KEY, rid INTEGER, same INTEGER)");
    db.exec(
        "INSERT INTO staged_matched SELECT f.n, s.rid, r.h = s.h FROM staged_stored s "
        "JOIN (SELECT k, min(n) AS n FROM staged_rows GROUP BY k) f ON f.k = s.k "
        "JOIN staged_rows r ON r.n = f.n WHERE s.c = 1");
    const auto stored = static_cast<std::size_t>(count_of(db, "SELECT count(*) FROM " + table));
    const auto matched =
        static_cast<std::size_t>(count_of(db, "SELECT count(*) FROM staged_matched"));
    ApplyCounts counts;
    counts.unchanged =
        static_cast<std::size_t>(count_of(db, "SELECT count(*) FROM staged_matched WHERE same"));
    counts.updated = matched - counts.unchanged;
    counts.deleted = stored - matched;
    counts.inserted = rows.size() - matched;
    if (counts.deleted == stored && stored > 0)
      db.exec("DELETE FROM " + table);
    else if (counts.deleted)
      db.exec("DELETE FROM " + table + " WHERE rowid NOT IN (SELECT rid FROM staged_matched)");
    std::string staged_cols;
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      staged_cols += (i ? ", r." : "r.") + staged_column(i);
    if (counts.updated) {
      std::string set;
      for (std::size_t i = 0; i < t.columns.size(); ++i)
        set += std::string(t.columns[i]) + " = r." + staged_column(i) + ", ";
      db.exec("UPDATE " + table + " SET " + set +
              "row_key = r.k, row_hash = r.h FROM staged_matched m JOIN staged_rows r ON r.n = "
              "m.n WHERE " +
              table + ".rowid = m.rid AND m.same = 0");
    }
    // New rows take the rowids after the largest left; checked after, for the cache.
    const long long base = count_of(db, "SELECT coalesce(max(rowid), 0) FROM " + table);
    if (counts.inserted)
      db.exec("INSERT INTO " + table + "(" + column_list(t) + ", row_key, row_hash) SELECT " +
              staged_cols +
              ", r.k, r.h FROM staged_rows r WHERE r.n NOT IN (SELECT n FROM staged_matched) "
              "ORDER BY r.n");
    write_applied_feed_state(db, f, static_cast<long long>(rows.size()), a);
    const auto inserted = static_cast<long long>(counts.inserted);
    const bool sequential =
        count_of(db, "SELECT count(*) FROM " + table + " WHERE rowid > " + std::to_string(base)) ==
            inserted &&
        count_of(db, "SELECT coalesce(max(rowid), 0) FROM " + table) == base + inserted;
    if (cache_context && rows.all_raw_ && sequential) {
      // Each staged row's record with the row it is now: the stored row it took, or the
      // next of the new rowids, in export order.
      std::vector<CachedRecord> refs;
      refs.reserve(rows.size());
      SQLite::Statement q(db,
                          "SELECT r.raw, r.k, m.rid FROM staged_rows r LEFT JOIN staged_matched m "
                          "ON m.n = r.n ORDER BY r.n");
      long long next = base;
      while (q.executeStep()) {
        const long long rowid = q.getColumn(2).isNull() ? ++next : q.getColumn(2).getInt64();
        refs.push_back({static_cast<std::uint64_t>(q.getColumn(0).getInt64()),
                        static_cast<std::uint64_t>(q.getColumn(1).getInt64()), rowid});
      }
      write_record_cache(db, f, a.content_hash, *cache_context, std::move(refs));
    } else {
      drop_record_cache(db, f);
    }
    feed.release();
    return counts;
  } catch (const std::exception& e) {
    return store_error(store, a.file + ": could not save the " + feed_name(f) + " feed", e);
  }
}

Savepoint::Savepoint(SQLite::Database& db, std::string name) : db_(db), name_(std::move(name)) {
  db_.exec("SAVEPOINT " + name_);
}

Savepoint::~Savepoint() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK TO " + name_);
    db_.exec("RELEASE " + name_);
  } catch (const SQLite::Exception&) {
    // A savepoint SQLite already rolled back (a full disk, say) is gone; nothing to undo.
  }
}

void Savepoint::release() {
  db_.exec("RELEASE " + name_);
  done_ = true;
}

ImportTransaction::ImportTransaction(Store& store) : store_(store) {
  try {
    StoreAccess::db(store_).exec("BEGIN");
    open_ = true;
  } catch (const SQLite::Exception&) {
    // The feeds' savepoints report the fault, each naming its feed.
  }
}

ImportTransaction::~ImportTransaction() {
  if (!open_) return;
  try {
    StoreAccess::db(store_).exec("ROLLBACK");
  } catch (const SQLite::Exception&) {
  }
}

bool ImportTransaction::lost() const {
  return open_ && sqlite3_get_autocommit(StoreAccess::db(store_).getHandle()) != 0;
}

Result<void> ImportTransaction::commit() {
  if (!open_) return {};
  if (lost()) {
    open_ = false;
    return make_error(store_.path().string(),
                      "the store rolled back this import after a failure (see above); nothing "
                      "of it was saved",
                      "iesync reads the exports again at the next cycle; check the disk and the "
                      "store");
  }
  try {
    StoreAccess::db(store_).exec("COMMIT");
    open_ = false;
    return {};
  } catch (const std::exception& e) {
    return store_error(store_, "could not save the imported feeds", e);
  }
}

}  // namespace iesync
