#include "tests/fakes/classroom/fake_classroom.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

#include "connectors/classroom/google_json.h"
#include "connectors/classroom/jwt.h"
#include "tests/fakes/classroom/fields_filter.h"

namespace iesync::fake {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kScopePrefix = "https://www.googleapis.com/auth/classroom.";

std::string scope_url(std::string_view name) {
  return std::string(kScopePrefix) + std::string(name);
}

// A Classroom v1 method the fake routes, with its scopes as the discovery document lists them
// (a token needs any one). Reads are served. The writes of the real API are routed too, so a
// write is answered as Google answers it (403), not as an unknown path (404); the fake never
// carries one out, as iesync only reads.
struct Route {
  const char* verb;
  const char* path;    // the discovery document's path, each {param} as {}; "{}:x" = custom verb
  const char* method;  // the fake's name for it, in the request log and in faults
  std::vector<const char*> scopes;  // under https://www.googleapis.com/auth/classroom.
  bool served;
};

const std::vector<Route>& routes() {
  static const std::vector<Route> r = {
      {"GET", "v1/courses", "courses.list", {"courses", "courses.readonly"}, true},
      {"GET", "v1/courses/{}", "courses.get", {"courses", "courses.readonly"}, true},
      {"GET", "v1/courses/{}/aliases", "aliases.list", {"courses", "courses.readonly"}, true},
      {"GET",
       "v1/courses/{}/students",
       "students.list",
       {"profile.emails", "profile.photos", "rosters", "rosters.readonly"},
       true},
      {"GET",
       "v1/courses/{}/courseWork",
       "courseWork.list",
       {"coursework.me", "coursework.me.readonly", "coursework.students",
        "coursework.students.readonly"},
       true},
      {"GET",
       "v1/courses/{}/courseWork/{}/studentSubmissions",
       "studentSubmissions.list",
       {"coursework.me", "coursework.me.readonly", "coursework.students",
        "coursework.students.readonly", "student-submissions.me.readonly",
        "student-submissions.students.readonly"},
       true},
      {"GET",
       "v1/courses/{}/courseWorkMaterials",
       "courseWorkMaterials.list",
       {"courseworkmaterials", "courseworkmaterials.readonly"},
       true},
      {"GET",
       "v1/userProfiles/{}",
       "userProfiles.get",
       {"profile.emails", "profile.photos", "rosters", "rosters.readonly"},
       true},
      {"POST", "v1/courses", "courses.create", {"courses"}, false},
      {"PUT", "v1/courses/{}", "courses.update", {"courses"}, false},
      {"PATCH", "v1/courses/{}", "courses.patch", {"courses"}, false},
      {"DELETE", "v1/courses/{}", "courses.delete", {"courses"}, false},
      {"POST", "v1/courses/{}/aliases", "aliases.create", {"courses"}, false},
      {"DELETE", "v1/courses/{}/aliases/{}", "aliases.delete", {"courses"}, false},
      {"POST",
       "v1/courses/{}/students",
       "students.create",
       {"profile.emails", "profile.photos", "rosters"},
       false},
      {"DELETE", "v1/courses/{}/students/{}", "students.delete", {"rosters"}, false},
      {"POST",
       "v1/courses/{}/teachers",
       "teachers.create",
       {"profile.emails", "profile.photos", "rosters"},
       false},
      {"DELETE", "v1/courses/{}/teachers/{}", "teachers.delete", {"rosters"}, false},
      {"POST", "v1/courses/{}/courseWork", "courseWork.create", {"coursework.students"}, false},
      {"PATCH", "v1/courses/{}/courseWork/{}", "courseWork.patch", {"coursework.students"}, false},
      {"DELETE",
       "v1/courses/{}/courseWork/{}",
       "courseWork.delete",
       {"coursework.students"},
       false},
      {"POST",
       "v1/courses/{}/courseWork/{}:modifyAssignees",
       "courseWork.modifyAssignees",
       {"coursework.students"},
       false},
      {"PATCH",
       "v1/courses/{}/courseWork/{}/studentSubmissions/{}",
       "studentSubmissions.patch",
       {"coursework.me", "coursework.students"},
       false},
      {"POST",
       "v1/courses/{}/courseWork/{}/studentSubmissions/{}:turnIn",
       "studentSubmissions.turnIn",
       {"coursework.me"},
       false},
      {"POST",
       "v1/courses/{}/courseWork/{}/studentSubmissions/{}:reclaim",
       "studentSubmissions.reclaim",
       {"coursework.me"},
       false},
      {"POST",
       "v1/courses/{}/courseWork/{}/studentSubmissions/{}:return",
       "studentSubmissions.return",
       {"coursework.students"},
       false},
      {"POST",
       "v1/courses/{}/courseWork/{}/studentSubmissions/{}:modifyAttachments",
       "studentSubmissions.modifyAttachments",
       {"coursework.me", "coursework.students"},
       false},
      {"POST",
       "v1/courses/{}/courseWorkMaterials",
       "courseWorkMaterials.create",
       {"courseworkmaterials"},
       false},
      {"PATCH",
       "v1/courses/{}/courseWorkMaterials/{}",
       "courseWorkMaterials.patch",
       {"courseworkmaterials"},
       false},
      {"DELETE",
       "v1/courses/{}/courseWorkMaterials/{}",
       "courseWorkMaterials.delete",
       {"courseworkmaterials"},
       false},
  };
  return r;
}

// One path segment against one pattern segment: "{}" is any non-empty segment, "{}:verb" a
// non-empty segment ending in ":verb", anything else itself.
bool segment_matches(std::string_view pattern, std::string_view seg) {
  if (pattern == "{}") return !seg.empty();
  if (pattern.rfind("{}:", 0) == 0) {
    auto suffix = pattern.substr(2);
    return seg.size() > suffix.size() && seg.substr(seg.size() - suffix.size()) == suffix;
  }
  return pattern == seg;
}

const Route* find_route(std::string_view verb, const std::vector<std::string>& segs) {
  for (const auto& r : routes()) {
    if (verb != r.verb) continue;
    std::vector<std::string_view> parts;
    std::string_view path = r.path;
    for (size_t b = 0;;) {
      size_t e = path.find('/', b);
      parts.push_back(path.substr(b, e == std::string_view::npos ? e : e - b));
      if (e == std::string_view::npos) break;
      b = e + 1;
    }
    if (parts.size() != segs.size()) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < parts.size(); ++i) ok = segment_matches(parts[i], segs[i]);
    if (ok) return &r;
  }
  return nullptr;
}

// Query parameters every Google API method accepts (the discovery document's "parameters").
const std::set<std::string> kCommonParams = {
    "$.xgafv",     "access_token", "alt",       "callback",   "fields",         "key",
    "oauth_token", "prettyPrint",  "quotaUser", "uploadType", "upload_protocol"};

const std::map<std::string, std::set<std::string>> kMethodParams = {
    {"courses.list", {"courseStates", "pageSize", "pageToken", "studentId", "teacherId"}},
    {"courses.get", {}},
    {"aliases.list", {"pageSize", "pageToken"}},
    {"students.list", {"pageSize", "pageToken"}},
    {"userProfiles.get", {}},
    {"courseWork.list", {"courseWorkStates", "orderBy", "pageSize", "pageToken"}},
    {"studentSubmissions.list", {"userId", "states", "late", "pageSize", "pageToken"}},
    {"courseWorkMaterials.list",
     {"courseWorkMaterialStates", "materialDriveId", "materialLink", "orderBy", "pageSize",
      "pageToken"}},
};

// The enum values the discovery document lists for each enum query parameter.
const std::map<std::string, std::set<std::string>> kEnumParams = {
    {"courseStates",
     {"COURSE_STATE_UNSPECIFIED", "ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED", "SUSPENDED"}},
    {"courseWorkStates", {"COURSE_WORK_STATE_UNSPECIFIED", "PUBLISHED", "DRAFT", "DELETED"}},
    {"courseWorkMaterialStates",
     {"COURSEWORK_MATERIAL_STATE_UNSPECIFIED", "PUBLISHED", "DRAFT", "DELETED"}},
    {"states",
     {"SUBMISSION_STATE_UNSPECIFIED", "NEW", "CREATED", "TURNED_IN", "RETURNED",
      "RECLAIMED_BY_STUDENT"}},
    {"late", {"LATE_VALUES_UNSPECIFIED", "LATE_ONLY", "NOT_LATE_ONLY"}},
};

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply google_error(int code, std::string status, std::string message) {
  json::object e{{"code", code}, {"message", std::move(message)}, {"status", std::move(status)}};
  return {code, json::serialize(json::object{{"error", std::move(e)}}), {}};
}

Reply oauth_error(int code, std::string error, std::string description) {
  return {code,
          json::serialize(json::object{{"error", std::move(error)},
                                       {"error_description", std::move(description)}}),
          {}};
}

Reply not_found() {
  return google_error(404, "NOT_FOUND", "Requested entity was not found.");
}

Reply unauthenticated() {
  auto r = google_error(401, "UNAUTHENTICATED",
                        "Request had invalid authentication credentials. Expected OAuth 2 "
                        "access token, login cookie or other valid authentication credential.");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
  return r;
}

// Google's answer to a token whose scopes do not include any of the method's.
Reply insufficient_scopes(const Route& route) {
  json::object info{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                    {"reason", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"},
                    {"domain", "googleapis.com"},
                    {"metadata", json::object{{"service", "classroom.googleapis.com"}}}};
  json::object e{{"code", 403},
                 {"message", "Request had insufficient authentication scopes."},
                 {"errors", json::array{json::object{{"message", "Insufficient Permission"},
                                                     {"domain", "global"},
                                                     {"reason", "insufficientPermissions"}}}},
                 {"status", "PERMISSION_DENIED"},
                 {"details", json::array{std::move(info)}}};
  std::string scopes;
  for (const char* s : route.scopes) scopes += (scopes.empty() ? "" : " ") + scope_url(s);
  return {403,
          json::serialize(json::object{{"error", std::move(e)}}),
          {{"WWW-Authenticate",
            "Bearer realm=\"https://accounts.google.com/\", "
            "error=\"insufficient_scope\", scope=\"" +
                scopes + "\""}}};
}

Reply permission_denied() {
  return google_error(403, "PERMISSION_DENIED", "The caller does not have permission");
}

Reply invalid_argument(std::string message) {
  return google_error(400, "INVALID_ARGUMENT", std::move(message));
}

struct Parsed {
  std::string path;
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> params;  // decoded
  bool ok = false;
};

Parsed parse_target(std::string_view target) {
  Parsed p;
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return p;
  p.path = std::string(u->encoded_path());
  for (auto seg : u->segments()) p.segments.push_back(seg);
  // params() decodes a '+' as a space, as Google does (form encoding); a literal plus arrives
  // as %2B.
  for (auto param : u->params()) p.params.emplace_back(param.key, param.value);
  p.ok = true;
  return p;
}

// What an access token was granted for.
struct Grant {
  std::string subject;  // the user it acts as (the JWT's sub): what `me` means
  std::set<std::string> scopes;
  bool has(std::string_view short_name) const { return scopes.count(scope_url(short_name)) > 0; }
};

std::string method_name(const std::string& verb, const Parsed& p, const std::string& token_path) {
  if (verb == "POST" && p.path == token_path) return "token";
  const Route* r = find_route(verb, p.segments);
  return r ? r->method : "unknown";
}

// One key of a courseWork orderBy: a field and its direction.
struct SortKey {
  std::string field;
  bool desc = false;
};

// orderBy as the discovery document has it: "a comma-separated list of fields with an
// optional sort direction keyword", the method's `fields` (courseWork: updateTime and
// dueDate; courseWorkMaterials: updateTime), keywords asc and desc (the
// default, as in Google's API design guide, ascending). Empty: "updateTime desc". Anything
// else, a repeated field included, is refused (the documentation is silent, so the stricter
// reading).
std::optional<std::vector<SortKey>> parse_order_by(std::string_view text,
                                                   const std::set<std::string>& fields) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  std::vector<SortKey> keys;
  if (trim(text).empty()) return std::vector<SortKey>{{"updateTime", true}};
  for (size_t b = 0;;) {
    size_t e = text.find(',', b);
    auto item = trim(text.substr(b, e == std::string_view::npos ? e : e - b));
    auto sp = item.find(' ');
    SortKey k{std::string(item.substr(0, sp)), false};
    if (sp != std::string_view::npos) {
      auto dir = trim(item.substr(sp));
      if (dir == "desc")
        k.desc = true;
      else if (dir != "asc")
        return std::nullopt;
    }
    if (!fields.count(k.field)) return std::nullopt;
    for (const auto& o : keys)
      if (o.field == k.field) return std::nullopt;
    keys.push_back(std::move(k));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return keys;
}

// A sortable instant for a courseWork key; nullopt (sorted before every instant) when the item
// has none, e.g. no due date. Google does not document where those go.
std::optional<TimePoint> sort_instant(const json::object& o, const std::string& field) {
  if (field == "updateTime") return parse_rfc3339(str(o, "updateTime"));
  return join_due(o.if_contains("dueDate"), o.if_contains("dueTime"));
}

// A UserProfile as a token may see it: Google fills emailAddress only under
// classroom.profile.emails and photoUrl only under classroom.profile.photos.
json::object visible_profile(json::object profile, const Grant& g) {
  if (!g.has("profile.emails")) profile.erase("emailAddress");
  if (!g.has("profile.photos")) profile.erase("photoUrl");
  return profile;
}

// A Student or Teacher with its profile as the token may see it.
json::object visible_member(json::object member, const Grant& g) {
  if (auto* p = member.if_contains("profile"); p && p->is_object())
    *p = visible_profile(p->as_object(), g);
  return member;
}

// A live connection, so stop() can close it.
struct Closable {
  virtual ~Closable() = default;
  virtual void close() = 0;
};

}  // namespace

const std::vector<std::string>& default_allowed_scopes() {
  static const std::vector<std::string> scopes = {
      scope_url("announcements.readonly"),
      scope_url("courses.readonly"),
      scope_url("coursework.me.readonly"),
      scope_url("coursework.students.readonly"),
      scope_url("courseworkmaterials.readonly"),
      scope_url("guardianlinks.me.readonly"),
      scope_url("guardianlinks.students.readonly"),
      scope_url("profile.emails"),
      scope_url("rosters.readonly"),
      scope_url("student-submissions.me.readonly"),
      scope_url("student-submissions.students.readonly"),
      scope_url("topics.readonly"),
  };
  return scopes;
}

// Everything the io thread and the test thread share, behind one lock.
struct FakeClassroom::Impl : std::enable_shared_from_this<FakeClassroom::Impl> {
  FakeOptions opts;
  std::string token_uri;
  std::string token_path = "/token";
  std::set<std::string> allowed_scopes;

  mutable std::mutex mu;
  json::array courses, students, teachers, profiles, course_work, materials, submissions;
  std::deque<Fault> faults;
  std::vector<LoggedRequest> log;
  std::map<std::string, Grant> tokens;
  int page_size = 2;
  unsigned long long next_token = 1;

  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::weak_ptr<Closable>> sessions;  // io thread only
  std::atomic<size_t> accepted{0};

  TimePoint now() const {
    return opts.clock ? opts.clock->now()
                      : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  std::optional<Fault> take_fault(const std::string& method, const std::string& path) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->match.empty() || it->match == method || path.rfind(it->match, 0) == 0) {
        if (it->skip > 0) {
          --it->skip;
          return std::nullopt;
        }
        Fault f = *it;
        faults.erase(it);
        return f;
      }
    }
    return std::nullopt;
  }

  const Grant* grant_for(std::string_view authorization) const {
    if (authorization.rfind("Bearer ", 0) != 0) return nullptr;
    auto it = tokens.find(std::string(authorization.substr(7)));
    return it == tokens.end() ? nullptr : &it->second;
  }

  const json::object* find_course(const std::string& ref) const {
    for (const auto& c : courses) {
      auto& o = c.as_object();
      if (str(o, "id") == ref) return &o;
      if (auto* a = o.if_contains("aliases"); a && a->is_array())
        for (const auto& al : a->as_array())
          if (al.is_object() && str(al.as_object(), "alias") == ref) return &o;
    }
    return nullptr;
  }

  // Every profile the fixture knows: the rosters' and the fixture-only userProfiles.
  template <class F>
  void each_profile(F&& f) const {
    for (const auto* list : {&students, &teachers})
      for (const auto& m : *list)
        if (auto* p = m.as_object().if_contains("profile"); p && p->is_object())
          f(p->as_object(), str(m.as_object(), "userId"));
    for (const auto& p : profiles) f(p.as_object(), str(p.as_object(), "id"));
  }

  // A user id from a numeric id, an email, or "me" (the user the token acts as); empty when
  // unknown.
  std::string find_user(const std::string& ref, const Grant& g) const {
    const std::string& who = ref == "me" ? g.subject : ref;
    std::string found;
    each_profile([&](const json::object& p, const std::string& user_id) {
      if (!found.empty()) return;
      std::string id = user_id.empty() ? str(p, "id") : user_id;
      if (id == who || str(p, "emailAddress") == who) found = id;
    });
    return found;
  }

  std::optional<json::object> find_profile(const std::string& user_id) const {
    std::optional<json::object> found;
    each_profile([&](const json::object& p, const std::string& id) {
      if (!found && (id == user_id || str(p, "id") == user_id)) found = p;
    });
    return found;
  }

  // ---- token endpoint -------------------------------------------------------------------
  Reply token(const std::string& body) {
    boost::urls::url u;
    u.set_encoded_query(body);
    std::string grant, assertion;
    for (auto p : u.params()) {
      if (p.key == "grant_type") grant = p.value;
      if (p.key == "assertion") assertion = p.value;
    }
    if (grant != "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + grant);
    auto dot1 = assertion.find('.');
    auto dot2 = dot1 == std::string::npos ? dot1 : assertion.find('.', dot1 + 1);
    if (dot2 == std::string::npos) return oauth_error(400, "invalid_grant", "Invalid JWT.");
    auto header = base64url_decode(std::string_view(assertion).substr(0, dot1));
    auto claims = base64url_decode(std::string_view(assertion).substr(dot1 + 1, dot2 - dot1 - 1));
    auto sig = base64url_decode(std::string_view(assertion).substr(dot2 + 1));
    if (!header || !claims || !sig) return oauth_error(400, "invalid_grant", "Invalid JWT.");
    boost::system::error_code ec;
    auto h = json::parse(*header, ec);
    // `typ` is optional (RFC 7515 4.1.9) and Google's own libraries leave it out; when it is
    // there it must say JWT.
    if (ec || !h.is_object() || str(h.as_object(), "alg") != "RS256" ||
        (h.as_object().contains("typ") && str(h.as_object(), "typ") != "JWT"))
      return oauth_error(400, "invalid_grant", "Invalid JWT header.");
    if (opts.public_key_pem.empty() ||
        !rs256_verify(opts.public_key_pem, std::string_view(assertion).substr(0, dot2), *sig))
      return oauth_error(400, "invalid_grant", "Invalid JWT Signature.");
    auto c = json::parse(*claims, ec);
    if (ec || !c.is_object()) return oauth_error(400, "invalid_grant", "Invalid JWT claims.");
    auto& co = c.as_object();
    // Google checks aud against its own token URL, which its libraries sign whatever the key
    // file says; a configured token URI (the demo's loopback one) is accepted as well.
    if (str(co, "aud") != token_uri && str(co, "aud") != kGoogleTokenUri)
      return oauth_error(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    if (str(co, "iss").empty() ||
        (!opts.client_email.empty() && str(co, "iss") != opts.client_email))
      return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    auto* iat = co.if_contains("iat");
    auto* exp = co.if_contains("exp");
    long long t = now().time_since_epoch().count();
    if (!iat || !exp || !iat->is_int64() || !exp->is_int64() ||
        exp->as_int64() - iat->as_int64() > 3600 || exp->as_int64() <= t ||
        iat->as_int64() > t + 300)
      return oauth_error(400, "invalid_grant",
                         "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                         "reasonable timeframe. Check your iat and exp values in the JWT claim.");
    std::istringstream words(str(co, "scope"));
    std::set<std::string> scopes;
    for (std::string s; words >> s;) scopes.insert(s);
    if (scopes.empty())
      return oauth_error(400, "invalid_scope", "Empty or missing scope not allowed.");
    // Domain-wide delegation grants a scope only when the Admin console entry for the client
    // lists it; one scope outside the entry refuses the whole grant.
    for (const auto& s : scopes)
      if (!allowed_scopes.count(s))
        return oauth_error(401, "unauthorized_client",
                           "Client is unauthorized to retrieve access tokens using this method, "
                           "or client not authorized for any of the scopes requested.");
    std::string sub = str(co, "sub");
    if (sub.empty() || (!opts.impersonate.empty() && sub != opts.impersonate))
      return oauth_error(400, "invalid_grant", "Invalid email or User ID");
    std::string tok = "ya29.fake-" + std::to_string(next_token++) + "-" +
                      base64url_encode(std::string_view(*sig).substr(0, 9));
    tokens[tok] = Grant{sub, std::move(scopes)};
    return {200,
            json::serialize(json::object{
                {"access_token", tok}, {"expires_in", opts.expires_in}, {"token_type", "Bearer"}}),
            {}};
  }

  // ---- the API --------------------------------------------------------------------------
  // Items [offset, offset+size) of `all`, with a nextPageToken bound to the request.
  Reply page(const std::string& list_field, const json::array& all, const Parsed& p,
             const std::string& fields) {
    int size = page_size;
    std::string page_token;
    std::string binding;  // the request minus pageToken: a token is only valid with it
    for (const auto& [k, v] : p.params) {
      if (k == "pageSize") {
        try {
          size_t used = 0;
          int asked = std::stoi(v, &used);
          if (used != v.size()) throw std::invalid_argument(v);
          if (asked < 0) return invalid_argument("Invalid page size.");
          if (asked > 0) size = std::min(size, asked);
        } catch (const std::exception&) {
          return invalid_argument("Invalid value at 'page_size' (TYPE_INT32), \"" + v + "\"");
        }
      }
      if (k == "pageToken")
        page_token = v;
      else
        binding += k + "=" + v + "&";
    }
    binding = p.path + "?" + binding;
    size_t offset = 0;
    if (!page_token.empty()) {
      auto decoded = base64url_decode(page_token);
      auto bar = decoded ? decoded->find('|') : std::string::npos;
      if (bar == std::string::npos || decoded->substr(bar + 1) != binding)
        return invalid_argument("Invalid page token.");
      try {
        offset = std::stoul(decoded->substr(0, bar));
      } catch (const std::exception&) {
        return invalid_argument("Invalid page token.");
      }
    }
    json::array items;
    for (size_t i = offset; i < all.size() && items.size() < size_t(size); ++i)
      items.push_back(all[i]);
    json::object out;
    if (!items.empty()) out[list_field] = std::move(items);  // proto3 JSON omits empty lists
    if (offset + size_t(size) < all.size())
      out["nextPageToken"] = base64url_encode(std::to_string(offset + size) + "|" + binding);
    return with_fields(out, fields);
  }

  Reply with_fields(const json::value& v, const std::string& fields) {
    if (fields.empty()) return {200, json::serialize(v), {}};
    auto sel = parse_fields(fields);
    if (!sel) return invalid_argument("Invalid field selection " + fields);
    return {200, json::serialize(apply_fields(v, *sel)), {}};
  }

  using Query = std::map<std::string, std::vector<std::string>>;

  Reply api(const std::string& method, const Parsed& p, const Grant& g) {
    std::string fields;
    Query q;
    const auto& allowed = kMethodParams.at(method);
    for (const auto& [k, v] : p.params) {
      if (!kCommonParams.count(k) && !allowed.count(k))
        return invalid_argument("Invalid JSON payload received. Unknown name \"" + k +
                                "\": Cannot bind query parameter. Field '" + k +
                                "' could not be found in request message.");
      if (auto e = kEnumParams.find(k); e != kEnumParams.end() && !e->second.count(v))
        return invalid_argument("Invalid value at '" + k + "' (TYPE_ENUM), \"" + v + "\"");
      if (k == "fields") fields = v;
      q[k].push_back(v);
    }
    const auto& s = p.segments;
    if (method == "userProfiles.get") {
      auto prof = find_profile(find_user(s[2], g));
      if (!prof) return permission_denied();
      return with_fields(visible_profile(*prof, g), fields);
    }
    if (method == "courses.list") return list_courses(p, q, g, fields);
    const json::object* course = find_course(s[2]);
    if (!course) return not_found();
    const std::string course_id = str(*course, "id");
    if (method == "courses.get") {
      json::object c = *course;
      c.erase("aliases");
      return with_fields(c, fields);
    }
    if (method == "aliases.list") {
      auto* a = course->if_contains("aliases");
      return page("aliases", a && a->is_array() ? a->as_array() : json::array{}, p, fields);
    }
    if (method == "students.list") {
      json::array all;
      for (const auto& m : students)
        if (str(m.as_object(), "courseId") == course_id)
          all.push_back(visible_member(m.as_object(), g));
      return page("students", all, p, fields);
    }
    if (method == "courseWork.list") return list_course_work(course_id, p, q, fields);
    if (method == "courseWorkMaterials.list") return list_materials(course_id, p, q, fields);
    return list_submissions(course_id, p, q, g, fields);
  }

  Reply list_courses(const Parsed& p, Query& q, const Grant& g, const std::string& fields) {
    // The discovery document's default: every state but SUSPENDED.
    std::set<std::string> states{"ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED"};
    if (q.count("courseStates")) states = {q["courseStates"].begin(), q["courseStates"].end()};
    // studentId / teacherId: only the courses with that member; a user nobody knows is
    // NOT_FOUND ("if any users specified in the query arguments do not exist").
    std::optional<std::set<std::string>> as_student, as_teacher;
    for (auto [param, roster, in] : {std::tuple{"studentId", &students, &as_student},
                                     std::tuple{"teacherId", &teachers, &as_teacher}}) {
      if (!q.count(param)) continue;
      std::string user = find_user(q[param].front(), g);
      if (user.empty()) return not_found();
      in->emplace();
      for (const auto& m : *roster)
        if (str(m.as_object(), "userId") == user) (*in)->insert(str(m.as_object(), "courseId"));
    }
    std::vector<json::object> hits;
    for (const auto& c : courses) {
      json::object o = c.as_object();
      std::string id = str(o, "id");
      if (!states.count(str(o, "courseState"))) continue;
      if (as_student && !as_student->count(id)) continue;
      if (as_teacher && !as_teacher->count(id)) continue;
      o.erase("aliases");
      hits.push_back(std::move(o));
    }
    // "ordered by creation time, with the most recently created coming first".
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
      return parse_rfc3339(str(a, "creationTime")) > parse_rfc3339(str(b, "creationTime"));
    });
    json::array all;
    for (auto& h : hits) all.push_back(std::move(h));
    return page("courses", all, p, fields);
  }

  Reply list_course_work(const std::string& course_id, const Parsed& p, Query& q,
                         const std::string& fields) {
    std::set<std::string> states{"PUBLISHED"};
    if (q.count("courseWorkStates"))
      states = {q["courseWorkStates"].begin(), q["courseWorkStates"].end()};
    if (q.count("orderBy") && q["orderBy"].size() > 1)
      return invalid_argument("Invalid orderBy: repeated");
    std::string order = q.count("orderBy") ? q["orderBy"].front() : "";
    auto keys = parse_order_by(order, {"updateTime", "dueDate"});
    if (!keys) return invalid_argument("Invalid orderBy: " + order);
    std::vector<json::object> hits;
    for (const auto& w : course_work)
      if (str(w.as_object(), "courseId") == course_id && states.count(str(w.as_object(), "state")))
        hits.push_back(w.as_object());
    std::stable_sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
      for (const auto& k : *keys) {
        auto x = sort_instant(a, k.field), y = sort_instant(b, k.field);
        if (x != y) return k.desc ? x > y : x < y;
      }
      return false;
    });
    json::array all;
    for (auto& h : hits) all.push_back(std::move(h));
    return page("courseWork", all, p, fields);
  }

  // courseWorkMaterials.list: PUBLISHED unless courseWorkMaterialStates says otherwise (the
  // fake acts as a domain administrator, who may see every state), materialLink a part of a
  // link material's URL, materialDriveId a Drive material's id (both must match when both
  // are given), ordered by updateTime only.
  Reply list_materials(const std::string& course_id, const Parsed& p, Query& q,
                       const std::string& fields) {
    std::set<std::string> states{"PUBLISHED"};
    if (q.count("courseWorkMaterialStates"))
      states = {q["courseWorkMaterialStates"].begin(), q["courseWorkMaterialStates"].end()};
    for (const char* single : {"orderBy", "materialLink", "materialDriveId"})
      if (q.count(single) && q[single].size() > 1)
        return invalid_argument(std::string("Invalid ") + single + ": repeated");
    std::string order = q.count("orderBy") ? q["orderBy"].front() : "";
    auto keys = parse_order_by(order, {"updateTime"});
    if (!keys) return invalid_argument("Invalid orderBy: " + order);
    const std::string link = q.count("materialLink") ? q["materialLink"].front() : "";
    const std::string drive = q.count("materialDriveId") ? q["materialDriveId"].front() : "";
    auto has_material = [](const json::object& m, auto&& test) {
      auto* list = m.if_contains("materials");
      if (!list || !list->is_array()) return false;
      return std::any_of(
          list->as_array().begin(), list->as_array().end(),
          [&](const json::value& v) { return v.is_object() && test(v.as_object()); });
    };
    std::vector<json::object> hits;
    for (const auto& v : materials) {
      const auto& m = v.as_object();
      if (str(m, "courseId") != course_id || !states.count(str(m, "state"))) continue;
      if (!link.empty() && !has_material(m, [&](const json::object& x) {
            auto* l = x.if_contains("link");
            return l && l->is_object() &&
                   str(l->as_object(), "url").find(link) != std::string::npos;
          }))
        continue;
      if (!drive.empty() && !has_material(m, [&](const json::object& x) {
            auto* d = x.if_contains("driveFile");
            if (!d || !d->is_object()) return false;
            auto* f = d->as_object().if_contains("driveFile");
            return f && f->is_object() && str(f->as_object(), "id") == drive;
          }))
        continue;
      hits.push_back(m);
    }
    std::stable_sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
      for (const auto& k : *keys) {
        auto x = sort_instant(a, k.field), y = sort_instant(b, k.field);
        if (x != y) return k.desc ? x > y : x < y;
      }
      return false;
    });
    json::array all;
    for (auto& h : hits) all.push_back(std::move(h));
    return page("courseWorkMaterial", all, p, fields);
  }

  Reply list_submissions(const std::string& course_id, const Parsed& p, Query& q, const Grant& g,
                         const std::string& fields) {
    const std::string& cw = p.segments[4];
    if (cw != "-") {
      bool known = false;
      for (const auto& w : course_work)
        known |= str(w.as_object(), "courseId") == course_id && str(w.as_object(), "id") == cw;
      if (!known) return not_found();
    }
    std::string user;
    if (q.count("userId")) {
      user = find_user(q["userId"].front(), g);
      if (user.empty()) return not_found();
    }
    // "factoring in the OAuth scopes of the request": a token with only the .me scopes sees
    // its own user's work and nobody else's.
    const bool own_only = !g.has("coursework.students") && !g.has("coursework.students.readonly") &&
                          !g.has("student-submissions.students.readonly");
    const std::string me = own_only ? find_user("me", g) : std::string{};
    std::set<std::string> states;
    if (q.count("states")) states = {q["states"].begin(), q["states"].end()};
    std::string late = q.count("late") ? q["late"].front() : "LATE_VALUES_UNSPECIFIED";
    json::array all;
    for (const auto& sub : submissions) {
      auto& o = sub.as_object();
      if (str(o, "courseId") != course_id) continue;
      if (cw != "-" && str(o, "courseWorkId") != cw) continue;
      if (!user.empty() && str(o, "userId") != user) continue;
      if (own_only && (me.empty() || str(o, "userId") != me)) continue;
      if (!states.empty() && !states.count(str(o, "state"))) continue;
      auto* l = o.if_contains("late");
      bool is_late = l && l->is_bool() && l->as_bool();  // proto3 JSON omits false
      if ((late == "LATE_ONLY" && !is_late) || (late == "NOT_LATE_ONLY" && is_late)) continue;
      all.push_back(o);
    }
    return page("studentSubmissions", all, p, fields);
  }
};

namespace {

// One connection: read a request, answer (or misbehave as a fault says), repeat while the
// client keeps the connection alive.
class Session : public Closable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<FakeClassroom::Impl> impl)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), impl_(std::move(impl)) {}

  void start() { read(); }
  void close() override {
    timer_.cancel();
    beast::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void read() {
    req_ = {};
    http::async_read(
        socket_, buffer_, req_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    if (ec) return;  // reset by the client, timeout, stop(): the session just ends
    handle();
  }

  void handle() {
    std::string verb(req_.method_string());
    std::string target(req_.target());
    auto p = parse_target(target);
    Reply reply;
    std::optional<Fault> fault;
    std::string method = "unknown";
    {
      std::lock_guard lock(impl_->mu);
      if (p.ok) method = method_name(verb, p, impl_->token_path);
      fault = impl_->take_fault(method, p.path);
      if (fault && (fault->kind == FaultKind::stall || fault->kind == FaultKind::reset)) {
        impl_->log.push_back({method, verb, target, 0});
      } else {
        reply = answer(method, p, fault);
        impl_->log.push_back({method, verb, target, reply.status});
      }
    }
    if (fault && fault->kind == FaultKind::stall) {
      timer_.expires_after(fault->stall);
      timer_.async_wait([self = shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->socket_.close(ignored);
      });
      return;
    }
    if (fault && fault->kind == FaultKind::reset) {
      beast::error_code ignored;
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);  // RST, not FIN
      socket_.close(ignored);
      return;
    }
    write(std::move(reply));
  }

  // Called with the lock held.
  Reply answer(const std::string& method, const Parsed& p, const std::optional<Fault>& fault) {
    auto& impl = *impl_;
    if (!p.ok) return google_error(400, "INVALID_ARGUMENT", "Malformed request target.");
    if (fault) {
      switch (fault->kind) {
        case FaultKind::too_many_requests: {
          auto r = google_error(429, "RESOURCE_EXHAUSTED",
                                "Quota exceeded for quota metric 'Read requests' and limit "
                                "'Read requests per minute per user'.");
          r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_seconds));
          return r;
        }
        case FaultKind::server_error:
          return google_error(500, "INTERNAL", "Internal error encountered.");
        case FaultKind::unavailable:
          return google_error(503, "UNAVAILABLE", "The service is currently unavailable.");
        case FaultKind::malformed_json:
          return {200, "{\"courseWork\": [{\"id\": 12,, \"title\" <html>", {}};
        case FaultKind::unauthorized:
          impl.tokens.clear();
          return unauthenticated();
        case FaultKind::invalid_grant:
          return oauth_error(400, "invalid_grant", "Invalid email or User ID");
        case FaultKind::truncated_json: {
          auto r = real_answer(method, p);
          r.body = r.body.substr(0, r.body.size() / 2);
          return r;
        }
        case FaultKind::stall:
        case FaultKind::reset:
          break;  // handled by the caller
      }
    }
    return real_answer(method, p);
  }

  Reply real_answer(const std::string& method, const Parsed& p) {
    auto& impl = *impl_;
    if (method == "token") return impl.token(req_.body());
    // Google looks at the bearer token before the path: a bad token is 401 on any path.
    const Grant* grant = impl.grant_for(req_[http::field::authorization]);
    if (!grant) return unauthenticated();
    const Route* route = find_route(std::string(req_.method_string()), p.segments);
    if (!route) return not_found();
    bool scoped = std::any_of(route->scopes.begin(), route->scopes.end(),
                              [&](const char* s) { return grant->has(s); });
    if (!scoped) return insufficient_scopes(*route);
    // A write the token's scopes would allow: the fake lets nobody change Classroom.
    if (!route->served) return permission_denied();
    return impl.api(method, p, *grant);
  }

  void write(Reply reply) {
    res_ = {};
    res_.version(req_.version());
    res_.result(static_cast<http::status>(reply.status));
    res_.set(http::field::server, "ESF");
    res_.set(http::field::content_type, "application/json; charset=UTF-8");
    for (auto& [k, v] : reply.headers) res_.set(k, v);
    res_.keep_alive(req_.keep_alive());
    res_.body() = std::move(reply.body);
    res_.prepare_payload();
    http::async_write(socket_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!self->res_.keep_alive()) {
                          beast::error_code ignored;
                          self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->read();
                      });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<FakeClassroom::Impl> impl_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void do_accept(std::shared_ptr<FakeClassroom::Impl> impl) {
  auto* raw = impl.get();
  raw->acceptor.async_accept([impl = std::move(impl)](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // acceptor closed: stop()
    ++impl->accepted;
    auto session = std::make_shared<Session>(std::move(socket), impl);
    std::erase_if(impl->sessions, [](const auto& w) { return w.expired(); });
    impl->sessions.push_back(session);
    session->start();
    do_accept(impl);
  });
}

Result<json::array> array_member(const json::object& o, const char* name) {
  auto* v = o.if_contains(name);
  if (!v) return json::array{};
  if (!v->is_array()) return make_error("fixture", std::string("\"") + name + "\" is not a list");
  for (const auto& e : v->as_array())
    if (!e.is_object())
      return make_error("fixture", std::string("an entry of \"") + name + "\" is not an object");
  return v->as_array();
}

}  // namespace

FakeClassroom::FakeClassroom(FakeOptions opts) : opts_(std::move(opts)) {}

FakeClassroom::~FakeClassroom() {
  stop();
}

Result<void> FakeClassroom::load_fixture(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(file.string(), "cannot read the Classroom fixture");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = load_fixture_json(ss.str());
  if (!r) return make_error(file.string(), r.error().message);
  return {};
}

Result<void> FakeClassroom::load_fixture_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return make_error("fixture", "not a JSON object: " + ec.message());
  auto& o = v.as_object();
  auto c = array_member(o, "courses");
  auto s = array_member(o, "students");
  auto t = array_member(o, "teachers");
  auto prof = array_member(o, "userProfiles");
  auto w = array_member(o, "courseWork");
  auto mat = array_member(o, "courseWorkMaterial");
  auto sub = array_member(o, "studentSubmissions");
  for (auto* r : {&c, &s, &t, &prof, &w, &mat, &sub})
    if (!*r) return r->error();
  if (!impl_) impl_ = std::make_shared<Impl>();
  std::lock_guard lock(impl_->mu);
  impl_->courses = std::move(*c);
  impl_->students = std::move(*s);
  impl_->teachers = std::move(*t);
  impl_->profiles = std::move(*prof);
  impl_->course_work = std::move(*w);
  impl_->materials = std::move(*mat);
  impl_->submissions = std::move(*sub);
  return {};
}

void FakeClassroom::start() {
  if (!impl_) impl_ = std::make_shared<Impl>();
  if (thread_.joinable()) return;
  auto& impl = *impl_;
  impl.opts = opts_;
  impl.page_size = std::max(1, opts_.page_size);
  impl.io.restart();  // after a stop()
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), opts_.port ? opts_.port : port_);
  impl.acceptor.open(ep.protocol());
  impl.acceptor.set_option(asio::socket_base::reuse_address(true));
  impl.acceptor.bind(ep);
  impl.acceptor.listen();
  port_ = impl.acceptor.local_endpoint().port();
  impl.token_uri = opts_.token_uri.empty() ? token_uri() : opts_.token_uri;
  const auto& allowed =
      opts_.allowed_scopes.empty() ? default_allowed_scopes() : opts_.allowed_scopes;
  impl.allowed_scopes = {allowed.begin(), allowed.end()};
  if (!opts_.token_uri.empty()) {
    auto u = boost::urls::parse_uri(opts_.token_uri);
    if (u) impl.token_path = std::string(u->encoded_path());
  }
  do_accept(impl_);
  thread_ = std::thread([impl = impl_] { impl->io.run(); });
}

void FakeClassroom::stop() {
  if (!thread_.joinable()) return;
  // Close the listener and every connection on the io thread; each pending operation then
  // completes with an error and re-arms nothing, so run() returns.
  asio::post(impl_->io, [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    for (auto& w : impl->sessions)
      if (auto s = w.lock()) s->close();
    impl->sessions.clear();
  });
  thread_.join();
}

std::string FakeClassroom::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}
std::string FakeClassroom::token_uri() const {
  return base_url() + "/token";
}

void FakeClassroom::push_fault(Fault f) {
  if (!impl_) impl_ = std::make_shared<Impl>();
  std::lock_guard lock(impl_->mu);
  impl_->faults.push_back(std::move(f));
}

void FakeClassroom::set_page_size(int n) {
  opts_.page_size = n;
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  impl_->page_size = std::max(1, n);
}

void FakeClassroom::revoke_tokens() {
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  impl_->tokens.clear();
}

std::vector<LoggedRequest> FakeClassroom::requests() const {
  if (!impl_) return {};
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

size_t FakeClassroom::count(std::string_view method) const {
  if (!impl_) return 0;
  std::lock_guard lock(impl_->mu);
  return size_t(std::count_if(impl_->log.begin(), impl_->log.end(),
                              [&](const auto& r) { return method.empty() || r.method == method; }));
}

size_t FakeClassroom::connections() const {
  return impl_ ? impl_->accepted.load() : 0;
}

void FakeClassroom::clear_requests() {
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  impl_->log.clear();
}

}  // namespace iesync::fake
