#include "daemon/status/server.h"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unordered_map>

#include "daemon/status/handler.h"

namespace iesync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// A read for a page runs on the pool. The store's reads return Results, so nothing should
// throw here; if a bug still does, the request gets the error (a 500 naming it) rather than
// the exception ending the pool thread and the service with it.
template <class Read>
auto caught(Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    return make_error("status server", std::string("reading for this page failed: ") + e.what(),
                      "this is a bug in iesync; the service carries on");
  }
}

class Session;

// What every session shares. Touched on the I/O thread only, except `source` (thread-safe by
// contract) and `pool`, which only ever receives posts.
struct Shared {
  asio::io_context& ioc;
  ServerOptions opts;
  StatusSource& source;
  asio::thread_pool& pool;
  AuthContext auth;
  tcp::acceptor acceptor;
  asio::steady_timer accept_pause;
  bool stopped = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

std::string endpoint_text(const std::string& host, unsigned short port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// A HEAD request gets the headers a GET would, Content-Length included, and no body.
http::response<http::string_body> to_http(const StatusResponse& r, unsigned version,
                                          bool keep_alive, bool head = false) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::content_type, r.content_type);
  // insert, not set: a 401 carries two WWW-Authenticate challenges (Bearer and Basic).
  for (auto& [k, v] : r.headers) res.insert(k, v);
  res.keep_alive(keep_alive);
  if (head) {
    res.content_length(r.body.size());
  } else {
    res.body() = r.body;
    res.prepare_payload();
  }
  return res;
}

// Server-made refusals get the same no-store/nosniff headers as routed responses.
StatusResponse refusal(int status, std::string text) {
  auto r = plain_response(status, std::move(text));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  void start() {
    shared_->sessions.emplace(this, weak_from_this());
    read_request();
  }

  // Idempotent; I/O thread only.
  void close() {
    if (closed_) return;
    closed_ = true;
    shared_->sessions.erase(this);
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);  // errors: peer already gone
    stream_.close();
  }

 private:
  void read_request() {
    if (closed_ || shared_->stopped) return close();
    head_ = false;
    parser_.emplace();
    parser_->body_limit(shared_->opts.body_limit);
    parser_->header_limit(shared_->opts.header_limit);
    stream_.expires_after(shared_->opts.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (closed_) return;
    if (ec == http::error::body_limit)
      return reply(refusal(413, "the request body is larger than " +
                                    std::to_string(shared_->opts.body_limit) + " bytes\n"),
                   false);
    if (ec == http::error::header_limit)
      return reply(refusal(431, "the request headers are too large\n"), false);
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof)
      return close();  // the client left, went idle, or we are stopping: nothing to answer
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_method).category())  // bad HTTP
        return reply(refusal(400, "malformed HTTP request\n"), false);
      return close();
    }
    const auto& req = parser_->get();
    std::size_t fields = 0;
    for (auto it = req.begin(); it != req.end(); ++it) ++fields;
    if (fields > shared_->opts.max_header_fields)
      return reply(refusal(431, "the request has too many header lines\n"), false);

    StatusRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (auto it = req.find(http::field::authorization); it != req.end())
      r.authorization = std::string(it->value());
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;

    auto snap = shared_->source.snapshot();
    if (auto denial = auth_denial(r, shared_->auth))
      return reply(handle_status_request(r, snap, shared_->auth, nullptr), keep_alive_);
    auto date = plan_date_for(r, snap);
    auto student = student_id_for(r);
    if (date || student)
      return fetch_reads(std::move(r), std::move(snap), date, std::move(student));

    auto resp = handle_status_request(r, snap, shared_->auth, nullptr);
    if (resp.trigger_sync && !shared_->source.request_sync()) resp = sync_refused_response();
    if (resp.trigger_chase && !shared_->source.request_chase()) resp = chase_refused_response();
    reply(std::move(resp), keep_alive_);
  }

  // What a request read from the store, owned until the answer is made.
  struct Fetched {
    std::optional<Result<boost::json::object>> plan, impact;
    std::optional<Result<std::optional<boost::json::object>>> student;
    StoreReads view() const {
      StoreReads v;
      if (plan) v.plan = &*plan;
      if (impact) v.impact = &*impact;
      if (student) v.student = &*student;
      return v;
    }
  };

  // The store may be slow: read the plan (and the dashboard's impact part, or a pupil's
  // page) on a worker and answer back on the I/O thread. The work guard keeps
  // io_context::run() from returning while a fetch is out.
  void fetch_reads(StatusRequest r, StatusSnapshot snap, std::optional<Date> date,
                   std::optional<std::string> student) {
    auto work = asio::make_work_guard(shared_->ioc);
    asio::post(
        shared_->pool, [self = shared_from_this(), r = std::move(r), snap = std::move(snap), date,
                        student = std::move(student), work = std::move(work)]() mutable {
          auto got = std::make_shared<Fetched>();
          auto& source = self->shared_->source;
          if (date) got->plan.emplace(caught([&] { return source.plan(*date); }));
          if (date && wants_impact(r))
            got->impact.emplace(caught([&] { return source.impact(snap.today); }));
          if (student)
            got->student.emplace(caught([&] { return source.student(*student, snap.today); }));
          auto& ioc = self->shared_->ioc;
          asio::post(ioc, [self = std::move(self), r = std::move(r), snap = std::move(snap), got,
                           work = std::move(work)]() mutable {
            if (self->closed_) return;
            self->reply(handle_status_request(r, snap, self->shared_->auth, got->view()),
                        self->keep_alive_);
          });
        });
  }

  void reply(StatusResponse r, bool keep_alive) {
    if (closed_) return;
    keep_alive = keep_alive && !shared_->stopped;
    res_ = to_http(r, version_, keep_alive, head_);
    stream_.expires_after(shared_->opts.read_timeout);
    http::async_write(
        stream_, res_,
        beast::bind_front_handler(&Session::on_write, shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, error_code ec, std::size_t) {
    if (ec) return close();
    if (keep_alive) return read_request();
    // Closing with unread request bytes (a refused body) makes the kernel send a reset that
    // can destroy the answer before the client reads it; so finish sending, then read and
    // drop what the client still sends, briefly, before closing.
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(
        std::min<std::chrono::milliseconds>(shared_->opts.read_timeout, std::chrono::seconds(2)));
    drain();
  }

  void drain() {
    if (closed_) return;
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (1u << 20)) return self->close();
                              self->drain();
                            });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;  // the request being answered is a HEAD
  bool closed_ = false;
  std::array<char, 4096> discard_{};
  std::size_t drained_ = 0;
};

// Answers 503 to a connection over the cap and closes it, without counting it as a session.
// Like a session it stops sending first and drops what the client still sends for a moment,
// so the close does not reset the connection before the client has read the 503.
struct Busy : std::enable_shared_from_this<Busy> {
  beast::tcp_stream stream;
  http::response<http::string_body> res;
  std::array<char, 4096> discard{};
  std::size_t drained = 0;
  explicit Busy(tcp::socket s) : stream(std::move(s)) {}

  void start(std::chrono::milliseconds timeout) {
    auto r = refusal(503, "too many connections to the iesync status server; try again shortly\n");
    r.headers.emplace_back("Retry-After", "5");
    res = to_http(r, 11, false);
    stream.expires_after(std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(2)));
    http::async_write(stream, res, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->finish();
      error_code ignored;
      self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->drain();
    });
  }
  void drain() {
    stream.async_read_some(asio::buffer(discard),
                           [self = shared_from_this()](error_code ec, std::size_t n) {
                             self->drained += n;
                             if (ec || self->drained > (1u << 16)) return self->finish();
                             self->drain();
                           });
  }
  void finish() {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
  }
};

void accept_next(const std::shared_ptr<Shared>& shared) {
  shared->acceptor.async_accept([shared](error_code ec, tcp::socket s) {
    if (shared->stopped || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors or a similar passing trouble: accepting again at once would
      // fail again at once and spin, so pause a moment first.
      shared->accept_pause.expires_after(std::chrono::milliseconds(100));
      shared->accept_pause.async_wait([shared](error_code wec) {
        if (!wec && !shared->stopped) accept_next(shared);
      });
      return;
    }
    if (shared->sessions.size() >= shared->opts.max_connections)
      std::make_shared<Busy>(std::move(s))->start(shared->opts.read_timeout);
    else
      std::make_shared<Session>(std::move(s), shared)->start();
    accept_next(shared);
  });
}

void stop_all(Shared& shared) {
  if (shared.stopped) return;
  shared.stopped = true;
  error_code ec;
  shared.acceptor.close(ec);
  shared.accept_pause.cancel();
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [p, w] : shared.sessions)
    if (auto s = w.lock()) open.push_back(std::move(s));
  for (auto& s : open) s->close();
  shared.sessions.clear();
}

}  // namespace

struct StatusServer::Impl {
  asio::io_context& ioc;
  asio::thread_pool pool;
  std::shared_ptr<Shared> shared;
  unsigned short port = 0;

  Impl(asio::io_context& io, ServerOptions opts, StatusSource& source)
      : ioc(io), pool(std::max<std::size_t>(1, opts.plan_threads)) {
    AuthContext auth{opts.token, opts.loopback_only};
    shared = std::make_shared<Shared>(Shared{io, std::move(opts), source, pool, std::move(auth),
                                             tcp::acceptor(io), asio::steady_timer(io)});
  }
};

StatusServer::StatusServer(asio::io_context& ioc, ServerOptions opts, StatusSource& source)
    : impl_(std::make_unique<Impl>(ioc, std::move(opts), source)) {}

StatusServer::~StatusServer() {
  stop_all(*impl_->shared);
  impl_->pool.join();
}

Result<void> StatusServer::start() {
  const auto& o = impl_->shared->opts;
  const std::string where = "[status] listen";
  const std::string at = endpoint_text(o.host, o.port);
  error_code ec;
  tcp::endpoint ep;
  auto addr = asio::ip::make_address(o.host, ec);
  if (!ec) {
    ep = tcp::endpoint(addr, o.port);
  } else {
    tcp::resolver resolver(impl_->ioc);
    auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty())
      return make_error(where, "cannot resolve " + o.host + (ec ? " (" + ec.message() + ")" : ""),
                        "set [status] listen to an address of this machine, e.g. 127.0.0.1:8470");
    ep = results.begin()->endpoint();
  }
  auto& a = impl_->shared->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    a.close(ignored);
    if (ec == asio::error::address_in_use)
      return make_error(where, at + " is in use", "set [status] listen to a free port");
    if (ec == asio::error::access_denied)
      return make_error(where, "not allowed to listen on " + at,
                        "use a port above 1023, or give iesync CAP_NET_BIND_SERVICE");
    if (ec == boost::system::errc::address_not_available)
      return make_error(where, at + " is not an address of this machine",
                        "set [status] listen to one of this machine's addresses");
    return make_error(where, "cannot listen on " + at + " (" + ec.message() + ")",
                      "set [status] listen to a free local address and port");
  }
  impl_->port = a.local_endpoint(ec).port();
  if (ec) return make_error(where, "cannot read the bound port (" + ec.message() + ")");
  accept_next(impl_->shared);
  return {};
}

unsigned short StatusServer::port() const {
  return impl_->port;
}

void StatusServer::stop() {
  // Everything the sessions touch lives on the io_context; when it is not running there is
  // no one to race with and the work is done here.
  if (impl_->ioc.stopped()) return stop_all(*impl_->shared);
  asio::dispatch(impl_->ioc, [shared = impl_->shared] { stop_all(*shared); });
}

ServerOptions server_options_from(const StatusConfig& cfg, std::optional<std::string> token) {
  ServerOptions o;
  o.host = cfg.host;
  o.port = cfg.port;
  o.token = std::move(token);
  o.loopback_only = cfg.loopback_only();
  return o;
}

}  // namespace iesync
