// A small HTTP client for the status-server tests: one TCP connection, raw or Beast requests,
// every wait bounded (a hung server fails the test instead of hanging it).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace iesync::statustest {

namespace beast = boost::beast;
namespace http = boost::beast::http;

class TestConnection {
 public:
  explicit TestConnection(unsigned short port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : stream_(ioc_), timeout_(timeout) {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    stream_.expires_after(timeout_);
    stream_.async_connect(ep, [this](beast::error_code ec) { ec_ = ec; });
    run();
  }

  bool connected() const { return !ec_; }
  beast::error_code error() const { return ec_; }

  // Sends raw bytes (a hand-made request).
  bool send_raw(const std::string& bytes) {
    stream_.expires_after(timeout_);
    boost::asio::async_write(stream_, boost::asio::buffer(bytes),
                             [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    return !ec_;
  }

  bool send(const std::string& method, const std::string& target, const std::string& bearer = {},
            bool keep_alive = true) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    req.keep_alive(keep_alive);
    req.prepare_payload();
    stream_.expires_after(timeout_);
    http::async_write(stream_, req, [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    return !ec_;
  }

  // The next response, or nullopt (error() says why: eof when the server closed).
  std::optional<http::response<http::string_body>> read() {
    http::response<http::string_body> res;
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, res,
                     [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    if (ec_) return std::nullopt;
    return res;
  }

  // The response to a HEAD: headers only, however large the Content-Length says the body is.
  std::optional<http::response<http::string_body>> read_head() {
    http::response_parser<http::string_body> parser;
    parser.skip(true);
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, parser,
                     [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    if (ec_) return std::nullopt;
    return parser.release();
  }

  std::optional<http::response<http::string_body>> get(const std::string& target,
                                                       const std::string& bearer = {}) {
    if (!send("GET", target, bearer)) return std::nullopt;
    return read();
  }

  // True when the server closes the connection (EOF or reset) within the timeout.
  bool closed_by_server() {
    char c;
    stream_.expires_after(timeout_);
    stream_.async_read_some(boost::asio::buffer(&c, 1),
                            [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    return ec_ == boost::asio::error::eof || ec_ == boost::asio::error::connection_reset;
  }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }

  boost::asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  beast::error_code ec_;
};

}  // namespace iesync::statustest
