// What one pass of cycles has already read from Classroom. The daemon reconciles several days
// in a pass (catch-up days, today, look-ahead days, SPEC §1 [schedule]); a course's course
// work and materials, and a student's submissions in it, do not depend on the day, so each is
// fetched once per pass and the later days reuse it.
//
// Only this pass's own answers are kept, never a cached copy shown because Google could not
// be reached: a later day of the pass then asks Google again. It lives as long as the pass and
// is used by the one cycle thread.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "mapping/classroom.h"

namespace iesync {

class ClassroomPass {
 public:
  const CourseSnapshot* course(const std::string& course_ref) const {
    auto it = courses_.find(course_ref);
    return it == courses_.end() ? nullptr : &it->second;
  }
  void put_course(const CourseSnapshot& c) {
    if (!c.stale) courses_.insert_or_assign(c.course_ref, c);
  }

  const StudentSubmissions* submissions(const std::string& course_id,
                                        const std::string& email) const {
    auto it = submissions_.find({course_id, email});
    return it == submissions_.end() ? nullptr : &it->second;
  }
  void put_submissions(const StudentSubmissions& s) {
    if (!s.stale) submissions_.insert_or_assign({s.course_id, s.email}, s);
  }

 private:
  std::map<std::string, CourseSnapshot> courses_;  // by course ref as requested
  std::map<std::pair<std::string, std::string>, StudentSubmissions> submissions_;
};

}  // namespace iesync
