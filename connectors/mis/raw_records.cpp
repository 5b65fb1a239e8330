#include "connectors/mis/raw_records.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "connectors/mis/text_encoding.h"
#include "connectors/mis/xml_reader.h"

namespace iesync {

namespace {

bool ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Inlined, with p's length known, to a compare or two: a call to memcmp for each of the few
// tags looked for at every record was a sixth of the split.
inline bool starts(std::string_view s, std::size_t i, std::string_view p) {
  return s.size() >= i && s.size() - i >= p.size() &&
         std::memcmp(s.data() + i, p.data(), p.size()) == 0;
}

std::uint64_t hash_of(std::string_view s) {
  return XXH3_64bits(s.data(), s.size());
}

std::uint64_t context_of(std::string_view kind, std::string_view a, std::string_view b) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  for (auto part : {kind, a, std::string_view("\0", 1), b})
    XXH3_64bits_update(st, part.data(), part.size());
  auto h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return h;
}

// Where an XML report's prolog (white space, the XML declaration, comments) ends, or nullopt
// when a declaration or comment in it is never closed.
std::optional<std::size_t> skip_xml_prolog(std::string_view text) {
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && ws(text[i])) ++i;
    std::string_view end;
    if (starts(text, i, "<?"))
      end = "?>";
    else if (starts(text, i, "<!--"))
      end = "-->";
    else
      return i;
    auto j = text.find(end, i);
    if (j == std::string_view::npos) return std::nullopt;
    i = j + end.size();
  }
}

// The offset of the next "</Record>" in `s` at or after `from`, or npos; npos too at a Record
// start tag ("<Record>", "<Record ...", "<Record/>") before it, which is a Record nested in a
// record, or a record ended by "</Record >" that would run on into the next: either is the
// reader's to read. Found by its 'R', rare in a report (element names are mostly lower case
// after their first letter, and few start with R), looked for eight bytes at a time, rather
// than by every '<' of every tag.
std::size_t find_record_end(std::string_view s, std::size_t from) {
  constexpr std::string_view tail = "Record>";
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (std::size_t i = from + 2, n = s.size(); i < n; ++i) {
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, sizeof w);
      const std::uint64_t x = w ^ (kOnes * 'R');
      if ((x - kOnes) & ~x & kHighs) break;  // some byte of the eight is an 'R'
      i += 8;
    }
    if (i >= n) break;
    if (s[i] != 'R') continue;
    if (s[i - 1] == '/' && s[i - 2] == '<' && starts(s, i, tail)) return i - 2;
    if (s[i - 1] == '<' && starts(s, i, "Record") && i + 6 < n &&
        (s[i + 6] == '>' || s[i + 6] == '/' || ws(s[i + 6])))
      return std::string_view::npos;
  }
  return std::string_view::npos;
}

// The '>' that ends the start tag `s[from]` is in, past quoted attribute values; npos when a
// '<' comes first outside them (the reader's to refuse) or the text ends.
std::size_t tag_end(std::string_view s, std::size_t from) {
  char quote = 0;
  for (std::size_t j = from; j < s.size(); ++j) {
    const char c = s[j];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '<') {
      return std::string_view::npos;
    } else if (c == '>') {
      return j;
    }
  }
  return std::string_view::npos;
}

// The end of the element whose start tag is at s[k]: past its end tag, or its own "/>",
// with what is inside skipped as the reader's prescan skips it (comments, CDATA sections,
// processing instructions, quoted attribute values); npos when it does not end. Whether it
// is well-formed is the reader's to say: this only finds what to keep out of the records.
std::size_t element_end(std::string_view s, std::size_t k) {
  constexpr auto npos = std::string_view::npos;
  std::size_t depth = 0;
  for (std::size_t i = k; i < s.size();) {
    if (s[i] != '<') {
      i = s.find('<', i);
      continue;
    }
    auto past = [&](std::string_view end, std::size_t opener) {
      auto j = s.find(end, std::min(i + opener, s.size()));
      return j == npos ? npos : j + end.size();
    };
    std::size_t next;
    if (starts(s, i, "<!--")) {
      next = past("-->", 4);
    } else if (starts(s, i, "<![CDATA[")) {
      next = past("]]>", 9);
    } else if (starts(s, i, "<?")) {
      next = past("?>", 2);
    } else if (starts(s, i, "</")) {
      if (depth == 0) return npos;
      next = past(">", 2);
      if (next != npos && --depth == 0) return next;
    } else {
      const std::size_t j = tag_end(s, i + 1);
      if (j == npos) return npos;
      next = j + 1;
      if (s[j - 1] == '/') {
        if (depth == 0) return next;
      } else {
        ++depth;
      }
    }
    if (next == npos) return npos;
    i = next;
  }
  return npos;
}

// A prolog of white space, the XML declaration and comments; <SuperStarReport>, with or
// without attributes; a body of plain <Record> elements, with white space, comments,
// processing instructions, text and other elements between them; the end tag and white space.
std::optional<RawSplit> split_xml(std::string_view text, std::size_t base,
                                  const RawRecordSink& each) {
  auto prolog_end = skip_xml_prolog(text);
  if (!prolog_end) return std::nullopt;
  const std::size_t i = *prolog_end;
  constexpr std::string_view open = "<SuperStarReport", close = "</SuperStarReport>";
  if (!starts(text, i, open)) return std::nullopt;
  // The root's start tag, attributes and all (a namespace, say): it goes in the head of every
  // document of some records, which the reader then parses as it parses the file. Quoted
  // values are skipped whole; a '<' outside them, or a self-closing root, is the reader's to
  // refuse.
  std::size_t j = i + open.size();
  if (j < text.size() && text[j] != '>') {
    if (!ws(text[j])) return std::nullopt;  // another element's name
    j = tag_end(text, j);
    if (j == std::string_view::npos || text[j - 1] == '/') return std::nullopt;
  }
  if (j >= text.size()) return std::nullopt;
  const std::size_t body_start = j + 1;
  auto close_at = text.rfind(close);
  if (close_at == std::string_view::npos || close_at < body_start) return std::nullopt;
  for (auto c : text.substr(close_at + close.size()))
    if (!ws(c)) return std::nullopt;
  // A comment, CDATA section or processing instruction may sit inside a record: it is part of
  // the record's bytes and read with them. One that holds "</Record>" ends a record early
  // and leaves text where only white space or a <Record> may be, which ends the split.
  const auto body = text.substr(body_start, close_at - body_start);

  RawSplit split;
  split.head = text.substr(0, body_start);
  split.tail = close;
  split.context = context_of("xml", split.head, split.tail);
  constexpr std::string_view start = "<Record>", end = "</Record>";
  // Comments, processing instructions, text and other elements between records are in no
  // record: the reader skips them. They are left out of every document of records, so the
  // reader judges them here instead, a megabyte at a time in a document of nothing else: the
  // file reads only if they do, and only if they hold no record (a <Record/>, say).
  std::string between;
  auto between_reads = [&] {
    if (between.empty()) return true;
    std::string doc;
    doc.reserve(split.head.size() + between.size() + split.tail.size());
    doc.append(split.head).append(between).append(split.tail);
    between.clear();
    auto t = read_xml_feed(doc, "split", nullptr);
    return t && t->records_read == 0 && t->record_errors.empty();
  };
  std::uint32_t number = 0;
  for (std::size_t k = 0; k < body.size();) {
    if (ws(body[k])) {
      ++k;
      continue;
    }
    if (starts(body, k, "<!--") || starts(body, k, "<?")) {
      const std::string_view closer = body[k + 1] == '!' ? "-->" : "?>";
      auto e = body.find(closer, k + 2);
      if (e == std::string_view::npos) return std::nullopt;
      e += closer.size();
      between.append(body.substr(k, e - k));
      k = e;
      if (between.size() > (std::size_t{1} << 20) && !between_reads()) return std::nullopt;
      continue;
    }
    if (starts(body, k, "<Record/>")) {  // a record of no columns
      each(RawRecord{hash_of(body.substr(k, 9)), static_cast<std::uint32_t>(base + body_start + k),
                     9, ++number});
      k += 9;
      continue;
    }
    if (!starts(body, k, start)) {
      // Another element, or text: the reader skips both as the root's children, so they are
      // judged as the comments are. Past a megabyte, one is left to the reader.
      auto e = body[k] == '<' ? element_end(body, k) : body.find('<', k);
      if (e == std::string_view::npos || e - k > (std::size_t{1} << 20)) return std::nullopt;
      between.append(body.substr(k, e - k));
      k = e;
      if (between.size() > (std::size_t{1} << 20) && !between_reads()) return std::nullopt;
      continue;
    }
    auto e = find_record_end(body, k + start.size());
    if (e == std::string_view::npos) return std::nullopt;
    e += end.size();
    // No Record is looked for inside a record: a nested one would end it early, and leave a
    // "</Record>" where only white space or a <Record> may be, which ends the split.
    auto record = body.substr(k, e - k);
    each(RawRecord{hash_of(record), static_cast<std::uint32_t>(base + body_start + k),
                   static_cast<std::uint32_t>(record.size()), ++number});
    k = e;
  }
  if (!between_reads()) return std::nullopt;
  return split;
}

// Rows as read_csv_feed's scanner finds them: blank lines ("\n", "\r\n") between rows are
// not rows; a quote opens a quoted value only as the first character after spaces; inside
// one, "" is a quote and a newline is text. A row's bytes run up to its newline.
class CsvRows {
 public:
  explicit CsvRows(std::string_view s) : s_(s) {}

  // The next row [start, end), its line, and where the next starts; false at the end, and
  // nullopt for a quote never closed (the reader's error, so the file is read whole).
  std::optional<bool> next(std::size_t& start, std::size_t& end, std::uint32_t& line) {
    // A carriage return alone at the very end is a line's end too (a CRLF cut short).
    while (i_ < s_.size() &&
           (s_[i_] == '\n' || (s_[i_] == '\r' && (peek(1) == '\n' || i_ + 1 == s_.size())))) {
      i_ += s_[i_] == '\r' ? 2 : 1;
      ++line_;
    }
    if (i_ >= s_.size()) return false;
    start = i_;
    line = line_;
    for (;;) {  // one field
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
      if (i_ < s_.size() && s_[i_] == '"') {
        ++i_;
        for (;;) {
          auto q = s_.find('"', i_);
          if (q == std::string_view::npos) return std::nullopt;
          line_ += count_newlines(i_, q);
          i_ = q + 1;
          if (peek(0) == '"') {
            ++i_;
            continue;
          }
          break;
        }
      }
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '\n') ++i_;
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      end = i_;
      if (i_ < s_.size()) {  // the newline
        ++i_;
        ++line_;
      }
      return true;
    }
  }

 private:
  char peek(std::size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  std::uint32_t count_newlines(std::size_t from, std::size_t to) const {
    std::uint32_t n = 0;
    for (const char* p = s_.data() + from;
         (p = static_cast<const char*>(
              std::memchr(p, '\n', static_cast<std::size_t>(s_.data() + to - p)))) != nullptr;
         ++p)
      ++n;
    return n;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::uint32_t line_ = 1;
};

std::optional<RawSplit> split_csv(std::string_view text, std::size_t base, bool bom,
                                  FeedEncoding encoding, const RawRecordSink& each) {
  CsvRows rows(text);
  std::size_t start = 0, end = 0;
  std::uint32_t line = 0;
  auto header = rows.next(start, end, line);
  if (!header || !*header) return std::nullopt;
  RawSplit split;
  split.head = text.substr(start, end - start);
  const std::string_view kind = encoding == FeedEncoding::windows1252
                                    ? (bom ? "csv cp1252 bom" : "csv cp1252")
                                    : (bom ? "csv utf8 bom" : "csv utf8");
  split.context = context_of(kind, split.head, {});
  for (;;) {
    auto row = rows.next(start, end, line);
    if (!row) return std::nullopt;
    if (!*row) break;
    auto bytes = text.substr(start, end - start);
    each(RawRecord{hash_of(bytes), static_cast<std::uint32_t>(base + start),
                   static_cast<std::uint32_t>(bytes.size()), line});
  }
  return split;
}

}  // namespace

std::optional<RawSplit> split_raw_records(std::string_view bytes, const MisConfig& mis,
                                          const RawRecordSink& each) {
  // The readers refuse larger files, so offsets fit; the split is not worth trying on them.
  if (bytes.size() >= (std::size_t{1} << 30)) return std::nullopt;
  const bool bom = bytes.substr(0, 3) == "\xEF\xBB\xBF";
  const std::size_t base = bom ? 3 : 0;
  auto text = bytes.substr(base);
  // A second byte order mark would start every document of some rows, where the reader takes
  // it for the mark it strips: in the file it is text of the first caption. Left to the reader.
  if (bom && text.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;
  if (mis.format == FeedFormat::csv) return split_csv(text, base, bom, mis.encoding, each);
  // UTF-16 is read whole.
  auto enc = detect_encoding(bytes);
  if (enc != DetectedEncoding::utf8 && enc != DetectedEncoding::utf8_bom) return std::nullopt;
  return split_xml(text, base, each);
}

std::uint64_t record_context(const RawSplit& split, Feed f, const Config& cfg,
                             std::string_view students_hash) {
  // Raise when a reader, a mapper or store/mis_rows.cpp changes what a record becomes (a
  // new release changes IESYNC_VERSION, which does the same).
  constexpr int kRecordCacheVersion = 1;
  std::string s = "iesync " IESYNC_VERSION " record cache " + std::to_string(kRecordCacheVersion);
  auto add = [&](std::string_view name, std::string_view value) {
    s += '\n';
    s += name;
    s += '=';
    s += std::to_string(value.size());
    s += ':';
    s += value;
  };
  add("feed", feed_name(f));
  add("format", cfg.mis.format == FeedFormat::csv ? "csv" : "xml");
  add("encoding", cfg.mis.encoding == FeedEncoding::windows1252 ? "windows-1252" : "utf-8");
  if (auto it = cfg.mapping.fields.find(f); it != cfg.mapping.fields.end())
    for (auto& [logical, caption] : it->second) add("field " + logical, caption);
  // The timetable names subjects; the timetable, bookings and behaviour read days, periods
  // and dates through the calendar. All of it goes in: a change is rare, and costs one
  // import read whole.
  for (auto& [code, name] : cfg.mapping.subjects) add("subject " + code, name);
  const auto& cal = cfg.mapping.calendar;
  add("cycle", std::to_string(cal.cycle));
  add("first_monday", cal.first_monday.iso());
  add("day_name", cal.day_name);
  for (auto& [from, to] : cal.day_aliases) add("alias " + from, to);
  for (auto& r : cal.closed) add("closed", r.first.iso() + ".." + r.last.iso());
  for (auto& [monday, week] : cal.week_overrides) add("week " + monday.iso(), week);
  add("am", cal.am.str());
  add("pm", cal.pm.str());
  for (auto& [name, range] : cal.periods) add("period " + name, range.str());
  add("students", students_hash);
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  XXH3_64bits_update(st, &split.context, sizeof split.context);
  XXH3_64bits_update(st, s.data(), s.size());
  auto h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return h;
}

PartialExport partial_export(std::string_view bytes, const RawSplit& split,
                             const std::vector<RawRecord>& records, FeedFormat format) {
  PartialExport p;
  std::size_t size = split.head.size() + split.tail.size() + 1;
  for (auto& r : records) size += r.size + 1;
  p.text.reserve(size);
  p.text.append(split.head);
  p.numbers.push_back(0);
  if (format == FeedFormat::csv) {
    p.text.push_back('\n');
    // The header starts the document; a quoted caption may hold newlines.
    std::uint32_t line =
        2 + static_cast<std::uint32_t>(std::count(split.head.begin(), split.head.end(), '\n'));
    for (auto& r : records) {
      auto row = bytes.substr(r.offset, r.size);
      p.text.append(row);
      p.text.push_back('\n');
      p.numbers.resize(line + 1, 0);
      p.numbers[line] = r.number;
      line += 1 + static_cast<std::uint32_t>(std::count(row.begin(), row.end(), '\n'));
    }
  } else {
    for (auto& r : records) {
      p.text.append(bytes.substr(r.offset, r.size));
      p.numbers.push_back(r.number);
    }
  }
  p.text.append(split.tail);
  return p;
}

}  // namespace iesync
