#include "connectors/classroom/connector.h"

#include "connectors/http/curl_client.h"

namespace iesync {

Result<std::unique_ptr<ClassroomConnector>> ClassroomConnector::create(
    const ClassroomConfig& cfg, Store& store, const Clock& clock, TimeZone tz, Sleeper sleep,
    ClassroomMetrics& metrics, std::unique_ptr<HttpClient> http, ClassroomClientOptions opts) {
  auto key = load_service_account_key(cfg.key_file);
  if (!key) return key.error();
  std::unique_ptr<ClassroomConnector> c(new ClassroomConnector());
  if (!http) {
    HttpOptions ho;
    ho.proxy = cfg.proxy;
    http = make_curl_client(ho);
  }
  c->http_ = std::move(http);
  opts.api_base = cfg.api_base;
  c->tokens_ =
      std::make_unique<ServiceAccountTokens>(*c->http_, std::move(*key), cfg.impersonate,
                                             cfg.token_uri, clock, opts.retry, sleep, &metrics);
  c->client_ = std::make_unique<ClassroomClient>(*c->http_, *c->tokens_, opts, sleep, &metrics);
  c->cache_ = std::make_unique<ClassroomCache>(store);
  c->fetcher_ = std::make_unique<ClassroomFetcher>(*c->client_, *c->cache_, clock, std::move(tz));
  return c;
}

}  // namespace iesync
