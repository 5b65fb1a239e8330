#include <cctype>

#include "config/load_parts.h"

namespace iesync::cfg {

namespace {

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
  return h.front() != '-' && h.front() != '.' && h.back() != '-';
}

bool valid_ipv6(std::string_view h) {
  if (h.size() < 2) return false;
  for (char c : h)
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
  return h.find(':') != std::string_view::npos;
}

std::optional<unsigned short> parse_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + unsigned(c - '0');
  }
  if (v < 1 || v > 65535) return std::nullopt;
  return static_cast<unsigned short>(v);
}

}  // namespace

std::optional<std::pair<std::string, unsigned short>> parse_listen(std::string_view s) {
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (!valid_ipv6(host)) return std::nullopt;
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    // A bare IPv6 address is ambiguous with its port; it must be written [::1]:8470.
    if (!valid_hostname(host)) return std::nullopt;
  }
  auto p = parse_port(port);
  if (!p) return std::nullopt;
  return std::make_pair(std::string(host), *p);
}

}  // namespace iesync::cfg
