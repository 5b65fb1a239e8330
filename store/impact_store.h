// The store side of the impact of IE (SPEC §10, schema v7): the behaviour incidents the
// optional `behaviour` feed brings (replaced whole, like every feed), what a pupil's IE
// sessions covered, and the review flags sync.log has already told.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "mapping/behaviour.h"
#include "store/mis_store.h"
#include "store/store.h"

namespace iesync {

// The lessons one IE session covered and their work, for the pupil page.
struct SessionTally {
  std::string booking_id;
  Date date;
  int lessons = 0;
  int work_set = 0;   // lessons with work set (set or handed in)
  int handed_in = 0;  // lessons whose work was all handed in
};

// Every call returns a Result: a store fault (locked, unreadable, full) is an Error built by
// store/store_error.h, never an exception.
class ImpactStore {
 public:
  explicit ImpactStore(Store& store);

  // Swaps the incidents and the behaviour feed_state row in one transaction.
  Result<ApplyCounts> replace_incidents(const std::vector<Incident>& v, const AppliedFeed& a);
  Result<long long> incident_count();
  // The earliest incident date in the export: where the behaviour data starts.
  Result<std::optional<Date>> first_incident_date();
  // Withdrawn and deleted ones included (callers count with Incident::counted()).
  Result<std::vector<Incident>> incidents_of(const std::string& student_id);
  Result<std::vector<Incident>> incidents_between(Date first, Date last);  // every pupil, inclusive
  // Pupils with at least one live booking (booked or attended) up to `last`.
  Result<std::vector<std::string>> students_with_bookings(Date last);

  Result<std::vector<SessionTally>> sessions_of(const std::string& student_id);

  // The open flags sync.log has told: (student, kind) -> since.
  Result<std::map<std::pair<std::string, std::string>, std::string>> logged_flags();
  // Records that sync.log told these flags (student, kind, since), and forgets the ones in
  // `closed`, in one transaction.
  Result<void> update_logged_flags(
      const std::vector<std::tuple<std::string, std::string, std::string>>& told,
      const std::vector<std::pair<std::string, std::string>>& closed, TimePoint now);

 private:
  Store& store_;
  SQLite::Database& db_;
};

}  // namespace iesync
