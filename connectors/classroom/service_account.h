// Google's OAuth2 service-account grant with domain-wide delegation: a JWT signed with the
// key file's RS256 private key, naming the Workspace user to act as (`sub`), swapped at the
// token endpoint for a one-hour access token that is cached until a minute before expiry.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "connectors/classroom/api_result.h"
#include "connectors/classroom/metrics.h"
#include "connectors/http/http_client.h"

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

// The scope for courseWorkMaterials.list (work posted as a material counts as set).
inline constexpr const char* kMaterialsScope =
    "https://www.googleapis.com/auth/classroom.courseworkmaterials.readonly";

// The read-only scopes iesync asks for, and the domain-wide delegation entry must list:
// courses, rosters, course work and submissions, then kMaterialsScope. userProfiles.get is
// only used for the user's `id`, which the rosters scope gives; classroom.profile.emails is
// only needed for emailAddress.
const std::vector<std::string>& classroom_readonly_scopes();
// The same without kMaterialsScope: what a grant falls back to when the delegation entry
// predates materials, so assignments are still read.
const std::vector<std::string>& classroom_core_scopes();

// The signed assertion for one token request, issued at `iat` and valid for an hour.
Result<std::string> make_grant_assertion(
    const ServiceAccountKey& key, const std::string& subject, const std::string& audience,
    TimePoint iat, const std::vector<std::string>& scopes = classroom_readonly_scopes());

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
                       std::string token_uri, const Clock& clock, RetryPolicy policy, Sleeper sleep,
                       ClassroomMetrics* metrics = nullptr);

  // Asks for every scope of classroom_readonly_scopes(). When Google refuses that grant as
  // unauthorized_client and the core scopes alone are allowed, the token is for those (the
  // admin has not added kMaterialsScope yet): materials calls then get Google's 403, which the
  // fetcher reports, while everything else is read as before.
  ApiResult<std::string> access_token() override;
  void invalidate() override;

 private:
  // One grant for `scopes`; on success token_ and refresh_at_ are set. `unauthorized` says
  // whether Google's refusal was unauthorized_client (scopes outside the delegation entry).
  ApiResult<std::string> grant(const std::vector<std::string>& scopes, TimePoint now,
                               bool& unauthorized);

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
  bool without_materials_ = false;  // the delegation entry lacks kMaterialsScope
};

}  // namespace iesync
