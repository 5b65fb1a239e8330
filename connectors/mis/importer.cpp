#include "connectors/mis/importer.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <unordered_set>

#include "connectors/mis/export_fingerprint.h"
#include "connectors/mis/feed_files.h"
#include "connectors/mis/feed_mapper.h"
#include "connectors/mis/feed_reader.h"
#include "connectors/mis/raw_records.h"
#include "connectors/mis/text_encoding.h"
#include "mapping/calendar.h"
#include "mapping/shown_text.h"
#include "store/impact_store.h"
#include "store/mis_rows.h"
#include "store/mis_store.h"
#include "store/record_cache.h"

namespace iesync {

namespace fs = std::filesystem;

const char* feed_status_name(FeedStatus s) {
  switch (s) {
    case FeedStatus::not_configured:
      return "not_configured";
    case FeedStatus::missing:
      return "missing";
    case FeedStatus::settling:
      return "settling";
    case FeedStatus::unchanged:
      return "unchanged";
    case FeedStatus::applied:
      return "applied";
    case FeedStatus::held:
      return "held";
    case FeedStatus::rejected:
      return "rejected";
    case FeedStatus::failed:
      return "failed";
  }
  return "?";
}

const FeedOutcome& ImportResult::feed(Feed f) const {
  for (auto& o : feeds)
    if (o.feed == f) return o;
  throw std::out_of_range(std::string("no outcome for feed ") + feed_name(f));
}

namespace {

// A per-feed cap on record-level events, so a wholly wrong export cannot flood sync.log;
// the counts in the summary stay exact.
constexpr std::size_t kMaxRecordEvents = 100;

// Built front to back: GCC 12 misreads insert() into a short string as overlapping copies.
std::string with_commas(std::size_t n) {
  const auto digits = std::to_string(n);
  std::string s;
  s.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

// The raw records of an export read whole: what its record cache is written from. Numbers
// and hashes in two arrays, 12 bytes a record.
struct RecordIndex {
  std::uint64_t context = 0;
  std::vector<std::uint32_t> numbers;  // file order
  std::vector<std::uint64_t> hashes;

  std::optional<std::uint64_t> raw_of(std::size_t number) const {
    // XML records are numbered 1, 2, 3...: no search.
    if (number >= 1 && number <= numbers.size() && numbers[number - 1] == number)
      return hashes[number - 1];
    auto it = std::lower_bound(numbers.begin(), numbers.end(), number);
    if (it == numbers.end() || *it != number) return std::nullopt;
    return hashes[static_cast<std::size_t>(it - numbers.begin())];
  }
};

// An export whose records average fewer bytes than this is not cached: no school's records
// are so short (a membership row is ~25 bytes of CSV), and the cache's 12 bytes a record
// while reading, and 24 in the store, would then cost more than the export itself.
constexpr std::size_t kMinCachedRecordBytes = 24;

// A changed export about to be applied from its changed records alone.
struct Changed {
  ChangedRecords records;
  std::vector<RawRecord> fresh;  // the records not in the cache, in file order

  std::optional<std::uint64_t> raw_of(std::size_t number) const {
    auto it = std::lower_bound(fresh.begin(), fresh.end(), number,
                               [](const RawRecord& r, std::size_t n) { return r.number < n; });
    if (it == fresh.end() || it->number != number) return std::nullopt;
    return it->hash;
  }
};

bool checked_against_students(Feed f) {
  return f == Feed::memberships || f == Feed::bookings || f == Feed::behaviour;
}

std::string percent(double fraction) {
  return std::to_string(static_cast<int>(fraction * 100 + 0.5)) + "%";
}

const char* noun(Feed f) {
  switch (f) {
    case Feed::students:
      return "students";
    case Feed::staff:
      return "staff";
    case Feed::memberships:
      return "class memberships";
    case Feed::timetable:
      return "lessons";
    case Feed::bookings:
      return "IE bookings";
    case Feed::behaviour:
      return "behaviour incidents";
  }
  return "records";
}

// "where: message. Fix." — one sentence for the behaviour lead.
std::string sentence(const Error& e) {
  std::string s = e.where.empty() ? e.message : e.where + ": " + e.message;
  if (!e.fix.empty()) {
    std::string fix = e.fix;
    fix[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(fix[0])));
    s += ". " + fix;
  }
  if (!s.empty() && s.back() != '.') s += '.';
  return s;
}

class ImportRun {
 public:
  ImportRun(const Config& cfg, Store& store, EventSink& events, Clock& clock, bool accept_drop,
            bool dry_run, bool write_store, const Importer::AfterRead& after_read,
            bool use_record_cache, std::size_t staged_pieces)
      : cfg_(cfg),
        store_(store),
        mis_(store),
        events_(events),
        clock_(clock),
        accept_drop_(accept_drop),
        dry_run_(dry_run),
        write_store_(write_store),
        after_read_(after_read),
        use_record_cache_(use_record_cache),
        staged_pieces_(staged_pieces) {
    result_.dry_run = dry_run;
  }

  ImportResult run() {
    // A large school's memberships go into two B-tree indexes in no useful order.
    MisStore::BulkCache cache(store_);
    std::optional<ImportTransaction> tx;
    if (write_store_) tx.emplace(store_);
    auto cal = Calendar::build(cfg_.mapping.calendar);
    if (cal)
      calendar_.emplace(std::move(*cal));
    else
      calendar_error_ = cal.error();
    if (auto students = mis_.feed_state(Feed::students); students && *students)
      students_before_ = students_now_ = (*students)->content_hash;
    for (Feed f : kAllFeeds) {
      FeedOutcome& o = result_.feeds.emplace_back();
      o.feed = f;
      if (tx && tx->lost()) {
        // What this import applied is gone; the rest wait for the next cycle too.
        if (auto p = cfg_.mis.feeds.find(f); p != cfg_.mis.feeds.end() && !p->second.empty())
          fail(o, make_error(feed_name(f),
                             "not imported: the store rolled back this import after a failure "
                             "(see above)",
                             "iesync reads the export again at the next cycle"));
        continue;
      }
      try {
        run_feed(f, o);
      } catch (const ErrorException& e) {
        // A store read that failed deep in a feed (value() of its Result): the store's own
        // words, which name the fault.
        fail(o, e.error());
      } catch (const std::exception& e) {
        fail(o, make_error(o.file.empty() ? feed_name(f) : o.file,
                           std::string("importing failed: ") + e.what(),
                           "the store keeps the last good data; check the disk and the store, "
                           "then run iesync sync again"));
      }
      result_.record_errors += o.skipped;
    }
    if (tx) {
      if (auto r = tx->commit(); !r) {
        // Nothing of this import was saved: every feed it applied is still the old data.
        for (auto& o : result_.feeds)
          if (o.status == FeedStatus::applied) fail(o, r.error());
      }
    }
    return std::move(result_);
  }

 private:
  void emit(Severity sev, std::string kind, const FeedOutcome& o, std::string message,
            std::vector<std::pair<std::string, std::string>> extra = {}) {
    Event e;
    e.severity = sev;
    e.kind = std::move(kind);
    e.message = (dry_run_ ? "(dry run) " : "") + std::move(message);
    e.fields = {
        {"feed", feed_name(o.feed)}, {"file", o.file}, {"status", feed_status_name(o.status)}};
    for (auto& x : extra) e.fields.push_back(std::move(x));
    events_.emit(e);
  }

  void summary(Severity sev, std::string kind, FeedOutcome& o, std::string message) {
    o.message = message;
    emit(sev, std::move(kind), o, std::move(message),
         {{"accepted", std::to_string(o.accepted)},
          {"skipped", std::to_string(o.skipped)},
          {"ignored", std::to_string(o.ignored)},
          {"read", o.read ? "yes" : "no"}});
  }

  void fail(FeedOutcome& o, const Error& e) {
    o.status = FeedStatus::failed;
    result_.failed = true;
    summary(Severity::error, "feed.failed", o, sentence(e));
  }

  void run_feed(Feed f, FeedOutcome& o) {
    index_ = nullptr;
    auto pattern = cfg_.mis.feeds.find(f);
    if (pattern == cfg_.mis.feeds.end() || pattern->second.empty()) return;  // not_configured
    static const FieldMap kNone;
    auto mapped = cfg_.mapping.fields.find(f);
    const FieldMap& fields = mapped == cfg_.mapping.fields.end() ? kNone : mapped->second;
    if (auto r = check_field_map(f, fields); !r) return fail(o, r.error());

    auto search = find_export(cfg_.mis.export_dir, pattern->second);
    if (!search.file && !search.refused.empty()) return refuse(o, search.refused);
    // A good export is read even beside a refused entry (a stray FIFO must not stop the
    // feed), but the entry is still reported every cycle until it is removed.
    for (auto& e : search.refused) emit(Severity::warning, "feed.entry_refused", o, sentence(e));
    auto& file = search.file;
    if (!file) {
      o.status = FeedStatus::missing;
      return summary(Severity::warning, "feed.missing", o,
                     "No " + std::string(feed_name(f)) + " export matching \"" + pattern->second +
                         "\" is in " + cfg_.mis.export_dir.string() +
                         "; iesync keeps using the last good data. Check that the MIS export "
                         "job runs and writes there.");
    }
    o.file = file->path.filename().string();
    auto age = clock_.now() - file->modified;
    if (age < kSettleTime) {
      o.status = FeedStatus::settling;
      return summary(Severity::info, "feed.settling", o,
                     o.file + " was written less than " + std::to_string(kSettleTime.count()) +
                         " seconds ago and may still be being written; it will be read at the "
                         "next cycle.");
    }
    // The hash of an export untouched since it was last hashed is known without reading it.
    std::optional<ExportBytes> bytes;
    // Reads the export; false when that already settled the feed's outcome.
    auto read = [&]() -> bool {
      o.read = true;
      auto r = read_export(*file, after_read_);
      if (r) {
        bytes.emplace(std::move(*r));
        return true;
      }
      switch (r.error().kind) {
        case ReadFailureKind::changed:
          // Like a file still being written: never applied, looked at again next cycle.
          o.status = FeedStatus::settling;
          summary(Severity::info, "feed.settling", o,
                  sentence(r.error().error) +
                      " It was not applied, and will be read again at "
                      "the next cycle.");
          return false;
        case ReadFailureKind::too_large:
          reject(o, file->path, r.error().error);
          return false;
        case ReadFailureKind::unreadable:
          fail(o, r.error().error);
          return false;
      }
      return false;
    };
    std::string hash;
    if (auto known = known_content_hash(store_, f, *file)) {
      hash = std::move(*known);
    } else {
      if (!read()) return;
      hash = export_hash(*bytes);
      if (write_store_)
        if (auto r = remember_content_hash(store_, f, *file, hash); !r) return fail(o, r.error());
    }
    auto stored = mis_.feed_state(f);
    if (!stored) return fail(o, stored.error());
    const auto& state = *stored;
    if (state && state->content_hash == hash) {
      o.status = FeedStatus::unchanged;
      std::string released;
      if (!state->held_hash.empty()) {
        // The MIS went back to the data in use: the held export is no longer waiting for
        // anyone, and the dashboard must stop asking for --accept-drop.
        if (write_store_)
          if (auto r = mis_.release_hold(f); !r) return fail(o, r.error());
        released = " The export that was held (" + state->held_reason +
                   ") has been replaced by it, so nothing is held any more.";
      }
      return summary(Severity::info, "feed.unchanged", o,
                     o.file + " is unchanged since it was applied at " + state->applied_at +
                         "; nothing to do." + released);
    }
    if (state && state->held_hash == hash && !accept_drop_) {
      o.status = FeedStatus::held;
      result_.held = true;
      return summary(Severity::warning, "feed.held", o,
                     o.file + " is still held: " + state->held_reason);
    }
    if (!bytes) {
      if (!read()) return;  // known, but neither applied nor held (the store was restored, say)
      hash = export_hash(*bytes);
    }
    AppliedFeed applied{o.file, hash, format_utc(clock_.now())};
    if (use_record_cache_ && write_store_ && state &&
        apply_changed_records(f, o, *bytes, fields, applied, state->content_hash))
      return;

    // The export read whole. The hashes of its raw records are kept with the rows they
    // become, so the next export of the feed can be read from its changed records alone.
    // Their count says whether the export is too dense to read whole (no index: records
    // averaging under 24 bytes, or a shape the split does not take); if so it is staged.
    std::optional<RecordIndex> index;
    if (write_store_) {
      index = index_records(f, *bytes);
      if (!index || wants_staged(f, bytes->size(), index->numbers.size())) {
        index.reset();
        if (staged(f, o, *bytes, fields, applied, file->path)) return;
        index = index_records(f, *bytes);
      }
    }
    auto table = read_feed(*bytes, o.file, cfg_.mis);
    // A large export need not stay in memory while it is mapped and applied.
    bytes->release();
    if (!table) return reject(o, file->path, table.error());
    if (index && index->numbers.size() != table->records_read) index.reset();
    index_ = index ? &*index : nullptr;
    switch (f) {
      case Feed::students:
        return students(o, *table, fields, applied, file->path);
      case Feed::staff:
        return staff(o, *table, fields, applied, file->path);
      case Feed::memberships:
        return memberships(o, *table, fields, applied, file->path);
      case Feed::timetable:
        return timetable(o, *table, fields, applied, file->path);
      case Feed::bookings:
        return bookings(o, *table, fields, applied, file->path);
      case Feed::behaviour:
        return behaviour(o, *table, fields, applied, file->path);
    }
  }

  void reject(FeedOutcome& o, const fs::path& path, const Error& e) {
    o.status = FeedStatus::rejected;
    result_.rejected = true;
    // Each line's text may quote the export (a caption, SIMS's own error text, a file name):
    // shown() escapes any control character, so none can forge a line of this note.
    std::string why =
        "iesync rejected this " + std::string(feed_name(o.feed)) +
        " export and kept using the last good data.\n\n"
        "File:       " +
        shown(o.file) +
        "\n"
        "Rejected:   " +
        format_utc(clock_.now()) +
        "\n"
        "Where:      " +
        shown(e.where.empty() ? o.file : e.where) +
        "\n"
        "Problem:    " +
        shown(e.message) +
        "\n"
        "What to do: " +
        shown(e.fix.empty() ? "export the file again from the MIS" : e.fix) +
        "\n\n"
        "When a corrected export is in " +
        shown(cfg_.mis.export_dir.string()) +
        ", iesync reads "
        "it at the next cycle. This file is kept here only so you can see what was wrong.\n";
    std::string where_now;
    if (!dry_run_) {
      auto moved = move_to_rejected(path, clock_.now(), why);
      if (!moved) {
        // The feed is still refused and the last good data kept, so the rest of the cycle
        // (reconcile, marks) is safe to run; the file stays where it is and is read again,
        // and refused again, each cycle until the folder is writable or the export replaced.
        emit(Severity::error, "feed.reject_failed", o, sentence(moved.error()));
        where_now = " It could not be moved to rejected/, so it stays in the export folder.";
      } else {
        where_now = " It was moved to " + moved->parent_path().filename().string() + "/" +
                    moved->filename().string() + " with a note saying why.";
      }
    } else {
      where_now = " It would be moved to rejected/ with a note saying why.";
    }
    summary(Severity::error, "feed.rejected", o,
            o.file + " was rejected and the last good " + feed_name(o.feed) +
                " data is kept: " + sentence(e) + where_now);
  }

  // Nothing that may be read is named like the feed, only entries that may not (a FIFO, a
  // folder, a link out of the export folder). They are not the MIS's export, so they are
  // neither opened nor moved: each cycle says what they are until someone removes them.
  void refuse(FeedOutcome& o, const std::vector<Error>& refused) {
    o.status = FeedStatus::rejected;
    result_.rejected = true;
    std::string msg = "No " + std::string(feed_name(o.feed)) +
                      " export was read and the last good data is kept: ";
    for (std::size_t i = 0; i < refused.size(); ++i) msg += (i ? " " : "") + sentence(refused[i]);
    summary(Severity::error, "feed.rejected", o, msg);
  }

  template <class T>
  void report_skipped(FeedOutcome& o, const MappedFeed<T>& m) {
    std::size_t n = 0;
    for (auto& s : m.skipped) {
      if (++n > kMaxRecordEvents) {
        emit(Severity::warning, "feed.records_skipped_more", o,
             o.file + ": " + with_commas(m.skipped_count() - kMaxRecordEvents) +
                 " more records were skipped; fix the ones above first and the rest may follow.");
        return;
      }
      emit(Severity::warning, "feed.record_skipped", o, sentence(s.error),
           {{"record", std::to_string(s.number)}});
    }
  }

  // Records the outcome, applies (unless a dry run), then tells: summary first, then each
  // skipped record ("see below").
  template <class T, class Apply>
  void finish(FeedOutcome& o, MappedFeed<T>& m, Apply&& apply, std::string extra = {}) {
    std::optional<ApplyCounts> counts;
    if (write_store_) {
      auto r = apply();
      if (!r) {
        o.accepted = m.items.size();
        o.skipped = m.skipped_count();
        o.ignored = m.ignored;
        return fail(o, r.error());
      }
      counts = *r;
    }
    report(o, m, m.items.size(), counts, std::move(extra));
  }

  // The applied feed's summary; `accepted` counts every record in the table, m's items only
  // those just mapped.
  template <class T>
  void report(FeedOutcome& o, const MappedFeed<T>& m, std::size_t accepted,
              std::optional<ApplyCounts> counts, std::string extra) {
    o.accepted = accepted;
    o.skipped = m.skipped_count();
    o.ignored = m.ignored;
    o.changes = counts;
    o.status = FeedStatus::applied;
    std::string msg = o.file + ": " + with_commas(o.accepted) + " " + noun(o.feed) +
                      (dry_run_ ? " would be imported" : " imported");
    std::vector<std::string> notes;
    if (o.ignored) notes.push_back(with_commas(o.ignored) + " rows without a class ignored");
    if (o.skipped) notes.push_back(with_commas(o.skipped) + " skipped: see below");
    if (!notes.empty()) {
      msg += " (";
      for (std::size_t i = 0; i < notes.size(); ++i) msg += (i ? "; " : "") + notes[i];
      msg += ")";
    }
    msg += ".";
    if (counts && counts->inserted != o.accepted)
      msg += " Against what was in use: " + with_commas(counts->inserted) + " new, " +
             with_commas(counts->updated) + " changed, " + with_commas(counts->deleted) +
             " removed, " + with_commas(counts->unchanged) + " as before.";
    msg += extra;
    summary(o.skipped ? Severity::warning : Severity::info, "feed.applied", o, msg);
    report_skipped(o, m);
  }

  // [safety]: why the drop from `before` to `after` is over the limit, or nullopt.
  std::optional<std::string> drop_over_limit(std::size_t before, std::size_t after,
                                             const char* what) const {
    if (before == 0 || after >= before) return std::nullopt;
    double drop = double(before - after) / double(before);
    if (drop <= cfg_.safety.max_roster_drop) return std::nullopt;
    return "the new export has " + with_commas(after) + " " + what + ", " + percent(drop) +
           " fewer than the " + with_commas(before) + " in use (the [safety] limit is " +
           percent(cfg_.safety.max_roster_drop) + ")";
  }

  // [safety], for the changed records: false when the export would be held (the whole
  // export is then read, and held as usual).
  bool drop_allowed(std::size_t before, std::size_t after, const char* what,
                    std::string& accepted_note) const {
    auto reason = drop_over_limit(before, after, what);
    if (!reason) return true;
    if (!accept_drop_) return false;
    accepted_note = " The drop (" + *reason + ") was accepted with --accept-drop.";
    return true;
  }

  // [safety]: true when the drop from `before` to `after` is too big and was not accepted.
  bool hold_if_dropped(FeedOutcome& o, const std::string& hash, std::size_t before,
                       std::size_t after, const char* what, std::string& accepted_note) {
    auto why = drop_over_limit(before, after, what);
    if (!why) return false;
    const std::string& reason = *why;
    if (accept_drop_) {
      accepted_note = " The drop (" + reason + ") was accepted with --accept-drop.";
      return false;
    }
    o.status = FeedStatus::held;
    result_.held = true;
    if (write_store_) {
      if (auto r = mis_.hold(o.feed, o.file, hash, reason); !r) return fail(o, r.error()), true;
    }
    summary(Severity::warning, "feed.held", o,
            o.file + " is held, not applied: " + reason +
                ". iesync keeps using the old list. If the drop is real (e.g. a new school "
                "year), run `iesync sync --accept-drop`; otherwise check the export in the MIS.");
    return true;
  }

  // [safety], for an export read whole or staged, before it is applied: true when it is held.
  // `after` counts what the feed's limit counts (students, classes, incidents).
  bool held_by_safety(FeedOutcome& o, const AppliedFeed& a, std::size_t after, std::string& note) {
    auto held = [&](Result<long long> before, const char* what) {
      return hold_if_dropped(o, a.content_hash, static_cast<std::size_t>(before.value()), after,
                             what, note);
    };
    switch (o.feed) {
      case Feed::students:
        return held(mis_.student_count(), "students");
      case Feed::memberships:
        return held(mis_.class_count(), "classes");
      case Feed::behaviour:
        return held(ImpactStore(store_).incident_count(), "incidents");
      default:
        return false;
    }
  }

  // What the later feeds of this import check against, once an export read whole or staged is
  // applied: the students and the classes. Once in the store they are read back from it when
  // first needed (inside this import's transaction, so the new list), rather than held as a
  // second copy beside the records while they are applied; `kept` gives them when the store
  // was not written (a dry run).
  void after_applied(const FeedOutcome& o, const AppliedFeed& a,
                     std::optional<std::unordered_set<std::string>> kept = {}) {
    if (o.status != FeedStatus::applied) return;
    if (o.feed == Feed::students) {
      known_students_ = std::move(kept);
      students_now_ = a.content_hash;
      // Which students went is known only when none did.
      if (o.changes && o.changes->deleted == 0)
        students_gone_.emplace();
      else
        students_gone_.reset();
    } else if (o.feed == Feed::memberships) {
      known_classes_ = std::move(kept);
    }
  }

  template <class T, class Id>
  void check_students(MappedFeed<T>& m, const FeedTable& t, Id&& id_of, const char* thing) {
    auto& known = known_students();
    // Kept items are moved down in place: a second vector of 650,000 memberships would be
    // the largest thing in memory.
    std::size_t kept = 0, unknown = 0;
    for (std::size_t i = 0; i < m.items.size(); ++i) {
      const std::string& id = id_of(m.items[i]);
      if (known.contains(id)) {
        if (kept != i) {
          m.items[kept] = std::move(m.items[i]);
          m.numbers[kept] = m.numbers[i];
        }
        ++kept;
        continue;
      }
      if (unknown++ >= kMaxKeptSkips) {
        ++m.skipped_not_kept;
        continue;
      }
      m.skipped.push_back(
          {m.numbers[i], make_error(t.where(m.numbers[i]),
                                    "student " + id + " is not in the students export; the " +
                                        thing + " was skipped",
                                    "check the student's admission number in the MIS")});
    }
    m.items.erase(m.items.begin() + static_cast<std::ptrdiff_t>(kept), m.items.end());
    m.numbers.resize(kept);
    if (unknown) settle_skipped(m.skipped, m.skipped_not_kept);
  }

  const std::unordered_set<std::string>& known_students() {
    if (!known_students_) known_students_ = mis_.student_ids().value();
    return *known_students_;
  }

  std::unordered_set<std::string> known_classes() {
    return known_classes_ ? *known_classes_ : mis_.class_codes().value();
  }

  void students(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                const fs::path& path) {
    auto m = map_students(t, f);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    std::string note;
    if (held_by_safety(o, a, m->items.size(), note)) return;
    // A dry run writes nothing, so it keeps the students for the later feeds (after_applied).
    std::optional<std::unordered_set<std::string>> ids;
    if (!write_store_) {
      ids.emplace();
      ids->reserve(m->items.size());
      for (auto& s : m->items) ids->insert(s.id);
    }
    auto records = record_hashes(m->numbers);
    finish(
        o, *m, [&] { return replace_rows(store_, Feed::students, m->items, a, records.get()); },
        note);
    after_applied(o, a, std::move(ids));
  }

  void staff(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
             const fs::path& path) {
    auto m = map_staff(t, f);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    auto records = record_hashes(m->numbers);
    finish(o, *m, [&] { return replace_rows(store_, Feed::staff, m->items, a, records.get()); });
  }

  void memberships(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                   const fs::path& path) {
    auto m = map_memberships(t, f);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    check_students(
        *m, t, [](const Membership& x) -> const std::string& { return x.student_id; },
        "membership");
    std::unordered_set<std::string> classes;
    for (auto& x : m->items) classes.insert(x.class_code);
    std::string note;
    if (held_by_safety(o, a, classes.size(), note)) return;
    auto records = record_hashes(m->numbers);
    finish(
        o, *m, [&] { return replace_rows(store_, Feed::memberships, m->items, a, records.get()); },
        note);
    after_applied(o, a, std::move(classes));
  }

  void timetable(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                 const fs::path& path) {
    if (!calendar_) return fail(o, *calendar_error_);
    auto m = map_timetable(t, f, *calendar_, cfg_.mapping.subjects);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    auto classes = known_classes();
    std::size_t memberless = 0;
    std::string example;  // the first in code order, as memberless_lessons() gives it
    for (auto& l : m->items)
      if (!classes.contains(l.class_code)) {
        ++memberless;
        if (example.empty() || l.class_code < example) example = l.class_code;
      }
    auto records = record_hashes(m->numbers);
    finish(
        o, *m, [&] { return replace_rows(store_, Feed::timetable, m->items, a, records.get()); },
        memberless_note(memberless, example));
  }

  void bookings(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                const fs::path& path) {
    if (!calendar_) return fail(o, *calendar_error_);
    auto m = map_bookings(t, f, *calendar_);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    check_students(
        *m, t, [](const Booking& x) -> const std::string& { return x.student_id; }, "booking");
    auto records = record_hashes(m->numbers);
    finish(o, *m, [&] { return replace_rows(store_, Feed::bookings, m->items, a, records.get()); });
  }

  // The optional behaviour feed: like bookings, each incident must name a known student, and
  // an export that loses more incidents than [safety] allows is held (incidents only grow
  // through a school year, so a big drop is a wrong or cut-short report).
  void behaviour(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                 const fs::path& path) {
    if (!calendar_) return fail(o, *calendar_error_);
    auto m = map_behaviour(t, f, *calendar_);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    check_students(
        *m, t, [](const Incident& x) -> const std::string& { return x.student_id; }, "incident");
    std::string note;
    if (held_by_safety(o, a, m->items.size(), note)) return;
    auto records = record_hashes(m->numbers);
    finish(
        o, *m, [&] { return replace_rows(store_, Feed::behaviour, m->items, a, records.get()); },
        note);
  }

  static std::string memberless_note(std::size_t memberless, const std::string& example) {
    if (!memberless) return {};
    return " " + with_commas(memberless) + " of them are of classes nobody is a member of (e.g. " +
           example + "); they are kept, and no student misses them.";
  }

  // ---- The staged read (issue 16) ----
  //
  // Read whole, an export costs a few hundred bytes of memory a record whatever the record's
  // length (its table, the mapped records, the checks, the diff): an export of very many short
  // records (a large school's memberships as CSV, ~29 bytes a row) would take several times
  // its size. Such an export is read a piece at a time instead: each piece is read, mapped and
  // checked as the whole file would be, and its rows go to a temp table of the store, where the
  // duplicate keys and the diff against the stored rows are found (StagedRows). Anything a piece
  // cannot settle as the whole file would (a piece that reads otherwise, a column missing from
  // a whole piece) reads the export whole, which says what is wrong.

  static constexpr std::size_t kStagedPieceRecords = 32768;

  // Whether reading `records` records of `bytes` whole would pass the issue 16 bound (2.5
  // times the export plus 64 MB; the file itself and the store's page cache, up to ~48 MB,
  // take their share), at what a record read whole costs, measured: ~400 bytes for a student,
  // ~320 for a lesson, ~180 for a membership and the rest. A large school's memberships as
  // XML (~137 bytes a record) are read whole; as CSV (~29) a piece at a time.
  bool wants_staged(Feed f, std::size_t bytes, std::size_t records) const {
    if (staged_pieces_) return true;
    const std::size_t per_record = f == Feed::students ? 400 : f == Feed::timetable ? 320 : 180;
    return records * per_record > bytes * 3 / 2 + (std::size_t{16} << 20);
  }

  // Calls `piece` with each piece of the export, read as a table numbered as in the file;
  // false when one does not read as the file would, or `piece` says so.
  template <class Piece>
  bool for_each_piece(std::string_view bytes, const RawSplit& split, const std::string& file,
                      Piece&& piece) {
    const std::size_t per_piece = staged_pieces_ ? staged_pieces_ : kStagedPieceRecords;
    std::vector<RawRecord> batch;
    bool ok = true;
    auto flush = [&] {
      if (!ok || batch.empty()) return;
      auto doc = partial_export(bytes, split, batch, cfg_.mis.format);
      auto table = read_feed(doc.text, file, cfg_.mis, &doc.numbers);
      if (!table || table->records_read != batch.size() || !piece(*table, batch)) ok = false;
      batch.clear();
    };
    auto again = split_raw_records(bytes, cfg_.mis, [&](const RawRecord& r) {
      if (!ok) return;
      batch.push_back(r);
      if (batch.size() == per_piece) flush();
    });
    flush();
    return ok && again;
  }

  // Maps, checks and stages every piece; the skipped records of all of them (settled as one
  // feed's), or nullopt to read the export whole. When every piece fails to map, the export's
  // columns (the pieces' in file order) give the error the whole read would give: a mapper
  // fails only on its columns (check_columns). If they do not fail, a column some piece lacked
  // is in others, and the export is read whole to say which records lack its value.
  template <class T, class Map, class Check>
  std::optional<Result<MappedFeed<T>>> stage_pieces(Feed f, std::string_view bytes,
                                                    const RawSplit& split, const std::string& file,
                                                    const FieldMap& fields, StagedRows& rows,
                                                    Map&& map, Check&& check) {
    MappedFeed<T> all;  // no items: they are in `rows`
    RowImage img;
    std::size_t mapped = 0;
    bool failed = false;  // every piece so far
    FeedTable columns;    // theirs, as the whole read would find them
    std::unordered_set<std::string> seen;
    bool ok = for_each_piece(
        bytes, split, file, [&](const FeedTable& t, const std::vector<RawRecord>& raw) {
          auto m = map(t);
          if (!m) {
            if (mapped) return false;
            if (!failed) {
              columns.file = t.file;
              columns.numbered_by_line = t.numbered_by_line;
              columns.columns = t.columns;  // a CSV header's twice-named captions too
              seen.insert(t.columns.begin(), t.columns.end());
            } else {
              for (auto& c : t.columns)
                if (seen.insert(c).second) columns.columns.push_back(c);
            }
            failed = true;
            return true;
          }
          if (failed) return false;
          ++mapped;
          check(*m, t);
          for (std::size_t i = 0; i < m->items.size(); ++i) {
            img.clear();
            row_of(m->items[i], img);
            // The piece's records are in file order: its raw record by number.
            auto at = std::lower_bound(
                raw.begin(), raw.end(), m->numbers[i],
                [](const RawRecord& r, std::size_t number) { return r.number < number; });
            std::optional<std::uint64_t> hash;
            if (at != raw.end() && at->number == m->numbers[i]) hash = at->hash;
            rows.add(img, hash);
          }
          all.ignored += m->ignored;
          all.skipped_not_kept += m->skipped_not_kept;
          for (auto& s : m->skipped) all.skipped.push_back(std::move(s));
          settle_skipped(all.skipped, all.skipped_not_kept);
          return true;
        });
    if (!ok) return std::nullopt;
    if (failed) {
      columns.end_record(1);  // a report of records, as the file is
      auto r = check_columns(columns, fields, f);
      if (r) return std::nullopt;
      return Result<MappedFeed<T>>(r.error());
    }
    return Result<MappedFeed<T>>(std::move(all));
  }

  // The staged rows applied and reported, as finish() does for a feed read whole.
  template <class T>
  void staged_finish(FeedOutcome& o, MappedFeed<T>& m, StagedRows& rows, const AppliedFeed& a,
                     std::optional<std::uint64_t> context, std::string note) {
    o.staged = true;
    auto r = apply_staged(store_, o.feed, rows, a, context);
    if (!r) {
      o.accepted = rows.size();
      o.skipped = m.skipped_count();
      o.ignored = m.ignored;
      return fail(o, r.error());
    }
    report(o, m, rows.size(), *r, std::move(note));
    after_applied(o, a);
  }

  // A SeenKeys over the staged rows' key table.
  struct StagedKeys final : SeenKeys {
    explicit StagedKeys(StagedRows& r) : rows(r) {}
    std::optional<std::size_t> first(std::string_view key, std::size_t number) override {
      return rows.first(key, number);
    }
    StagedRows& rows;
  };

  // True when the feed was settled by a staged read (applied, held, rejected or failed); false,
  // with nothing written or said, to read it whole.
  bool staged(Feed f, FeedOutcome& o, std::string_view file_bytes, const FieldMap& fields,
              const AppliedFeed& a, const fs::path& path) {
    // A UTF-16 report is split as the UTF-8 the XML reader makes of it (and reads it as).
    std::string decoded;
    if (cfg_.mis.format == FeedFormat::xml) {
      auto enc = detect_encoding(file_bytes);
      if (enc == DetectedEncoding::utf16le || enc == DetectedEncoding::utf16be) {
        const bool be = enc == DetectedEncoding::utf16be;
        const bool bom = static_cast<unsigned char>(file_bytes[0]) >= 0xFE;
        auto r = utf16_to_utf8(file_bytes.substr(bom ? 2 : 0), be, o.file);
        if (!r) return false;
        decoded = std::move(*r);
      }
    }
    const std::string_view bytes = decoded.empty() ? file_bytes : std::string_view(decoded);
    std::size_t records = 0;
    auto split = split_raw_records(bytes, cfg_.mis, [&](const RawRecord&) { ++records; });
    if (!split || !wants_staged(f, bytes.size(), records)) return false;
    if (f != Feed::students && f != Feed::staff && !calendar_) return false;
    // Cached as a whole read would be (index_records): not records averaging under 24 bytes.
    std::optional<std::uint64_t> context;
    if (records <= bytes.size() / kMinCachedRecordBytes + 1)
      context = record_context(*split, f, cfg_, checked_against_students(f) ? students_now_ : "");
    StagedRows rows(store_, table_of(f));
    StagedKeys keys(rows);
    // Each feed's pieces mapped and checked as its whole read maps and checks them, then held,
    // rejected or applied alike.
    auto settle = [&]<class T>(std::optional<Result<MappedFeed<T>>> m, std::size_t counted,
                               auto&& note_of) {
      if (!m) return false;
      if (!*m) {
        o.staged = true;
        reject(o, path, m->error());
        return true;
      }
      std::string note;
      if (held_by_safety(o, a, counted, note)) return true;
      staged_finish(o, **m, rows, a, context, note + note_of());
      return true;
    };
    auto no_check = [](auto&, const FeedTable&) {};
    auto students_check = [this](const char* thing) {
      return [this, thing](auto& m, const FeedTable& t) {
        check_students(
            m, t, [](const auto& x) -> const std::string& { return x.student_id; }, thing);
      };
    };
    auto no_note = [] { return std::string(); };
    switch (f) {
      case Feed::students: {
        auto m = stage_pieces<Student>(
            f, bytes, *split, o.file, fields, rows,
            [&](const FeedTable& t) { return map_students(t, fields, &keys); }, no_check);
        return settle(std::move(m), rows.size(), no_note);
      }
      case Feed::staff: {
        auto m = stage_pieces<Staff>(
            f, bytes, *split, o.file, fields, rows,
            [&](const FeedTable& t) { return map_staff(t, fields, &keys); }, no_check);
        return settle(std::move(m), rows.size(), no_note);
      }
      case Feed::memberships: {
        auto m = stage_pieces<Membership>(
            f, bytes, *split, o.file, fields, rows,
            [&](const FeedTable& t) { return map_memberships(t, fields, &keys); },
            students_check("membership"));
        return settle(std::move(m), rows.distinct(1), no_note);
      }
      case Feed::timetable: {
        auto m = stage_pieces<Lesson>(
            f, bytes, *split, o.file, fields, rows,
            [&](const FeedTable& t) {
              return map_timetable(t, fields, *calendar_, cfg_.mapping.subjects);
            },
            no_check);
        return settle(std::move(m), rows.size(), [&] {
          auto [memberless, example] = rows.not_in(0, "memberships", "class_code");
          return memberless_note(memberless, example);
        });
      }
      case Feed::bookings: {
        auto m = stage_pieces<Booking>(
            f, bytes, *split, o.file, fields, rows,
            [&](const FeedTable& t) { return map_bookings(t, fields, *calendar_, &keys); },
            students_check("booking"));
        return settle(std::move(m), rows.size(), no_note);
      }
      case Feed::behaviour: {
        auto m = stage_pieces<Incident>(
            f, bytes, *split, o.file, fields, rows,
            [&](const FeedTable& t) { return map_behaviour(t, fields, *calendar_, &keys); },
            students_check("incident"));
        return settle(std::move(m), rows.size(), no_note);
      }
    }
    return false;
  }

  // ---- The record cache (issue 20) ----

  // The raw records of an export about to be read whole, for its record cache; nullopt when
  // the export is not of a shape the split reads (it is then cached by nothing).
  std::optional<RecordIndex> index_records(Feed f, std::string_view bytes) const {
    RecordIndex index;
    const std::size_t most = bytes.size() / kMinCachedRecordBytes + 1;
    bool too_many = false;
    auto split = split_raw_records(bytes, cfg_.mis, [&](const RawRecord& r) {
      if (too_many || index.numbers.size() == most) {
        too_many = true;
        return;
      }
      index.numbers.push_back(r.number);
      index.hashes.push_back(r.hash);
    });
    if (!split || too_many) return std::nullopt;
    index.context =
        record_context(*split, f, cfg_, checked_against_students(f) ? students_now_ : "");
    return index;
  }

  // What apply_feed writes the cache from: each mapped item's record, by its number.
  std::unique_ptr<RecordHashes> record_hashes(const std::vector<std::size_t>& numbers) const {
    if (!index_) return nullptr;
    auto r = std::make_unique<RecordHashes>();
    r->context = index_->context;
    r->raw_of = [index = index_, &numbers](std::size_t i) { return index->raw_of(numbers[i]); };
    return r;
  }

  // Applies a changed export from the records that differ from the export in use, when its
  // record cache allows: the rest are the same bytes in the same context, so they map to the
  // rows they mapped to before. False (nothing written, nothing reported) sends the export
  // to be read whole, which is always right: any doubt goes that way.
  bool apply_changed_records(Feed f, FeedOutcome& o, std::string_view bytes, const FieldMap& fields,
                             const AppliedFeed& a, const std::string& in_use) {
    const bool dependent = checked_against_students(f);
    if (dependent && !students_gone_) return false;
    if (f != Feed::students && f != Feed::staff && !calendar_) return false;
    auto cached = read_record_cache(store_, f);
    if (!cached || !*cached || (*cached)->content_hash != in_use) return false;
    const RecordCache& cache = **cached;
    // Each record in file order is looked up in the cache (sorted by hash): the first cached
    // record with its hash not yet taken is kept; with none left, the record is fresh. Cached
    // records never taken are gone. Only the fresh records' places are held.
    Changed ch;
    ch.records.cache = &cache;
    const auto& cr = cache.records;
    std::vector<char> taken(cr.size(), 0);
    // Past this many fresh records the export is read whole: it is then mostly new (a new
    // school year), or of records that are all skipped, and holding every fresh record's place
    // would cost more than reading it whole.
    const std::size_t most_fresh = cr.size() / 4 + 1024;
    bool too_many = false;
    // The hashes are uniform, so the top bits of a hash say where in the sorted cache it is:
    // a bucket of about four records, found without a binary search over the whole cache
    // (650,000 records at 50,000 pupils: twenty cache misses a lookup).
    int shift = 64;
    while (shift > 32 && (std::size_t{1} << (64 - shift)) < cr.size() / 4 + 1) --shift;
    std::vector<std::uint32_t> bucket((std::size_t{1} << (64 - shift)) + 1);
    auto bucket_of = [&](std::uint64_t h) {
      return shift == 64 ? std::size_t{0} : static_cast<std::size_t>(h >> shift);
    };
    for (std::size_t k = 0, b = 0; b < bucket.size(); ++b) {
      while (k < cr.size() && bucket_of(cr[k].raw) < b) ++k;
      bucket[b] = static_cast<std::uint32_t>(k);
    }
    auto split = split_raw_records(bytes, cfg_.mis, [&](const RawRecord& r) {
      if (too_many) return;
      const std::size_t b = bucket_of(r.hash);
      auto it = std::lower_bound(cr.begin() + bucket[b], cr.begin() + bucket[b + 1], r.hash,
                                 [](const CachedRecord& c, std::uint64_t h) { return c.raw < h; });
      for (; it != cr.end() && it->raw == r.hash; ++it) {
        auto& t = taken[static_cast<std::size_t>(it - cr.begin())];
        if (!t) {
          t = 1;
          return;
        }
      }
      if (ch.fresh.size() == most_fresh)
        too_many = true;
      else
        ch.fresh.push_back(r);
    });
    if (!split || too_many ||
        record_context(*split, f, cfg_, dependent ? students_before_ : "") != cache.context)
      return false;
    ch.records.context = record_context(*split, f, cfg_, dependent ? students_now_ : "");
    for (std::size_t k = 0; k < cr.size(); ++k)
      if (!taken[k]) ch.records.gone.push_back(cr[k]);
    std::vector<char>().swap(taken);

    auto partial = partial_export(bytes, *split, ch.fresh, cfg_.mis.format);
    auto table = read_feed(partial.text, o.file, cfg_.mis, &partial.numbers);
    if (!table || table->records_read != ch.fresh.size()) return false;
    if (dependent) {
      ch.records.students_gone = *students_gone_;
      ch.records.student_column = "student_id";
    }
    switch (f) {
      case Feed::students:
        return students_changed(o, *table, fields, a, ch);
      case Feed::staff: {
        auto m = map_staff(*table, fields);
        return m && apply_changed_items(o, *m, ch, a, {});
      }
      case Feed::memberships:
        return memberships_changed(o, *table, fields, a, ch);
      case Feed::timetable:
        return timetable_changed(o, *table, fields, a, ch);
      case Feed::bookings: {
        auto m = map_bookings(*table, fields, *calendar_);
        if (!m) return false;
        check_students(
            *m, *table, [](const Booking& x) -> const std::string& { return x.student_id; },
            "booking");
        return apply_changed_items(o, *m, ch, a, {});
      }
      case Feed::behaviour:
        return behaviour_changed(o, *table, fields, a, ch);
    }
    return false;
  }

  // The mapped fresh items applied beside the kept rows, and reported as a whole import
  // would report them. `after_apply` adds to the summary from the applied table.
  template <class T>
  bool apply_changed_items(FeedOutcome& o, MappedFeed<T>& m, Changed& ch, const AppliedFeed& a,
                           std::string note,
                           const std::function<Result<void>(std::string&)>& after_apply = {}) {
    ch.records.raw.clear();
    for (auto n : m.numbers) {
      auto raw = ch.raw_of(n);
      if (!raw) return false;
      ch.records.raw.push_back(*raw);
    }
    auto r = apply_changed_rows(store_, o.feed, m.items, ch.records, a);
    if (!r || !*r) return false;
    if (o.feed == Feed::students) students_gone_ = std::move((*r)->gone_keys);
    if (after_apply)
      if (auto r = after_apply(note); !r) return fail(o, r.error()), true;
    const auto records = with_commas(kept_count(ch) + ch.fresh.size());
    note += ch.fresh.empty()
                ? " All " + records + " of its records were known from the export in use, so " +
                      "none was read."
                : " Only the " + with_commas(ch.fresh.size()) + " of its " + records +
                      " records that differ from the export in use were read.";
    o.records_parsed = ch.fresh.size();
    report(o, m, kept_count(ch) + m.items.size(), (*r)->counts, std::move(note));
    return true;
  }

  static std::size_t kept_count(const Changed& ch) {
    return ch.records.cache->records.size() - ch.records.gone.size();
  }

  bool students_changed(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                        Changed& ch) {
    auto m = map_students(t, f);
    if (!m) return false;
    auto before = mis_.student_count();
    std::string note;
    if (!before || !drop_allowed(static_cast<std::size_t>(*before),
                                 kept_count(ch) + m->items.size(), "students", note))
      return false;
    if (!apply_changed_items(o, *m, ch, a, note)) return false;
    known_students_.reset();  // read back from the store, which has the new list
    students_now_ = a.content_hash;
    return true;
  }

  bool memberships_changed(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                           Changed& ch) {
    auto m = map_memberships(t, f);
    if (!m) return false;
    check_students(
        *m, t, [](const Membership& x) -> const std::string& { return x.student_id; },
        "membership");
    // [safety] counts classes: only a class whose last member went can make a drop. When one
    // did, the rows are rolled back and the whole export read, to count them as usual.
    ch.records.gone_column = 1;  // the class
    ch.records.accept = [&](const std::vector<std::string>& gone_classes) {
      auto empty = mis_.classes_without_members(gone_classes);
      return empty && *empty == 0;
    };
    if (!apply_changed_items(o, *m, ch, a, {})) return false;
    known_classes_.reset();
    return true;
  }

  bool timetable_changed(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                         Changed& ch) {
    auto m = map_timetable(t, f, *calendar_, cfg_.mapping.subjects);
    if (!m) return false;
    return apply_changed_items(o, *m, ch, a, {}, [&](std::string& note) -> Result<void> {
      auto memberless = mis_.memberless_lessons();
      if (!memberless) return memberless.error();
      note += memberless_note(static_cast<std::size_t>(memberless->first), memberless->second);
      return {};
    });
  }

  bool behaviour_changed(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                         Changed& ch) {
    auto m = map_behaviour(t, f, *calendar_);
    if (!m) return false;
    check_students(
        *m, t, [](const Incident& x) -> const std::string& { return x.student_id; }, "incident");
    ImpactStore impact(store_);
    auto before = impact.incident_count();
    std::string note;
    if (!before || !drop_allowed(static_cast<std::size_t>(*before),
                                 kept_count(ch) + m->items.size(), "incidents", note))
      return false;
    return apply_changed_items(o, *m, ch, a, note);
  }

  const Config& cfg_;
  Store& store_;
  MisStore mis_;
  EventSink& events_;
  Clock& clock_;
  bool accept_drop_;
  bool dry_run_;
  bool write_store_;  // false in a dry run, except when previewing into a scratch copy
  const Importer::AfterRead& after_read_;
  std::optional<Calendar> calendar_;
  std::optional<Error> calendar_error_;
  std::optional<std::unordered_set<std::string>> known_students_;
  std::optional<std::unordered_set<std::string>> known_classes_;
  bool use_record_cache_;
  std::size_t staged_pieces_;  // > 0: every export the split takes is staged, in such pieces
  const RecordIndex* index_ = nullptr;  // the export being read whole, when it was split
  // The students export in use before this import and now: the feeds checked against the
  // students keep their record cache only against the students they were checked against.
  std::string students_before_, students_now_;
  // The students this import took out of the store: none until the students feed is
  // applied; nullopt when it was applied whole and lost some (which ones is not known), so
  // the feeds checked against them are read whole.
  std::optional<std::vector<std::string>> students_gone_{std::in_place};
  ImportResult result_;
};

}  // namespace

Importer::Importer(Config config, Store& store, EventSink& events, Clock& clock)
    : cfg_(std::move(config)), store_(store), events_(events), clock_(clock) {}

ImportResult Importer::run(bool accept_drop, bool dry_run) {
  ImportRun r(cfg_, store_, events_, clock_, accept_drop, dry_run, !dry_run, after_read_,
              use_record_cache_, staged_pieces_);
  return r.run();
}

void Importer::set_after_read(AfterRead hook) {
  after_read_ = std::move(hook);
}

ImportResult Importer::preview(bool accept_drop) {
  ImportRun r(cfg_, store_, events_, clock_, accept_drop, /*dry_run=*/true, /*write_store=*/true,
              after_read_, use_record_cache_, staged_pieces_);
  return r.run();
}

}  // namespace iesync
