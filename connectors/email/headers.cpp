#include "connectors/email/headers.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "connectors/crypto/libcrypto.h"

namespace iesync {

namespace {

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// Length of the UTF-8 sequence starting with byte c (1 for a stray continuation byte, so a
// malformed name still advances).
std::size_t utf8_len(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

}  // namespace

std::string encode_header_text(std::string_view utf8) {
  std::string clean;
  clean.reserve(utf8.size());
  for (char c : utf8) clean += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
  if (printable_ascii(clean)) return clean;
  // "=?UTF-8?B?" + "?=" is 12 characters; 75 - 12 = 63 leaves 60 base64 characters, which
  // carry 45 bytes.
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  std::size_t i = 0;
  while (i < clean.size()) {
    std::size_t end = i;
    while (end < clean.size()) {
      std::size_t len = utf8_len(static_cast<unsigned char>(clean[end]));
      if (end + len - i > kMaxBytes) break;
      end += len;
    }
    if (end == i) end = std::min(clean.size(), i + utf8_len(static_cast<unsigned char>(clean[i])));
    if (!out.empty()) out += " ";  // between encoded words: ignored by readers (RFC 2047 §6.2)
    out += "=?UTF-8?B?" + crypto::base64(std::string_view(clean).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::optional<Mailbox> parse_mailbox(std::string_view s) {
  auto trim = [](std::string_view v) {
    auto b = v.find_first_not_of(" \t");
    auto e = v.find_last_not_of(" \t");
    return b == std::string_view::npos ? std::string_view{} : v.substr(b, e - b + 1);
  };
  s = trim(s);
  Mailbox m;
  auto lt = s.rfind('<');
  if (lt != std::string_view::npos) {
    if (s.back() != '>') return std::nullopt;
    m.address = std::string(trim(s.substr(lt + 1, s.size() - lt - 2)));
    std::string name(trim(s.substr(0, lt)));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    m.name = name;
  } else {
    m.address = std::string(s);
  }
  auto at = m.address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == m.address.size() ||
      m.address.find_first_of(" \t\r\n<>,;\"") != std::string::npos)
    return std::nullopt;
  return m;
}

std::string format_mailbox(const Mailbox& m) {
  if (m.name.empty()) return "<" + m.address + ">";
  std::string name;
  if (!printable_ascii(m.name)) {
    name = encode_header_text(m.name);
  } else if (m.name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos) {
    name = "\"";
    for (char c : m.name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += "\"";
  } else {
    name = m.name;
  }
  return name + " <" + m.address + ">";
}

std::string format_mail_date(TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %d %02d:%02d:%02d +0000",
                kDays[weekday{day}.c_encoding()], unsigned(ymd.day()),
                kMonths[unsigned(ymd.month()) - 1], int(ymd.year()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

std::string message_id_for(std::string_view key, std::string_view from_address) {
  const auto digest = crypto::sha256(key);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  auto at = from_address.rfind('@');
  std::string domain =
      at == std::string_view::npos ? "iesync.invalid" : std::string(from_address.substr(at + 1));
  return "<" + hex + ".iesync@" + domain + ">";
}

}  // namespace iesync
