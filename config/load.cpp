// iesync.toml (SPEC §2) into Config, then the mapping.toml it names. Every problem is
// collected (not just the first) so the admin can fix a config in one pass.
//
// check-config does not check that export_dir, outbox_dir or the log folder exist: the MIS
// share may be mounted after boot and the daemon reports a missing folder on each cycle.
// It does check the mapping file and, with LoadOptions::check_secrets, every secret file.
#include "config/load.h"

#include <algorithm>

#include "config/load_parts.h"
#include "mapping/timezone.h"

namespace iesync {

namespace cfg {

namespace {

// A required section: report its absence at the top of the file.
const toml::table* section(TableReader& root, std::string_view name, Need need,
                           std::string_view what_to_add) {
  const toml::table* t = root.subtable(name, Need::optional);
  if (!t && need == Need::required && !root.table().get(name)) {
    root.doc().error(root.table(), "there is no [" + std::string(name) + "] table",
                     "add [" + std::string(name) + "] with " + std::string(what_to_add));
  }
  return t;
}

// A path key: non-empty string, resolved against the config file's folder.
std::optional<ResolvedPath> path_value(TableReader& r, std::string_view key, Need need,
                                       std::string_view example,
                                       const std::filesystem::path& config_path) {
  auto s = r.string(key, need, example);
  if (!s) return std::nullopt;
  if (s->empty()) {
    r.doc().error(*r.table().get(key), r.key_name(key) + " is empty",
                  "write a path, like " + std::string(example));
    return std::nullopt;
  }
  return resolve_path(config_path, *s);
}

bool http_url(std::string_view s) {
  return (s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0) && s.size() > 8;
}

std::optional<std::string> url_value(TableReader& r, std::string_view key, std::string_view example,
                                     bool allow_empty = false) {
  auto s = r.string(key, Need::optional, example);
  if (!s) return std::nullopt;
  if ((allow_empty && s->empty()) || http_url(*s)) return s;
  r.doc().error(*r.table().get(key), r.key_name(key) + ": " + dq(*s) + " is not a web address",
                "write it starting with https:// (or http://), like " + std::string(example));
  return std::nullopt;
}

void read_school(TableReader& r, Config& c, const std::filesystem::path& config_path,
                 const toml::node** mapping_node) {
  if (auto s = r.string("name", Need::required, "\"Example Academy\"")) {
    if (s->empty())
      r.doc().error(*r.table().get("name"), "[school] name is empty",
                    "write the school's name, like \"Example Academy\"");
    c.school.name = *s;
  }
  if (auto tz = r.string("timezone", Need::optional, "\"Europe/London\"")) {
    if (!TimeZone::named(*tz)) {
      r.doc().error(*r.table().get("timezone"),
                    "[school] timezone: " + dq(*tz) + " is not a time zone iesync knows",
                    "use \"Europe/London\" (every UK school) or \"UTC\"");
    } else {
      c.school.timezone = *tz;
    }
  }
  if (auto p = path_value(r, "mapping", Need::required, "\"mapping.toml\"", config_path)) {
    c.school.mapping = p->absolute;
    *mapping_node = r.table().get("mapping");
  }
  r.finish();
}

void read_store(TableReader& r, Config& c, const std::filesystem::path& config_path) {
  if (auto p = path_value(r, "path", Need::optional, "\"/var/lib/iesync/iesync.db\"", config_path))
    c.store.path = p->absolute;
  if (auto d = r.duration("retain", Need::optional, "\"3y\"")) {
    if (*d < std::chrono::days{30}) {
      r.doc().error(*r.table().get("retain"),
                    "[store] retain: " + format_duration(*d) + " is shorter than 30 days",
                    "keep at least \"30d\" so reports and appeals can see recent sessions");
    } else {
      c.store.retain = *d;
    }
  }
  r.finish();
}

void read_feeds(TableReader& mis, const toml::table& feeds, Config& c) {
  TableReader r(mis.doc(), feeds, "mis.feeds");
  r.set_nouns("feed", "table");
  for (Feed f : kAllFeeds) {
    const std::string name = feed_name(f);
    const std::string example = f == Feed::bookings ? "\"ie-bookings.xml\"" : dq(name + ".xml");
    const toml::node* n = r.get(name);
    if (!n && feed_optional(f)) continue;
    if (!n) {
      mis.doc().error(feeds, "[mis] feeds has no " + dq(name) + " file",
                      "add feeds." + name + " = " + example +
                          " under [mis] (a file name or "
                          "glob inside export_dir)");
      continue;
    }
    auto s = r.string(name, Need::optional, example);
    if (!s) continue;
    if (s->empty() || s->front() == '/' || s->find("..") != std::string::npos) {
      mis.doc().error(
          *n, "[mis] feeds." + name + ": " + dq(*s) + " is not a file name inside export_dir",
          "write the file name (or a glob like \"" + name +
              "*.xml\") as it "
              "appears in export_dir, like " +
              example);
      continue;
    }
    c.mis.feeds[f] = *s;
  }
  r.finish();
}

void read_mis(TableReader& r, Config& c, const std::filesystem::path& config_path) {
  if (auto p = path_value(r, "export_dir", Need::required, "\"/srv/mis-exports\"", config_path))
    c.mis.export_dir = p->absolute;
  if (auto f = r.string("format", Need::optional, "\"xml\"")) {
    if (*f == "xml")
      c.mis.format = FeedFormat::xml;
    else if (*f == "csv")
      c.mis.format = FeedFormat::csv;
    else
      r.doc().error(*r.table().get("format"),
                    "[mis] format: " + dq(*f) + " is not a format iesync reads",
                    "use \"xml\" (SIMS CommandReporter) or \"csv\"");
  }
  if (auto e = r.string("encoding", Need::optional, "\"utf-8\"")) {
    if (*e == "utf-8")
      c.mis.encoding = FeedEncoding::utf8;
    else if (*e == "windows-1252")
      c.mis.encoding = FeedEncoding::windows1252;
    else
      r.doc().error(*r.table().get("encoding"), "[mis] encoding: " + dq(*e) + " is not supported",
                    "use \"utf-8\" or \"windows-1252\"");
  }
  if (auto feeds = r.subtable("feeds", Need::required, "{ students = \"students.xml\", ... }"))
    read_feeds(r, *feeds, c);
  r.finish();
}

void read_classroom(TableReader& r, Config& c, const std::filesystem::path& config_path,
                    const LoadOptions& opts) {
  if (auto b = r.boolean("enabled")) c.classroom.enabled = *b;
  if (auto u = url_value(r, "api_base", "\"https://classroom.googleapis.com\""))
    c.classroom.api_base = *u;
  if (auto u = url_value(r, "token_uri", "\"https://oauth2.googleapis.com/token\""))
    c.classroom.token_uri = *u;
  auto key =
      path_value(r, "key_file", Need::optional, "\"/etc/iesync/classroom-key.json\"", config_path);
  if (key) c.classroom.key_file = key->absolute;
  if (auto s = r.string("impersonate", Need::optional, "\"iesync-reader@example.sch.uk\"")) {
    if (s->find('@') == std::string::npos || s->front() == '@' || s->back() == '@')
      r.doc().error(*r.table().get("impersonate"),
                    "[classroom] impersonate: " + dq(*s) + " is not an email address",
                    "write the Workspace user the service account acts as, like "
                    "\"iesync-reader@example.sch.uk\"");
    else
      c.classroom.impersonate = *s;
  }
  if (auto u = url_value(r, "proxy", "\"http://proxy.school.lan:3128\"", true))
    c.classroom.proxy = *u;
  if (c.classroom.enabled) {
    if (!r.table().get("key_file"))
      r.doc().error(r.table(), "[classroom] is enabled but has no key_file",
                    "add key_file = \"/etc/iesync/classroom-key.json\" (the service account key), "
                    "or set enabled = false");
    if (!r.table().get("impersonate"))
      r.doc().error(r.table(), "[classroom] is enabled but has no impersonate",
                    "add impersonate = \"iesync-reader@example.sch.uk\" (the Workspace user the "
                    "service account acts as), or set enabled = false");
    if (key && opts.check_secrets)
      check_secret(r.doc(), *r.table().get("key_file"), "[classroom] key_file", *key);
  }
  r.finish();
}

std::string trim_copy(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

void read_writeback(TableReader& r, Config& c, const std::filesystem::path& config_path,
                    const LoadOptions& opts) {
  if (auto t = r.string("target", Need::optional, "\"file\"")) {
    if (*t == "file")
      c.writeback.target = WritebackTarget::file;
    else if (*t == "wonde")
      c.writeback.target = WritebackTarget::wonde;
    else
      r.doc().error(*r.table().get("target"),
                    "[writeback] target: " + dq(*t) + " is not a write-back target",
                    "use \"file\" (a drop folder the MIS imports) or \"wonde\" (the Wonde API)");
  }
  const bool file = c.writeback.target == WritebackTarget::file;
  if (auto p = path_value(r, "outbox_dir", file ? Need::required : Need::optional,
                          "\"/srv/mis-imports\"", config_path))
    c.writeback.outbox_dir = p->absolute;
  if (auto u = url_value(r, "api_base", "\"https://api.wonde.com/v1.0\""))
    c.writeback.api_base = *u;
  if (auto s = r.string("school_id", file ? Need::optional : Need::required, "\"A1930499544\"")) {
    if (s->empty() && !file)
      r.doc().error(*r.table().get("school_id"), "[writeback] school_id is empty",
                    "write the school's Wonde id, like \"A1930499544\"");
    c.writeback.school_id = *s;
  }
  auto token = path_value(r, "token_file", file ? Need::optional : Need::required,
                          "\"/etc/iesync/wonde-token\"", config_path);
  if (token) {
    c.writeback.token_file = token->absolute;
    if (!file && opts.check_secrets)
      check_secret(r.doc(), *r.table().get("token_file"), "[writeback] token_file", *token);
  }
  if (auto s = r.string("behaviour_type", Need::optional, "\"Internal exclusion\"")) {
    if (trim_copy(*s).empty())
      r.doc().error(*r.table().get("behaviour_type"), "[writeback] behaviour_type is empty",
                    "write the name of the MIS's behaviour type for an internal exclusion, "
                    "like \"Internal exclusion\"");
    else
      c.writeback.behaviour_type = *s;
  }
  // An empty action is allowed: the record then goes without one.
  if (auto s = r.string("behaviour_action", Need::optional, "\"Internal exclusion\""))
    c.writeback.behaviour_action = *s;
  r.finish();
}

void read_schedule(TableReader& r, Config& c) {
  if (auto d = r.duration("interval", Need::optional, "\"15m\"")) {
    if (*d < std::chrono::minutes{1})
      r.doc().error(*r.table().get("interval"),
                    "[schedule] interval: " + format_duration(*d) + " is shorter than a minute",
                    "use \"1m\" or more, like \"15m\"");
    else
      c.schedule.interval = *d;
  }
  if (auto h = r.time_range("school_hours", Need::optional, "\"07:30-17:00\""))
    c.schedule.school_hours = *h;
  if (auto days = r.string_array("days", Need::optional, "[\"Mon\", \"Tue\"]")) {
    const auto& arr = *r.table().get("days")->as_array();
    std::vector<int> out;
    for (size_t i = 0; i < days->size(); ++i) {
      auto wd = parse_weekday((*days)[i]);
      if (!wd) {
        r.doc().error(arr[i], "[schedule] days: " + dq((*days)[i]) + " is not a day name",
                      "use Mon, Tue, Wed, Thu, Fri, Sat or Sun");
      } else if (std::find(out.begin(), out.end(), *wd) != out.end()) {
        r.doc().error(arr[i], "[schedule] days: " + dq((*days)[i]) + " is listed twice",
                      "list each day once");
      } else {
        out.push_back(*wd);
      }
    }
    if (days->empty())
      r.doc().error(
          *r.table().get("days"), "[schedule] days is empty",
          "list the days iesync runs, like [\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\"]");
    else if (out.size() == days->size())
      c.schedule.days = out;
  }
  if (auto n = r.integer("look_ahead", Need::optional, "2")) {
    if (*n < 0 || *n > 10)
      r.doc().error(*r.table().get("look_ahead"),
                    "[schedule] look_ahead: " + std::to_string(*n) + " is not between 0 and 10",
                    "use the number of school days after today to reconcile, like 2");
    else
      c.schedule.look_ahead = int(*n);
  }
  if (auto n = r.integer("catch_up", Need::optional, "10")) {
    if (*n < 0 || *n > 60)
      r.doc().error(*r.table().get("catch_up"),
                    "[schedule] catch_up: " + std::to_string(*n) + " is not between 0 and 60",
                    "use how many past school days a restarted iesync may catch up, like 10");
    else
      c.schedule.catch_up = int(*n);
  }
  r.finish();
}

void read_status(TableReader& r, Config& c, const std::filesystem::path& config_path,
                 const LoadOptions& opts) {
  bool listen_ok = false;
  if (auto l = r.string("listen", Need::optional, "\"127.0.0.1:8470\"")) {
    if (auto hp = parse_listen(*l)) {
      c.status.host = hp->first;
      c.status.port = hp->second;
      listen_ok = true;
    } else {
      r.doc().error(*r.table().get("listen"), "[status] listen: " + dq(*l) + " is not HOST:PORT",
                    "write an address and port, like \"127.0.0.1:8470\" (IPv6 as \"[::1]:8470\")");
    }
  }
  std::optional<ResolvedPath> token;
  if (auto s = r.string("token_file", Need::optional, "\"/etc/iesync/status-token\"")) {
    if (!s->empty()) {
      token = resolve_path(config_path, *s);
      c.status.token_file = token->absolute;
      if (opts.check_secrets)
        check_secret(r.doc(), *r.table().get("token_file"), "[status] token_file", *token);
    }
  }
  if (listen_ok && !c.status.loopback_only() && !token) {
    r.doc().error(*r.table().get("listen"),
                  "[status] listen: " + dq(r.table().get("listen")->as_string()->get()) +
                      " can be reached from other machines but there is no token_file",
                  "set token_file to a file holding the status token (chmod 600), or listen on "
                  "\"127.0.0.1:8470\"");
  }
  r.finish();
}

void read_log(TableReader& r, Config& c, const std::filesystem::path& config_path) {
  if (auto p = path_value(r, "dir", Need::optional, "\"/var/log/iesync\"", config_path))
    c.log.dir = p->absolute;
  if (auto l = r.string("level", Need::optional, "\"info\"")) {
    static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error"};
    if (std::find(levels.begin(), levels.end(), *l) == levels.end())
      r.doc().error(*r.table().get("level"), "[log] level: " + dq(*l) + " is not a log level",
                    "use \"trace\", \"debug\", \"info\", \"warn\" or \"error\"");
    else
      c.log.level = *l;
  }
  r.finish();
}

void read_safety(TableReader& r, Config& c) {
  if (auto p = r.percent("max_roster_drop", Need::optional, "\"15%\""))
    c.safety.max_roster_drop = *p;
  r.finish();
}

// [impact] (SPEC §10). Each threshold is an inline table { count = N, within = DAYS }.
void read_threshold(TableReader& r, std::string_view key, ImpactThreshold& out,
                    std::string_view example) {
  const toml::table* t = r.subtable(key, Need::optional, example);
  if (!t) return;
  TableReader tr(r.doc(), *t, "impact." + std::string(key));
  ImpactThreshold v = out;
  bool ok = true;
  for (auto [name, slot] : {std::pair{"count", &v.count}, std::pair{"within", &v.within}}) {
    auto n = tr.integer(name, Need::required, name == std::string_view("count") ? "3" : "30");
    if (!n) {
      ok = false;
      continue;
    }
    if (*n < 1 || *n > 400) {
      r.doc().error(
          *t->get(name),
          "[impact] " + std::string(key) + "." + name + ": " + std::to_string(*n) +
              " is not between 1 and 400",
          "write a whole number of " +
              std::string(name == std::string_view("count") ? "IEs or incidents" : "school days") +
              ", like " + std::string(example));
      ok = false;
      continue;
    }
    *slot = static_cast<int>(*n);
  }
  tr.finish();
  if (ok) out = v;
}

void read_impact(TableReader& r, Config& c) {
  if (const toml::node* n = r.get("windows")) {
    const toml::array* arr = n->as_array();
    std::vector<int> windows;
    bool ok = arr != nullptr && !arr->empty();
    if (!arr)
      r.wrong_type(*n, "windows", "an array of whole numbers of school days", "[10, 20]");
    else if (arr->empty())
      r.doc().error(*n, "[impact] windows is empty",
                    "list the school days compared, like [10, 20]");
    for (std::size_t i = 0; arr && i < arr->size(); ++i) {
      auto v = (*arr)[i].value<int64_t>();
      if (!v || !(*arr)[i].is_integer() || *v < 1 || *v > 200) {
        r.doc().error((*arr)[i],
                      "[impact] windows: each entry must be a whole number of school "
                      "days from 1 to 200",
                      "write it like [10, 20]");
        ok = false;
      } else if (std::find(windows.begin(), windows.end(), static_cast<int>(*v)) != windows.end()) {
        r.doc().error((*arr)[i], "[impact] windows: " + std::to_string(*v) + " is listed twice",
                      "list each window once");
        ok = false;
      } else {
        windows.push_back(static_cast<int>(*v));
      }
    }
    if (ok) {
      std::sort(windows.begin(), windows.end());
      c.impact.windows = windows;
    }
  }
  read_threshold(r, "repeat_ie", c.impact.repeat_ie, "{ count = 3, within = 30 }");
  read_threshold(r, "sen_repeat_ie", c.impact.sen_repeat_ie, "{ count = 2, within = 30 }");
  read_threshold(r, "incidents_after_return", c.impact.incidents_after_return,
                 "{ count = 2, within = 10 }");
  r.finish();
}

void read_mapping_file(Doc& doc, const toml::node& at, const std::filesystem::path& config_path,
                       const std::string& value, Config& c, std::optional<Doc>& mdoc) {
  auto p = resolve_path(config_path, value);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p.absolute, ec)) {
    doc.error(at, "[school] mapping: " + p.display + " does not exist",
              "create it (see examples/demo/mapping.toml) or correct the path; it is relative "
              "to this file's folder");
    return;
  }
  mdoc.emplace(p.display);
  c.mapping.source = p.absolute;
  if (auto root = mdoc->parse(p.absolute)) read_mapping(*mdoc, *root, c.mapping);
}

}  // namespace

ResolvedPath resolve_path(const std::filesystem::path& naming_file, const std::string& value) {
  std::filesystem::path v(value);
  ResolvedPath out;
  std::error_code ec;
  auto abs_dir = std::filesystem::absolute(naming_file, ec).parent_path();
  out.absolute = (abs_dir / v).lexically_normal();
  out.display = (naming_file.parent_path() / v).lexically_normal().string();
  return out;
}

}  // namespace cfg

LoadedConfig load_config(const std::filesystem::path& path, const LoadOptions& opts) {
  using namespace cfg;
  LoadedConfig out;
  Config& c = out.config;
  std::error_code ec;
  c.source = std::filesystem::absolute(path, ec).lexically_normal();
  // SPEC defaults for keys whose default is a path.
  c.store.path = "/var/lib/iesync/iesync.db";
  c.log.dir = "/var/log/iesync";

  Doc doc(path.string());
  std::optional<Doc> mdoc;
  if (auto root = doc.parse(path)) {
    TableReader r(doc, *root, "");
    const toml::node* mapping_node = nullptr;
    if (auto t =
            section(r, "school", Need::required, "name = \"...\" and mapping = \"mapping.toml\"")) {
      TableReader s(doc, *t, "school");
      read_school(s, c, path, &mapping_node);
    }
    if (auto t = section(r, "store", Need::optional, "")) {
      TableReader s(doc, *t, "store");
      read_store(s, c, path);
    }
    if (auto t = section(r, "mis", Need::required,
                         "export_dir = \"...\" and feeds.students = \"students.xml\" etc.")) {
      TableReader s(doc, *t, "mis");
      read_mis(s, c, path);
    }
    if (auto t = section(r, "classroom", Need::optional, "")) {
      TableReader s(doc, *t, "classroom");
      read_classroom(s, c, path, opts);
    }
    if (auto t =
            section(r, "writeback", Need::required, "target = \"file\" and outbox_dir = \"...\"")) {
      TableReader s(doc, *t, "writeback");
      read_writeback(s, c, path, opts);
    }
    if (auto t = section(r, "schedule", Need::optional, "")) {
      TableReader s(doc, *t, "schedule");
      read_schedule(s, c);
    }
    if (auto t = section(r, "status", Need::optional, "")) {
      TableReader s(doc, *t, "status");
      read_status(s, c, path, opts);
    }
    if (auto t = section(r, "log", Need::optional, "")) {
      TableReader s(doc, *t, "log");
      read_log(s, c, path);
    }
    if (auto t = section(r, "safety", Need::optional, "")) {
      TableReader s(doc, *t, "safety");
      read_safety(s, c);
    }
    if (auto t = section(r, "notify", Need::optional, "")) {
      TableReader s(doc, *t, "notify");
      read_notify(s, c, path, opts);
    }
    if (auto t = section(r, "impact", Need::optional, "")) {
      TableReader s(doc, *t, "impact");
      read_impact(s, c);
    }
    r.finish();
    if (mapping_node)
      read_mapping_file(doc, *mapping_node, path, mapping_node->as_string()->get(), c, mdoc);
  }
  // The optional behaviour feed needs its captions as much as the others do.
  if (mdoc && !mdoc->has_problems() && c.mis.feeds.contains(Feed::behaviour) &&
      !c.mapping.fields.contains(Feed::behaviour))
    mdoc->file_error("[mis] feeds.behaviour is set in " + doc.display() +
                         " but there is no [fields.behaviour] table",
                     "add [fields.behaviour] with id, student_id and date (and time, type, "
                     "points, recorded_by, status as the export has them), or remove "
                     "feeds.behaviour");
  out.problems = doc.sorted_problems();
  if (mdoc) {
    auto more = mdoc->sorted_problems();
    out.problems.insert(out.problems.end(), more.begin(), more.end());
  }
  return out;
}

}  // namespace iesync
