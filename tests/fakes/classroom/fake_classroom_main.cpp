// fake-classroom: the local Google Classroom as a program, for the demo.
//   fake-classroom --port N --fixture FILE --public-key PEM [--page-size N]
//                  [--token-uri URI] [--impersonate USER] [--allowed-scopes S1,S2,...]
//       --allowed-scopes: the client's domain-wide delegation entry, comma-separated as the
//       Admin console takes it (default: every read-only Classroom scope).
//   fake-classroom --write-key DIR --token-uri URI
//       writes DIR/service-account.json (mode 0600) and DIR/public-key.pem, then exits.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"

namespace {

int usage() {
  std::cerr << "usage: fake-classroom --port N --fixture FILE --public-key PEM [--page-size N]"
               " [--token-uri URI] [--impersonate USER] [--allowed-scopes S1,S2,...]\n"
               "       fake-classroom --write-key DIR --token-uri URI\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace iesync::fake;
  FakeOptions opts;
  std::string fixture, public_key, write_key;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    std::string v = argv[++i];
    if (a == "--port")
      opts.port = static_cast<unsigned short>(std::stoi(v));
    else if (a == "--fixture")
      fixture = v;
    else if (a == "--public-key")
      public_key = v;
    else if (a == "--page-size")
      opts.page_size = std::stoi(v);
    else if (a == "--token-uri")
      opts.token_uri = v;
    else if (a == "--impersonate")
      opts.impersonate = v;
    else if (a == "--allowed-scopes") {
      std::stringstream list(v);
      for (std::string scope; std::getline(list, scope, ',');)
        if (!scope.empty()) opts.allowed_scopes.push_back(scope);
      if (opts.allowed_scopes.empty()) return usage();
    } else if (a == "--write-key")
      write_key = v;
    else
      return usage();
  }
  if (!write_key.empty()) {
    if (opts.token_uri.empty()) return usage();
    auto keys = generate_rsa_key_pair();
    auto sa = write_service_account_key(write_key, opts.token_uri, keys);
    std::ofstream(std::filesystem::path(write_key) / "public-key.pem") << keys.public_pem;
    std::cout << sa.key_file.string() << "\n";
    return 0;
  }
  if (fixture.empty() || public_key.empty()) return usage();
  std::ifstream pk(public_key);
  std::stringstream ss;
  ss << pk.rdbuf();
  if (!pk) {
    std::cerr << public_key << ": cannot read the public key\n";
    return 1;
  }
  opts.public_key_pem = ss.str();

  // Block the stop signals before any thread starts, then wait for one here.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  FakeClassroom fake(opts);
  if (auto r = fake.load_fixture(fixture); !r) {
    std::cerr << r.error().to_string() << "\n";
    return 1;
  }
  fake.start();
  std::cout << "fake-classroom listening on " << fake.base_url() << " (token endpoint "
            << fake.token_uri() << ")" << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  fake.stop();
  return 0;
}
