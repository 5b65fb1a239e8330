// The diff apply against a fresh full import (issue 20): over random edit scripts on
// generated schools (the generator's seeded re-exports, at shares from 1% to half of every
// feed), a store brought up to date export after export holds, table by table, exactly what
// a fresh store given only the latest exports holds.
#include <gtest/gtest.h>

#include <random>

#include "bench/generator/school_generator.h"
#include "connectors/mis/importer.h"
#include "store/store_access.h"
#include "tests/support/files.h"
#include "tests/unit/mis/mis_test_support.h"

namespace iesync {
namespace {

using namespace mis_test;

// Every row of a feed's table, every column but a lesson's rowid (which only says in what
// order rows were inserted), sorted: what the rest of iesync can read.
std::vector<std::string> table_rows(Store& s, const std::string& table) {
  auto& db = StoreAccess::db(s);
  std::string cols;
  SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  info.bind(1, table);
  while (info.executeStep()) {
    auto name = info.getColumn(0).getString();
    if (table == "lessons" && name == "id") continue;
    cols += (cols.empty() ? "" : ", ") + std::string("quote(") + name + ")";
  }
  std::vector<std::string> out;
  SQLite::Statement q(db, "SELECT " + cols + " FROM " + table);
  while (q.executeStep()) {
    std::string r;
    for (int c = 0; c < q.getColumnCount(); ++c) r += (c ? "|" : "") + q.getColumn(c).getString();
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Config property_config(const fs::path& exports, gen::Format format) {
  Config c = demo_config(exports);
  c.mis.format = format == gen::Format::csv ? FeedFormat::csv : FeedFormat::xml;
  c.mis.feeds.clear();
  for (Feed f : kAllFeeds) c.mis.feeds[f] = gen::file_name(f, format);
  return c;
}

// The raw records of an export's text: XML <Record> elements or CSV rows after the header
// (the generator never writes a newline inside a value).
std::vector<std::pair<std::size_t, std::size_t>> record_spans(const std::string& text,
                                                              gen::Format format) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (format == gen::Format::xml) {
    for (auto at = text.find("<Record>"); at != std::string::npos;
         at = text.find("<Record>", at + 1)) {
      auto end = text.find("</Record>", at) + 9;
      out.emplace_back(at, end - at);
    }
  } else {
    for (auto at = text.find('\n') + 1; at < text.size();) {
      auto end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      out.emplace_back(at, end + 1 - at);
      at = end + 1;
    }
  }
  return out;
}

void append_record(std::string& text, std::string record, gen::Format format) {
  if (format == gen::Format::xml) {
    text.insert(text.rfind("</SuperStarReport>"), record);
  } else {
    if (record.back() != '\n') record += '\n';
    text += record;
  }
}

std::string replace_first(std::string s, const std::string& from, const std::string& to) {
  if (auto at = s.find(from); at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// What real exports bring besides clean edits, each now and then: a student's record twice
// (a duplicate Adno), a membership of an Adno not exported, a student left out while their
// memberships stay, and a membership with a date that is not one; in XML, what a report may
// hold between its records. Both formats start every students and memberships record with the
// Adno.
void mess_up(const fs::path& dir, gen::Format format, std::mt19937& rng) {
  const auto students_file = dir / gen::file_name(Feed::students, format);
  const auto members_file = dir / gen::file_name(Feed::memberships, format);
  auto students = slurp(students_file), members = slurp(members_file);
  auto pick = [&](const std::string& text) {
    auto spans = record_spans(text, format);
    auto [at, size] = spans[rng() % spans.size()];
    return std::pair{at, text.substr(at, size)};
  };
  auto adno_of = [&](const std::string& record) {
    auto at = record.find("00");  // Adnos are six digits from 001001
    return record.substr(at, 6);
  };
  if (rng() % 2) append_record(students, pick(students).second, format);
  if (rng() % 2) {
    auto record = pick(members).second;
    append_record(members, replace_first(record, adno_of(record), "999999"), format);
  }
  if (rng() % 2) {
    auto [at, record] = pick(students);
    students.erase(at, record.size());
  }
  if (rng() % 2) {
    auto record = pick(members).second;
    append_record(members,
                  replace_first(replace_first(record, "2026-", "2026-13-"), "/2026", "/13/2026"),
                  format);
  }
  if (format == gen::Format::xml) {
    // What the reader skips between records: another element (holding a record of its own,
    // which is not one of the report's), a comment and text. And an empty record, which is.
    auto before_a_record = [&](std::string& text, const std::string& what) {
      text.insert(pick(text).first, what);
    };
    if (rng() % 2)
      before_a_record(members, "<Page n=\"2\"><Record><Adno>001001</Adno></Record></Page>\n");
    if (rng() % 2) before_a_record(students, "<!-- page 2 -->page 2\n");
    if (rng() % 3 == 0) before_a_record(members, "<Record/>\n");
  }
  spit(students_file, students);
  spit(members_file, members);
}

void write_exports(const gen::School& school, const fs::path& dir, gen::Format format,
                   std::uint32_t mess, TimePoint now) {
  auto w = gen::write_feeds(school, format, dir);
  ASSERT_TRUE(w) << w.error().to_string();
  std::mt19937 rng(mess);
  mess_up(dir, format, rng);
  for (auto& e : fs::directory_iterator(dir)) set_mtime(e.path(), now - std::chrono::hours{1});
}

std::string outcome(const ImportResult& r) {
  std::string s;
  for (auto& o : r.feeds) s += std::string(feed_name(o.feed)) + ": " + o.message + "\n";
  return s;
}

// A summary without the record cache's note of what it read.
std::string without_read_note(const std::string& message) {
  auto at = std::min(message.find(" Only the "), message.find(" All "));
  return at == std::string::npos ? message : message.substr(0, at);
}

// Every message about one record: which were skipped, and why.
std::vector<std::string> record_messages(const CollectingSink& ev) {
  std::vector<std::string> out;
  for (auto& e : ev.events())
    if (e.kind == "feed.record_skipped" || e.kind == "feed.records_skipped_more")
      out.push_back(e.message);
  return out;
}

class DiffApplyProperty : public ::testing::TestWithParam<gen::Format> {};

// Four stores given the same exports, round after round: one kept up to date with the
// record cache (changed records only), one kept up to date reading every export whole, one
// kept up to date reading every export a few records at a time through the store (the staged
// read of a dense export), and a fresh one given only the latest exports. The first three
// must say and count exactly the same things, and all four hold exactly the same rows.
TEST_P(DiffApplyProperty, AStoreKeptUpToDateEqualsAFreshImportOfTheLatestExports) {
  const gen::Format format = GetParam();
  const std::vector<std::string> tables = {"students", "staff",    "memberships",
                                           "lessons",  "bookings", "behaviour_incidents"};
  ApplyCounts total;  // over every diff import: each kind of change must have been tried
  std::size_t from_cache = 0, read_whole = 0, staged_reads = 0, staged_then_cached = 0;
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("school seed " + std::to_string(seed));
    gen::Options opt;
    opt.students = 90 + static_cast<int>(seed) * 20;
    opt.seed = seed;
    auto school = gen::generate(opt);
    ImportFixture cached, whole, staged;
    const auto cached_cfg = property_config(cached.exports, format);
    const auto whole_cfg = property_config(whole.exports, format);
    const auto staged_cfg = property_config(staged.exports, format);
    write_exports(school, cached.exports, format, seed, cached.clock.now());
    write_exports(school, whole.exports, format, seed, whole.clock.now());
    write_exports(school, staged.exports, format, seed, staged.clock.now());
    CollectingSink ev;
    auto first = Importer(cached_cfg, cached.tmp.store(), ev, cached.clock).run(false, false);
    ASSERT_FALSE(first.failed || first.rejected || first.held) << outcome(first);
    Importer(whole_cfg, whole.tmp.store(), ev, whole.clock).run(false, false);
    // Pieces of seven records: duplicates, unknown students and skips fall across pieces. The
    // record cache a staged read writes is used by the next export, as a whole read's is.
    auto staged_importer = [&](CollectingSink& sink) {
      Importer i(staged_cfg, staged.tmp.store(), sink, staged.clock);
      i.set_staged_pieces(7);
      return i;
    };
    auto staged_first = staged_importer(ev).run(false, false);
    ASSERT_FALSE(staged_first.failed || staged_first.rejected || staged_first.held)
        << outcome(staged_first);
    for (const auto& o : staged_first.feeds) staged_reads += o.staged;

    std::mt19937 rng(seed);
    const double shares[] = {0.01, 0.05, 0.2, 0.5};
    for (int round = 1; round <= 4; ++round) {
      const double share = shares[rng() % 4];
      SCOPED_TRACE("round " + std::to_string(round) + ", share " + std::to_string(share));
      gen::edit(school, share, static_cast<std::uint32_t>(rng()));
      const auto mess = static_cast<std::uint32_t>(rng());
      write_exports(school, cached.exports, format, mess, cached.clock.now());
      write_exports(school, whole.exports, format, mess, whole.clock.now());
      write_exports(school, staged.exports, format, mess, staged.clock.now());
      // --accept-drop: a half-changed school can lose more than [safety] allows.
      CollectingSink cached_ev, whole_ev;
      auto diff =
          Importer(cached_cfg, cached.tmp.store(), cached_ev, cached.clock).run(true, false);
      ASSERT_FALSE(diff.failed || diff.rejected || diff.held) << outcome(diff);
      Importer read_all(whole_cfg, whole.tmp.store(), whole_ev, whole.clock);
      read_all.set_use_record_cache(false);
      auto plain = read_all.run(true, false);
      CollectingSink staged_ev;
      auto piecewise = staged_importer(staged_ev).run(true, false);

      ImportFixture fresh;
      write_exports(school, fresh.exports, format, mess, fresh.clock.now());
      auto full =
          Importer(property_config(fresh.exports, format), fresh.tmp.store(), ev, fresh.clock)
              .run(true, false);
      ASSERT_FALSE(full.failed || full.rejected || full.held) << outcome(full);

      for (const auto& o : diff.feeds) {
        const auto& p = plain.feed(o.feed);
        SCOPED_TRACE(feed_name(o.feed));
        EXPECT_EQ(o.status, p.status);
        EXPECT_EQ(without_read_note(o.message), p.message);
        EXPECT_EQ(o.accepted, p.accepted);
        EXPECT_EQ(o.skipped, p.skipped);
        EXPECT_EQ(o.ignored, p.ignored);
        EXPECT_FALSE(p.records_parsed) << "read whole, as asked";
        const auto& w = piecewise.feed(o.feed);
        EXPECT_EQ(w.status, p.status);
        EXPECT_EQ(without_read_note(w.message), p.message);
        EXPECT_EQ(w.accepted, p.accepted);
        EXPECT_EQ(w.skipped, p.skipped);
        EXPECT_EQ(w.ignored, p.ignored);
        if (w.staged) ++staged_reads;
        if (w.records_parsed) ++staged_then_cached;
        if (w.status == FeedStatus::applied && p.changes) {
          ASSERT_TRUE(w.changes);
          EXPECT_EQ(w.changes->inserted, p.changes->inserted);
          EXPECT_EQ(w.changes->updated, p.changes->updated);
          EXPECT_EQ(w.changes->deleted, p.changes->deleted);
          EXPECT_EQ(w.changes->unchanged, p.changes->unchanged);
        }
        if (o.status != FeedStatus::applied) continue;
        ASSERT_TRUE(o.changes && p.changes);
        EXPECT_EQ(o.changes->inserted, p.changes->inserted);
        EXPECT_EQ(o.changes->updated, p.changes->updated);
        EXPECT_EQ(o.changes->deleted, p.changes->deleted);
        EXPECT_EQ(o.changes->unchanged, p.changes->unchanged);
        // Every accepted record is accounted for once: new, rewritten or left as it was.
        EXPECT_EQ(o.changes->inserted + o.changes->updated + o.changes->unchanged, o.accepted);
        EXPECT_EQ(o.accepted, full.feed(o.feed).accepted);
        total.inserted += o.changes->inserted;
        total.updated += o.changes->updated;
        total.deleted += o.changes->deleted;
        total.unchanged += o.changes->unchanged;
        if (o.records_parsed) {
          ++from_cache;
          EXPECT_LT(*o.records_parsed, o.accepted + o.skipped + o.ignored);
        } else {
          ++read_whole;
        }
      }
      EXPECT_EQ(record_messages(cached_ev), record_messages(whole_ev));
      EXPECT_EQ(record_messages(staged_ev), record_messages(whole_ev));
      for (const auto& t : tables) {
        EXPECT_EQ(table_rows(staged.tmp.store(), t), table_rows(fresh.tmp.store(), t))
            << "table " << t;
        EXPECT_EQ(table_rows(cached.tmp.store(), t), table_rows(fresh.tmp.store(), t))
            << "table " << t;
        EXPECT_EQ(table_rows(whole.tmp.store(), t), table_rows(fresh.tmp.store(), t))
            << "table " << t;
      }
      EXPECT_EQ(table_rows(cached.tmp.store(), "feed_state"),
                table_rows(fresh.tmp.store(), "feed_state"));
      EXPECT_EQ(table_rows(staged.tmp.store(), "feed_state"),
                table_rows(fresh.tmp.store(), "feed_state"));
    }
  }
  EXPECT_GT(total.inserted, 0u);
  EXPECT_GT(total.updated, 0u);
  EXPECT_GT(total.deleted, 0u);
  EXPECT_GT(total.unchanged, 0u);
  // Both ways were taken: most changed feeds from their changed records, and some (a
  // duplicate Adno against a kept record, a student gone whose memberships stayed) whole.
  EXPECT_GT(from_cache, read_whole);
  EXPECT_GT(read_whole, 0u);
  EXPECT_GT(staged_reads, 0u) << "the staged store read its exports a piece at a time";
  EXPECT_GT(staged_then_cached, 0u) << "and the next exports from the cache those reads wrote";
}

INSTANTIATE_TEST_SUITE_P(Formats, DiffApplyProperty,
                         ::testing::Values(gen::Format::xml, gen::Format::csv),
                         [](const auto& info) {
                           return std::string(info.param == gen::Format::xml ? "Xml" : "Csv");
                         });

}  // namespace
}  // namespace iesync
