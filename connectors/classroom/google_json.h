// Reading what Google sends: its error bodies, RFC 3339 times, Date + TimeOfDay due dates,
// and the CourseWork / StudentSubmission objects of the Classroom v1 discovery document.
// Every reader tolerates missing fields (proto3 JSON omits zero values) and returns an
// Error, never throws, on text that is not the JSON it should be.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "connectors/http/http_client.h"
#include "mapping/classroom.h"

namespace iesync {

// "404 NOT_FOUND: Requested entity was not found." from {"error":{"code","message","status"}},
// or from the OAuth form {"error":"invalid_grant","error_description":"..."}; falls back to
// the status and the start of the body.
std::string describe_google_error(const HttpResponse& resp);

// "2026-11-23T09:05:00Z", "2026-11-23T09:05:00.123456Z", "...+01:00". Fractions dropped.
std::optional<TimePoint> parse_rfc3339(std::string_view s);

// dueDate {year,month,day} + dueTime {hours,minutes,seconds} (both UTC) as one instant.
// Missing members of either object are zero (proto3 JSON leaves zeros out, so "dueTime":{}
// is midnight). The discovery document says the two are always set together; if dueTime is
// absent anyway we anchor the date at 12:00 UTC, which keeps the due *date* unchanged in
// UK school time (UTC+0 or UTC+1) where 23:59 UTC would move it to the next day in BST.
std::optional<TimePoint> join_due(const boost::json::value* due_date,
                                  const boost::json::value* due_time);

// Google's 403 for a token without the method's scope: status PERMISSION_DENIED with an
// ErrorInfo reason ACCESS_TOKEN_SCOPE_INSUFFICIENT, or (older replies) the message "Request
// had insufficient authentication scopes.".
bool is_insufficient_scope(const HttpResponse& resp);

Result<boost::json::value> parse_json(std::string_view body, std::string_view what);

// A CourseWork object (fields we asked for; the rest ignored).
CourseWork parse_course_work(const boost::json::object& o, std::string_view course_id);
// A CourseWorkMaterial object: the same members but no due date.
CourseWork parse_material(const boost::json::object& o, std::string_view course_id);
Submission parse_submission(const boost::json::object& o, std::string_view course_id);

// A string member, or "" when absent or not a string.
std::string str_member(const boost::json::object& o, std::string_view key);

}  // namespace iesync
