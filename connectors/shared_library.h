// A shared library loaded when first needed rather than linked, for the few iesync uses only
// now and then (libcurl, libcrypto, libsystemd): each linked one is loaded, relocated and
// started by every command, `iesync sync` of an unchanged export included.
#pragma once

#include <string>

namespace iesync {

class SharedLibrary {
 public:
  // Opens `soname` (RTLD_NOW | RTLD_LOCAL: nothing else resolves against it). It is never
  // closed: what it hands out may live until the process ends. On failure error() says why
  // and names the Debian `package` to install.
  SharedLibrary(const char* soname, const char* package);

  // Sets `slot` to the function `name` of the library, with the caller's declared type.
  // A missing one is recorded in error(), and later calls do nothing.
  template <class F>
  void bind(const char* name, F& slot) {
    if (void* sym = lookup(name)) slot = reinterpret_cast<F>(sym);
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  void* lookup(const char* name);
  const char* soname_;
  const char* package_;
  void* so_ = nullptr;
  std::string error_;  // empty while all is well
};

}  // namespace iesync
