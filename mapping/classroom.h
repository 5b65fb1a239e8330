// What Classroom told us, as plain values: the connector fills these (from the API or from
// the store's cache) and the work rule in mapping/ reads them. Instants are UTC.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace iesync {

// A course work item (an assignment) or a course work material (nothing to hand in; `due`
// is never set for one): the work rule treats both alike.
struct CourseWork {
  std::string course_id;
  std::string id;
  std::string title;
  std::string state;                             // PUBLISHED, DRAFT, DELETED
  std::string link;                              // alternateLink
  std::optional<TimePoint> due;                  // dueDate + dueTime joined as a UTC instant
  std::optional<TimePoint> scheduled;            // scheduledTime
  std::optional<TimePoint> created;              // creationTime
  std::string assignee_mode;                     // ALL_STUDENTS, INDIVIDUAL_STUDENTS
  std::vector<std::string> individual_students;  // user ids, for INDIVIDUAL_STUDENTS
};

struct Submission {
  std::string course_id;
  std::string coursework_id;
  std::string user_id;
  std::string state;                 // NEW, CREATED, TURNED_IN, RETURNED, RECLAIMED_BY_STUDENT
  std::optional<TimePoint> updated;  // updateTime; unset for a submission never opened
};

// Everything known about one course for the day being reconciled.
struct CourseSnapshot {
  std::string course_ref;                // what the class mapped to: an id or "d:..." alias
  std::optional<std::string> course_id;  // nullopt: Classroom has no such course
  std::string name;
  std::string link;
  std::vector<CourseWork> work;       // courseWork: assignments, published only
  std::vector<CourseWork> materials;  // courseWorkMaterials, published only
  // Whether `materials` says what Classroom holds. False when the materials list could not be
  // read (the token lacks the materials scope, or Google refused that one list): the lessons
  // then go by the assignments alone and say so.
  bool materials_checked = false;
  std::optional<TimePoint> fetched_at;  // nullopt: never fetched
  bool stale = false;                   // Classroom unreachable this cycle; this is the last known
};

// One IE student's identity and submissions in one course.
struct StudentSubmissions {
  std::string course_id;
  std::string email;
  std::string user_id;  // Classroom user id, from userProfiles.get
  std::vector<Submission> submissions;
  std::optional<TimePoint> fetched_at;
  bool stale = false;
};

}  // namespace iesync
