// The dashboard's impact part (SPEC §10): pupils back in mainstream within the last 10
// school days, and every open review flag with the guidance's advice. Every value from the
// store is HTML-escaped; a pupil's name links to their page.
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "base/html.h"
#include "daemon/status/dashboard.h"
#include "daemon/status/json_fields.h"

namespace iesync {

namespace json = boost::json;

namespace {

using json_fields::arr;
using json_fields::flag;
using json_fields::num;
using json_fields::str;

// Percent-encodes an id for a path segment: an admission number is digits, but nothing
// from an export reaches a link unencoded.
std::string path_segment(const std::string& id) {
  return boost::urls::encode(id, boost::urls::unreserved_chars);
}

std::string pupil_link(const json::object& o) {
  std::string name = str(o, "name");
  if (name.empty()) name = str(o, "student_id");
  std::string reg = str(o, "reg_group");
  return "<a href=\"/student/" + path_segment(str(o, "student_id")) + "\">" + html_escape(name) +
         "</a>" + (reg.empty() ? "" : " (" + html_escape(reg) + ")");
}

std::string flag_title(const std::string& kind) {
  if (kind == "repeat_ie") return "Repeat IE";
  if (kind == "sen_repeat_ie") return "Repeat IE, pupil with SEN";
  if (kind == "incidents_after_return") return "Incidents after return";
  return kind;
}

}  // namespace

void render_impact_section(std::string& out, const json::object& impact) {
  auto back_it = impact.find("back_in_mainstream");
  auto flags_it = impact.find("flags");
  if (back_it == impact.end() || flags_it == impact.end()) return;
  const auto& back = back_it->value().as_array();
  const auto& flags = flags_it->value().as_array();

  out += "<section id=\"review-flags\"><h2>Review flags</h2>\n";
  if (flags.empty()) {
    out += "<p>No pupil has reached an [impact] threshold.</p>\n";
  } else {
    out += "<ul class=\"flags\">\n";
    for (const auto& fv : flags) {
      const auto& f = fv.as_object();
      out += "<li class=\"flag\"><strong>" + html_escape(flag_title(str(f, "kind"))) +
             "</strong>: " + pupil_link(f) + ", since " + html_escape(str(f, "since")) + ". " +
             html_escape(str(f, "advice")) + "</li>\n";
    }
    out += "</ul>\n";
  }
  out += "</section>\n";

  out += "<section id=\"back-in-mainstream\"><h2>Back in mainstream</h2>\n";
  if (back.empty()) {
    out += "<p>No pupil has returned from IE in the last 10 school days.</p>\n</section>\n";
    return;
  }
  const bool behaviour = impact.contains("behaviour_feed") &&
                         impact.at("behaviour_feed").is_bool() &&
                         impact.at("behaviour_feed").as_bool();
  out +=
      "<p>Pupils whose last IE ended in the last 10 school days. A pupil with an incident or a "
      "new booking since their return is flagged.";
  if (!behaviour) out += " No behaviour export is configured, so incidents are not known.";
  out +=
      "</p>\n<table><thead><tr><th>Pupil</th><th>Last IE</th><th>School days back</th>"
      "<th>Incidents since</th><th>New booking</th></tr></thead><tbody>\n";
  for (const auto& bv : back) {
    const auto& b = bv.as_object();
    const bool flagged =
        b.contains("flagged") && b.at("flagged").is_bool() && b.at("flagged").as_bool();
    const long long days = num(b, "school_days_since");
    out += std::string("<tr") + (flagged ? " class=\"flag\"" : "") + "><td>" +
           (flagged ? "&#9873; " : "") + pupil_link(b) + "</td><td>" +
           html_escape(str(b, "last_ie")) + "</td><td>" +
           (days == 0 ? std::string("returned today") : std::to_string(days)) + "</td><td>" +
           (behaviour ? std::to_string(num(b, "incidents_since")) : std::string("not known")) +
           "</td><td>" +
           html_escape(str(b, "next_booking").empty() ? "none" : str(b, "next_booking")) +
           "</td></tr>\n";
  }
  out += "</tbody></table>\n</section>\n";
}

}  // namespace iesync
