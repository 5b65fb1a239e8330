// target = "wonde": the Wonde write-back API, as Wonde documents it (docs.wonde.com) and its
// official PHP client sends it (reference/mis/mis_writeback_payloads.json). Only documented
// fields go out; Wonde has no idempotency key, so iesync needs none (see "Never twice").
//
//   lesson marks (and retractions)  POST {api_base}/schools/{school_id}/attendance/lesson/
//     {"attendance":[{lesson_id, student_id, attendance_code_id}]}
//   session marks (and retractions) POST .../attendance/session/
//     {"attendance":[{date, session, student_id, attendance_code_id, comment?}]}
//   exclusion records               POST .../behaviours/   (one record per request)
//     {"students":[{student_id, action?, action_date?}], date, type, comment}
//
// Lookups (Authorization: Bearer TOKEN; lists read from `data`, paged by
// meta.pagination.next, followed only while it stays under api_base so a bad answer cannot
// send the token elsewhere):
//   students:   GET .../students/?include=education_details, matched by admission number,
//               then UPN, against our student id;
//   codes:      GET .../attendance-codes/, matched by code ("/", "\\", "-");
//   lessons:    GET .../lessons/?include=class&lessons_start_after=D 00:00:00&..._before=...,
//               matched by class name and start time;
//   attributes: GET .../behaviours/attributes/, a list; the type and action whose
//               description (or name, or code) is [writeback] behaviour_type / _action.
// Students, codes and attributes are kept in the store's LookupCache for the day (a student
// not found in a cached list is looked up afresh once). A lookup that fails with 429, 5xx or
// a transport error is retried within the run, honouring Retry-After, for at most
// lookup_budget; if it still fails the run stops and the items it did not reach stay as they
// were (no try counted, no backoff): only an item whose own POST failed is backed off.
//
// Read before write: before marks go out, the MIS's current marks are read, once per lesson
// (GET .../attendance/lesson/?lesson_id=ID) and once per date for sessions
// (GET .../attendance/session/?date=D); the answers are also filtered here by lesson, date
// and session, so a server that ignored the filter still cannot mislead us. A mark:
//   - already our code -> confirmed, nothing sent;
//   - in may_overwrite -> sent;
//   - anything else    -> conflict, nothing sent (never overwrite a teacher's mark).
// A retraction ("-") is sent only over a code iesync writes; over "", "-" or a teacher's own
// mark there is nothing of ours left to undo.
//
// Outcomes of a POST: 2xx -> confirmed with the writeback_id. 422 naming items
// (`attendance.N...`, `students.N...`) -> those items failed with the MIS's message
// (conflict where it says a mark exists), the rest re-sent at once; 422 naming nothing ->
// the batch is bisected (one request per halving) to find the item it refuses. 429 and 503
// -> retry later (nothing was applied), Retry-After honoured. A timeout, a reset, another
// 5xx -> in_doubt: the write may have been applied.
//
// Never twice: the Sender records a batch's items in_doubt just before the POST (BeforePost).
// An in_doubt item is read back (recover()) before it is ever sent again: a mark whose code
// the MIS holds, or an exclusion record for that pupil, date and type -> sent; otherwise it
// is sent again. So a crash between the POST and the commit never duplicates a write.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/http/http_client.h"
#include "connectors/writeback/target.h"
#include "store/lookup_cache.h"

namespace iesync {

struct WondeOptions {
  std::string api_base;  // "https://api.wonde.com/v1.0", no trailing slash needed
  std::string school_id;
  std::string token;
  int batch_size = 50;
  std::string behaviour_type = "Internal exclusion";     // [writeback] behaviour_type
  std::string behaviour_action = "Internal exclusion";   // [writeback] behaviour_action; "" = none
  std::vector<std::string> may_overwrite{"", "-", "N"};  // [codes] may_overwrite
  std::vector<std::string> our_codes{"/", "\\"};         // codes iesync writes ([codes])
  std::chrono::seconds lookup_budget{30};                // total waiting on one failing lookup
  // How the target waits between lookup retries; tests pass one that does not sleep.
  std::function<void(std::chrono::milliseconds)> sleep;
  LookupCache* cache = nullptr;  // null: nothing cached across runs
  std::string today;             // YYYY-MM-DD: the day a cached lookup belongs to
};

// Reads the token from [writeback] token_file: the first line, trimmed.
Result<std::string> read_wonde_token(const std::filesystem::path& token_file);

// A behaviour lookup the MIS offers (GET behaviours/attributes/).
struct WondeAttribute {
  std::string id;
  std::string kind;  // "type", "action", ... (empty when the MIS does not say)
  std::string code;
  std::string name;  // its description
};

class WondeTarget final : public WriteTarget {
 public:
  WondeTarget(HttpClient& http, WondeOptions opts);
  std::string name() const override { return "wonde"; }
  Result<std::vector<ItemOutcome>> recover(std::span<const OutboxRow> rows) override;
  Result<SendOutcome> send(std::span<const OutboxRow> rows, const BeforePost& before_post) override;

  // What the MIS offers for behaviour records (check-config lists them when a name is wrong).
  Result<std::vector<WondeAttribute>> attributes();
  // The code of the attribute of `kind` named `name`, or an error listing what is offered.
  Result<std::string> attribute_code(const std::string& kind, const std::string& name);

 private:
  struct Lesson {
    std::string id;
    std::string class_name;
    std::string start;  // HH:MM
  };
  enum class Endpoint { lesson, session, behaviour };
  struct Prepared {
    const OutboxRow* row;
    boost::json::object item;
    std::string mark_at;  // lesson id, or "date|session": where the mark goes
    std::string student;  // Wonde id
  };
  struct Reply;
  // The bodies to post, one list per endpoint, in outbox order.
  struct Batches {
    std::vector<Prepared> lesson, session, behaviour;
  };

  // send() is these steps: prepare each row (look it up, read what the MIS holds, settle
  // it now or build its body), then post the batches.
  Result<void> prepare(const OutboxRow& row, Batches& to_post, SendOutcome& out);
  Result<void> prepare_mark(const OutboxRow& row, const std::string& student, Batches& to_post,
                            SendOutcome& out);
  Result<void> prepare_exclusion(const OutboxRow& row, const std::string& student, Batches& to_post,
                                 SendOutcome& out);
  void post_batches(Batches& to_post, const BeforePost& before_post, SendOutcome& out);

  Result<void> load_students(bool fresh);
  Result<void> load_codes();
  Result<void> load_lessons(const std::string& date);
  Result<const std::map<std::string, std::string>*> lesson_marks(const std::string& lesson_id);
  Result<const std::map<std::string, std::string>*> session_marks(const std::string& date);
  Result<std::optional<std::string>> find_student(const std::string& our_id);
  Result<std::string> lesson_id_for(const WriteItem& it);
  // The code the MIS holds now for the item's mark ("" for none).
  Result<std::string> current_mark(const WriteItem& it, const std::string& student);
  Result<bool> behaviour_exists(const OutboxRow& row, const std::string& student);

  Result<boost::json::value> get_json(const std::string& url);
  Result<std::vector<boost::json::value>> get_all(const std::string& first_url);
  Reply post(Endpoint ep, const std::vector<Prepared>& batch);
  void post_all(Endpoint ep, std::vector<Prepared> batch, const BeforePost& before_post,
                SendOutcome& out, bool& stop);
  HttpRequest request(const std::string& method, const std::string& url, std::string body) const;
  std::string school_url(const std::string& rest) const;
  std::string cache_name(const std::string& what) const;

  HttpClient& http_;
  WondeOptions opts_;
  std::optional<std::map<std::string, std::string>> students_;  // adno/upn -> Wonde id
  bool students_cached_ = false;  // students_ came from the cache, not this run
  std::optional<std::map<std::string, std::string>> codes_;  // code -> Wonde id
  std::map<std::string, std::string> code_of_id_;            // Wonde id -> code
  std::optional<std::vector<WondeAttribute>> attributes_;
  std::map<std::string, std::vector<Lesson>> lessons_;  // date -> lessons
  std::map<std::string, std::map<std::string, std::string>>
      lesson_marks_;  // lesson -> student -> code
  std::map<std::string, std::map<std::string, std::string>>
      session_marks_;  // date -> "student|AM" -> code
};

}  // namespace iesync
