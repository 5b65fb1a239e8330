// libFuzzer: decoding what Google Classroom answers (course work, submissions, errors, due
// dates), fed from memory as a response body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/classroom/google_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  iesync::HttpResponse resp;
  resp.status = 400;
  resp.body = std::string(body);
  (void)iesync::describe_google_error(resp);
  (void)iesync::parse_rfc3339(body);
  auto v = iesync::parse_json(body, "fuzz");
  if (!v || !v->is_object()) return 0;
  const auto& o = v->as_object();
  (void)iesync::parse_course_work(o, "c1");
  (void)iesync::parse_submission(o, "c1");
  (void)iesync::join_due(o.if_contains("dueDate"), o.if_contains("dueTime"));
  for (const char* list : {"courseWork", "studentSubmissions"}) {
    const auto* items = o.if_contains(list);
    if (!items || !items->is_array()) continue;
    for (const auto& item : items->as_array()) {
      if (!item.is_object()) continue;
      (void)iesync::parse_course_work(item.as_object(), "c1");
      (void)iesync::parse_submission(item.as_object(), "c1");
    }
  }
  return 0;
}
