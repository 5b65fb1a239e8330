// A fake Wonde API on loopback (Boost.Beast, port 0, its own accept thread, one thread per
// connection) standing in for the MIS in write-back tests and in the demo. It is meant to
// be exactly as strict as the real API and never more forgiving: whatever it accepts, the
// real API accepts too, so a client that passes against it has not been let off anything.
//
// Sources for the shapes below: the Wonde API documentation (docs.wonde.com) and Wonde's
// official PHP client, wondeltd/php-client: its readme; src/Endpoints (BootstrapEndpoint:
// the Basic header and the 422 ValidationError; LessonAttendance, Attendance,
// AttendanceCodes, Lessons, Students, Behaviours, BehavioursAttributes: the paths);
// src/ResultIterator.php (paging by meta.pagination.next); src/Writeback
// (LessonAttendanceRecord, SessionAttendanceRecord, the registers: the item fields).
//
// Authorization: "Bearer TOKEN" (Wonde's preferred form) or "Basic base64(TOKEN:)" (the PHP
// client's form), scheme words exactly so; anything else is 401
// {"error":"unauthenticated","message"}. A path outside /v1.0/schools/{school_id}/ is 404.
//
// Served under {base}/v1.0/schools/{school_id}/ (the trailing slash is optional):
//   GET  students/            include=education_details
//        data[{id, forename, surname, education_details:{data:{admission_number, upn}}}]
//   GET  attendance-codes/    data[{id, code, description}]
//   GET  lessons/             include=class, lessons_start_after, lessons_start_before
//                             ("YYYY-MM-DD HH:MM:SS", both inclusive, on start_at)
//        data[{id, class:{data:{id, name}}, start_at:{date, timezone_type, timezone}, end_at}]
//   GET  attendance/lesson/   lesson_id
//        data[{id, lesson, student, attendance_code (an id), comment, created_at, updated_at}]
//   GET  attendance/session/  date (YYYY-MM-DD)
//        data[{id, student, date:{date:"YYYY-MM-DD 00:00:00.000000", ...}, session,
//              attendance_code, comment, created_at, updated_at}]
//        Both attendance reads list every mark held, entered by a person or written here.
//   GET  behaviours/attributes/  data[{id, type, code, description}], type one of
//                             type, action, status, role, location, time
//   GET  behaviours/          include=students, updated_after ("YYYY-MM-DD HH:MM:SS";
//                             updated_at >= it)
//        data[{id, type, date:{date...}, comment, students:{data:[{id, action}]},
//              created_at, updated_at}]
//   POST attendance/lesson/   {attendance:[{lesson_id, student_id, attendance_code_id}]}
//                             -> 200 {"writeback_id"}
//   POST attendance/session/  {attendance:[{date, session, student_id, attendance_code_id,
//                                           comment?, employee_id?, minutes_late?}]}
//                             -> 200 {"writeback_id"}
//   POST behaviours/          {students:[{student_id, role?, action?, action_date?, points?}],
//                              date, type, employee_id?, status?, bullying_type?, comment?,
//                              activity_type?, location?, time?}  -> 201 {"writeback_id"}
// Every list takes page (from 1) and per_page (1..200) and answers {data:[...], meta:
// {pagination:{next (an absolute URL or null), previous, more, per_page, current_page}}}.
// Dates and times are school time, {date:"YYYY-MM-DD HH:MM:SS.000000", timezone_type:3,
// timezone:"Europe/London"}.
//
// Writes:
//  - a body that is not JSON, or lacks the top-level array (attendance, students), is 400
//    {"error":"bad_request","message"};
//  - otherwise every problem in it is reported at once, Laravel style: 422
//    {"message":"The given data was invalid.","errors":{"attendance.2.lesson_id":
//    ["The selected attendance.2.lesson_id is invalid."], ...}}; nothing is applied;
//  - an accepted write is applied in full, every time: writes are not idempotent, and a
//    write over any mark, a person's included, is accepted. Reading before writing is the
//    client's job.
//
// Stricter than the documentation says, on purpose (so never more forgiving than the API):
//  - an unknown query parameter, a repeated one, or a malformed value is 400
//    {"error":"invalid_parameter"} naming it; include takes only the one value listed;
//  - the read filters lesson_id (attendance/lesson), date (attendance/session) and
//    updated_after (behaviours) are the only ones taken, under exactly those names; any
//    other filter is an unknown parameter;
//  - an unknown body field is 422 "The X field is not allowed." (a Laravel validator with
//    no rule for a field lets it through);
//  - null for an optional field is "must be a string"; a POST must say Content-Type JSON;
//  - status, role, location and time must be codes of behaviour attributes of that kind,
//    employee_id a known employee.
//
// Test controls, not real-API behaviour: fault injection (inject), and refuse_unnamed,
// which makes any POST naming a student answer 422 with an empty errors object.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"

namespace iesync::fake {

enum class WondeFault {
  http500,
  http503,
  http429,           // with Retry-After: retry_after_seconds
  stall,             // read the request, then answer nothing for stall_for (client times out)
  reset,             // read the request, then reset the connection (RST), nothing applied
  accept_then_drop,  // do the request (a write is applied), then close without answering
};

struct FaultSpec {
  WondeFault fault;
  std::string method = "POST";  // "GET", "POST", or "" = any
  std::string path_contains;    // "" = any path
  int times = 1;                // how many hits; -1 = no limit
  int retry_after_seconds = 2;
  std::chrono::milliseconds stall_for{3000};
  // > 0: only every nth matching request is hit (the nth, 2nth, ...), counting matching
  // requests only; 0: every matching one.
  int every_nth = 0;
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

// The kinds of behaviour lookup: "type", "action", "status", "role", "location", "time".
struct WondeBehaviourAttribute {
  std::string id;  // "BA1", ...
  std::string type;
  std::string code;
  std::string description;
};

// A mark the MIS holds for (student, lesson) or (student, date + session).
struct WondeMark {
  std::string id;
  std::string code;                    // the code letter, "/"
  std::string code_id;                 // the attendance code's id
  std::string source;                  // "api" (written through this API) or "teacher"
  std::string comment;                 // empty: null
  std::string created_at, updated_at;  // "YYYY-MM-DD HH:MM:SS", school time
};

struct WondeBehaviourStudent {
  std::string student_id;
  std::string role, action, action_date;  // empty: not given
  std::optional<double> points;
};

struct WondeBehaviour {
  std::string id;    // "BH1", ...; add_behaviour() fills it when empty
  std::string type;  // the code of a "type" attribute
  std::string date;  // YYYY-MM-DD
  std::vector<WondeBehaviourStudent> students;
  std::string comment, status, location, time, bullying_type, activity_type, employee_id;
  std::string source;                  // "api" or "teacher"
  std::string writeback_id;            // for "api"
  std::string created_at, updated_at;  // "YYYY-MM-DD HH:MM:SS"; filled when empty
};

struct WondeWrite {      // one applied item, in order
  std::string endpoint;  // "lesson", "session", "behaviour"
  std::string student_id;
  std::string what;  // lesson id, "YYYY-MM-DD AM", or "YYYY-MM-DD TYPE" for a behaviour
  std::string code;  // attendance code letter, or the behaviour action (may be empty)
  std::string writeback_id;
};

struct FakeWondeOptions {
  std::string token;
  std::string school_id = "A1930499544";
  std::filesystem::path state_file;  // empty: memory only; else loaded at start, saved on change
  int default_per_page = 50;
  // Stamps created_at and updated_at; nullptr: the system clock. Must outlive the fake.
  const Clock* clock = nullptr;
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

  // Seeding. seed_standard_codes() adds the DfE codes iesync uses and the behaviour
  // attributes type IEX, type DET, action IE, action DET.
  void add_student(WondeStudent s);
  // The student leaves the MIS: no longer listed, and a write naming them is refused 422
  // ("The selected ... student_id is invalid."). Marks already held are kept.
  void remove_student(const std::string& id);
  void add_lesson(WondeLesson l);
  void add_code(WondeCode c);
  void add_employee(std::string id);
  // Returns the new attribute's id. Throws std::invalid_argument for an unknown kind.
  std::string add_behaviour_attribute(std::string type, std::string code, std::string description);
  void seed_standard_codes();
  // A mark a person entered in the MIS (source "teacher"); served by the attendance reads.
  // code is a code letter already added; throws std::invalid_argument otherwise.
  void set_lesson_mark(const std::string& student_id, const std::string& lesson_id,
                       const std::string& code);
  void set_session_mark(const std::string& student_id, const std::string& date,
                        const std::string& session, const std::string& code);
  // A behaviour a person entered (source "teacher"). Returns its id.
  std::string add_behaviour(WondeBehaviour b);

  void inject(FaultSpec f);
  // Any POST naming this student in a student_id is refused 422 with errors {} (the MIS
  // refused it without saying why), until stop_refusing.
  void refuse_unnamed(const std::string& student_id);
  void stop_refusing(const std::string& student_id);

  // Inspection.
  std::optional<std::string> lesson_mark(const std::string& student_id,
                                         const std::string& lesson_id) const;
  std::optional<std::string> session_mark(const std::string& student_id, const std::string& date,
                                          const std::string& session) const;
  std::optional<WondeMark> lesson_mark_record(const std::string& student_id,
                                              const std::string& lesson_id) const;
  std::optional<WondeMark> session_mark_record(const std::string& student_id,
                                               const std::string& date,
                                               const std::string& session) const;
  std::vector<WondeWrite> writes() const;
  // Applied mark items that repeat an earlier API write of the same code to the same
  // (student, lesson) or (student, date + session); plus behaviour POSTs for a (student,
  // date, type) that already had a behaviour written through the API (one per POST).
  int duplicates() const;
  int requests(const std::string& method, const std::string& path_contains) const;
  int behaviours() const;                                 // behaviour POSTs applied
  std::vector<WondeBehaviour> behaviour_records() const;  // teacher's and API's, in order

  // Saves now (if a state file is set); the program calls it on SIGTERM too.
  void save() const;

 private:
  struct Reply;
  void accept_loop();
  void session(int slot);
  Reply handle(const std::string& method, const std::string& target, const std::string& auth,
               const std::string& host, const std::string& content_type, const std::string& body);
  Reply post_lesson(const std::string& body);
  Reply post_session(const std::string& body);
  Reply post_behaviour(const std::string& body);
  std::optional<FaultSpec> take_fault(const std::string& method, const std::string& path);
  void load();
  void save_locked() const;
  std::string next_writeback_id();
  std::string now_stamp() const;
  std::string new_id(const std::string& prefix);
  void record_mark_write(WondeWrite w);
  const WondeCode* code_by_letter(const std::string& code) const;

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
  std::vector<std::string> employees_;
  std::vector<WondeBehaviourAttribute> attributes_;
  std::map<std::pair<std::string, std::string>, WondeMark> lesson_marks_;   // (student, lesson)
  std::map<std::pair<std::string, std::string>, WondeMark> session_marks_;  // (student, "date AM")
  std::vector<WondeBehaviour> behaviour_records_;
  std::vector<WondeWrite> writes_;
  int behaviours_ = 0;
  int duplicates_ = 0;
  int next_wb_ = 1;
  std::map<std::string, int> next_ids_;  // id prefix ("LA", "SA", "BH", "BA") -> last used
  // "endpoint|student|what|code" of every mark written through the API: duplicates().
  std::set<std::string> api_written_;
  struct ActiveFault {
    FaultSpec spec;
    int matched = 0;
  };
  std::deque<ActiveFault> faults_;
  std::set<std::string> refused_;
  std::vector<std::pair<std::string, std::string>> request_log_;  // (method, path)
};

}  // namespace iesync::fake
