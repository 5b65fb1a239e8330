#include "connectors/classroom/service_account.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fstream>
#include <sstream>

#include "connectors/classroom/google_json.h"
#include "connectors/classroom/jwt.h"
#include "connectors/classroom/retry.h"

namespace iesync {

namespace json = boost::json;
using namespace std::chrono;

namespace {

std::string form_encode(std::string_view v) {
  return boost::urls::encode(v, boost::urls::unreserved_chars);
}

}  // namespace

const std::vector<std::string>& classroom_core_scopes() {
  static const std::vector<std::string> scopes = {
      "https://www.googleapis.com/auth/classroom.courses.readonly",
      "https://www.googleapis.com/auth/classroom.rosters.readonly",
      "https://www.googleapis.com/auth/classroom.coursework.students.readonly",
  };
  return scopes;
}

const std::vector<std::string>& classroom_readonly_scopes() {
  static const std::vector<std::string> scopes = [] {
    auto s = classroom_core_scopes();
    s.emplace_back(kMaterialsScope);
    return s;
  }();
  return scopes;
}

Result<ServiceAccountKey> load_service_account_key(const std::filesystem::path& file) {
  const std::string where = file.string();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return make_error(where, "cannot read the Classroom service-account key file",
                      "check [classroom] key_file points at the JSON key downloaded from the "
                      "Google Cloud console");
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return make_error(where,
                      "the service-account key file can be read by other users on this server",
                      "run: chmod 600 " + where + " (and chown it to the iesync user)");
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in)
    return make_error(where, "cannot read the Classroom service-account key file",
                      "check the iesync user may read it");
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec || !v.is_object())
    return make_error(where, "the service-account key file is not valid JSON",
                      "download the key again as JSON from the Google Cloud console");
  auto& o = v.as_object();
  if (str_member(o, "type") != "service_account")
    return make_error(where,
                      "this JSON file is not a service-account key (its \"type\" is \"" +
                          str_member(o, "type") + "\")",
                      "create a key for the service account (Keys > Add key > JSON) and use "
                      "that file");
  ServiceAccountKey key;
  key.client_email = str_member(o, "client_email");
  key.client_id = str_member(o, "client_id");
  key.private_key_id = str_member(o, "private_key_id");
  key.private_key = str_member(o, "private_key");
  key.token_uri = str_member(o, "token_uri");
  key.project_id = str_member(o, "project_id");
  for (auto [name, value] :
       {std::pair{"client_email", &key.client_email}, std::pair{"private_key", &key.private_key}}) {
    if (value->empty())
      return make_error(where, std::string("the service-account key has no \"") + name + "\"",
                        "download the key again as JSON from the Google Cloud console");
  }
  return key;
}

Result<std::string> make_grant_assertion(const ServiceAccountKey& key, const std::string& subject,
                                         const std::string& audience, TimePoint iat,
                                         const std::vector<std::string>& scopes) {
  json::object header{{"alg", "RS256"}, {"typ", "JWT"}};
  if (!key.private_key_id.empty()) header["kid"] = key.private_key_id;
  std::string scope;
  for (const auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  auto t = iat.time_since_epoch().count();
  json::object claims{{"iss", key.client_email},
                      {"scope", scope},
                      {"aud", audience},
                      {"iat", t},
                      {"exp", t + 3600}};
  if (!subject.empty()) claims["sub"] = subject;
  return make_rs256_jwt(json::serialize(header), json::serialize(claims), key.private_key);
}

ServiceAccountTokens::ServiceAccountTokens(HttpClient& http, ServiceAccountKey key,
                                           std::string impersonate, std::string token_uri,
                                           const Clock& clock, RetryPolicy policy, Sleeper sleep,
                                           ClassroomMetrics* metrics)
    : http_(http),
      key_(std::move(key)),
      impersonate_(std::move(impersonate)),
      token_uri_(token_uri.empty() ? key_.token_uri : std::move(token_uri)),
      clock_(clock),
      policy_(policy),
      sleep_(std::move(sleep)),
      metrics_(metrics) {}

void ServiceAccountTokens::invalidate() {
  std::lock_guard lock(mu_);
  token_.clear();
}

ApiResult<std::string> ServiceAccountTokens::access_token() {
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  if (!token_.empty() && now < refresh_at_) return token_;
  bool unauthorized = false;
  if (without_materials_) return grant(classroom_core_scopes(), now, unauthorized);
  auto full = grant(classroom_readonly_scopes(), now, unauthorized);
  if (full || !unauthorized) return full;
  // Domain-wide delegation refuses a grant with any scope its entry does not list. An entry
  // made before iesync read materials lacks only that scope: read the rest, and let the
  // materials calls' 403 say what to add. If the core scopes are refused too, the first
  // refusal (which names every scope) is the one to report.
  bool again = false;
  auto core = grant(classroom_core_scopes(), now, again);
  if (!core) return full;
  without_materials_ = true;
  return core;
}

ApiResult<std::string> ServiceAccountTokens::grant(const std::vector<std::string>& scopes,
                                                   TimePoint now, bool& unauthorized) {
  auto assertion = make_grant_assertion(key_, impersonate_, token_uri_, now, scopes);
  if (!assertion) return ApiFailure{ApiFailureKind::auth, 0, assertion.error()};
  HttpRequest req;
  req.method = "POST";
  req.url = token_uri_;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "grant_type=" + form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
             "&assertion=" + form_encode(*assertion);

  auto check = [](const HttpResponse& r) -> std::optional<std::string> {
    auto v = parse_json(r.body, "token");
    if (!v) return v.error().message;
    if (str_member(v->as_object(), "access_token").empty())
      return std::string("the token endpoint's reply has no access_token");
    return std::nullopt;
  };
  RetryContext ctx{http_, policy_, sleep_, metrics_};
  auto r = send_with_retry(ctx, req, "token", "Google token endpoint", check);
  if (!r) {
    auto f = r.error();
    f.error.message = "could not get an access token: " + f.error.message;
    return f;
  }
  if (r->status < 200 || r->status >= 300) {
    const std::string client = key_.client_id.empty() ? key_.client_email : key_.client_id;
    // The scopes as the Admin console's domain-wide delegation entry takes them.
    std::string scopes;
    for (const auto& s : classroom_readonly_scopes()) scopes += (scopes.empty() ? "" : ",") + s;
    auto oauth = parse_json(r->body, "token");
    if (oauth && oauth->is_object() &&
        str_member(oauth->as_object(), "error") == "unauthorized_client") {
      unauthorized = true;
      // Google's words ("Client is unauthorized to retrieve access tokens using this method,
      // or client not authorized for any of the scopes requested") name neither the entry
      // nor the scopes; the admin who reads the log needs both.
      return ApiFailure{
          ApiFailureKind::auth, r->status,
          make_error("Google token endpoint",
                     "domain-wide delegation does not allow service account client id " + client +
                         " every scope iesync asks for (Google answered " +
                         describe_google_error(*r) + ")",
                     "In the Google Admin console, open Security > Access and data control > "
                     "API controls > Manage Domain Wide Delegation and give client id " +
                         client + " exactly these OAuth scopes: " + scopes)};
    }
    // 400 invalid_grant / 401 invalid_client: our setup, not the network.
    return ApiFailure{ApiFailureKind::auth, r->status,
                      make_error("Google token endpoint",
                                 "Google refused the service account: " + describe_google_error(*r),
                                 "Check domain-wide delegation for client id " + client +
                                     " (Admin console > Security > API controls, with the scopes " +
                                     scopes + ") and that [classroom] impersonate (" +
                                     impersonate_ + ") names a real Workspace user")};
  }
  auto parsed = parse_json(r->body, "token");  // checked by `check` above
  auto& o = parsed->as_object();
  token_ = str_member(o, "access_token");
  long long expires_in = 3600;
  if (auto* e = o.if_contains("expires_in"); e && e->is_int64()) expires_in = e->as_int64();
  refresh_at_ = now + seconds{std::max<long long>(expires_in - 60, 0)};
  return token_;
}

}  // namespace iesync
