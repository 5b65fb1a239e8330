// target = "wonde": the Wonde write-back API (reference/mis/mis_writeback_payloads.json).
//
//   lesson marks (and their retractions)  POST {api_base}/schools/{school_id}/attendance/lesson/
//     {"attendance":[{lesson_id, student_id, attendance_code_id, idempotency_id}]}
//   session marks (and their retractions) POST .../attendance/session/
//     {"attendance":[{date, session, student_id, attendance_code_id, comment, idempotency_id}]}
//   exclusion records                     POST .../behaviours/  (one per request)
//     {"students":[{student_id}], date, type, comment, idempotency_id}
//
// Ids the MIS uses are looked up once per WondeTarget (make one per run) and cached:
//   students: GET .../students/?include=education_details, matched by admission_number,
//             then by upn, against our student id;
//   lessons:  GET .../lessons/?include=class&lessons_start_after=D 00:00:00&..._before=D 23:59:59,
//             matched by class name and start time;
//   codes:    GET .../attendance-codes/, matched by code ("/", "\\", "-");
//   the behaviour type for an internal exclusion: GET .../behaviours/attributes/, the type
//             whose description contains "internal exclusion".
// Lists are paged via meta.pagination.next (followed only while it stays under api_base).
//
// HTTP Basic auth, the token as user name and an empty password. Batches of at most
// batch_size items. Each item carries idempotency_id = "iesync-" + the first 32 hex digits of
// SHA-256(send key): not in Wonde's documented shape (an addition; the fake requires it to
// be a string when present), so a re-send after an acknowledged but unrecorded write is
// recognised as the same fact.
//
// Outcomes: 2xx -> confirmed with the writeback_id; 409 (or 422 with a conflicts list) ->
// the listed items are conflicts, the rest of the batch is sent again without them; 429, 5xx
// and transport errors -> retry later (Retry-After honoured) and the run stops sending;
// 401/403 and other 4xx -> failed with the response body.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "connectors/http/http_client.h"
#include "connectors/writeback/target.h"

namespace iesync {

struct WondeOptions {
  std::string api_base;  // "https://api.wonde.com/v1.0", no trailing slash needed
  std::string school_id;
  std::string token;
  int batch_size = 50;
};

// Reads the token from [writeback] token_file: the first line, trimmed.
Result<std::string> read_wonde_token(const std::filesystem::path& token_file);

// "iesync-<32 hex>": the idempotency id sent for a send key.
std::string wonde_idempotency_id(const std::string& send_key);

class WondeTarget final : public WriteTarget {
 public:
  WondeTarget(HttpClient& http, WondeOptions opts);
  std::string name() const override { return "wonde"; }
  Result<SendOutcome> send(std::span<const OutboxRow> rows) override;

 private:
  struct Lesson {
    std::string id;
    std::string class_name;
    std::string start;  // HH:MM
  };
  Result<void> load_students();
  Result<void> load_codes();
  Result<void> load_lessons(const std::string& date);
  Result<std::string> load_exclusion_type();
  Result<std::vector<boost::json::value>> get_all(const std::string& path_and_query);
  HttpRequest request(const std::string& method, const std::string& url, std::string body) const;
  std::string school_url(const std::string& rest) const;

  HttpClient& http_;
  WondeOptions opts_;
  std::optional<std::map<std::string, std::string>> students_;  // adno/upn -> Wonde id
  std::optional<std::map<std::string, std::string>> codes_;     // code -> Wonde id
  std::map<std::string, std::vector<Lesson>> lessons_;          // date -> lessons
  std::optional<std::string> exclusion_type_;
};

}  // namespace iesync
