// Secret files (Classroom key, write-back token, status token): SPEC §2 says the daemon
// refuses ones that group or other users could read or change. Their content is never read
// here, so it can never reach a message.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "config/load_parts.h"

namespace iesync::cfg {

void check_secret(Doc& doc, const toml::node& at, std::string_view key_name,
                  const ResolvedPath& file) {
  struct stat st {};
  if (::stat(file.absolute.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) {
      doc.error(at, std::string(key_name) + ": " + file.display + " does not exist",
                "create it holding the secret and run: chmod 600 " + file.display +
                    " (or correct the path)");
    } else {
      doc.error(at,
                std::string(key_name) + ": cannot check " + file.display + " (" +
                    std::strerror(err) + ")",
                "make its folder readable by the user iesync runs as");
    }
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    doc.error(at, std::string(key_name) + ": " + file.display + " is not a regular file",
              "point it at the file holding the secret");
    return;
  }
  const unsigned mode = st.st_mode & 07777;
  if (mode & 077) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    const char* how = (mode & 044) ? "read" : "changed";
    doc.error(at, file.display + " can be " + how + " by other users (mode " + octal + ")",
              "run: chmod 600 " + file.display);
    return;
  }
  if (::access(file.absolute.c_str(), R_OK) != 0) {
    doc.error(at, std::string(key_name) + ": " + file.display + " cannot be read by this user",
              "run check-config as the user iesync runs as, and make that user the file's owner");
  }
}

}  // namespace iesync::cfg
