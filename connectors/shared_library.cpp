#include "connectors/shared_library.h"

#include <dlfcn.h>

namespace iesync {

SharedLibrary::SharedLibrary(const char* soname, const char* package)
    : soname_(soname), package_(package) {
  so_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!so_) {
    const char* why = ::dlerror();
    error_ = std::string(soname) + " could not be loaded (" + (why ? why : "dlopen failed") +
             "); install Debian's " + package + " package";
  }
}

void* SharedLibrary::lookup(const char* name) {
  if (!error_.empty()) return nullptr;
  void* sym = ::dlsym(so_, name);
  if (!sym)
    error_ =
        std::string(soname_) + " has no " + name + "; install Debian's " + package_ + " package";
  return sym;
}

}  // namespace iesync
