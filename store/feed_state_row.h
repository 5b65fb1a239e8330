// The feed_state row written when a feed is applied, shared by every store class that
// replaces a feed's table (MisStore, ImpactStore): each calls it inside its own transaction,
// so the table and its feed_state change together or not at all.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include "mapping/rules.h"
#include "store/mis_store.h"

namespace iesync {

// Throws SQLite::Exception, for the caller's transaction to roll back.
inline void write_applied_feed_state(SQLite::Database& db, Feed f, long long records,
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

}  // namespace iesync
