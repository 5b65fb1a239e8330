#include "connectors/mis/xml_reader.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <pugixml.hpp>
#include <unordered_map>

#include "connectors/mis/caption.h"
#include "connectors/mis/text_encoding.h"

namespace iesync {

namespace {

const char* kReexport =
    "export the report again from SIMS CommandReporter (do not edit it by hand)";

std::string_view trim(std::string_view s) {
  auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return s;
}

bool starts(std::string_view s, std::size_t i, std::string_view p) {
  // The second character settles most calls (every tag is tested against "<!--", "<![CDATA["
  // and three more) without a call to memcmp.
  if (p.size() > 1 && (i + 1 >= s.size() || s[i + 1] != p[1])) return false;
  return s.substr(i, p.size()) == p;
}

// XML 1.0 §2.2: the characters a document may hold, raw or as a character reference.
bool xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string code_point(std::uint32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

const char* kRemoveCharacter =
    "find the value in SIMS (text pasted from another program often brings such characters), "
    "remove the character, and export the report again";

// The first character XML 1.0 forbids anywhere in a document: a C0 control other than TAB, LF
// and CR, or U+FFFE / U+FFFF. pugixml stores them as they are, so a value could reach the
// store (and every screen it is shown on) carrying an escape sequence. The text is already
// valid UTF-8, so surrogates cannot occur.
Result<void> check_characters(std::string_view s, const std::string& file) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  for (std::size_t i = 0, n = s.size(); i < n; ++i) {
    // Eight bytes at a time while none is a control character or 0xEF (the lead byte of
    // U+FFFE and U+FFFF): the classic "has a byte less than" and "has a zero byte" tests.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, sizeof w);
      const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
      const std::uint64_t x = w ^ (kOnes * 0xEF);
      const std::uint64_t is_ef = (x - kOnes) & ~x & kHighs;
      if (below_space | is_ef) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c >= 0x20 && c != 0xEF) continue;
    std::uint32_t bad = 0;
    if (c < 0x20) {
      if (c == '\t' || c == '\n' || c == '\r') continue;
      bad = c;
    } else if (i + 2 < n && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
      bad = p[i + 2] == 0xBE ? 0xFFFE : 0xFFFF;
    } else {
      continue;
    }
    return make_error(file + ":" + std::to_string(line_of(s, i)),
                      "the character " + code_point(bad) +
                          " is here, and XML 1.0 does not allow it in a document; the export "
                          "is refused rather than stored with it",
                      kRemoveCharacter);
  }
  return {};
}

bool name_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == ':' || u >= 0x80;
}

// A reference as written, cut short so a reference of a million digits stays a short message.
std::string quoted_reference(std::string_view s, std::size_t at, std::size_t end) {
  constexpr std::size_t kMax = 24;
  auto r = s.substr(at, end - at);
  return r.size() > kMax ? std::string(r.substr(0, kMax)) + "..." : std::string(r);
}

// Checks the reference that starts at s[at] == '&': one of the five entities XML predefines,
// or a character reference to a character XML allows. A DOCTYPE is refused, so no other
// entity can be defined; pugixml would keep an undefined one (&nbsp;) as literal text and
// turn &#x1B; into a raw ESC, so both are refused here instead.
Result<void> check_reference(std::string_view s, std::size_t at, const std::string& file) {
  auto where = [&] { return file + ":" + std::to_string(line_of(s, at)); };
  std::size_t k = at + 1;
  if (k < s.size() && s[k] == '#') {
    ++k;
    const bool hex = k < s.size() && s[k] == 'x';
    if (hex) ++k;
    const std::size_t digits = k;
    std::uint32_t value = 0;
    for (; k < s.size(); ++k) {
      int d = -1;
      char c = s[k];
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (hex && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      if (d < 0) break;
      // Anything past U+10FFFF is as wrong as U+110000: stop growing before it overflows.
      value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d),
                                      0x110000);
    }
    if (k > digits && k < s.size() && s[k] == ';') {
      if (xml_char(value)) return {};
      return make_error(where(),
                        quoted_reference(s, at, k + 1) + " stands for " +
                            (value > 0x10FFFF ? std::string("no character at all")
                                              : "the character " + code_point(value)) +
                            ", which XML 1.0 does not allow in a document; the export is refused "
                            "rather than stored with it",
                        kRemoveCharacter);
    }
  } else {
    while (k < s.size() && k - at <= 64 && name_char(s[k])) ++k;
    if (k > at + 1 && k < s.size() && s[k] == ';') {
      auto name = s.substr(at + 1, k - at - 1);
      if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos")
        return {};
      return make_error(where(),
                        quoted_reference(s, at, k + 1) +
                            " is an entity XML does not define (only &amp; &lt; &gt; &quot; and "
                            "&apos; are; names such as &nbsp; are HTML), so the text cannot be "
                            "read as it was meant",
                        "export the report again from SIMS CommandReporter (do not edit it by "
                        "hand); a program that writes the file must write the character itself, "
                        "or a numeric reference such as &#160;");
    }
  }
  return make_error(where(),
                    "an & here does not start a reference (&amp;, &lt;, &#233; ...); XML "
                    "requires a lone & to be written &amp;",
                    kReexport);
}

// Where the report's parts are, as the prescan finds them: what the piece-by-piece parse cuts
// the report at. Offsets are into the text the prescan was given.
struct ReportShape {
  static constexpr std::size_t npos = std::string_view::npos;
  std::size_t root_start = npos;  // the '<' of the root's start tag; npos: no root
  std::size_t body_start = npos;  // just past the root's start tag ('>'); npos: no root
  std::size_t body_end = npos;    // the '<' of the root's end tag; npos: never closed
  bool root_empty = false;        // <SuperStarReport/>
  std::size_t records = 0;        // <Record> elements directly in the root
  // Offsets between two children of the root, a piece's worth apart (kPieceNodes nodes or
  // kPieceBytes bytes): a document of what lies between two of them is whole elements.
  std::vector<std::size_t> cuts;
};

// A piece parsed on its own: its DOM (~64 bytes a node, two nodes an element with text) is
// what the reader holds at once, whatever the report's size.
constexpr std::size_t kPieceNodes = 32768;
constexpr std::size_t kPieceBytes = std::size_t{4} << 20;
// A CommandReporter record has one element a column: a few dozen nodes. One element of the
// report holding more than this (elements, attributes, CDATA sections, text between comments)
// could only be a hostile file, whose one element would be parsed whole: it is refused before
// any parse, naming its line.
constexpr std::size_t kMaxNodesInElement = 10000;

// A quick pass over the raw text before parsing, shared by the piece-by-piece and the
// whole-document parse so both refuse the same files with the same messages. It refuses
// DOCTYPE/ENTITY declarations, nesting deeper than kMaxXmlDepth, references to undefined
// entities or forbidden characters, a second document after the report (pugixml accepts
// more than one top-level element and reads only the first), and an element of the report
// holding more than kMaxNodesInElement nodes. Other malformed markup is left for pugixml
// to report. It notes where the report may be cut into pieces (`shape`).
Result<void> prescan(std::string_view s, const std::string& file, ReportShape& shape) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  auto where = [&](std::size_t at) { return file + ":" + std::to_string(line_of(s, at)); };
  const char* kOneReport =
      "delete the file and export the report again; if two jobs write this file, give each its "
      "own file name";
  int depth = 0;
  bool root_seen = false;  // the report's root element has started
  bool only_space = true;  // nothing but white space so far: where an XML declaration may be
  std::size_t text = 0;    // start of the character data before the next markup
  std::size_t stray = std::string_view::npos;  // text before the report starts
  std::size_t child_start = 0;  // the root's child being read (or the root): where it starts
  std::size_t child_nodes = 0;  // and how many nodes pugixml makes of it
  std::size_t piece_nodes = 0, piece_start = 0;  // nodes since the last cut
  // `n` more of pugixml's nodes: an element, its attributes, a CDATA section, the text after a
  // comment or processing instruction.
  auto add_nodes = [&](std::size_t n) -> Result<void> {
    piece_nodes += n;
    child_nodes += n;
    if (child_nodes <= kMaxNodesInElement) return {};
    return make_error(where(child_start),
                      "the element that starts here holds more than " +
                          std::to_string(kMaxNodesInElement) +
                          " elements, attributes and sections; a CommandReporter record holds "
                          "one element a column",
                      kReexport);
  };
  // At offset `at`, one child of the root has ended and the next not begun.
  auto between_children = [&](std::size_t at) {
    if (piece_nodes >= kPieceNodes || at - piece_start >= kPieceBytes) {
      shape.cuts.push_back(at);
      piece_nodes = 0;
      piece_start = at;
    }
  };
  // A comment, CDATA section or processing instruction, ending at i: inside a child of the
  // root, a node of it (a CDATA section is one, and text after a comment is a new one);
  // between children, a node of the piece (CDATA) and a place to cut.
  std::size_t i = 0;
  auto markup_node = [&]() -> Result<void> {
    if (depth >= 2) return add_nodes(1);
    if (depth == 1) {
      ++piece_nodes;
      between_children(i);
    }
    return {};
  };
  // The character data [text, end): its references, and after the report nothing but space.
  auto check_text = [&](std::size_t end) -> Result<void> {
    const auto data = s.substr(text, end - text);  // searched alone: the next & may be far
    for (auto k = data.find('&'); k != std::string_view::npos; k = data.find('&', k + 1))
      if (auto r = check_reference(s, text + k, file); !r) return r;
    if (depth == 0)
      for (auto k = text; k < end; ++k)
        if (!ws(s[k])) {
          if (root_seen)
            return make_error(where(k),
                              "there is text after the end of the report (after "
                              "</SuperStarReport>); a report file holds one report "
                              "and nothing else",
                              kOneReport);
          only_space = false;
          if (stray == std::string_view::npos) stray = k;
          break;
        }
    return {};
  };
  while ((i = s.find('<', text)) != std::string_view::npos) {
    if (auto r = check_text(i); !r) return r;
    // Past the markup opened by `opener`, to its first `end` after the opener, as pugixml
    // looks for it ("<!-->" opens a comment, it does not close one).
    auto skip_to = [&](std::string_view end, std::size_t opener) {
      auto j = s.find(end, std::min(i + opener, s.size()));
      i = j == std::string_view::npos ? s.size() : j + end.size();
    };
    // By the character after '<': most tags are start and end tags, each then settled by one
    // test rather than five.
    const char kind = i + 1 < s.size() ? s[i + 1] : '\0';
    if (kind == '/') {
      if (depth > 0) --depth;
      if (depth == 0 && shape.body_end == ReportShape::npos && root_seen) shape.body_end = i;
      skip_to(">", 2);
      if (depth == 1) between_children(i);
    } else if (kind == '!' && starts(s, i, "<!--")) {
      skip_to("-->", 4);
      if (auto r = markup_node(); !r) return r;
    } else if (kind == '!' && starts(s, i, "<![CDATA[")) {
      skip_to("]]>", 9);
      if (auto r = markup_node(); !r) return r;
    } else if (kind == '?') {
      // The target "xml" (any case) is the declaration, which may only open a document.
      bool declaration = s.size() > i + 5 && (s[i + 2] | 0x20) == 'x' && (s[i + 3] | 0x20) == 'm' &&
                         (s[i + 4] | 0x20) == 'l' && (ws(s[i + 5]) || s[i + 5] == '?');
      if (declaration && !only_space)
        return make_error(where(i),
                          "a second XML declaration (<?xml ...?>) starts here, so the file holds "
                          "more than one document (two exports written into one file?); iesync "
                          "refuses it rather than read only the first",
                          kOneReport);
      skip_to("?>", 2);
      if (auto r = markup_node(); !r) return r;
    } else if (kind == '!') {
      return make_error(where(i),
                        "the file contains a DOCTYPE or ENTITY declaration, which SIMS never "
                        "writes; iesync refuses such files because they can define entities",
                        kReexport);
    } else {
      if (depth == 0 && root_seen)
        return make_error(where(i),
                          "a second top-level element starts here, after the end of the report "
                          "(</SuperStarReport>), so the file holds more than one document; "
                          "iesync refuses it rather than read only the first",
                          kOneReport);
      // Text and then a report: pugixml drops the text. (A file with no element at all is
      // left for pugixml, which calls it not XML.)
      if (depth == 0 && stray != std::string_view::npos)
        return make_error(where(stray),
                          "there is text before the report starts (before <SuperStarReport>); "
                          "a report file holds one report and nothing else",
                          kReexport);
      std::size_t j = i + 1;
      std::size_t attributes = 0;
      char quote = 0;
      for (; j < s.size(); ++j) {
        char c = s[j];
        if (quote) {
          if (c == quote)
            quote = 0;
          else if (c == '&')
            if (auto r = check_reference(s, j, file); !r) return r;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=') {
          ++attributes;
        } else if (c == '>') {
          break;
        }
      }
      if (j >= s.size()) return {};
      const bool empty = s[j - 1] == '/';
      if (depth == 0) shape.root_start = i;
      if (depth <= 1) {  // the root, or one of its children: its nodes are counted afresh
        child_start = i;
        child_nodes = 0;
      }
      if (depth == 0) {
        shape.body_start = piece_start = j + 1;
        shape.root_empty = empty;
      } else if (depth == 1 && starts(s, i, "<Record") &&
                 (s[i + 7] == '>' || s[i + 7] == '/' || ws(s[i + 7]))) {
        ++shape.records;
      }
      if (auto r = add_nodes(1 + attributes); !r) return r;
      root_seen = true;
      if (!empty && ++depth > kMaxXmlDepth)
        return make_error(where(i),
                          "elements are nested more than " + std::to_string(kMaxXmlDepth) +
                              " deep; a CommandReporter report is never deeper than 3",
                          kReexport);
      i = j + 1;
      if (empty && depth == 1) between_children(i);
    }
    only_space = false;
    text = i;
  }
  return check_text(s.size());
}

// All text under a node (CommandReporterError may wrap its message in child elements).
void collect_text(const pugi::xml_node& n, std::string& out) {
  for (auto c : n.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      if (!out.empty()) out += ' ';
      out += trim(c.value());
    } else if (c.type() == pugi::node_element) {
      collect_text(c, out);
    }
  }
}

std::size_t renumber(const std::vector<std::uint32_t>* numbers, std::size_t k) {
  return numbers && k < numbers->size() ? (*numbers)[k] : k;
}

Error too_many_columns(const FeedTable& t, std::size_t number) {
  return make_error(t.where(number),
                    "the report's records name more than " +
                        std::to_string(FeedTable::kMaxColumns) +
                        " different columns by this record; a CommandReporter report has one "
                        "per field it selects, a few dozen",
                    kReexport);
}

// The <Record> children of `parent` appended to the table, counted on from `count` and
// numbered by `numbers` when given (renumber). An error when they name more than
// FeedTable::kMaxColumns columns.
Result<void> append_records(const pugi::xml_node& parent, FeedTable& t,
                            std::unordered_map<std::string, int>& index, std::size_t& count,
                            const std::vector<std::uint32_t>* numbers) {
  // Records nearly always name their columns in the same order: the previous record's k-th
  // name is compared first, which spares hashing every name of every record.
  std::vector<std::pair<std::string, std::size_t>> last;
  for (auto rec : parent.children("Record")) {
    ++count;
    t.records_read = count;
    const std::size_t number = renumber(numbers, count);
    bool too_long = false;
    std::size_t k = 0;
    for (auto col : rec.children()) {
      if (col.type() != pugi::node_element) continue;
      const std::string_view name = col.name();
      std::size_t column;
      if (k < last.size() && last[k].first == name) {
        column = last[k].second;
      } else {
        auto [it, added] = index.try_emplace(std::string(name), static_cast<int>(t.columns.size()));
        if (added) {
          if (t.columns.size() == FeedTable::kMaxColumns) return too_many_columns(t, number);
          t.columns.push_back(decode_caption(name));
        }
        column = static_cast<std::size_t>(it->second);
        if (k < last.size())
          last[k] = {std::string(name), column};
        else
          last.emplace_back(std::string(name), column);
      }
      ++k;
      auto value = trim(col.text().get());
      if (value.size() > FeedTable::kMaxFieldBytes) {
        t.add_record_error(
            [&] { return value_too_long(t, number, t.columns[column], value.size()); });
        too_long = true;
        break;
      }
      t.set(column, value);
    }
    if (too_long)
      t.discard_record();
    else
      t.end_record(number);
  }
  return {};
}

// A DOM of a whole large export is several times its size (a 50,000-pupil memberships file
// is ~95 MB of XML and ~380 MB of pugixml nodes; a report of short elements, sixteen times),
// so the report is parsed a piece at a time, cut where the prescan saw one child of the root
// end and the next not begin. Each piece is then whole elements: parsed alone, it reads as it
// does in the file (pugixml keeps no state across a root child; the root's start tag, the
// only thing that could, is checked on its own). The root's children other than <Record> are
// skipped, as the whole-document parse skips them.
//
// A piece that does not parse is where the file is not well-formed, or the prescan and
// pugixml disagree; the rest of the report from that piece is then parsed as a document
// after the report's start, which reads it as the file would (the pieces before it were
// whole elements), or gives the whole parse's error at the same place. Past kMaxRestBytes
// that parse could take many times the file's size, so the piece's own error is given: the
// file is not well-formed there either way, or its pieces are not whole elements, which no
// CommandReporter report of that size is.
//
// nullopt leaves the file to the whole-document parse: a root other than <SuperStarReport>
// (or a CommandReporterError), an empty root, a root start tag pugixml does not take.
constexpr std::size_t kMaxRestBytes = std::size_t{8} << 20;

Error not_well_formed(std::string_view text, std::size_t at, const std::string& file,
                      const char* description) {
  return make_error(file + ":" + std::to_string(line_of(text, at)),
                    std::string("the file is not well-formed XML (") + description +
                        "); it may have been cut short while being written",
                    kReexport);
}

Error sims_error(const std::string& file, const std::string& message) {
  return make_error(file, "SIMS reported an error: " + message,
                    "fix the report or its permissions in SIMS and run the export again");
}

Error not_a_report(const std::string& file, std::string_view root) {
  return make_error(file,
                    "the root element is <" + std::string(root) +
                        ">, not <SuperStarReport>; this is not a CommandReporter report",
                    "point [mis] feeds at the CommandReporter XML output");
}

// The root element's name as its start tag gives it (up to 64 bytes); empty when none.
std::string_view root_name(std::string_view text, const ReportShape& shape) {
  if (shape.root_start == ReportShape::npos) return {};
  std::size_t e = shape.root_start + 1;
  while (e < text.size() && e - shape.root_start <= 64 && name_char(text[e])) ++e;
  return text.substr(shape.root_start + 1, e - shape.root_start - 1);
}

// For a file past kMaxRestBytes that the pieces do not read: the error its root's name gives,
// when that is not <SuperStarReport>, without the whole parse (many times the file's size).
std::optional<Error> large_root_not_a_report(std::string_view text, const std::string& file,
                                             const ReportShape& shape) {
  if (text.size() <= kMaxRestBytes) return std::nullopt;
  const auto name = root_name(text, shape);
  if (name.empty() || name == "SuperStarReport") return std::nullopt;
  if (name == "CommandReporterError")
    return sims_error(file, "(the file is " + std::to_string(text.size() >> 20) +
                                " MB, too large to be SIMS's message; open it to read it)");
  return not_a_report(file, name);
}

std::optional<Result<FeedTable>> read_in_pieces(std::string_view text, const std::string& file,
                                                const std::vector<std::uint32_t>* numbers,
                                                const ReportShape& shape) {
  if (shape.body_start == ReportShape::npos || shape.root_empty) return std::nullopt;
  if (root_name(text, shape) != "SuperStarReport") return std::nullopt;
  constexpr std::string_view close = "</SuperStarReport>";
  const auto head = text.substr(0, shape.body_start);
  const bool closed = shape.body_end != ReportShape::npos && shape.body_end >= shape.body_start;
  const std::size_t body_end = closed ? shape.body_end : text.size();
  // A document of the prolog and the root's start tag, attributes and all, then `tail`, reads
  // as they do in the file; with the root's end tag, it must. An error in the head is the
  // whole parse's to give; one in the tail is at the same place in the file.
  auto head_and = [&](std::string_view tail) -> pugi::xml_parse_result {
    std::string doc;
    doc.reserve(head.size() + tail.size());
    doc.append(head).append(tail);
    pugi::xml_document d;
    return d.load_buffer(doc.data(), doc.size(), pugi::parse_default, pugi::encoding_utf8);
  };
  if (!head_and(close)) return std::nullopt;

  FeedTable t;
  t.file = file;
  std::unordered_map<std::string, int> index;  // raw element name -> column
  std::size_t number = 0;
  // The rest of the file from `pos`, after the report's start: read as the file reads it, or
  // its error, which is the whole parse's.
  auto read_rest = [&](std::size_t pos) -> Result<FeedTable> {
    std::string rest;
    rest.reserve(head.size() + text.size() - pos);
    rest.append(head).append(text.substr(pos));
    pugi::xml_document d;
    auto rr = d.load_buffer(rest.data(), rest.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!rr) {
      const auto at = static_cast<std::size_t>(rr.offset);
      return not_well_formed(text, at < head.size() ? at : at - head.size() + pos, file,
                             rr.description());
    }
    if (auto r = append_records(d.document_element(), t, index, number, numbers); !r)
      return r.error();
    return std::move(t);
  };
  if (!closed && shape.body_start >= body_end) return read_rest(shape.body_start);
  bool reserved = false;
  std::size_t pos = shape.body_start;
  auto next_cut = shape.cuts.begin();
  while (pos < body_end) {
    while (next_cut != shape.cuts.end() && *next_cut <= pos) ++next_cut;
    const std::size_t cut =
        next_cut != shape.cuts.end() && *next_cut < body_end ? *next_cut : body_end;
    pugi::xml_document doc;
    auto pr = doc.load_buffer(text.data() + pos, cut - pos,
                              pugi::parse_default | pugi::parse_fragment, pugi::encoding_utf8);
    // The last piece of a report never closed reads, but the file does not.
    if (!pr || (!closed && cut == body_end)) {
      if (text.size() - pos > kMaxRestBytes)
        return Result<FeedTable>(
            !pr ? not_well_formed(text, pos + static_cast<std::size_t>(pr.offset), file,
                                  pr.description())
                : not_well_formed(text, text.size(), file, "the report is never closed"));
      return read_rest(pos);
    }
    if (auto r = append_records(doc, t, index, number, numbers); !r)
      return Result<FeedTable>(r.error());
    if (!reserved && number > 0) {
      // One allocation each for the records, cells and text: growing by doubling would
      // briefly hold both copies. The first piece shows how many cells and bytes a record
      // takes; an eighth over its average, so later records a little longer fit too; never
      // more than the bytes left, whatever an odd first piece suggests.
      reserved = true;
      const std::size_t left = shape.records > number ? shape.records - number : 0;
      auto estimate = [&](std::size_t so_far) {
        return std::min(left * so_far / number * 9 / 8, body_end - cut);
      };
      t.reserve(left, estimate(t.cell_count()), estimate(t.text_bytes()));
    }
    pos = cut;
  }
  // What follows the body (the root's end tag, any comment after it), checked last, as the
  // whole parse would come to it.
  if (auto pr = head_and(text.substr(body_end)); !pr) {
    const auto at = static_cast<std::size_t>(pr.offset);
    return Result<FeedTable>(not_well_formed(
        text, at < head.size() ? at : at - head.size() + body_end, file, pr.description()));
  }
  return Result<FeedTable>(std::move(t));
}

}  // namespace

namespace {

Result<FeedTable> read_xml(std::string_view bytes, const std::string& file,
                           const std::vector<std::uint32_t>* numbers, bool in_pieces) {
  std::string decoded;    // only UTF-16 needs a converted copy
  std::string_view text;  // the file as UTF-8, without a BOM
  switch (detect_encoding(bytes)) {
    case DetectedEncoding::utf8:
      text = bytes;
      break;
    case DetectedEncoding::utf8_bom:
      text = bytes.substr(3);
      break;
    case DetectedEncoding::utf16le:
    case DetectedEncoding::utf16be: {
      bool be = detect_encoding(bytes) == DetectedEncoding::utf16be;
      auto has_bom = bytes.size() >= 2 && (static_cast<unsigned char>(bytes[0]) >= 0xFE);
      auto r = utf16_to_utf8(has_bom ? bytes.substr(2) : bytes, be, file);
      if (!r) return r.error();
      decoded = std::move(*r);
      text = decoded;
      break;
    }
  }
  if (text.size() > FeedTable::kMaxExportBytes)
    return make_error(file,
                      "the file is larger than 1 GiB; a school's CommandReporter report is "
                      "never near this size",
                      "check the report in SIMS selects only what mapping.toml names, and export "
                      "it again");
  if (trim(text).empty())
    return make_error(file, "the file is empty",
                      "check the CommandReporter job that writes it finished; it will be read "
                      "again when a new export arrives");
  if (auto bad = find_invalid_utf8(text); bad != std::string::npos)
    return make_error(file + ":" + std::to_string(line_of(text, bad)),
                      "the file is not valid UTF-8 or UTF-16 text", kReexport);
  if (auto r = check_characters(text, file); !r) return r.error();
  ReportShape shape;
  if (auto r = prescan(text, file, shape); !r) return r.error();
  if (in_pieces) {
    if (auto t = read_in_pieces(text, file, numbers, shape)) return std::move(*t);
    // A large file with another root would be parsed whole only to be refused for its root:
    // its start tag says so now.
    if (auto root = large_root_not_a_report(text, file, shape)) return *root;
  }

  pugi::xml_document doc;
  // parse_default does not process DOCTYPE (we refused it above) and pugixml never
  // expands external or user-defined entities; only the five predefined ones and &#NN;.
  auto pr = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!pr)
    return not_well_formed(text, static_cast<std::size_t>(pr.offset), file, pr.description());
  auto root = doc.document_element();
  std::string_view root_name = root.name();
  if (root_name == "CommandReporterError") {
    std::string msg;
    collect_text(root, msg);
    return sims_error(file, msg.empty() ? "(no text)" : msg);
  }
  if (root_name != "SuperStarReport") return not_a_report(file, root_name);

  FeedTable t;
  t.file = file;
  std::unordered_map<std::string, int> index;  // raw element name -> column
  std::size_t number = 0;
  if (auto r = append_records(root, t, index, number, numbers); !r) return r.error();
  return t;
}

}  // namespace

Result<FeedTable> read_xml_feed(std::string_view bytes, const std::string& file,
                                const std::vector<std::uint32_t>* numbers) {
  return read_xml(bytes, file, numbers, true);
}

Result<FeedTable> read_xml_feed_as_one_document(std::string_view bytes, const std::string& file) {
  return read_xml(bytes, file, nullptr, false);
}

}  // namespace iesync
