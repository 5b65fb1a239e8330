// HttpClient on libcurl. One easy handle per client, reset (not recreated) between requests
// so the connection cache survives and keep-alive works: curl_easy_reset keeps live
// connections, the DNS cache and TLS session ids.
#include "connectors/http/curl_client.h"

#include <string>

#include "connectors/http/curl_library.h"

namespace iesync {

namespace {

// The URL as it may appear in a message: scheme, host and path only. The query can carry a
// student's email address and must never carry a token, so it is left out.
std::string printable_url(const std::string& url) {
  auto cut = url.find_first_of("?#");
  return cut == std::string::npos ? url : url.substr(0, cut);
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string line(data, size * n);
  // A new status line (after a 100 Continue or a proxy CONNECT) starts a fresh header set.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos)
    headers->emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  return size * n;
}

class CurlClient final : public HttpClient {
 public:
  // libcurl is loaded, and the handle made, by the first request: a client is made for
  // every cycle that might talk to Classroom or Wonde, most of which do not.
  explicit CurlClient(HttpOptions opts) : opts_(std::move(opts)) {}
  ~CurlClient() override {
    if (curl_) lib_->easy_cleanup(curl_);
  }
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  Result<HttpResponse> send(const HttpRequest& req) override {
    if (!curl_) {
      lib_ = curl::library();
      if (!lib_)
        return make_error(printable_url(req.url), req.method + " failed: " + curl::load_error(),
                          "");
      curl_ = lib_->easy_init();
      if (!curl_)
        return make_error(printable_url(req.url),
                          req.method + " failed: libcurl could not make a handle", "");
    }
    lib_->easy_reset(curl_);
    HttpResponse resp;
    char errbuf[CURL_ERROR_SIZE] = {0};

    lib_->easy_setopt(curl_, CURLOPT_URL, req.url.c_str());
    lib_->easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // we run on worker threads
    lib_->easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf);
    lib_->easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    lib_->easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl supports
    lib_->easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, long(opts_.connect_timeout.count()));
    lib_->easy_setopt(curl_, CURLOPT_TIMEOUT_MS, long(opts_.total_timeout.count()));
    lib_->easy_setopt(curl_, CURLOPT_USERAGENT, opts_.user_agent.c_str());
    lib_->easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    // Without an explicit proxy libcurl reads https_proxy / no_proxy itself.
    if (!opts_.proxy.empty()) lib_->easy_setopt(curl_, CURLOPT_PROXY, opts_.proxy.c_str());

    if (req.method == "GET") {
      lib_->easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      lib_->easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else {
      if (req.method != "POST") lib_->easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      // libcurl silently sends a request again when a reused connection dies before the
      // answer. For a write the server may already have applied, that would be a second
      // write nobody decided on; on a fresh connection libcurl never does it, and the caller
      // sees the failure and can read back before it writes again.
      if (req.method == "POST" || req.method == "PATCH")
        lib_->easy_setopt(curl_, CURLOPT_FRESH_CONNECT, 1L);
      lib_->easy_setopt(curl_, CURLOPT_POSTFIELDS, req.body.data());
      lib_->easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(req.body.size()));
    }

    curl_slist* list = nullptr;
    for (const auto& [k, v] : req.headers) list = lib_->slist_append(list, (k + ": " + v).c_str());
    // No "Expect: 100-continue" round trip on larger bodies.
    list = lib_->slist_append(list, "Expect:");
    lib_->easy_setopt(curl_, CURLOPT_HTTPHEADER, list);

    lib_->easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_body);
    lib_->easy_setopt(curl_, CURLOPT_WRITEDATA, &resp.body);
    lib_->easy_setopt(curl_, CURLOPT_HEADERFUNCTION, on_header);
    lib_->easy_setopt(curl_, CURLOPT_HEADERDATA, &resp.headers);

    CURLcode rc = lib_->easy_perform(curl_);
    lib_->slist_free_all(list);
    // The header list and error buffer die here; make sure the handle forgets them.
    lib_->easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    lib_->easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);

    if (rc != CURLE_OK) {
      std::string detail = errbuf[0] ? std::string(errbuf) : lib_->easy_strerror(rc);
      return make_error(
          printable_url(req.url),
          req.method + " failed: " + detail + " (curl error " + std::to_string(int(rc)) + ")",
          rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_COULDNT_CONNECT
              ? "check the network, and the proxy setting if the school uses one"
              : "");
    }
    long status = 0;
    lib_->easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    resp.status = int(status);
    return resp;
  }

 private:
  HttpOptions opts_;
  const curl::Library* lib_ = nullptr;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_client(const HttpOptions& opts) {
  return std::make_unique<CurlClient>(opts);
}

}  // namespace iesync
