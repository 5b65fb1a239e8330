// The HTTP seam. Connectors speak HTTP only through HttpClient; the real one is libcurl
// (connectors/http/curl_client.*), and tests point it at fakes on loopback.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace iesync {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // Case-insensitive; empty when absent.
  std::string header(std::string_view name) const;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  std::string proxy;  // empty: libcurl's own https_proxy/HTTPS_PROXY handling
  std::string user_agent = "iesync";
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // A transport failure (refused, reset, timeout, TLS) is an Error; any HTTP status,
  // including 4xx and 5xx, is a response.
  virtual Result<HttpResponse> send(const HttpRequest& req) = 0;
};

}  // namespace iesync
