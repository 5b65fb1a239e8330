#include "connectors/mis/importer.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_set>

#include "connectors/mis/export_fingerprint.h"
#include "connectors/mis/feed_files.h"
#include "connectors/mis/feed_mapper.h"
#include "connectors/mis/feed_reader.h"
#include "mapping/calendar.h"
#include "mapping/shown_text.h"
#include "store/impact_store.h"
#include "store/mis_store.h"

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
            bool dry_run, bool write_store, const Importer::AfterRead& after_read)
      : cfg_(cfg),
        store_(store),
        mis_(store),
        events_(events),
        clock_(clock),
        accept_drop_(accept_drop),
        dry_run_(dry_run),
        write_store_(write_store),
        after_read_(after_read) {
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
    for (Feed f : kAllFeeds) {
      FeedOutcome& o = result_.feeds.emplace_back();
      o.feed = f;
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
    std::optional<std::string> bytes;
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
      hash = sha256_hex(*bytes);
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
      hash = sha256_hex(*bytes);
    }

    auto table = read_feed(*bytes, o.file, cfg_.mis);
    // A large export need not stay in memory while it is mapped and applied. (Assigning an
    // empty string would keep the buffer: libstdc++ reuses it.)
    std::string().swap(*bytes);
    if (!table) return reject(o, file->path, table.error());
    AppliedFeed applied{o.file, hash, format_utc(clock_.now())};
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
    o.accepted = m.items.size();
    o.skipped = m.skipped_count();
    o.ignored = m.ignored;
    std::optional<ApplyCounts> counts;
    if (write_store_) {
      auto r = apply();
      if (!r) return fail(o, r.error());
      counts = *r;
      o.changes = counts;
    }
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

  // [safety]: true when the drop from `before` to `after` is too big and was not accepted.
  bool hold_if_dropped(FeedOutcome& o, const std::string& hash, std::size_t before,
                       std::size_t after, const char* what, std::string& accepted_note) {
    if (before == 0 || after >= before) return false;
    double drop = double(before - after) / double(before);
    if (drop <= cfg_.safety.max_roster_drop) return false;
    std::string reason = "the new export has " + with_commas(after) + " " + what + ", " +
                         percent(drop) + " fewer than the " + with_commas(before) +
                         " in use (the [safety] limit is " + percent(cfg_.safety.max_roster_drop) +
                         ")";
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
    if (hold_if_dropped(o, a.content_hash, static_cast<std::size_t>(mis_.student_count().value()),
                        m->items.size(), "students", note))
      return;
    // Later feeds check their students against these. Once they are in the store they are
    // read back from it when first needed (inside this import's transaction, so the new
    // list), rather than held as a second copy beside the records while they are applied.
    // A dry run writes nothing, so it keeps them.
    std::optional<std::unordered_set<std::string>> ids;
    if (!write_store_) {
      ids.emplace();
      ids->reserve(m->items.size());
      for (auto& s : m->items) ids->insert(s.id);
    }
    finish(
        o, *m, [&] { return mis_.replace_students(m->items, a); }, note);
    if (o.status == FeedStatus::applied) known_students_ = std::move(ids);
  }

  void staff(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
             const fs::path& path) {
    auto m = map_staff(t, f);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    finish(o, *m, [&] { return mis_.replace_staff(m->items, a); });
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
    if (hold_if_dropped(o, a.content_hash, static_cast<std::size_t>(mis_.class_count().value()),
                        classes.size(), "classes", note))
      return;
    finish(
        o, *m, [&] { return mis_.replace_memberships(m->items, a); }, note);
    if (o.status == FeedStatus::applied) known_classes_ = std::move(classes);
  }

  void timetable(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                 const fs::path& path) {
    if (!calendar_) return fail(o, *calendar_error_);
    auto m = map_timetable(t, f, *calendar_, cfg_.mapping.subjects);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    auto classes = known_classes();
    std::size_t memberless = 0;
    std::string example;
    for (auto& l : m->items)
      if (!classes.contains(l.class_code)) {
        ++memberless;
        if (example.empty()) example = l.class_code;
      }
    std::string note;
    if (memberless)
      note = " " + with_commas(memberless) +
             " of them are of classes nobody is a member of (e.g. " + example +
             "); they are kept, and no student misses them.";
    finish(
        o, *m, [&] { return mis_.replace_lessons(m->items, a); }, note);
  }

  void bookings(FeedOutcome& o, FeedTable& t, const FieldMap& f, const AppliedFeed& a,
                const fs::path& path) {
    if (!calendar_) return fail(o, *calendar_error_);
    auto m = map_bookings(t, f, *calendar_);
    t.drop_records();
    if (!m) return reject(o, path, m.error());
    check_students(
        *m, t, [](const Booking& x) -> const std::string& { return x.student_id; }, "booking");
    finish(o, *m, [&] { return mis_.replace_bookings(m->items, a); });
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
    ImpactStore impact(store_);
    std::string note;
    if (hold_if_dropped(o, a.content_hash,
                        static_cast<std::size_t>(impact.incident_count().value()), m->items.size(),
                        "incidents", note))
      return;
    finish(
        o, *m, [&] { return impact.replace_incidents(m->items, a); }, note);
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
  ImportResult result_;
};

}  // namespace

Importer::Importer(Config config, Store& store, EventSink& events, Clock& clock)
    : cfg_(std::move(config)), store_(store), events_(events), clock_(clock) {}

ImportResult Importer::run(bool accept_drop, bool dry_run) {
  ImportRun r(cfg_, store_, events_, clock_, accept_drop, dry_run, !dry_run, after_read_);
  return r.run();
}

void Importer::set_after_read(AfterRead hook) {
  after_read_ = std::move(hook);
}

ImportResult Importer::preview(bool accept_drop) {
  ImportRun r(cfg_, store_, events_, clock_, accept_drop, /*dry_run=*/true, /*write_store=*/true,
              after_read_);
  return r.run();
}

}  // namespace iesync
