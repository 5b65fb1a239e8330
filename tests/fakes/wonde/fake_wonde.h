// A fake Wonde API on loopback (Boost.Beast, port 0, its own accept thread, one thread per
// connection) standing in for the MIS in write-back tests and in the demo.
//
// It serves, under {base}/v1.0/schools/{school_id}/:
//   GET  attendance-codes/               data[{id, code, description}]
//   GET  students/?include=education_details&page=N&per_page=N
//                                        data[{id, forename, surname,
//                                              education_details:{data:{admission_number, upn}}}]
//   GET  lessons/?include=class&lessons_start_after=YYYY-MM-DD HH:MM:SS&lessons_start_before=...
//                                        data[{id, class:{data:{id, name}},
//                                              start_at:{date:"YYYY-MM-DD HH:MM:SS.000000", ...}, end_at}]
//   GET  behaviours/attributes/          data{types[{code, description}]}
//   POST attendance/lesson/              {attendance:[{lesson_id, student_id, attendance_code_id, idempotency_id?}]}
//   POST attendance/session/             {attendance:[{date, session, student_id, attendance_code_id,
//                                                       comment?, employee_id?, minutes_late?, idempotency_id?}]}
//   POST behaviours/                     {students:[{student_id, role?, action?, action_date?, points?}],
//                                         date, type, status?, comment?, employee_id?, ..., idempotency_id?}
// Lists page with meta.pagination{next (absolute URL or null), more, per_page, current_page}.
//
// MIS behaviour it models:
//  - HTTP Basic auth with the token as user name and an empty password (else 401);
//  - strict payload shapes: a missing, mistyped or unknown field is 400 with a message; an
//    unknown student, lesson or code id is 422 with a message;
//  - the overwrite rule: a mark that a person entered (not one written through this API) and
//    that is not in may_overwrite is never replaced: the whole batch is refused with 409 and
//    body {error, message, conflicts:[{index, student_id, lesson_id|date+session, existing_code}]};
//  - idempotency: an item whose idempotency_id was already applied is accepted again without
//    a second effect and counted in duplicates();
//  - a 2xx answer is {"writeback_id": "WB..."}.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace iesync::fake {

enum class WondeFault {
  http500,
  http503,
  http429,          // with Retry-After: retry_after_seconds
  stall,            // read the request, then answer nothing for stall_for (client times out)
  reset,            // read the request, then reset the connection (RST), nothing applied
  accept_then_drop, // apply the write, then close the connection without answering
};

struct FaultSpec {
  WondeFault fault;
  std::string method = "POST";  // "" = any
  std::string path_contains;    // "" = any path
  int times = 1;
  int retry_after_seconds = 2;
  std::chrono::milliseconds stall_for{3000};
};

struct WondeStudent {
  std::string id;  // Wonde id, "A1039521228"
  std::string admission_number;
  std::string upn;
  std::string forename;
  std::string surname;
};

struct WondeLesson {
  std::string id;
  std::string class_name;  // the MIS class code, "9X1/Ma"
  std::string date;        // YYYY-MM-DD
  std::string start;       // HH:MM
  std::string end;
};

struct WondeCode {
  std::string id;
  std::string code;
  std::string description;
};

struct WondeMark {
  std::string code;
  std::string source;  // "api" (written through this API) or "teacher"
  std::string idempotency_id;
};

struct WondeWrite {  // one applied item, in order
  std::string endpoint;  // "lesson", "session", "behaviour"
  std::string idempotency_id;
  std::string student_id;
  std::string what;  // lesson id, "YYYY-MM-DD AM", or behaviour type
  std::string code;  // code letter (attendance) or empty
  std::string writeback_id;
};

struct FakeWondeOptions {
  std::string token;
  std::string school_id = "A1930499544";
  std::vector<std::string> may_overwrite = {"", "-", "N"};
  std::filesystem::path state_file;  // empty: memory only; else loaded at start, saved on change
  int default_per_page = 50;
};

class FakeWonde {
 public:
  explicit FakeWonde(FakeWondeOptions opts);
  ~FakeWonde();
  FakeWonde(const FakeWonde&) = delete;
  FakeWonde& operator=(const FakeWonde&) = delete;

  // Binds 127.0.0.1:port (0 = any free port) and starts serving. Returns the port.
  // Throws std::runtime_error if it cannot bind or the state file is unreadable (a test bug).
  unsigned short start(unsigned short port = 0);
  void stop();
  unsigned short port() const { return port_; }
  // "http://127.0.0.1:PORT/v1.0": what [writeback] api_base points at.
  std::string api_base() const;

  // Seeding. The DfE codes used by iesync are seeded by seed_standard_codes().
  void add_student(WondeStudent s);
  void add_lesson(WondeLesson l);
  void add_code(WondeCode c);
  void add_behaviour_type(std::string code, std::string description);
  void seed_standard_codes();
  // A mark a person entered in the MIS (source "teacher").
  void set_lesson_mark(const std::string& student_id, const std::string& lesson_id,
                       const std::string& code);
  void set_session_mark(const std::string& student_id, const std::string& date,
                        const std::string& session, const std::string& code);

  void inject(FaultSpec f);

  // Inspection.
  std::optional<std::string> lesson_mark(const std::string& student_id,
                                         const std::string& lesson_id) const;
  std::optional<std::string> session_mark(const std::string& student_id, const std::string& date,
                                          const std::string& session) const;
  std::vector<WondeWrite> writes() const;
  int duplicates() const;
  int requests(const std::string& method, const std::string& path_contains) const;
  int behaviours() const;

  // Saves now (if a state file is set); the program calls it on SIGTERM too.
  void save() const;

 private:
  struct Reply;
  void accept_loop();
  void session(int slot);
  Reply handle(const std::string& method, const std::string& target, const std::string& auth,
               const std::string& host, const std::string& body, std::optional<FaultSpec>& fault);
  Reply post_lesson(const std::string& body);
  Reply post_session(const std::string& body);
  Reply post_behaviour(const std::string& body);
  std::optional<FaultSpec> take_fault(const std::string& method, const std::string& path);
  void load();
  void save_locked() const;
  std::string next_writeback_id();

  FakeWondeOptions opts_;
  unsigned short port_ = 0;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::condition_variable stop_cv_;

  mutable std::mutex mu_;  // guards everything below
  std::vector<std::thread> sessions_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<WondeStudent> students_;
  std::vector<WondeLesson> lessons_;
  std::vector<WondeCode> codes_;
  std::vector<std::pair<std::string, std::string>> behaviour_types_;
  std::map<std::pair<std::string, std::string>, WondeMark> lesson_marks_;  // (student, lesson)
  std::map<std::pair<std::string, std::string>, WondeMark> session_marks_; // (student, "date AM")
  std::map<std::string, std::string> applied_;  // idempotency id -> writeback id
  std::vector<WondeWrite> writes_;
  int behaviours_ = 0;
  int duplicates_ = 0;
  int next_wb_ = 1;
  std::deque<FaultSpec> faults_;
  std::vector<std::pair<std::string, std::string>> request_log_;  // (method, path)
};

}  // namespace iesync::fake
