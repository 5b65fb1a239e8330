// Applies the MIS exports to the store (SPEC §3): for each feed in order (students, staff,
// memberships, timetable, bookings) find the newest export, leave it if it is still being
// written or changed while it was read, skip it if its content is unchanged (known without
// reading it when the file is untouched since it was last hashed), parse and map it, check it
// against the students, hold it if it drops too much of the roster, then replace the feed's
// table in one transaction. A structurally broken export is moved to export_dir/rejected/ with a
// .why.txt note and the last good data stays. Every outcome is one Event.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/events.h"
#include "config/config.h"
#include "store/feed_apply.h"
#include "store/store.h"

namespace iesync {

enum class FeedStatus {
  not_configured,  // no [mis] feeds entry
  missing,         // no file matches
  settling,        // written within the last 30 s, or while it was read: left for the next cycle
  unchanged,       // same content hash as the last applied export
  applied,         // (or, in a dry run, would be applied)
  held,            // [safety] drop: waiting for --accept-drop
  rejected,        // structural problem: moved to rejected/ (or, when no regular file is named
                   // like the feed, a FIFO, folder or outside link that is left where it is)
  failed,          // the store or the file system failed; nothing applied
};
const char* feed_status_name(FeedStatus s);

struct FeedOutcome {
  Feed feed = Feed::students;
  std::string file;  // the export's file name, empty when missing
  FeedStatus status = FeedStatus::not_configured;
  std::size_t accepted = 0;  // records applied (or that would be)
  std::size_t skipped = 0;   // records left out with an error
  std::size_t ignored = 0;   // records left out by design (timetable rows without a class)
  std::string message;       // the summary sentence also sent as an Event
  // When applied to the store: the rows written, against what the store held (a diff apply
  // writes only these), and those left as they were.
  std::optional<ApplyCounts> changes;
  // The export was read (and hashed). An export untouched since it was last hashed (same
  // size, mtime, ctime and inode) is not: its hash is known. Also the Event field "read".
  bool read = false;
  // Applied from the record cache: the export's records were compared with those of the
  // export in use by the hash of their bytes, and only this many (the ones that differ)
  // were parsed and mapped. nullopt when the export was read whole.
  std::optional<std::size_t> records_parsed;
  // Read a piece at a time through the store (an export too dense to hold whole).
  bool staged = false;
};

struct ImportResult {
  std::vector<FeedOutcome> feeds;  // one per feed, in order
  std::size_t record_errors = 0;   // skipped records over all feeds
  bool rejected = false;           // some export was rejected
  bool held = false;               // some export is held by [safety]
  bool failed = false;             // the store or file system failed
  bool dry_run = false;

  const FeedOutcome& feed(Feed f) const;
};

// Leave a file alone for this long after its last write: the MIS may still be writing it.
inline constexpr std::chrono::seconds kSettleTime{30};

class Importer {
 public:
  Importer(Config config, Store& store, EventSink& events, Clock& clock);
  // accept_drop: apply exports that [safety] would hold (once: it is a per-run flag).
  // dry_run: no store writes and no file moves; events say what would happen.
  ImportResult run(bool accept_drop, bool dry_run);
  // A dry run that still applies the exports to the store it was given (a scratch copy, so
  // `sync --dry-run` can reconcile what the new exports say) but moves no files.
  ImportResult preview(bool accept_drop);

  // For tests: runs after an export's bytes are read and before they are checked against the
  // file as it is now, so a test can rewrite the file at exactly that moment.
  using AfterRead = std::function<void(const std::filesystem::path&)>;
  void set_after_read(AfterRead hook);
  // For tests and benchmarks: false reads every changed export whole, as if there were no
  // record cache (the cache is still written, so the next run can use it).
  void set_use_record_cache(bool use) { use_record_cache_ = use; }
  // For tests: read every changed export the split takes `records` records at a time, as an
  // export too dense to hold is read (0, the default: only those).
  void set_staged_pieces(std::size_t records) { staged_pieces_ = records; }

 private:
  Config cfg_;
  Store& store_;
  EventSink& events_;
  Clock& clock_;
  AfterRead after_read_;
  bool use_record_cache_ = true;
  std::size_t staged_pieces_ = 0;
};

}  // namespace iesync
