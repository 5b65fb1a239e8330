// The words of the emails (SPEC §9), as pure functions of what to say: the teacher's chase
// and the behaviour lead's digest, each as plain text and as HTML saying the same.
//
// Data minimisation: a chase names the pupil, reg group, date, time, class, room and course
// link, and what counts as set; never the reason for the IE, the booking's status or any
// behaviour detail. The digest goes to the behaviour lead, who sees all of it on the
// dashboard anyway, and still leaves reasons out: email is copied and forwarded.
#pragma once

#include <string>
#include <vector>

#include "mapping/notify/chase.h"
#include "mapping/notify/mail.h"
#include "mapping/rules.h"

namespace iesync {

// "Work counts as set for a lesson when ...": one sentence from [classroom.work].
std::string what_counts_as_set(const WorkConfig& work);

// `key` is the queue key (it names the chase time and the teacher).
MailMessage chase_email(const TeacherChase& t, const std::string& key,
                        const std::string& school_name, const WorkConfig& work, TimePoint now);

// What the digest reports about one day.
struct DigestDay {
  Date date;
  int pupils = 0;  // live sessions only
  int lessons = 0;
  int handed_in = 0;
  int set = 0;
  int not_set = 0;
  int no_course = 0;
  int unknown = 0;
  int cancelled_or_absent = 0;           // listed apart, never counted above
  std::vector<std::string> pupil_lines;  // "Chloé Martin (9X): 5 lessons, 2 not set"
};

struct DigestInput {
  std::string school_name;
  DigestDay today;
  std::optional<DigestDay> next_day;  // the next school day's bookings with their work status
  int marks_written = 0;              // sent or confirmed, for the day
  int marks_waiting = 0;              // pending or in doubt
  std::vector<std::string> conflicts_and_failures;  // one plain-English line each
  std::vector<std::string> export_problems;         // rejected or held exports
  std::vector<std::string> chased;                  // "Mr A Jones (AJ): 3 lessons"
  std::vector<std::string>
      could_not_chase;  // "Ms B Khan (BK): 2 lessons, no email in the staff export"
  std::vector<std::string> mail_problems;  // emails failed or waiting
  std::vector<std::string> review_flags;   // open review flags, each with the guidance's advice
};

MailMessage digest_email(const DigestInput& in, const std::string& key, const std::string& to,
                         TimePoint now);

// Counts one day's sessions for the digest: live sessions counted, cancelled and absent apart.
DigestDay digest_day(Date date, const std::vector<IeSession>& sessions,
                     const std::map<std::string, Student>& students);

// "Tuesday 1 December"
std::string day_and_month(Date d);

}  // namespace iesync
