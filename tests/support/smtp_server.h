// A real SMTP server for the mail tests: tests/fakes/smtp/smtp_server.py (Debian's aiosmtpd)
// run by Debian's own /usr/bin/python3 on a loopback port, recording each accepted message in
// a folder. Messages are read back with Python's email package (read_mail.py), as a mail
// client would decode them.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "connectors/email/smtp_sender.h"
#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"

#ifndef IESYNC_SOURCE_DIR
#error "IESYNC_SOURCE_DIR must be defined for the tests"
#endif

namespace iesync::test {

struct SmtpServerOptions {
  bool tls = false;  // offer STARTTLS with a fresh self-signed certificate, and require it
  std::string auth;  // "USER:PASS": require AUTH
  std::vector<std::string> rcpt_codes;  // "addr@x=550": answer RCPT TO for addr with that code
};

class SmtpServer {
 public:
  explicit SmtpServer(SmtpServerOptions o = {}) : o_(std::move(o)) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("iesync-smtp-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_ / "mail");
    if (o_.tls) {
      auto r = shell(
          "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
          " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
          (dir_ / "key.pem").string() + "' -out '" + (dir_ / "cert.pem").string() +
          "' 2>/dev/null");
      if (r.code != 0) throw std::runtime_error("openssl could not make a test certificate");
    }
    start();
  }
  ~SmtpServer() {
    proc_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Stops the server (a mail server that is down) and starts it again on a new port.
  void stop() { proc_.reset(); }
  void start() {
    std::filesystem::remove(dir_ / "port");
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     IESYNC_SOURCE_DIR "/tests/fakes/smtp/smtp_server.py",
                                     "--dir",
                                     (dir_ / "mail").string(),
                                     "--port-file",
                                     (dir_ / "port").string()};
    if (o_.tls) {
      argv.insert(argv.end(),
                  {"--cert", (dir_ / "cert.pem").string(), "--key", (dir_ / "key.pem").string()});
    }
    if (!o_.auth.empty()) argv.insert(argv.end(), {"--auth", o_.auth});
    for (const auto& c : o_.rcpt_codes) argv.insert(argv.end(), {"--rcpt-code", c});
    proc_ = std::make_unique<Process>(argv, dir_ / "server.log");
    for (int i = 0; i < 500 && !std::filesystem::exists(dir_ / "port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!std::filesystem::exists(dir_ / "port"))
      throw std::runtime_error("the SMTP test server did not start: " + slurp(dir_ / "server.log"));
    port_ = std::stoi(slurp(dir_ / "port"));
  }

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::string ca_file() const { return o_.tls ? (dir_ / "cert.pem").string() : std::string(); }
  const std::filesystem::path& dir() const { return dir_; }

  // The accepted messages, in the order they arrived.
  std::vector<std::filesystem::path> messages() const {
    std::vector<std::filesystem::path> out;
    for (auto& e : std::filesystem::directory_iterator(dir_ / "mail"))
      if (e.path().extension() == ".eml") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  // The envelope recipients of a message.
  static std::string recipients(const std::filesystem::path& eml) {
    auto p = eml;
    return slurp(p.replace_extension(".rcpt"));
  }
  // A message as Python's email package decodes it: {"headers": {...}, "parts": [{"type",
  // "charset", "text"}], "defects": [...]}.
  static boost::json::object decode(const std::filesystem::path& eml) {
    auto r = shell("/usr/bin/python3 " IESYNC_SOURCE_DIR "/tests/fakes/smtp/read_mail.py '" +
                   eml.string() + "'");
    if (r.code != 0) throw std::runtime_error("read_mail.py failed on " + eml.string());
    return boost::json::parse(r.out).as_object();
  }

 private:
  SmtpServerOptions o_;
  std::filesystem::path dir_;
  std::unique_ptr<Process> proc_;
  int port_ = 0;
};

// A sender for `server` as the notify tests use it: plain SMTP on loopback, the IE room's
// From address, a 20 s timeout.
inline std::unique_ptr<MailSender> plain_sender_for(const SmtpServer& server) {
  SmtpOptions o;
  o.url = server.url();
  o.starttls_required = false;
  o.from = "IE room <ie-room@example.sch.uk>";
  o.timeout = std::chrono::seconds{20};
  return *make_smtp_sender(o);
}

}  // namespace iesync::test
