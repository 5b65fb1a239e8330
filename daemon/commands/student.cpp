// `iesync student export ID [--out FILE]` and `iesync student erase ID [--yes]` (SPEC §1):
// subject access and erasure for one student. The store work is in store/student_data.h;
// this file is the command line around it. See docs/data-protection.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>

#include "connectors/mis/feed_files.h"
#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "daemon/runtime.h"
#include "mapping/shown_text.h"
#include "store/student_data.h"

namespace iesync {

namespace {

namespace json = boost::json;

// Indented JSON: a subject access response is read by people (a parent, the DPO).
void pretty(std::ostream& os, const json::value& v, int indent = 0) {
  const std::string pad(size_t(indent) * 2, ' ');
  const std::string inner(size_t(indent + 1) * 2, ' ');
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      os << "{}";
      return;
    }
    os << "{\n";
    bool first = true;
    for (const auto& [k, x] : o) {
      if (!first) os << ",\n";
      first = false;
      os << inner << json::serialize(json::string(k)) << ": ";
      pretty(os, x, indent + 1);
    }
    os << "\n" << pad << "}";
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      os << "[]";
      return;
    }
    os << "[\n";
    bool first = true;
    for (const auto& x : a) {
      if (!first) os << ",\n";
      first = false;
      os << inner;
      pretty(os, x, indent + 1);
    }
    os << "\n" << pad << "]";
  } else {
    os << json::serialize(v);
  }
}

int unknown(const std::string& id) {
  std::cerr << "no student with id " << id
            << " in the store; check the id (ids keep their leading zeros)\n";
  return ExitCode::problems;
}

// The export holds a child's record: the file is the owner's alone, even if it existed.
bool write_private(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << path << ": cannot write the export: " << std::strerror(errno)
              << "; choose a file in a folder you can write to\n";
    return false;
  }
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += size_t(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) std::cerr << path << ": writing the export failed; check the disk is not full\n";
  return ok;
}

std::string display_name(const json::object& doc, const std::string& id) {
  const auto& st = doc.at("student");
  if (!st.is_object()) return "student " + id;
  const auto& o = st.get_object();
  auto text = [&](const char* k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  // Printed to a terminal: the name came from an export.
  return shown(text("forename") + " " + text("surname") + " (" + id + ")");
}

int do_export(Runtime& rt, const StudentRef& who, const StudentOptions& o, const Clock& clock) {
  auto doc = export_student(*rt.store, who, clock.now());
  if (!doc) {
    std::cerr << doc.error().to_string() << "\n";
    return ExitCode::failed;
  }
  if (!*doc) return unknown(who.id);
  std::ostringstream os;
  pretty(os, **doc);
  os << "\n";
  if (o.out.empty()) {
    std::cout << os.str();
    return ExitCode::ok;
  }
  if (!write_private(o.out, os.str())) return ExitCode::failed;
  std::cerr << "Wrote everything iesync holds about " << display_name(**doc, who.id) << " to "
            << o.out << " (mode 0600).\n";
  return ExitCode::ok;
}

bool confirm(const std::string& name) {
  std::cerr << "Erase everything iesync holds about " << name
            << "? This cannot be undone (export it first with `iesync student export`).\n"
               "Type yes to erase: ";
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes" || answer == "y" || answer == "YES";
}

int do_erase(Runtime& rt, const StudentRef& who, const StudentOptions& o, const Clock& clock) {
  auto doc = export_student(*rt.store, who, clock.now());
  if (!doc) {
    std::cerr << doc.error().to_string() << "\n";
    return ExitCode::failed;
  }
  if (!*doc) return unknown(who.id);
  const std::string name = display_name(**doc, who.id);
  if (!o.yes) {
    if (!::isatty(STDIN_FILENO)) {
      std::cerr << "student erase: not erasing " << name
                << " without confirmation; add --yes to erase without asking\n";
      return ExitCode::invalid;
    }
    if (!confirm(name)) {
      std::cerr << "Nothing was erased.\n";
      return ExitCode::ok;
    }
  }
  auto erased = erase_student(*rt.store, who, clock.now());
  if (!erased) {
    std::cerr << erased.error().to_string() << "\n";
    return ExitCode::failed;
  }
  if (!*erased) return unknown(who.id);  // removed by someone else in between
  const auto& sum = **erased;
  std::cout << "Erased " << name << ": " << sum.total() << " row(s) removed (" << sum.describe()
            << "). The audit table records the erasure as sha256:" << who.id_hash
            << " without the id or any data.\n"
               "The MIS and Google Classroom keep their own records: erase the student there "
               "too, or the next changed students export brings them back.\n";
  if (!sum.vacuumed || !sum.wal_truncated) {
    std::cout << "The store file could not be compacted now (another iesync process may be "
                 "using it), so deleted pages may still hold the data; run the command again "
                 "when the daemon is stopped (`systemctl stop iesync`).\n";
  }
  if (rt.log) {
    // Names no one: the log keeps the fact of the erasure, not the person.
    rt.log->emit(Event{
        Severity::info,
        "student.erased",
        "A student record was erased at the school's request (sha256:" + who.id_hash.substr(0, 12) +
            "...); " + std::to_string(sum.total()) + " row(s) removed from the store.",
        {{"id_sha256", who.id_hash}, {"rows", std::to_string(sum.total())}}});
  }
  return ExitCode::ok;
}

}  // namespace

int cmd_student(const CommonOptions& common, const StudentOptions& o) {
  Clock& clock = common.env->clock();
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, o.action == "erase", clock, rc);
  if (!rt) return rc;
  const StudentRef who{o.id, sha256_hex(o.id)};
  return o.action == "erase" ? do_erase(*rt, who, o, clock) : do_export(*rt, who, o, clock);
}

}  // namespace iesync
