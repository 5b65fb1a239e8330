#include "connectors/http/curl_library.h"

#include <mutex>

#include "connectors/shared_library.h"

namespace iesync::curl {

namespace {

// libcurl's soname has been libcurl.so.4 since 2006 (7.16); Debian's libcurl4 package
// provides it, and the build's libcurl4-openssl-dev links against the same file.
constexpr const char* kSoname = "libcurl.so.4";

struct Loaded {
  Library lib{};
  std::string error;  // empty when loaded
};

Loaded load() {
  Loaded out;
  SharedLibrary so(kSoname, "libcurl4");
  decltype(&::curl_global_init) global_init = nullptr;
  Library& l = out.lib;
  so.bind("curl_global_init", global_init);
  so.bind("curl_easy_init", l.easy_init);
  so.bind("curl_easy_cleanup", l.easy_cleanup);
  so.bind("curl_easy_reset", l.easy_reset);
  so.bind("curl_easy_setopt", l.easy_setopt);
  so.bind("curl_easy_perform", l.easy_perform);
  so.bind("curl_easy_getinfo", l.easy_getinfo);
  so.bind("curl_easy_strerror", l.easy_strerror);
  so.bind("curl_slist_append", l.slist_append);
  so.bind("curl_slist_free_all", l.slist_free_all);
  so.bind("curl_mime_init", l.mime_init);
  so.bind("curl_mime_free", l.mime_free);
  so.bind("curl_mime_addpart", l.mime_addpart);
  so.bind("curl_mime_data", l.mime_data);
  so.bind("curl_mime_type", l.mime_type);
  so.bind("curl_mime_encoder", l.mime_encoder);
  so.bind("curl_mime_subparts", l.mime_subparts);
  out.error = so.error();
  if (out.error.empty() && global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    out.error = "libcurl could not start (curl_global_init failed)";
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
