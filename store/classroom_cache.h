// The last thing Classroom told us, kept so that a cycle without Google (network down,
// token refused) can still show each lesson's work, marked stale with its age.
// Tables are in migrations 2 and 9 (materials); times are stored as RFC 3339 UTC text.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "mapping/classroom.h"
#include "store/store.h"

namespace iesync {

class ClassroomCache {
 public:
  explicit ClassroomCache(Store& store) : store_(store) {}

  // Replaces the stored lookup of `s.course_ref` and, when the course exists, its course
  // work and (when `s.materials_checked`) its materials, in one transaction; materials not
  // read this time keep their last copy. `s.fetched_at` must be set.
  Result<void> put_course(const CourseSnapshot& s);
  // nullopt: never fetched. A stored 404 comes back with course_id nullopt; materials never
  // read come back with materials_checked false.
  Result<std::optional<CourseSnapshot>> course(const std::string& course_ref);

  Result<void> put_user(const std::string& email, const std::string& user_id, TimePoint at);
  Result<std::optional<std::string>> user_id(const std::string& email);

  // Replaces one student's submissions in one course. Needs course_id, user_id, fetched_at.
  Result<void> put_submissions(const StudentSubmissions& s);
  // By email (through the stored user id); nullopt when never listed.
  Result<std::optional<StudentSubmissions>> submissions(const std::string& course_id,
                                                        const std::string& email);

 private:
  Store& store_;
};

}  // namespace iesync
