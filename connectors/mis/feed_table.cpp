#include "connectors/mis/feed_table.h"

#include <algorithm>
#include <stdexcept>

namespace iesync {

std::optional<std::string_view> FeedRecord::value(std::size_t column) const {
  const FeedTable::Cell* c = nullptr;
  if (sparse_) {
    const auto* first = table_->sparse_.data() + first_cell_;
    const auto* last = first + cells_;
    const auto* it = std::lower_bound(
        first, last, column,
        [](const FeedTable::SparseCell& s, std::size_t col) { return s.column < col; });
    if (it == last || it->column != column) return std::nullopt;
    c = &it->cell;
  } else {
    if (column >= cells_) return std::nullopt;
    c = &table_->cells_[first_cell_ + column];
  }
  if (c->size == FeedTable::kAbsent) return std::nullopt;
  return std::string_view(table_->text_).substr(c->offset, c->size);
}

FeedRecord FeedTable::operator[](std::size_t i) const {
  const Row& row = rows_[i];
  FeedRecord r;
  r.number = row.number;
  r.table_ = this;
  r.first_cell_ = static_cast<std::size_t>(row.first_cell);
  r.cells_ = row.cells & ~kSparse;
  r.sparse_ = (row.cells & kSparse) != 0;
  return r;
}

void FeedTable::set(std::size_t column, std::string_view value) {
  std::size_t at = open_first_ + column;
  if (cells_.size() <= at) cells_.resize(at + 1);
  if (cells_[at].size != kAbsent) return;
  // The readers refuse exports over kMaxExportBytes, so this is a bug, not bad input.
  if (text_.size() + value.size() >= kAbsent) throw std::length_error("feed table text over 4 GiB");
  cells_[at] =
      Cell{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(value.size())};
  text_.append(value);
}

void FeedTable::end_record(std::size_t number) {
  if (number > UINT32_MAX) throw std::length_error("feed record number over 2^32");
  const std::size_t width = cells_.size() - open_first_;
  std::size_t present = 0;
  for (std::size_t i = open_first_; i < cells_.size(); ++i) present += cells_[i].size != kAbsent;
  if (width > 8 && present * 2 < width) {
    // Mostly absent: only the cells it has, which come out in column order.
    const std::size_t first = sparse_.size();
    for (std::size_t i = open_first_; i < cells_.size(); ++i)
      if (cells_[i].size != kAbsent)
        sparse_.push_back({static_cast<std::uint32_t>(i - open_first_), cells_[i]});
    cells_.resize(open_first_);
    rows_.push_back(Row{first, static_cast<std::uint32_t>(present) | kSparse,
                        static_cast<std::uint32_t>(number)});
  } else {
    rows_.push_back(
        Row{open_first_, static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(number)});
  }
  open_first_ = cells_.size();
  open_text_ = text_.size();
}

void FeedTable::discard_record() {
  cells_.resize(open_first_);
  text_.resize(open_text_);
}

void FeedTable::reserve(std::size_t records, std::size_t cells, std::size_t bytes) {
  rows_.reserve(rows_.size() + records);
  cells_.reserve(cells_.size() + cells);
  text_.reserve(text_.size() + bytes);
}

void FeedTable::drop_records() {
  std::string().swap(text_);
  std::vector<Cell>().swap(cells_);
  std::vector<SparseCell>().swap(sparse_);
  std::vector<Row>().swap(rows_);
  open_first_ = 0;
  open_text_ = 0;
}

int FeedTable::column(std::string_view caption) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == caption) return static_cast<int>(i);
  return -1;
}

SkippedRecord value_too_long(const FeedTable& t, std::size_t number, std::string_view column,
                             std::size_t bytes) {
  const char* thing = t.numbered_by_line ? "row" : "record";
  return {
      number,
      make_error(t.where(number),
                 "the " + std::string(column) + " value is " + std::to_string(bytes) +
                     " bytes long, over the limit of " + std::to_string(FeedTable::kMaxFieldBytes) +
                     " bytes for one value; the " + thing + " was skipped",
                 "check that column in the MIS: no value iesync reads (an id, a name, a "
                 "code, a date) is anywhere near this long, so the value is probably "
                 "pasted text or a wrong column")};
}

std::string FeedTable::where(std::size_t number) const {
  return file + (numbered_by_line ? ":" : ":record ") + std::to_string(number);
}

}  // namespace iesync
