// HttpClient on libcurl: one easy handle reused per client (keep-alive), gzip, connect and
// total timeouts, the system CA bundle, and the school proxy. Not thread-safe: one client
// per thread.
#pragma once

#include <memory>

#include "connectors/http/http_client.h"

namespace iesync {

std::unique_ptr<HttpClient> make_curl_client(const HttpOptions& opts);

}  // namespace iesync
