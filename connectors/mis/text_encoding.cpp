#include "connectors/mis/text_encoding.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace iesync {

DetectedEncoding detect_encoding(std::string_view b) {
  auto u = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
  if (b.size() >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF)
    return DetectedEncoding::utf8_bom;
  if (b.size() >= 2 && u(0) == 0xFF && u(1) == 0xFE) return DetectedEncoding::utf16le;
  if (b.size() >= 2 && u(0) == 0xFE && u(1) == 0xFF) return DetectedEncoding::utf16be;
  if (b.size() >= 4 && u(0) == '<' && u(1) == 0 && u(2) != 0 && u(3) == 0)
    return DetectedEncoding::utf16le;
  if (b.size() >= 4 && u(0) == 0 && u(1) == '<' && u(2) == 0 && u(3) != 0)
    return DetectedEncoding::utf16be;
  return DetectedEncoding::utf8;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

Result<std::string> utf16_to_utf8(std::string_view b, bool big_endian, const std::string& file) {
  if (b.size() % 2 != 0)
    return make_error(file,
                      "the file looks like UTF-16 but has an odd number of bytes (cut short?)",
                      "export it again from the MIS");
  std::string out;
  out.reserve(b.size() / 2 + b.size() / 8);
  std::size_t line = 1;
  auto unit = [&](std::size_t i) -> char16_t {
    auto lo = static_cast<unsigned char>(b[big_endian ? i + 1 : i]);
    auto hi = static_cast<unsigned char>(b[big_endian ? i : i + 1]);
    return static_cast<char16_t>((hi << 8) | lo);
  };
  for (std::size_t i = 0; i < b.size(); i += 2) {
    char32_t c = unit(i);
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (i + 2 >= b.size() || unit(i + 2) < 0xDC00 || unit(i + 2) > 0xDFFF)
        return make_error(file + ":" + std::to_string(line), "broken UTF-16 (a lone surrogate)",
                          "export it again from the MIS");
      c = 0x10000 + ((c - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
      i += 2;
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      return make_error(file + ":" + std::to_string(line), "broken UTF-16 (a lone surrogate)",
                        "export it again from the MIS");
    }
    if (c == '\n') ++line;
    append_utf8(out, c);
  }
  return Result<std::string>(boost::system::in_place_value, std::move(out));
}

std::string cp1252_to_utf8(std::string_view b) {
  static constexpr std::array<char16_t, 32> k80 = {
      0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string out;
  out.reserve(b.size() + b.size() / 8);
  for (char ch : b) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80)
      out.push_back(ch);
    else if (c < 0xA0)
      append_utf8(out, k80[c - 0x80]);
    else
      append_utf8(out, c);
  }
  return out;
}

std::size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: an export is nearly all ASCII.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, sizeof w);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    char32_t min;
    if ((c & 0xE0) == 0xC0)
      len = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
      len = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
      len = 4, min = 0x10000;
    else
      return i;
    if (i + len > n) return i;
    char32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::size_t line_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

}  // namespace iesync
