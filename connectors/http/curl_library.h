// libcurl, loaded the first time a request or an e-mail needs it rather than when iesync
// starts. Linked in, it made every command load some thirty shared libraries (TLS, Kerberos,
// LDAP, IDN, ...) and run their start-up code: ~7 ms before main(), a third of a small
// school's `iesync sync` of an unchanged export, paid also by `iesync status` and by every
// cycle that only imports the MIS. Only Classroom, Wonde and e-mail use it.
//
// Callers use the table's functions exactly as libcurl's own. When the library cannot be
// loaded the two clients report it as the failure of that request or send, so a missing
// package costs Classroom and e-mail, not the service.
#pragma once

#include <curl/curl.h>

#include <string>

namespace iesync::curl {

// The functions iesync uses, with libcurl's own types. curl_global_init has run once the
// table is returned.
struct Library {
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_mime_init) mime_init;
  decltype(&::curl_mime_free) mime_free;
  decltype(&::curl_mime_addpart) mime_addpart;
  decltype(&::curl_mime_data) mime_data;
  decltype(&::curl_mime_type) mime_type;
  decltype(&::curl_mime_encoder) mime_encoder;
  decltype(&::curl_mime_subparts) mime_subparts;
};

// Loads the library once (thread-safe). nullptr when it cannot be loaded: load_error() then
// says why and which package to install.
const Library* library();
const std::string& load_error();

}  // namespace iesync::curl
