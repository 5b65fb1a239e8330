#include "connectors/writeback/wonde_target.h"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>

namespace iesync {

namespace json = boost::json;

namespace {

std::string base64(std::string_view in) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;  // unsigned: only the low bits matter, overflow is harmless
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += chars[(val >> bits) & 0x3F];
      bits -= 6;
    }
  }
  if (bits > -6) out += chars[((val << 8) >> (bits + 8)) & 0x3F];
  while (out.size() % 4) out += '=';
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string str_at(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* p = &v;
  for (auto* k : path) {
    if (!p->is_object()) return {};
    p = p->as_object().if_contains(k);
    if (!p) return {};
  }
  return p->is_string() ? std::string(p->as_string()) : std::string();
}

// The path only: a query may hold dates and filters, never a secret, but keep messages short.
std::string printable(const std::string& url) { return url.substr(0, url.find('?')); }

std::string snippet(const std::string& body) {
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

enum class Endpoint { lesson, session, behaviour };

struct Prepared {
  const OutboxRow* row;
  json::object item;
};

}  // namespace

Result<std::string> read_wonde_token(const std::filesystem::path& token_file) {
  std::ifstream in(token_file);
  std::string token;
  if (!in || !std::getline(in, token))
    return make_error(token_file.string(), "cannot read the Wonde token",
                      "put the API token on the first line of [writeback] token_file");
  auto b = token.find_first_not_of(" \t\r\n");
  auto e = token.find_last_not_of(" \t\r\n");
  token = b == std::string::npos ? std::string() : token.substr(b, e - b + 1);
  if (token.empty())
    return make_error(token_file.string(), "the Wonde token file is empty",
                      "put the API token on the first line of [writeback] token_file");
  return Result<std::string>(boost::system::in_place_value, token);
}

std::string wonde_idempotency_id(const std::string& send_key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(send_key.data(), send_key.size(), md, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "iesync-";
  for (unsigned i = 0; i < 16 && i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

WondeTarget::WondeTarget(HttpClient& http, WondeOptions opts) : http_(http), opts_(std::move(opts)) {
  while (!opts_.api_base.empty() && opts_.api_base.back() == '/') opts_.api_base.pop_back();
  if (opts_.batch_size < 1) opts_.batch_size = 1;
}

std::string WondeTarget::school_url(const std::string& rest) const {
  return opts_.api_base + "/schools/" + opts_.school_id + "/" + rest;
}

HttpRequest WondeTarget::request(const std::string& method, const std::string& url,
                                 std::string body) const {
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.headers.emplace_back("Authorization", "Basic " + base64(opts_.token + ":"));
  r.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Result<std::vector<json::value>> WondeTarget::get_all(const std::string& first_url) {
  std::vector<json::value> out;
  std::string url = first_url;
  for (int page = 0; page < 10000 && !url.empty(); ++page) {
    auto resp = http_.send(request("GET", url, {}));
    if (!resp)
      return make_error(printable(url), "Wonde could not be reached: " + resp.error().message,
                        "write-back is tried again next cycle; check the network and api_base");
    if (resp->status != 200)
      return make_error(printable(url),
                        "Wonde answered HTTP " + std::to_string(resp->status) + ": " +
                            snippet(resp->body),
                        resp->status == 401 || resp->status == 403
                            ? "check the token in [writeback] token_file and the school_id"
                            : "write-back is tried again next cycle");
    boost::system::error_code ec;
    auto v = json::parse(resp->body, ec);
    if (ec || !v.is_object())
      return make_error(printable(url), "Wonde's answer is not JSON",
                        "check [writeback] api_base points at the Wonde API");
    auto* data = v.as_object().if_contains("data");
    if (data && data->is_array())
      for (auto& e : data->as_array()) out.push_back(e);
    else if (data)
      out.push_back(*data);
    auto next = str_at(v, {"meta", "pagination", "next"});
    // Follow only links back into the same API, so a bad answer cannot send our token away.
    url = next.rfind(opts_.api_base + "/", 0) == 0 ? next : std::string();
  }
  return out;
}

Result<void> WondeTarget::load_students() {
  if (students_) return {};
  auto all = get_all(school_url("students/?include=education_details&per_page=200"));
  if (!all) return all.error();
  std::map<std::string, std::string> m, by_upn;
  for (auto& s : *all) {
    auto id = str_at(s, {"id"});
    auto adno = str_at(s, {"education_details", "data", "admission_number"});
    auto upn = str_at(s, {"education_details", "data", "upn"});
    if (!adno.empty()) m.emplace(adno, id);
    if (!upn.empty()) by_upn.emplace(upn, id);
  }
  for (auto& [u, id] : by_upn) m.emplace(u, id);  // admission number wins on a clash
  students_ = std::move(m);
  return {};
}

Result<void> WondeTarget::load_codes() {
  if (codes_) return {};
  auto all = get_all(school_url("attendance-codes/"));
  if (!all) return all.error();
  std::map<std::string, std::string> m;
  for (auto& c : *all) m.emplace(str_at(c, {"code"}), str_at(c, {"id"}));
  codes_ = std::move(m);
  return {};
}

Result<void> WondeTarget::load_lessons(const std::string& date) {
  if (lessons_.count(date)) return {};
  auto all = get_all(school_url("lessons/?include=class&per_page=200&lessons_start_after=" + date +
                                "%2000:00:00&lessons_start_before=" + date + "%2023:59:59"));
  if (!all) return all.error();
  std::vector<Lesson> v;
  for (auto& l : *all) {
    auto start = str_at(l, {"start_at", "date"});  // "YYYY-MM-DD HH:MM:SS.000000"
    if (start.size() < 16 || start.compare(0, 10, date) != 0) continue;
    v.push_back({str_at(l, {"id"}), str_at(l, {"class", "data", "name"}), start.substr(11, 5)});
  }
  lessons_[date] = std::move(v);
  return {};
}

Result<std::string> WondeTarget::load_exclusion_type() {
  if (exclusion_type_) return Result<std::string>(boost::system::in_place_value, *exclusion_type_);
  auto all = get_all(school_url("behaviours/attributes/"));
  if (!all) return all.error();
  for (auto& a : *all) {
    auto* types = a.is_object() ? a.as_object().if_contains("types") : nullptr;
    if (!types || !types->is_array()) continue;
    for (auto& t : types->as_array())
      if (lower(str_at(t, {"description"})).find("internal exclusion") != std::string::npos) {
        exclusion_type_ = str_at(t, {"code"});
        return Result<std::string>(boost::system::in_place_value, *exclusion_type_);
      }
  }
  return make_error(school_url("behaviours/attributes/"),
                    "the MIS has no behaviour type described as \"Internal exclusion\"",
                    "add one in the MIS behaviour lookups, then run: iesync outbox retry ID");
}

Result<SendOutcome> WondeTarget::send(std::span<const OutboxRow> rows) {
  SendOutcome out;
  auto fail = [&](const OutboxRow& r, std::string why) {
    out.items.push_back({r.id, ItemResult::failed, {}, std::move(why), std::nullopt, std::nullopt});
  };
  if (auto r = load_students(); !r) return r.error();
  if (auto r = load_codes(); !r) return r.error();

  std::vector<Prepared> lesson, session, behaviour;
  for (const auto& row : rows) {
    const auto& it = row.item;
    auto sid = students_->find(it.student_id);
    if (sid == students_->end()) {
      fail(row, "student " + it.student_id + " is not in the MIS via Wonde (no admission number "
                "or UPN " + it.student_id + ")");
      continue;
    }
    const bool is_lesson = it.kind == WriteKind::lesson_mark ||
                           (it.kind == WriteKind::retraction && !it.class_code.empty());
    const bool is_session = it.kind == WriteKind::session_mark ||
                            (it.kind == WriteKind::retraction && !it.session.empty() && !is_lesson);
    json::object o;
    if (is_lesson || is_session) {
      auto code = codes_->find(it.code);
      if (code == codes_->end()) {
        fail(row, "the MIS has no attendance code \"" + it.code + "\"");
        continue;
      }
      if (is_lesson) {
        if (auto r = load_lessons(it.date.iso()); !r) return r.error();
        const auto& ls = lessons_[it.date.iso()];
        auto l = std::find_if(ls.begin(), ls.end(), [&](const Lesson& x) {
          return x.class_name == it.class_code && x.start == it.start.str();
        });
        if (l == ls.end()) {
          fail(row, "the MIS has no lesson of " + it.class_code + " at " + it.start.str() +
                        " on " + it.date.iso());
          continue;
        }
        o["lesson_id"] = l->id;
        o["student_id"] = sid->second;
        o["attendance_code_id"] = code->second;
      } else {
        o["date"] = it.date.iso();
        o["session"] = it.session;
        o["student_id"] = sid->second;
        o["attendance_code_id"] = code->second;
        if (!it.comment.empty()) o["comment"] = it.comment;
      }
      o["idempotency_id"] = wonde_idempotency_id(row.send_key());
      (is_lesson ? lesson : session).push_back({&row, std::move(o)});
    } else if (it.kind == WriteKind::exclusion) {
      auto type = load_exclusion_type();
      if (!type) {
        fail(row, type.error().message + "; " + type.error().fix);
        continue;
      }
      o["students"] = json::array{json::object{{"student_id", sid->second}}};
      o["date"] = it.date.iso();
      o["type"] = *type;
      std::string comment = "Internal exclusion " + it.start.str() + "-" + it.end.str() +
                            ", reason " + (it.reason.empty() ? "-" : it.reason) + ", " +
                            std::to_string(it.lessons_missed) + " lessons missed (booking " +
                            it.booking_id + ")";
      if (!it.comment.empty()) comment = it.comment;
      o["comment"] = comment;
      o["idempotency_id"] = wonde_idempotency_id(row.send_key());
      behaviour.push_back({&row, std::move(o)});
    } else {
      fail(row, "an exclusion record cannot be withdrawn through Wonde's write-back API; "
                "remove it in the MIS by hand, then discard this item");
    }
  }

  bool stop = false;
  // Posts one batch; handles the answer; on a conflict sends the rest again without them.
  auto post = [&](Endpoint ep, std::vector<Prepared> batch) {
    const std::string url = school_url(ep == Endpoint::lesson    ? "attendance/lesson/"
                                       : ep == Endpoint::session ? "attendance/session/"
                                                                 : "behaviours/");
    const size_t max_rounds = batch.size() + 1;
    for (size_t round = 0; round < max_rounds && !batch.empty() && !stop; ++round) {
      std::string body;
      if (ep == Endpoint::behaviour) {
        body = json::serialize(batch.front().item);
      } else {
        json::array a;
        for (auto& p : batch) a.push_back(p.item);
        body = json::serialize(json::object{{"attendance", std::move(a)}});
      }
      auto all = [&](ItemResult res, std::string detail, std::string ref = {},
                     std::optional<std::chrono::seconds> ra = std::nullopt) {
        for (auto& p : batch) out.items.push_back({p.row->id, res, ref, detail, ra, std::nullopt});
      };
      auto resp = http_.send(request("POST", url, body));
      if (!resp) {
        all(ItemResult::retry, "Wonde could not be reached: " + resp.error().message);
        stop = true;
        return;
      }
      const int s = resp->status;
      if (s >= 200 && s < 300) {
        boost::system::error_code ec;
        auto v = json::parse(resp->body, ec);
        std::string wb = ec ? std::string() : str_at(v, {"writeback_id"});
        all(ItemResult::confirmed, {}, wb);
        return;
      }
      if (s == 429 || s >= 500) {
        std::optional<std::chrono::seconds> ra;
        auto h = resp->header("Retry-After");
        if (!h.empty() && std::all_of(h.begin(), h.end(), [](char c) { return c >= '0' && c <= '9'; }))
          ra = std::chrono::seconds(std::stoll(h));
        all(ItemResult::retry, "Wonde answered HTTP " + std::to_string(s), {}, ra);
        stop = true;  // the MIS is busy or down: leave the rest for the next run
        return;
      }
      boost::system::error_code ec;
      auto v = json::parse(resp->body, ec);
      const json::array* conflicts = nullptr;
      if (!ec && v.is_object())
        if (auto* c = v.as_object().if_contains("conflicts"); c && c->is_array())
          conflicts = &c->as_array();
      if ((s == 409 || s == 422) && conflicts && !conflicts->empty()) {
        std::vector<bool> hit(batch.size(), false);
        for (auto& c : *conflicts) {
          if (!c.is_object()) continue;
          auto* ix = c.as_object().if_contains("index");
          if (!ix || !ix->is_int64() || ix->as_int64() < 0 ||
              static_cast<size_t>(ix->as_int64()) >= batch.size())
            continue;
          auto i = static_cast<size_t>(ix->as_int64());
          if (hit[i]) continue;
          hit[i] = true;
          const auto& it = batch[i].row->item;
          auto existing = str_at(c, {"existing_code"});
          std::string where = ep == Endpoint::lesson ? it.class_code + " " + it.start.str()
                                                     : it.session + " session";
          out.items.push_back({batch[i].row->id, ItemResult::conflict, {},
                               "the MIS already holds the mark \"" + existing + "\" for " +
                                   where + " on " + it.date.iso() + " (entered in the MIS)",
                               std::nullopt, std::nullopt});
        }
        std::vector<Prepared> rest;
        for (size_t i = 0; i < batch.size(); ++i)
          if (!hit[i]) rest.push_back(std::move(batch[i]));
        if (rest.size() == batch.size()) {  // a conflicts list we could not use
          all(ItemResult::failed, "HTTP " + std::to_string(s) + ": " + snippet(resp->body));
          return;
        }
        batch = std::move(rest);
        continue;
      }
      if (s == 401 || s == 403) {
        all(ItemResult::failed, "Wonde refused the credentials (HTTP " + std::to_string(s) +
                                    "); check [writeback] token_file and school_id");
        stop = true;
        return;
      }
      all(ItemResult::failed, "HTTP " + std::to_string(s) + ": " + snippet(resp->body));
      return;
    }
  };
  auto chunks = [&](Endpoint ep, std::vector<Prepared>& v) {
    const size_t n = ep == Endpoint::behaviour ? 1 : static_cast<size_t>(opts_.batch_size);
    for (size_t i = 0; i < v.size() && !stop; i += n)
      post(ep, std::vector<Prepared>(v.begin() + static_cast<long>(i),
                                     v.begin() + static_cast<long>(std::min(v.size(), i + n))));
  };
  chunks(Endpoint::lesson, lesson);
  chunks(Endpoint::session, session);
  chunks(Endpoint::behaviour, behaviour);
  return out;
}

}  // namespace iesync
