#include "daemon/status/student_page.h"

#include <algorithm>
#include <map>

#include "base/html.h"
#include "daemon/status/json_fields.h"

namespace iesync {

namespace json = boost::json;

namespace {

using json_fields::arr;
using json_fields::flag;
using json_fields::num;
using json_fields::str;

std::string percent(long long part, long long whole) {
  if (whole <= 0) return "-";
  return std::to_string((part * 100 + whole / 2) / whole) + "%";
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
header,main{max-width:72rem;margin:0 auto;padding:.5rem 1rem}
header{border-bottom:1px solid #ccc}
h1{font-size:1.4rem;margin:.4rem 0}h2{font-size:1.2rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.3rem 0 1rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eceae4}.flag{background:#fde2e1;padding:.3rem .6rem;margin:.3rem 0}
.note{color:#555}.cut{color:#8a4b00}
svg{background:#fff;border:1px solid #ccc;margin:.3rem 0}
)";

// "4 incidents, 7 points (23 Feb to 8 Mar)", with "cut short" when it is.
std::string window_cell(const json::object& w) {
  std::string out = std::to_string(num(w, "incidents")) + " incident(s), " +
                    std::to_string(num(w, "points")) + " point(s)";
  if (!str(w, "from").empty())
    out += "<br><small>" + html_escape(str(w, "from")) + " to " + html_escape(str(w, "to")) +
           "</small>";
  if (flag(w, "cut_short"))
    out += "<br><small class=\"cut\">cut short: " +
           std::string(str(w, "from").empty() ? "no school days in the data" : "not comparable") +
           "</small>";
  return out;
}

std::string flag_title(const std::string& kind) {
  if (kind == "repeat_ie") return "Repeat IE";
  if (kind == "sen_repeat_ie") return "Repeat IE, pupil with SEN";
  if (kind == "incidents_after_return") return "Incidents after return";
  return kind;
}

}  // namespace

std::string ie_timeline_svg(const json::object& widest, Date first, Date last,
                            const json::array& incidents) {
  // The span: the widest window's days, else two weeks either side of the IE.
  Date from = first.plus_days(-14), to = last.plus_days(14);
  auto before = widest.find("before"), after = widest.find("after");
  if (before != widest.end() && before->value().is_object())
    if (auto d = Date::parse_iso(str(before->value().as_object(), "from"))) from = *d;
  if (after != widest.end() && after->value().is_object())
    if (auto d = Date::parse_iso(str(after->value().as_object(), "to"))) to = *d;
  from = std::min(from, first.plus_days(-1));
  to = std::max(to, last.plus_days(1));
  const int span = std::max(1, days_between(from, to));
  constexpr int kW = 640, kH = 70, kPad = 20;
  auto x = [&](Date d) {
    return kPad +
           static_cast<int>(static_cast<long long>(days_between(from, d)) * (kW - 2 * kPad) / span);
  };
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kW) +
                    "\" height=\"" + std::to_string(kH) +
                    "\" role=\"img\" aria-label=\"Incidents from " + from.iso() + " to " +
                    to.iso() + " around the IE of " + first.iso() + "\">";
  out += "<line x1=\"" + std::to_string(kPad) + "\" y1=\"40\" x2=\"" + std::to_string(kW - kPad) +
         "\" y2=\"40\" stroke=\"#888\"/>";
  const int x1 = x(first), x2 = std::max(x(last.plus_days(1)), x1 + 3);
  out += "<rect class=\"ie\" x=\"" + std::to_string(x1) + "\" y=\"22\" width=\"" +
         std::to_string(x2 - x1) + "\" height=\"36\" fill=\"#f4b6b0\"><title>IE " + first.iso() +
         (last != first ? " to " + last.iso() : std::string()) + "</title></rect>";
  for (const auto& iv : incidents) {
    const auto& i = iv.as_object();
    auto d = Date::parse_iso(str(i, "date"));
    if (!d || *d < from || *d > to) continue;
    const long long pts = std::clamp<long long>(num(i, "points"), 0, 5);
    out += "<circle class=\"incident\" cx=\"" + std::to_string(x(*d) + 2) + "\" cy=\"40\" r=\"" +
           std::to_string(3 + pts) + "\" fill=\"#a4000f\" fill-opacity=\"0.6\"><title>" +
           html_escape(d->iso() + " " + str(i, "type") + " (" + std::to_string(num(i, "points")) +
                       " points)") +
           "</title></circle>";
  }
  out += "<text x=\"" + std::to_string(kPad) + "\" y=\"68\" font-size=\"11\">" + from.iso() +
         "</text><text x=\"" + std::to_string(kW - kPad) +
         "\" y=\"68\" font-size=\"11\" "
         "text-anchor=\"end\">" +
         to.iso() + "</text></svg>";
  return out;
}

std::string render_student_page(const json::object& doc, const StatusSnapshot& snap) {
  const json::object none;
  auto st = doc.find("student");
  const json::object& student =
      st != doc.end() && st->value().is_object() ? st->value().as_object() : none;
  std::string name = str(student, "name");
  if (name.empty()) name = "Pupil " + str(student, "id");
  std::string out =
      "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
      html_escape(name) + " - IE history</title><style>" + kStyle +
      "</style></head><body>\n<header><p><a href=\"/\">&larr; Dashboard</a> &middot; " +
      html_escape(snap.school_name) + "</p><h1>" + html_escape(name) + "</h1><p>" +
      "Admission number " + html_escape(str(student, "id"));
  for (auto [key, label] :
       {std::pair{"year", "Year "}, {"reg_group", "reg group "}, {"sen", "SEN "}})
    if (!str(student, key).empty())
      out += " &middot; " + std::string(label) + html_escape(str(student, key));
  out += "</p></header>\n<main>\n";

  out += "<section id=\"flags\"><h2>Review flags</h2>\n";
  const auto& flags = arr(doc, "flags");
  if (flags.empty()) out += "<p>None open.</p>\n";
  for (const auto& fv : flags) {
    const auto& f = fv.as_object();
    out += "<p class=\"flag\"><strong>" + html_escape(flag_title(str(f, "kind"))) +
           "</strong> since " + html_escape(str(f, "since")) + ". " +
           html_escape(str(f, "advice")) + "</p>\n";
  }
  out += "</section>\n";

  const auto& days = arr(doc, "ie_days");
  long long lessons = 0, set = 0, handed = 0;
  for (const auto& dv : days) {
    lessons += num(dv.as_object(), "lessons_missed");
    set += num(dv.as_object(), "work_set");
    handed += num(dv.as_object(), "handed_in");
  }
  out += "<section id=\"history\"><h2>IE history</h2>\n";
  if (days.empty()) {
    out += "<p>No IE on record.</p>\n";
  } else {
    out += "<p id=\"totals\">" + std::to_string(days.size()) + " IE day(s); " +
           std::to_string(lessons) + " lesson(s) missed; work set for " + percent(set, lessons) +
           " of them, and handed in for " + percent(handed, set) + " of those with work set.</p>\n";
    out +=
        "<p class=\"note\">Before and after count incidents in the school days before the IE and "
        "after the pupil's return. It is a comparison, not a cause: other things change too. A "
        "window cut short (by the start of the behaviour data, or because it has not ended yet) is "
        "not comparable.</p>\n";
    out +=
        "<table><thead><tr><th>Date</th><th>Booking</th><th>Status</th><th>Lessons missed</th>"
        "<th>Work set</th><th>Handed in</th><th>Window</th><th>Before</th><th>After</th></tr>"
        "</thead><tbody>\n";
    for (const auto& dv : days) {
      const auto& d = dv.as_object();
      const auto& windows = arr(d, "windows");
      const std::size_t rows = std::max<std::size_t>(1, windows.size());
      const std::string span = rows > 1 ? " rowspan=\"" + std::to_string(rows) + "\"" : "";
      out += "<tr><td" + span + ">" + html_escape(str(d, "date")) + "</td><td" + span + ">" +
             html_escape(str(d, "booking_id")) + "</td><td" + span + ">" +
             html_escape(str(d, "status")) + "</td><td" + span + ">" +
             std::to_string(num(d, "lessons_missed")) + "</td><td" + span + ">" +
             std::to_string(num(d, "work_set")) + "</td><td" + span + ">" +
             std::to_string(num(d, "handed_in")) + "</td>";
      if (windows.empty()) out += "<td colspan=\"3\">no behaviour data</td></tr>\n";
      for (std::size_t i = 0; i < windows.size(); ++i) {
        const auto& w = windows[i].as_object();
        if (i > 0) out += "<tr>";
        out += "<td>" + std::to_string(num(w, "days")) + " school days</td><td>" +
               window_cell(w.at("before").as_object()) + "</td><td>" +
               window_cell(w.at("after").as_object()) + "</td></tr>\n";
      }
    }
    out += "</tbody></table>\n</section>\n";

    // One timeline per IE (consecutive days share one).
    out += "<section id=\"timelines\"><h2>Incidents around each IE</h2>\n";
    std::map<std::string, std::pair<std::string, const json::object*>>
        spells;  // first -> last, day
    for (const auto& dv : days) {
      const auto& d = dv.as_object();
      auto& e = spells[str(d, "spell_first")];
      e.first = std::max(e.first, str(d, "date"));
      if (!e.second) e.second = &d;
    }
    for (const auto& [first, e] : spells) {
      auto f = Date::parse_iso(first), l = Date::parse_iso(e.first);
      if (!f || !l) continue;
      const auto& windows = arr(*e.second, "windows");
      const json::object& widest = windows.empty() ? none : windows.back().as_object();
      out += "<h3>IE " + html_escape(first) +
             (e.first != first ? " to " + html_escape(e.first) : "") + "</h3>\n" +
             ie_timeline_svg(widest, *f, *l, arr(doc, "incidents")) + "\n";
    }
    out += "</section>\n";
  }

  const auto& incidents = arr(doc, "incidents");
  out += "<section id=\"incidents\"><h2>Behaviour incidents</h2>\n";
  if (incidents.empty()) {
    out += "<p>None in the behaviour export.</p>\n";
  } else {
    out += "<table><thead><tr><th>Date</th><th>Type</th><th>Points</th></tr></thead><tbody>\n";
    for (const auto& iv : incidents) {
      const auto& i = iv.as_object();
      out += "<tr><td>" + html_escape(str(i, "date")) + "</td><td>" + html_escape(str(i, "type")) +
             "</td><td>" + std::to_string(num(i, "points")) + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
  out += "</section>\n</main></body></html>\n";
  return out;
}

}  // namespace iesync
