// The status server: HTTP/1.1 on Boost.Beast, on an io_context the daemon owns and runs on
// its I/O thread. Routes are handler.h's pure function; this file only does the sockets:
// keep-alive, timeouts, size limits, a connection cap, and fetching the day's plan on a
// worker thread so a slow store never stalls the I/O thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "daemon/status/snapshot.h"

namespace iesync {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8470;        // 0: the system picks a free port (tests)
  std::optional<std::string> token;  // from load_status_token
  bool loopback_only = true;         // false: every request needs the token
  // A connection that sends nothing (or too slowly) for this long is closed.
  std::chrono::milliseconds read_timeout{10'000};
  std::size_t body_limit = 16 * 1024;     // larger bodies: 413
  std::uint32_t header_limit = 8 * 1024;  // larger header sections: 431
  std::size_t max_header_fields = 64;     // more header lines: 431
  std::size_t max_connections = 64;       // beyond it: 503 and close
  std::size_t plan_threads = 2;           // workers for StatusSource::plan
};

// The options from [status]: host, port, loopback_only; the token is the caller's to load.
ServerOptions server_options_from(const StatusConfig& cfg, std::optional<std::string> token);

// [status] token_file's content (first line, trimmed), or nullopt when none is set. The file
// must be a regular file that group and other users cannot read or change (SPEC §2), as
// check-config insists; the token itself never appears in an error.
Result<std::optional<std::string>> load_status_token(const StatusConfig& cfg);

class StatusServer {
 public:
  // `ioc` and `source` must outlive the server.
  StatusServer(boost::asio::io_context& ioc, ServerOptions opts, StatusSource& source);
  // Closes everything (stop()) and waits for running plan fetches. Call it once the
  // io_context has stopped running or from the io_context's own thread.
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds and listens, then accepts on the io_context. A busy port is an Error naming it and
  // the [status] listen key.
  Result<void> start();
  // The bound port (the picked one when the options said 0); 0 before start().
  unsigned short port() const;
  // Closes the listening socket and every connection, idle keep-alive ones included, so
  // io_context::run() can return. Thread-safe; the work happens on the io_context.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iesync
