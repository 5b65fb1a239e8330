// One day's Classroom reads: for the courses of the day's missed lessons and the IE students
// in each, the course, its published course work and materials, and each student's
// submissions. It asks for nothing else: one courses.get, one courseWork.list and one
// courseWorkMaterials.list per course, one studentSubmissions.list per (course, student), and
// userProfiles.get only for a student whose user id is not in the store yet. A token without
// the materials scope leaves materials unchecked (one event says which scope to add) and
// changes nothing else.
//
// Everything fetched is written to the cache. When Google cannot be reached (network, 5xx
// after retries, token refused) the rest of the day comes from the cache, marked stale, and
// one Event says so with the age of what is shown.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/events.h"
#include "connectors/classroom/classroom_client.h"
#include "connectors/classroom/pass_cache.h"
#include "mapping/classroom.h"
#include "mapping/timezone.h"
#include "store/classroom_cache.h"

namespace iesync {

struct CourseRequest {
  std::string course_ref;                   // a course id or a "d:..." alias
  std::vector<std::string> student_emails;  // the IE students who miss a lesson of it
};

struct ClassroomDay {
  std::vector<CourseSnapshot> courses;  // one per request, in request order
  // One per (course, student) of a course that exists, in request order. A student Google
  // does not know is left out (and reported).
  std::vector<StudentSubmissions> submissions;
  bool stale = false;  // some of it is the last known copy, not this cycle's
};

class ClassroomFetcher {
 public:
  ClassroomFetcher(ClassroomClient& client, ClassroomCache& cache, const Clock& clock, TimeZone tz);
  // `pass`, when given, is what earlier days of the same pass read: a course or submissions
  // in it are taken from there instead of asked for again, and what this day reads is added.
  ClassroomDay fetch(const std::vector<CourseRequest>& requests, EventSink& events,
                     ClassroomPass* pass = nullptr);

 private:
  ClassroomClient& client_;
  ClassroomCache& cache_;
  const Clock& clock_;
  TimeZone tz_;
};

}  // namespace iesync
