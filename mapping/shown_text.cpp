#include "mapping/shown_text.h"

namespace iesync {

namespace {

const char* kHex = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t utf8_len(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80             ? 1
             : (b & 0xE0) == 0xC0 ? 2
             : (b & 0xF0) == 0xE0 ? 3
             : (b & 0xF8) == 0xF0 ? 4
                                  : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  // Overlong forms and surrogates are not valid UTF-8.
  const auto b1 = static_cast<unsigned char>(s[i + 1 < s.size() ? i + 1 : i]);
  if (n == 2 && b < 0xC2) return 0;
  if (n == 3 && b == 0xE0 && b1 < 0xA0) return 0;
  if (n == 3 && b == 0xED && b1 >= 0xA0) return 0;
  if (n == 4 && (b > 0xF4 || (b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 >= 0x90))) return 0;
  return n;
}

}  // namespace

bool is_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool needs_showing(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if ((b < 0x20 && b != '\t') || b == 0x7F) return true;
      ++i;
      continue;
    }
    size_t n = utf8_len(s, i);
    if (n == 0) return true;
    if (n == 2 && b == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;
    i += n;
  }
  return false;
}

std::string shown(std::string_view s) {
  if (!needs_showing(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if ((b < 0x20 && b != '\t') || b == 0x7F) {
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 15];
      } else {
        out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    size_t n = utf8_len(s, i);
    if (n == 0) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
      ++i;
      continue;
    }
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (n == 2 && b == 0xC2 && b1 < 0xA0) {
      out += "\\u00";
      out += kHex[b1 >> 4];
      out += kHex[b1 & 15];
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace iesync
