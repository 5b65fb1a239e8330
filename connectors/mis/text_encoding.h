// Byte-level text helpers for MIS exports: which encoding a file is in, and conversions
// to the UTF-8 that the rest of iesync works in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace iesync {

enum class DetectedEncoding { utf8, utf8_bom, utf16le, utf16be };

// From the byte-order mark; UTF-16 without a BOM is recognised by the zero bytes around
// the first '<' (what some Windows tools write). Everything else is taken as UTF-8.
DetectedEncoding detect_encoding(std::string_view bytes);

// UTF-16 (BOM already removed) to UTF-8. Fails on an odd byte count or a broken surrogate
// pair, naming the line.
Result<std::string> utf16_to_utf8(std::string_view bytes, bool big_endian, const std::string& file);

// Windows-1252 to UTF-8 (bytes 0x80-0x9F are the cp1252 punctuation; the five unassigned
// ones map to the same-numbered C1 code points, as Windows itself does).
std::string cp1252_to_utf8(std::string_view bytes);

// Offset of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t find_invalid_utf8(std::string_view s);

// 1-based line number of a byte offset.
std::size_t line_of(std::string_view text, std::size_t offset);

// Appends a code point as UTF-8.
void append_utf8(std::string& out, char32_t cp);

}  // namespace iesync
