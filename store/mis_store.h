// The MIS tables of the store (schema v1): what the last good copy of each feed said, and
// the feed_state that records which file it came from. Each replace_* brings a whole table
// and its feed_state row to the new export in one savepoint, so a feed is applied whole or
// not at all.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/result.h"
#include "mapping/rules.h"
#include "mapping/school.h"
#include "store/feed_apply.h"
#include "store/store.h"

namespace iesync {

struct FeedState {
  std::string file;
  std::string content_hash;  // export_hash() of the last applied file
  std::string applied_at;    // UTC RFC 3339
  long long records = 0;
  std::string held_hash;  // a newer export held by [safety]; empty when none
  std::string held_reason;
};

// What to record in feed_state when a feed is applied.
struct AppliedFeed {
  std::string file;
  std::string content_hash;
  std::string applied_at;
};

class MisStore {
 public:
  explicit MisStore(Store& store);

  // A larger page cache (32 MB) while it lives, for applying feeds: with SQLite's default
  // 2 MB, inserting 650,000 memberships into their indexes keeps re-reading the same pages
  // (~20% of a 50,000-student import). The old size is put back, so the daemon's steady
  // state stays small. Failing to set it costs only speed.
  class BulkCache {
   public:
    explicit BulkCache(Store& store);
    ~BulkCache();
    BulkCache(const BulkCache&) = delete;
    BulkCache& operator=(const BulkCache&) = delete;

   private:
    SQLite::Database& db_;
    std::optional<int> before_;
  };

  // nullopt when the feed was never applied or held.
  Result<std::optional<FeedState>> feed_state(Feed f);
  // Feeds with a newer export held by [safety], by feed name.
  Result<std::vector<std::pair<std::string, FeedState>>> held_feeds();

  // Each brings its feed's table to exactly the given rows, writing only the rows that
  // differ from what it holds (store/feed_apply.h), and records the feed as applied.
  Result<ApplyCounts> replace_students(const std::vector<Student>& v, const AppliedFeed& a);
  Result<ApplyCounts> replace_staff(const std::vector<Staff>& v, const AppliedFeed& a);
  Result<ApplyCounts> replace_memberships(const std::vector<Membership>& v, const AppliedFeed& a);
  Result<ApplyCounts> replace_lessons(const std::vector<Lesson>& v, const AppliedFeed& a);
  Result<ApplyCounts> replace_bookings(const std::vector<Booking>& v, const AppliedFeed& a);
  // Forgets a held export: the export in the folder is again the one in use.
  Result<void> release_hold(Feed f);
  // Marks a newer export as held by [safety]; the stored data is untouched.
  Result<void> hold(Feed f, const std::string& file, const std::string& hash,
                    const std::string& reason);

  // Every read returns an error naming the fault (locked, unreadable) rather than throwing:
  // they run on the daemon's worker and the status server's threads.
  Result<long long> student_count();
  Result<long long> class_count();  // distinct classes with at least one member
  // How many of `classes` have no member (each counted once).
  Result<std::size_t> classes_without_members(const std::vector<std::string>& classes);
  Result<std::unordered_set<std::string>> student_ids();
  Result<std::unordered_set<std::string>> class_codes();  // classes with at least one member
  // Lessons of classes nobody is a member of: how many, and the first such class code in
  // code order (empty when none).
  Result<std::pair<long long, std::string>> memberless_lessons();

  // Reads for reconcile, plan and reports.
  Result<std::vector<Student>> students();
  Result<std::optional<Student>> student(const std::string& id);
  // The students with these ids that the store holds (one statement, however many).
  Result<std::vector<Student>> students_with_ids(const std::vector<std::string>& ids);
  Result<std::vector<Staff>> staff();
  Result<std::vector<Membership>> memberships_of(const std::string& student_id);
  Result<std::vector<Lesson>> lessons_on(int cycle_day);
  Result<std::vector<Booking>> bookings_between(Date first, Date last);  // inclusive
  Result<std::vector<Booking>> bookings_of(
      const std::string& student_id);  // every date, oldest first

 private:
  Store& store_;
  SQLite::Database& db_;
};

}  // namespace iesync
