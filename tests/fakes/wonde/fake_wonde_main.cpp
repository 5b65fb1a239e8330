// fake-wonde: the fake Wonde API as a program, for the demo and for crash tests across fake
// restarts.
//   fake-wonde --port N --token-file F --state FILE [--school-id ID]
// FILE holds everything the fake MIS knows (students, lessons, codes, behaviour attributes,
// marks a person entered and marks and behaviours written through the API, the applied
// writes; format in fake_wonde.cpp save_locked()); it is created with the standard
// attendance codes and behaviour attributes when missing, and saved after every write and
// on SIGTERM/SIGINT. Whether a mark may be overwritten is the client's decision, as it is
// against the real API, so there is no option for it here.
#include <signal.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/fakes/wonde/fake_wonde.h"

namespace {

int usage(const char* why) {
  std::cerr << "fake-wonde: " << why
            << "\nusage: fake-wonde --port N --token-file F --state FILE [--school-id ID]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  std::string token_file, state, school;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + a).c_str());
    std::string v = argv[++i];
    if (a == "--port") {
      try {
        port = static_cast<unsigned short>(std::stoi(v));
      } catch (const std::exception&) {
        return usage("--port needs a number");
      }
    } else if (a == "--token-file") {
      token_file = v;
    } else if (a == "--state") {
      state = v;
    } else if (a == "--school-id") {
      school = v;
    } else {
      return usage(("unknown option " + a).c_str());
    }
  }
  if (token_file.empty()) return usage("--token-file is required");
  std::ifstream tf(token_file);
  std::string token;
  if (!tf || !std::getline(tf, token)) return usage(("cannot read " + token_file).c_str());
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();

  // Block the stop signals before any thread starts, then wait for one here.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  iesync::fake::FakeWondeOptions opts;
  opts.token = token;
  opts.state_file = state;
  if (!school.empty()) opts.school_id = school;
  try {
    const bool fresh = state.empty() || !std::filesystem::exists(state);
    iesync::fake::FakeWonde fake(opts);
    if (fresh) {
      fake.seed_standard_codes();
      fake.save();
    }
    auto p = fake.start(port);
    std::cout << "fake-wonde listening on 127.0.0.1:" << p << " (api_base " << fake.api_base()
              << ")" << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    fake.stop();
    fake.save();
  } catch (const std::exception& e) {
    std::cerr << "fake-wonde: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
