#include "store/row_image.h"

#include <xxhash.h>

#include <cstring>

namespace iesync {

void RowImage::clear() {
  used_ = 0;
}

RowImage::Value& RowImage::next() {
  if (used_ == values_.size()) values_.emplace_back();
  return values_[used_++];
}

void RowImage::text(std::string_view v) {
  auto& x = next();
  x.kind = Kind::text;
  x.text.assign(v);
}

void RowImage::opt_text(std::string_view v) {
  if (v.empty())
    null();
  else
    text(v);
}

void RowImage::integer(long long v) {
  auto& x = next();
  x.kind = Kind::integer;
  x.number = v;
}

void RowImage::null() {
  next().kind = Kind::null;
}

void RowImage::bind(SQLite::Statement& q, int first) const {
  for (std::size_t i = 0; i < used_; ++i) {
    const auto& v = values_[i];
    const int at = first + static_cast<int>(i);
    switch (v.kind) {
      case Kind::null:
        q.bind(at);
        break;
      case Kind::integer:
        q.bind(at, static_cast<int64_t>(v.number));
        break;
      case Kind::text:
        q.bindNoCopy(at, v.text);  // the row is not touched until the statement has run
        break;
    }
  }
}

std::uint64_t RowImage::hash(std::size_t columns) const {
  // Each value as kind, then length (or number), then its text, in one buffer: hashing it
  // whole is faster than feeding a streaming state a few bytes at a time.
  thread_local std::string buf;
  buf.clear();
  for (std::size_t i = 0; i < columns && i < used_; ++i) {
    const auto& v = values_[i];
    buf.push_back(static_cast<char>(v.kind));
    const std::uint64_t n = v.kind == Kind::integer ? static_cast<std::uint64_t>(v.number)
                            : v.kind == Kind::text  ? v.text.size()
                                                    : 0;
    char raw[sizeof n];
    std::memcpy(raw, &n, sizeof n);
    buf.append(raw, sizeof n);
    if (v.kind == Kind::text) buf.append(v.text);
  }
  return XXH3_64bits(buf.data(), buf.size());
}

}  // namespace iesync
