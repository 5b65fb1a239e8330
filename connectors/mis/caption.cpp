#include "connectors/mis/caption.h"

#include "connectors/mis/text_encoding.h"

namespace iesync {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads _xHHHH_ or _xHHHHHHHH_ at s[i]; returns its length (0 if it is not one).
std::size_t escape_at(std::string_view s, std::size_t i, char32_t& cp) {
  for (std::size_t digits : {4u, 8u}) {
    std::size_t len = digits + 3;
    if (i + len > s.size() || s[i] != '_' || s[i + 1] != 'x' || s[i + len - 1] != '_') continue;
    char32_t v = 0;
    bool ok = true;
    for (std::size_t k = 0; k < digits && ok; ++k) {
      int h = hex(s[i + 2 + k]);
      ok = h >= 0;
      v = (v << 4) | static_cast<char32_t>(h < 0 ? 0 : h);
    }
    if (ok && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) {
      cp = v;
      return len;
    }
  }
  return 0;
}

}  // namespace

std::string decode_caption(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    if (std::size_t len = escape_at(s, i, cp)) {
      append_utf8(out, cp);
      i += len;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

}  // namespace iesync
