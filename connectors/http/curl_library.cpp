#include "connectors/http/curl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace iesync::curl {

namespace {

// libcurl's soname has been libcurl.so.4 since 2006 (7.16); Debian's libcurl4 package
// provides it, and the build's libcurl4-openssl-dev links against the same file.
constexpr const char* kSoname = "libcurl.so.4";

struct Loaded {
  Library lib{};
  std::string error;  // empty when loaded
};

template <class F>
void bind(void* so, const char* name, F& slot, std::string& error) {
  if (!error.empty()) return;
  void* sym = ::dlsym(so, name);
  if (!sym) {
    error = std::string(kSoname) + " has no " + name + "; install Debian's libcurl4 package";
    return;
  }
  slot = reinterpret_cast<F>(sym);
}

Loaded load() {
  Loaded out;
  // RTLD_LOCAL: its symbols stay out of the global namespace, as a linked library's would
  // not matter either; nothing else resolves against it.
  void* so = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!so) {
    const char* why = ::dlerror();
    out.error = std::string("libcurl could not be loaded (") + (why ? why : kSoname) +
                "); install Debian's libcurl4 package";
    return out;
  }
  decltype(&::curl_global_init) global_init = nullptr;
  Library& l = out.lib;
  std::string& e = out.error;
  bind(so, "curl_global_init", global_init, e);
  bind(so, "curl_easy_init", l.easy_init, e);
  bind(so, "curl_easy_cleanup", l.easy_cleanup, e);
  bind(so, "curl_easy_reset", l.easy_reset, e);
  bind(so, "curl_easy_setopt", l.easy_setopt, e);
  bind(so, "curl_easy_perform", l.easy_perform, e);
  bind(so, "curl_easy_getinfo", l.easy_getinfo, e);
  bind(so, "curl_easy_strerror", l.easy_strerror, e);
  bind(so, "curl_slist_append", l.slist_append, e);
  bind(so, "curl_slist_free_all", l.slist_free_all, e);
  bind(so, "curl_mime_init", l.mime_init, e);
  bind(so, "curl_mime_free", l.mime_free, e);
  bind(so, "curl_mime_addpart", l.mime_addpart, e);
  bind(so, "curl_mime_data", l.mime_data, e);
  bind(so, "curl_mime_type", l.mime_type, e);
  bind(so, "curl_mime_encoder", l.mime_encoder, e);
  bind(so, "curl_mime_subparts", l.mime_subparts, e);
  if (e.empty() && global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    e = "libcurl could not start (curl_global_init failed)";
  // Never dlclose'd: handles and its global state live until the process ends.
  return out;
}

const Loaded& loaded() {
  static const Loaded l = load();  // C++11 statics: loaded once, thread-safe
  return l;
}

}  // namespace

const Library* library() {
  const auto& l = loaded();
  return l.error.empty() ? &l.lib : nullptr;
}

const std::string& load_error() {
  return loaded().error;
}

}  // namespace iesync::curl
