// [status] token_file, read at start-up. check-config (config/secrets.cpp) already refuses a
// file others can read; the daemon checks again here because the file may have changed since.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "daemon/status/server.h"

namespace iesync {

Result<std::optional<std::string>> load_status_token(const StatusConfig& cfg) {
  using R = Result<std::optional<std::string>>;
  if (cfg.token_file.empty()) return R(boost::system::in_place_value, std::nullopt);
  const std::string path = cfg.token_file.string();
  const std::string where = "[status] token_file";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT)
      return make_error(where, path + " does not exist",
                        "create it holding the status token and run: chmod 600 " + path);
    return make_error(where, "cannot check " + path + " (" + std::strerror(err) + ")",
                      "make its folder readable by the user iesync runs as");
  }
  if (!S_ISREG(st.st_mode))
    return make_error(where, path + " is not a regular file",
                      "point it at the file holding the token");
  if (st.st_mode & 077) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(where,
                      path + " can be " + ((st.st_mode & 044) ? "read" : "changed") +
                          " by other users (mode " + octal + ")",
                      "run: chmod 600 " + path);
  }
  std::ifstream in(cfg.token_file);
  std::string token;
  if (!in || !std::getline(in, token))
    return make_error(
        where, "cannot read " + path + " or it is empty",
        "put the status token on its first line, readable by the user iesync runs as");
  const auto b = token.find_first_not_of(" \t\r\n");
  const auto e = token.find_last_not_of(" \t\r\n");
  token = b == std::string::npos ? std::string() : token.substr(b, e - b + 1);
  if (token.empty())
    return make_error(where, path + " holds no token on its first line",
                      "put the status token (e.g. from: openssl rand -hex 32) on its first line");
  return R(boost::system::in_place_value, std::move(token));
}

}  // namespace iesync
