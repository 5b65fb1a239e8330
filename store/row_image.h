// One row as a feed's table stores it, built value by value, with the two hashes the diff
// apply compares: the hash of the row's identity (its key columns, the first values added)
// and the hash of the whole row. Built once per record and reused, so a 650,000-row feed
// allocates nothing per row once the first few rows have sized the buffers.
#pragma once

#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iesync {

class RowImage {
 public:
  void clear();
  void text(std::string_view v);      // NOT NULL text, stored even when empty
  void opt_text(std::string_view v);  // empty is stored as NULL ("not exported")
  void integer(long long v);
  void null();

  std::size_t size() const { return used_; }
  // Binds the values to parameters first, first + 1, ... of q. The row must outlive the
  // statement's next step: text is bound without a copy.
  void bind(SQLite::Statement& q, int first = 1) const;
  // XXH3 of the first `columns` values, each with its kind and length, so ("ab","c") and
  // ("a","bc"), or NULL and "", never hash alike. hash(size()) is the whole row's.
  std::uint64_t hash(std::size_t columns) const;

 private:
  enum class Kind : unsigned char { null, text, integer };
  struct Value {
    Kind kind = Kind::null;
    std::string text;  // kept between rows, so its buffer is reused
    long long number = 0;
  };
  Value& next();
  std::vector<Value> values_;  // the first used_ are this row's
  std::size_t used_ = 0;
};

}  // namespace iesync
