#include "store/store_error.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace iesync {

namespace {

struct Fault {
  const char* reason;
  const char* fix;
};

// What a SQLite result code means to whoever runs iesync, and what they can do about it.
// `extended` tells a failed read from a failed write among the I/O errors.
Fault fault_of(int code, int extended) {
  switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {"the store is locked by another process",
              "stop the other program using the store (an `iesync sync` run by hand, a backup, "
              "sqlite3); iesync tries again at the next cycle and nothing is lost"};
    case SQLITE_IOERR:
      if (extended != SQLITE_IOERR_READ && extended != SQLITE_IOERR_SHORT_READ)
        return {"the store cannot be written",
                "nothing was changed; check the disk is not full and is working, and the store "
                "is writable by the iesync user (iesync tries again at the next cycle)"};
      [[fallthrough]];
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return {"the store cannot be read",
              "check the file exists, is readable by the iesync user and is an iesync store "
              "(restore it from a backup if not); iesync tries again at the next cycle"};
    case SQLITE_READONLY:
      return {"the store cannot be written",
              "check the file and its folder are writable by the iesync user"};
    case SQLITE_FULL:
      return {"the disk holding the store is full",
              "nothing was changed; check the disk is not full and free some space"};
    default:
      return {"the store failed",
              "nothing was changed; check the disk is not full and the store is writable"};
  }
}

}  // namespace

Error store_error(const std::filesystem::path& store, std::string_view what,
                  const std::exception& e) {
  int code = SQLITE_ERROR;
  int extended = SQLITE_ERROR;
  if (auto* s = dynamic_cast<const SQLite::Exception*>(&e)) {
    code = s->getErrorCode();
    extended = s->getExtendedErrorCode();
  }
  Fault f = fault_of(code, extended);
  return make_error(store.string(), std::string(what) + ": " + f.reason + " (" + e.what() + ")",
                    f.fix);
}

}  // namespace iesync
