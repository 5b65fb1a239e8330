// libFuzzer: the status server's request handling: raw bytes through Beast's parser with the
// server's limits, then the pure handler with a fixed snapshot and plan.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>

#include "daemon/status/handler.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(16 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  size_t used = parser.put(boost::asio::buffer(data, size), ec);
  (void)used;
  if (ec || !parser.is_header_done()) return 0;
  const auto& msg = parser.get();
  iesync::StatusRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  if (auto it = msg.find(http::field::authorization); it != msg.end())
    req.authorization = std::string(it->value());

  static const iesync::StatusSnapshot snap = [] {
    iesync::StatusSnapshot s;
    s.school_name = "Fuzz <Academy>";
    s.today = iesync::Date::from_ymd(2026, 11, 23);
    s.cycles_by_result["ok"] = 3;
    s.outbox_by_state["sent"] = 2;
    return s;
  }();
  for (bool loopback : {true, false}) {
    iesync::AuthContext auth{std::string("fuzz-token"), loopback};
    if (auto denied = iesync::auth_denial(req, auth)) continue;
    boost::json::object plan{{"date", "2026-11-23"},
                             {"sessions", boost::json::array{}},
                             {"summary", boost::json::object{}}};
    iesync::Result<boost::json::object> plan_result = plan;
    auto date = iesync::plan_date_for(req, snap);
    auto resp = iesync::handle_status_request(req, snap, auth, date ? &plan_result : nullptr);
    if (resp.status < 100 || resp.status > 599) __builtin_trap();
  }
  return 0;
}
