#include "config/dfe_codes.h"

namespace iesync {

namespace {

// code, meaning, status, replacement (withdrawn only). Order as in the reference CSV.
constexpr AttendanceCode kAttendance[] = {
    {"/", "Present (AM session)", "unchanged", ""},
    {"\\", "Present (PM session)", "unchanged", ""},
    {"L", "Late arrival before the register has closed", "tightened", ""},
    {"K", "Attending education provision arranged by the local authority", "NEW", ""},
    {"V", "Attending an educational visit or trip", "unchanged", ""},
    {"P", "Participating in a supervised sporting activity", "unchanged", ""},
    {"W", "Attending work experience", "unchanged", ""},
    {"B", "Attending any other approved educational activity", "tightened", ""},
    {"D", "Dual registered - attending another school/setting where also registered", "unchanged",
     ""},
    {"C1", "Regulated performance or regulated employment abroad", "NEW", ""},
    {"M", "Medical or dental appointment", "unchanged", ""},
    {"J1", "Interview for employment or admission to another educational institution", "NEW", ""},
    {"S", "Study leave (public examinations)", "unchanged", ""},
    {"X", "Non-compulsory school age pupil not required to attend", "reworded", ""},
    {"C2", "Compulsory school age pupil on a (temporary) part-time timetable", "NEW", ""},
    {"C", "Leave of absence for exceptional circumstances", "reworded", ""},
    {"T", "Parent travelling for occupational purposes", "reworded", ""},
    {"R", "Religious observance", "unchanged", ""},
    {"I", "Illness (physical or mental health; not medical/dental appointments)", "unchanged", ""},
    {"E", "Suspended or permanently excluded and no alternative provision made", "unchanged", ""},
    {"Q", "Unable to attend because of a lack of access arrangements", "NEW", ""},
    {"Y1", "Transport normally provided not available", "NEW", ""},
    {"Y2", "Widespread disruption to travel", "NEW", ""},
    {"Y3", "Part of the school premises closed/out of use", "NEW", ""},
    {"Y4", "Whole school site unexpectedly closed", "NEW", ""},
    {"Y5", "Pupil in criminal justice detention", "NEW", ""},
    {"Y6", "Public health guidance or law", "NEW", ""},
    {"Y7", "Any other unavoidable cause", "NEW", ""},
    {"G", "Holiday not granted by the school", "unchanged", ""},
    {"N", "Reason for absence not yet established", "unchanged", ""},
    {"O", "Absent in other or unknown circumstances", "unchanged", ""},
    {"U", "Arrived in school after registration closed", "unchanged", ""},
    {"Z", "Prospective pupil not on admission register", "unchanged", ""},
    {"#", "Planned whole or partial school closure", "unchanged", ""},
    {"-", "All should attend / no mark recorded (SIMS placeholder, not statutory)", "n/a", ""},
    {"H", "Agreed family holiday", "WITHDRAWN",
     "C (leave of absence for exceptional circumstances)"},
    {"J", "Interview", "WITHDRAWN", "J1 (interview for employment or admission)"},
    {"Y", "Unable to attend due to exceptional circumstances", "WITHDRAWN",
     "Y1-Y7 (unable to attend, by cause) or Q (no access arrangements)"},
    {"F", "Agreed extended family holiday", "WITHDRAWN",
     "C (leave of absence for exceptional circumstances)"},
};

constexpr ExclusionReason kReasons[] = {
    {"PP", "Physical assault against a pupil", "current"},
    {"PA", "Physical assault against an adult", "current"},
    {"VP", "Verbal abuse/threatening behaviour against a pupil", "current"},
    {"VA", "Verbal abuse/threatening behaviour against an adult", "current"},
    {"BU", "Bullying", "current"},
    {"RA", "Racist abuse", "current"},
    {"LG", "Abuse against sexual orientation and gender identity", "current (added Autumn 2020)"},
    {"DS", "Abuse relating to disability", "current (added Autumn 2020)"},
    {"SM", "Sexual misconduct", "current"},
    {"DA", "Drug and alcohol related", "current"},
    {"DM", "Damage (to property)", "current"},
    {"TH", "Theft", "current"},
    {"DB", "Persistent or general disruptive behaviour", "current"},
    {"MT", "Inappropriate use of social media or online technology", "current (added Autumn 2020)"},
    {"OW", "Use or threat of use of an offensive weapon or prohibited item",
     "current (added Autumn 2020)"},
    {"PH", "Wilful and repeated transgression of protective measures to protect public health",
     "current (added 2020)"},
    {"OT", "Other", "withdrawn Autumn 2020"},
    {"TB", "Threatening behaviour (legacy or ambiguous)",
     "NOT in current England census list (ambiguous)"},
    {"PW", "Possession of a weapon (legacy)", "NOT in current England census list"},
    {"DR", "Defiance of rules / drug related (ambiguous)",
     "NOT in current England census list (ambiguous)"},
    {"BW", "Found to have brought a weapon or prohibited item into school", "UNVERIFIED"},
    {"SB", "Harmful sexual behaviour", "UNVERIFIED"},
    {"MB", "Misogynistic behaviour", "UNVERIFIED"},
    {"AB", "Misandry behaviour", "UNVERIFIED"},
    {"AR", "Alcohol related", "UNVERIFIED"},
    {"SR", "Smoking related", "UNVERIFIED"},
    {"VR", "Vape related", "UNVERIFIED"},
    {"LD", "Persistent disruptive behaviour - low level disruption", "UNVERIFIED"},
    {"CB", "Persistent disruptive behaviour - challenging behaviour", "UNVERIFIED"},
    {"MP", "Use of mobile phone", "UNVERIFIED"},
    {"OS", "Misbehaviour outside of school", "UNVERIFIED"},
};

}  // namespace

std::span<const AttendanceCode> attendance_codes() {
  return kAttendance;
}

const AttendanceCode* find_attendance_code(std::string_view code) {
  for (const auto& c : attendance_codes())
    if (c.code == code) return &c;
  return nullptr;
}

bool attendance_code_in_force(const AttendanceCode& c) {
  return c.status != "WITHDRAWN" && c.code != "-";
}

std::span<const ExclusionReason> exclusion_reasons() {
  return kReasons;
}

const ExclusionReason* find_exclusion_reason(std::string_view code) {
  for (const auto& r : kReasons)
    if (r.code == code) return &r;
  return nullptr;
}

bool exclusion_reason_current(const ExclusionReason& r) {
  return r.status.substr(0, 7) == "current";
}

}  // namespace iesync
