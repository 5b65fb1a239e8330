// What both feed readers (XML and CSV) produce: the export as a table of captions and
// records, each record carrying the number users will look for in the file (the record
// number for XML, the line where the record starts for CSV) so every message can point at it.
//
// A 50,000-pupil school's memberships export is 650,000 records. Held as a vector of
// optional<string> per record it took ~140 MB; here every value lives in one text arena and
// a record is a run of (offset, size) cells, ~70 bytes a record. A record that has few of
// the columns (an XML record's absent elements are NULLs) keeps only the cells it has, with
// their columns, so a report of records each naming one far column costs what its text does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace iesync {

// A record left out of a feed, with the number users will look for.
struct SkippedRecord {
  std::size_t number = 0;  // record number (XML) or line (CSV)
  Error error;             // where = "students.xml:record 42"
};

// How many skipped records a feed keeps with their message; the rest are only counted. Every
// row of a 1 GiB export can be a record error, and each kept one costs a few hundred bytes.
// Far more than anyone reads: the importer reports the first 100 (each source of errors keeps
// its own first ones, so the first of all are always among those kept).
inline constexpr std::size_t kMaxKeptSkips = 1000;

class FeedTable;

// One record of a FeedTable, as a view: valid while the table lives.
class FeedRecord {
 public:
  std::size_t number = 0;  // XML: 1-based record number; CSV: 1-based line where it starts

  // The value of a column (an index into FeedTable::columns); nullopt when the record does
  // not have it (NULL in SIMS, or a column first seen in a later record).
  std::optional<std::string_view> value(std::size_t column) const;

 private:
  friend class FeedTable;
  const FeedTable* table_ = nullptr;
  std::size_t first_cell_ = 0;
  std::size_t cells_ = 0;
  bool sparse_ = false;  // its cells are FeedTable::sparse_, with their columns
};

class FeedTable {
 public:
  // Exports larger than this are refused by the readers, which keeps every offset in 32 bits
  // (a CSV in Windows-1252 at most triples in size as UTF-8). A whole school's largest export
  // is ~100 MB.
  static constexpr std::size_t kMaxExportBytes = std::size_t{1} << 30;
  // Longest value a record may hold: ids, names, codes, e-mail addresses and dates are all far
  // shorter, and without a cap one 200 MB "name" would be copied into the table and the
  // store. A longer value makes its record a record error (SPEC §3), naming the column.
  static constexpr std::size_t kMaxFieldBytes = 4096;
  // Most columns an export may have: a CommandReporter report or MIS export has one per field
  // it selects, a few dozen. Past this the readers refuse the file (the captions and their
  // index would otherwise grow with it).
  static constexpr std::size_t kMaxColumns = 2048;

  std::string file;                  // display name used in messages, e.g. "students.xml"
  bool numbered_by_line = false;     // true for CSV
  std::vector<std::string> columns;  // decoded captions, in first-seen order
  // Every record the reader met, read or skipped (for CSV, every row after the header that
  // is not a blank line).
  std::size_t records_read = 0;
  // Records the reader itself could not read (a ragged CSV row): not among the records,
  // reported with their number. The first kMaxKeptSkips are kept; the rest are counted.
  std::vector<SkippedRecord> record_errors;
  std::size_t record_errors_not_kept = 0;
  // `make` builds the SkippedRecord only when it is kept: a hostile export can have millions.
  template <class Make>
  void add_record_error(Make&& make) {
    if (record_errors.size() < kMaxKeptSkips)
      record_errors.push_back(make());
    else
      ++record_errors_not_kept;
  }

  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  FeedRecord operator[](std::size_t i) const;

  class iterator {
   public:
    using difference_type = std::ptrdiff_t;
    using value_type = FeedRecord;
    iterator() = default;
    iterator(const FeedTable* t, std::size_t i) : t_(t), i_(i) {}
    FeedRecord operator*() const { return (*t_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const FeedTable* t_ = nullptr;
    std::size_t i_ = 0;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, rows_.size()}; }

  // Building, for the readers: set the values of the record being read (in any column
  // order; a column given twice keeps its first value), then end it with its number.
  void set(std::size_t column, std::string_view value);
  void end_record(std::size_t number);
  // Drops the values set since the last end_record, for a record the reader refuses.
  void discard_record();
  // Room for `records` more records of about `cells` cells and `bytes` of text in all.
  void reserve(std::size_t records, std::size_t cells, std::size_t bytes);
  // Frees the records once they are mapped, so they are not held while the feed is applied;
  // file, columns and where() stay for messages.
  void drop_records();
  std::size_t cell_count() const { return cells_.size(); }
  std::size_t text_bytes() const { return text_.size(); }

  // Index of a caption in `columns`, or -1.
  int column(std::string_view caption) const;
  // "students.xml:record 42" or "students.csv:42".
  std::string where(std::size_t number) const;
  std::string where(const FeedRecord& r) const { return where(r.number); }

 private:
  friend class FeedRecord;
  static constexpr std::uint32_t kAbsent = UINT32_MAX;
  struct Cell {
    std::uint32_t offset = 0;
    std::uint32_t size = kAbsent;
  };
  struct SparseCell {
    std::uint32_t column;
    Cell cell;
  };
  static constexpr std::uint32_t kSparse = 0x80000000u;  // in Row::cells: cells in sparse_
  struct Row {
    std::uint64_t first_cell;
    std::uint32_t cells;
    std::uint32_t number;
  };
  std::string text_;         // every value, one after another
  std::vector<Cell> cells_;  // each record's cells, one record after another
  // The cells of the records that have fewer than half their columns, in column order.
  std::vector<SparseCell> sparse_;
  std::vector<Row> rows_;
  std::size_t open_first_ = 0;  // first cell of the record being built
  std::size_t open_text_ = 0;   // where its text starts
};

// The record error for a value over FeedTable::kMaxFieldBytes: `bytes` long, in the column
// captioned `column` of record (or line) `number`. Both readers skip such a record.
SkippedRecord value_too_long(const FeedTable& t, std::size_t number, std::string_view column,
                             std::size_t bytes);

}  // namespace iesync
