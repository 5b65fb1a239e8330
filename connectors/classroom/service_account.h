// Google's OAuth2 service-account grant with domain-wide delegation: a JWT signed with the
// key file's RS256 private key, naming the Workspace user to act as (`sub`), swapped at the
// token endpoint for a one-hour access token that is cached until a minute before expiry.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/classroom/api_result.h"
#include "connectors/classroom/metrics.h"
#include "connectors/http/http_client.h"
#include "mapping/clock.h"

namespace iesync {

struct ServiceAccountKey {
  std::string client_email;
  std::string client_id;
  std::string private_key_id;
  std::string private_key;  // PEM
  std::string token_uri;
  std::string project_id;
};

// Reads the JSON key Google Cloud console downloads. Refuses a file that group or others
// may read (the key is a password for every pupil's coursework).
Result<ServiceAccountKey> load_service_account_key(const std::filesystem::path& file);

// The read-only scopes iesync asks for. userProfiles.get is only used for the user's `id`,
// which the rosters scope gives; classroom.profile.emails is only needed for emailAddress.
const std::vector<std::string>& classroom_readonly_scopes();

// The signed assertion for one token request, issued at `iat` and valid for an hour.
Result<std::string> make_grant_assertion(const ServiceAccountKey& key, const std::string& subject,
                                         const std::string& audience, TimePoint iat);

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A valid access token, fetched when none is cached or the cached one is about to expire.
  virtual ApiResult<std::string> access_token() = 0;
  // Drops the cached token (after a 401) so the next access_token() asks again.
  virtual void invalidate() = 0;
};

class ServiceAccountTokens final : public TokenSource {
 public:
  // token_uri: where to ask (and the JWT audience); empty means the key file's token_uri.
  ServiceAccountTokens(HttpClient& http, ServiceAccountKey key, std::string impersonate,
                       std::string token_uri, const Clock& clock, RetryPolicy policy,
                       Sleeper sleep, ClassroomMetrics* metrics = nullptr);

  ApiResult<std::string> access_token() override;
  void invalidate() override;

 private:
  HttpClient& http_;
  ServiceAccountKey key_;
  std::string impersonate_;
  std::string token_uri_;
  const Clock& clock_;
  RetryPolicy policy_;
  Sleeper sleep_;
  ClassroomMetrics* metrics_;
  std::mutex mu_;
  std::string token_;
  TimePoint refresh_at_{};
};

}  // namespace iesync
