// `iesync report --from D --to D [--format html|csv] [--out FILE] [--anonymise]` (SPEC §8):
// the senior-leadership / governors report, from the store alone.
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "daemon/commands.h"
#include "daemon/exit_code.h"
#include "daemon/report/csv_report.h"
#include "daemon/report/html_report.h"
#include "daemon/runtime.h"
#include "mapping/calendar.h"
#include "mapping/report/report_data.h"
#include "store/report_query.h"

namespace iesync {

namespace {

std::optional<Date> date_arg(const char* flag, const std::string& v) {
  if (v.empty()) {
    std::cerr << flag << " is required: give the " << (flag[2] == 'f' ? "first" : "last")
              << " day of the report as YYYY-MM-DD, e.g. " << flag << " 2026-09-07\n";
    return std::nullopt;
  }
  auto d = Date::parse_iso(v);
  if (!d)
    std::cerr << flag << " " << v << ": not a date; write it as YYYY-MM-DD, e.g. 2026-09-07\n";
  return d;
}

}  // namespace

int cmd_report(const CommonOptions& common, const ReportOptions& o) {
  auto from = date_arg("--from", o.from);
  if (!from) return ExitCode::invalid;
  auto to = date_arg("--to", o.to);
  if (!to) return ExitCode::invalid;
  if (*from > *to) {
    std::cerr << "--from " << from->iso() << " is after --to " << to->iso()
              << ": swap them, or give the earlier date to --from\n";
    return ExitCode::invalid;
  }
  if (o.format != "html" && o.format != "csv") {
    std::cerr << "--format " << o.format
              << ": unknown format; use --format html (one printable "
                 "page, the default) or --format csv (a folder of tables)\n";
    return ExitCode::invalid;
  }
  if (o.format == "csv" && o.out.empty()) {
    std::cerr << "--format csv writes one file per table: name a folder for them with --out "
                 "FOLDER (it is created if missing)\n";
    return ExitCode::invalid;
  }

  Clock& clock = common.env->clock();
  int rc = ExitCode::ok;
  auto rt = open_runtime(common.config_path, false, clock, rc);
  if (!rt) return rc;
  auto cal = Calendar::build(rt->config.mapping.calendar);
  if (!cal) {
    std::cerr << cal.error().to_string() << "\n";
    return ExitCode::invalid;
  }
  auto input = load_report_input(*rt->store, rt->config, *cal, DateRange{*from, *to});
  if (!input) {
    std::cerr << input.error().to_string() << "\n";
    return ExitCode::failed;
  }
  input->anonymise = o.anonymise;
  const Date today = school_today(rt->config, clock);
  input->today = today;
  const ReportData data = build_report(*input, *cal);

  if (o.format == "html") {
    auto html = render_report_html(data, today);
    if (o.out.empty()) {
      std::cout << html;
      return ExitCode::ok;
    }
    if (auto w = write_private_file(o.out, html); !w) {
      std::cerr << w.error().to_string() << "\n";
      return ExitCode::failed;
    }
    std::cout << "Report written to " << o.out << "\n";
    return ExitCode::ok;
  }

  std::error_code ec;
  std::filesystem::path dir(o.out);
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    std::cerr << "--out " << o.out
              << ": is a file; --format csv needs a folder (it is created if missing)\n";
    return ExitCode::invalid;
  }
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      std::cerr << "--out " << o.out << ": cannot create the folder: " << ec.message()
                << "; name a folder iesync may write to\n";
      return ExitCode::failed;
    }
    ::chmod(dir.c_str(), 0750);  // the tables name children
  }
  for (const auto& f : render_report_csv(data)) {
    if (auto w = write_private_file(dir / f.name, f.content); !w) {
      std::cerr << w.error().to_string() << "\n";
      return ExitCode::failed;
    }
  }
  std::cout << "Report tables written to " << o.out << "\n";
  return ExitCode::ok;
}

}  // namespace iesync
