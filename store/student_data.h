// Subject access and erasure for one student (SPEC §1 `iesync student export|erase`,
// UK GDPR articles 15 and 17; the school is the controller).
//
// "About the student" means: their students row, memberships and bookings, their behaviour
// incidents and the review flags sync.log told about them, their IE
// sessions and the lessons each covered, their write-back items and the audit rows of those
// items (an outbox key starts "student_id|"), the Classroom cache rows keyed by their email or
// Classroom user id (users, submissions, submission listings, and course work assigned to
// them individually), and earlier erasure records for the same id.
// Rows are exported with every column the table has, so a column added by a later
// migration is never silently left out of a subject access request.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace iesync {

struct StudentRef {
  std::string id;       // as the MIS exports it, leading zeros kept
  std::string id_hash;  // hex SHA-256 of id: what an erasure record holds instead of the id
};

// The subject access document, or nullopt when nothing in any table is about `who`.
Result<std::optional<boost::json::object>> export_student(Store& store, const StudentRef& who,
                                                          TimePoint now);

struct ErasureSummary {
  std::map<std::string, long long> rows;  // table -> rows removed (tables with none left out)
  long long total() const;
  bool vacuumed = false;         // VACUUM ran, so freed pages no longer hold the data
  bool wal_truncated = false;    // the WAL was checkpointed and emptied
  std::string describe() const;  // "students 1, memberships 9, ..."
};

// Removes every row about `who` from every table in ONE transaction, with an audit row
// (action kErasureAuditAction, subject "sha256:<id_hash>", counts only) in the same
// transaction; then VACUUMs and truncates the WAL so deleted pages keep no copy.
// nullopt when nothing is held about `who`.
Result<std::optional<ErasureSummary>> erase_student(Store& store, const StudentRef& who,
                                                    TimePoint now);

}  // namespace iesync
