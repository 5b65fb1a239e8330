#include "bench/generator/school_generator.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <system_error>

namespace iesync::gen {

namespace {

// Short lists of common names; a student is one of each, so no real person is described.
constexpr std::array<const char*, 40> kForenames = {
    "Oliver", "Amelia", "George",  "Isla",  "Harry",  "Ava",    "Noah",     "Mia",
    "Jack",   "Ivy",    "Leo",     "Lily",  "Arthur", "Freya",  "Muhammad", "Grace",
    "Oscar",  "Sophia", "Charlie", "Emily", "Jacob",  "Ella",   "Thomas",   "Poppy",
    "Henry",  "Evie",   "Alfie",   "Chloe", "Joshua", "Ruby",   "Adam",     "Aisha",
    "Ethan",  "Zara",   "Samuel",  "Maya",  "Daniel", "Hannah", "Kai",      "Priya"};
constexpr std::array<const char*, 40> kSurnames = {
    "Smith",   "Jones",   "Williams", "Taylor",   "Brown",    "Davies", "Evans",   "Wilson",
    "Thomas",  "Johnson", "Roberts",  "Robinson", "Thompson", "Wright", "Walker",  "White",
    "Edwards", "Hughes",  "Green",    "Hall",     "Lewis",    "Harris", "Clarke",  "Patel",
    "Jackson", "Wood",    "Turner",   "Martin",   "Cooper",   "Hill",   "Ward",    "Morris",
    "Moore",   "Clark",   "Lee",      "King",     "Baker",    "Khan",   "O'Neill", "Smith-Jones"};

struct Subject {
  const char* code;
  int lessons;  // per fortnight; they sum to 50, one lesson in every slot
  const char* room_prefix;
};
constexpr std::array<Subject, 12> kSubjects = {{{"Ma", 7, "M"},
                                                {"En", 7, "E"},
                                                {"Sc", 8, "S"},
                                                {"Hi", 3, "H"},
                                                {"Gg", 3, "H"},
                                                {"Fr", 4, "L"},
                                                {"Ar", 3, "A"},
                                                {"Pe", 4, "PE"},
                                                {"Cp", 3, "IT"},
                                                {"Re", 3, "R"},
                                                {"Mu", 2, "MU"},
                                                {"Dt", 3, "D"}}};

constexpr int kDays = 10;
constexpr int kPeriods = 5;
constexpr int kSlots = kDays * kPeriods;
constexpr int kSetSize = 30;
constexpr std::array<const char*, kPeriods> kPeriodTimes = {
    "08:50-09:50", "09:50-10:50", "11:10-12:10", "12:10-13:10", "14:00-15:00"};
constexpr const char* kRegLetters = "XYZWVUTSRQPNMLKJHGFEDCBA";
constexpr std::array<const char*, 10> kReasons = {"PP", "VA", "DB", "BU", "DA",
                                                  "VP", "DM", "MT", "PA", "DB"};

using Busy = std::bitset<kSlots>;

std::string lower_letters(std::string_view s) {
  std::string out;
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) out += char(c | 0x20);
  return out;
}

std::string upper_letters(std::string_view s) {
  std::string out;
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) out += char(c & ~0x20);
  return out;
}

// The prefix is formatted here, not added with `"Z" + pad(...)`: GCC 12 at -O3 wrongly
// reports that concatenation as overlapping copies (-Wrestrict).
std::string pad(long v, int width, const char* prefix = "") {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%0*ld", prefix, width, v);
  return buf;
}

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : eng_(seed) {}
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(eng_); }
  bool chance(int percent) { return below(100) < percent; }
  template <class T>
  void shuffle(std::vector<T>& v) {
    std::shuffle(v.begin(), v.end(), eng_);
  }

 private:
  std::mt19937 eng_;
};

// A pool of teachers or rooms for one department: each takes a set only when free in all
// of the set's slots, and the pool grows when nobody is.
struct Pool {
  std::vector<std::string> names;
  std::vector<Busy> busy;
  int take(const Busy& need) {
    for (size_t i = 0; i < busy.size(); ++i)
      if ((busy[i] & need).none()) {
        busy[i] |= need;
        return int(i);
      }
    return -1;
  }
};

class Builder {
 public:
  explicit Builder(const Options& o) : opt_(o), rng_(o.seed) {}

  School run() {
    make_students();
    make_classes();
    make_bookings();
    make_behaviour();
    return std::move(school_);
  }

 private:
  Date year_start() const {
    auto ymd = opt_.start.ymd();
    int y = int(ymd.year());
    if (unsigned(ymd.month()) < 9) --y;
    return Date::from_ymd(y, 9, 1);
  }

  void make_students() {
    // Years 7-11 full, the sixth form (12, 13) about two thirds the size.
    const std::array<int, 7> weight = {10, 10, 10, 10, 10, 7, 6};
    const int total_weight = 63;
    int given = 0;
    for (int y = 0; y < 7; ++y) {
      int n = y == 6 ? opt_.students - given : opt_.students * weight[y] / total_weight;
      year_size_[y] = n;
      given += n;
    }
    int adno = 1001;
    for (int y = 0; y < 7; ++y) {
      const int year = y + 7;
      const int groups = std::max(1, (year_size_[y] + kSetSize - 1) / kSetSize);
      for (int i = 0; i < year_size_[y]; ++i, ++adno) {
        // Built whole rather than assigned field by field: GCC 12 at -O3 wrongly reports a
        // string member's assignment as overlapping copies (-Wrestrict). The draws keep their
        // order, so a seed still makes the same school.
        std::string forename = kForenames[rng_.below(int(kForenames.size()))];
        std::string surname = kSurnames[rng_.below(int(kSurnames.size()))];
        const int r = rng_.below(100);
        const char* sen = r < 82 ? "N" : r < 97 ? "K" : "E";
        const char* pupil_premium = rng_.chance(27) ? "Y" : "N";
        const char* gender = rng_.chance(50) ? "F" : "M";
        std::string email = lower_letters(forename) + "." + lower_letters(surname) + "." +
                            std::to_string(adno) + "@demo.sch.uk";
        school_.students.push_back(
            Student{pad(adno, 6), std::move(forename), std::move(surname), year,
                    std::to_string(year) + kRegLetters[i % groups % 24], std::move(email),
                    // Not a valid DfE check letter on purpose: these are not real pupils.
                    pad(930000000000L + adno, 12, "Z"), sen, pupil_premium, gender});
        // A few joined after September: their memberships start later.
        joined_.push_back(rng_.chance(3) ? year_start().plus_days(30 + rng_.below(40))
                                         : year_start());
      }
    }
  }

  StaffMember new_staff() {
    for (;;) {
      std::string fore = kForenames[rng_.below(int(kForenames.size()))];
      std::string sur = kSurnames[rng_.below(int(kSurnames.size()))];
      std::string up = upper_letters(sur);
      std::string code = std::string(1, fore[0]) + up.substr(0, 2);
      for (int k = 2; staff_codes_.count(code) && k < 10; ++k)
        code = std::string(1, fore[0]) + up[0] + char('0' + k);
      if (staff_codes_.count(code)) code = pad(long(school_.staff.size()), 4, "T");
      if (!staff_codes_.insert(code).second) continue;
      StaffMember m;
      m.code = code;
      m.name = sur + ", " + fore;
      m.email = lower_letters(fore).substr(0, 1) + "." + lower_letters(sur) + "." +
                lower_letters(code) + "@demo.sch.uk";
      school_.staff.push_back(m);
      return m;
    }
  }

  std::string teacher_for(const std::string& dept, const Busy& need) {
    Pool& p = teachers_[dept];
    int i = p.take(need);
    if (i < 0) {
      p.names.push_back(new_staff().code);
      p.busy.push_back(need);
      i = int(p.names.size()) - 1;
    }
    return p.names[i];
  }

  std::string room_for(const std::string& prefix, const Busy& need) {
    Pool& p = rooms_[prefix];
    int i = p.take(need);
    if (i < 0) {
      p.names.push_back(prefix + std::to_string(p.names.size() + 1));
      p.busy.push_back(need);
      i = int(p.names.size()) - 1;
    }
    return p.names[i];
  }

  void add_lessons(const std::string& code, const std::vector<int>& slots,
                   const std::string& teacher, const std::string& room) {
    for (int slot : slots) {
      Lesson l;
      l.class_code = code;
      l.cycle_day = slot / kPeriods + 1;
      l.time = *TimeRange::parse(kPeriodTimes[slot % kPeriods]);
      l.room = room;
      l.teacher = teacher;
      school_.lessons.push_back(std::move(l));
    }
  }

  void make_classes() {
    const Date change = opt_.start.monday();
    order_.resize(kSlots);
    for (int i = 0; i < kSlots; ++i) order_[size_t(i)] = i;
    rng_.shuffle(order_);
    size_t first = 0;
    for (int y = 0; y < 7; ++y) {
      const int year = y + 7;
      const std::string ys = std::to_string(year);
      std::vector<size_t> members(static_cast<size_t>(year_size_[y]));
      for (size_t i = 0; i < members.size(); ++i) members[i] = first + i;
      first += members.size();

      // Tutor groups: registration 08:45-08:50 each day with their tutor.
      std::map<std::string, std::vector<size_t>> groups;
      for (size_t i : members) groups[school_.students[i].reg_group].push_back(i);
      for (auto& [reg, ids] : groups) {
        const std::string code = reg + "/Tu";
        tutor_groups_.push_back(school_.lessons.size());
        const std::string room = "T" + std::to_string(++tutor_rooms_);
        for (int d = 1; d <= kDays; ++d) {
          Lesson l;
          l.class_code = code;
          l.cycle_day = d;
          l.time = *TimeRange::parse("08:45-08:50");
          l.room = room;
          school_.lessons.push_back(std::move(l));
        }
        for (size_t i : ids)
          school_.memberships.push_back({school_.students[i].id, code, joined_[i], {}});
      }
      if (members.empty()) continue;

      // The year's 50 lessons: each subject's sets are blocked into the same slots. Every year
      // uses the same shuffled order of slots, rotated by 7 per year, so a subject's blocks in
      // different years barely overlap and one teacher can teach the subject across years.
      std::vector<int> slots(kSlots);
      for (int i = 0; i < kSlots; ++i) slots[size_t(i)] = order_[size_t((i + 7 * y) % kSlots)];
      size_t next = 0;
      const int sets = std::max(1, (int(members.size()) + kSetSize - 1) / kSetSize);
      for (const Subject& subj : kSubjects) {
        std::vector<int> mine(slots.begin() + long(next),
                              slots.begin() + long(next) + subj.lessons);
        next += size_t(subj.lessons);
        std::sort(mine.begin(), mine.end());
        Busy need;
        for (int s : mine) need.set(size_t(s));

        // Half the sets in band X, half in band Y: 9X1/Ma, 9X2/Ma, 9Y1/Ma...
        std::vector<std::string> codes;
        const int x_sets = (sets + 1) / 2;
        for (int k = 0; k < sets; ++k) {
          std::string code = k < x_sets ? ys + "X" + std::to_string(k + 1)
                                        : ys + "Y" + std::to_string(k - x_sets + 1);
          code += "/";
          code += subj.code;
          add_lessons(code, mine, teacher_for(subj.code, need), room_for(subj.room_prefix, need));
          codes.push_back(code);
        }
        std::vector<size_t> order = members;
        rng_.shuffle(order);
        for (size_t j = 0; j < order.size(); ++j) {
          const std::string& sid = school_.students[order[j]].id;
          const Date from = joined_[order[j]];
          size_t set = j * size_t(sets) / order.size();
          // A few students moved set at the start of the bookings week.
          if (sets > 1 && rng_.chance(3)) {
            size_t other = (set + 1) % size_t(sets);
            school_.memberships.push_back({sid, codes[other], from, change.plus_days(-3)});
            school_.memberships.push_back({sid, codes[set], change, {}});
          } else {
            school_.memberships.push_back({sid, codes[set], from, {}});
          }
        }
      }
    }
    // Tutors are teachers (registration is outside the five periods), one group each; the
    // school takes on a tutor only when it has more groups than teachers.
    for (size_t g = 0; g < tutor_groups_.size(); ++g) {
      const std::string tutor = g < school_.staff.size() ? school_.staff[g].code : new_staff().code;
      for (int d = 0; d < kDays; ++d) school_.lessons[tutor_groups_[g] + size_t(d)].teacher = tutor;
    }
    // A few staff frees: timetable records with no class, which importers skip.
    for (size_t i = 0; i < std::min<size_t>(3, school_.staff.size()); ++i) {
      Lesson l;
      l.cycle_day = int(i) + 1;
      l.time = *TimeRange::parse(kPeriodTimes[4]);
      l.teacher = school_.staff[i].code;
      school_.lessons.push_back(std::move(l));
    }
  }

  void make_bookings() {
    if (school_.students.empty()) return;
    const int per_day =
        opt_.bookings_per_day > 0 ? opt_.bookings_per_day : std::max(4, opt_.students / 30);
    const Date monday = opt_.start.monday();
    int next_id = 1;
    for (int d = 0; d < 5; ++d) {
      const Date date = monday.plus_days(d);
      std::set<size_t> today;
      for (int b = 0; b < per_day && today.size() < school_.students.size(); ++b) {
        size_t who;
        do {
          who = size_t(rng_.below(int(school_.students.size())));
        } while (!today.insert(who).second);
        Booking bk;
        bk.id = pad(next_id++, 6, "IE");
        bk.student_id = school_.students[who].id;
        bk.date = date;
        switch (rng_.below(8)) {
          case 0:
            bk.start = "AM";
            break;
          case 1:
            bk.start = "PM";
            break;
          case 2:
            bk.start = "ALL";
            break;
          case 3:
            bk.start = "08:50";
            bk.end = "10:50";
            break;
          case 4:
            bk.start = "13:10";
            bk.end = "15:00";
            break;
          default: {
            int p1 = rng_.below(kPeriods);
            int p2 = p1 + rng_.below(kPeriods - p1);
            bk.start = std::to_string(p1 + 1);
            bk.end = std::to_string(p2 + 1);
          }
        }
        bk.reason = kReasons[size_t(rng_.below(int(kReasons.size())))];
        bk.room = rng_.chance(90) ? "IE1" : "";
        int s = rng_.below(100);
        bk.status = s < 10   ? ""
                    : s < 60 ? "booked"
                    : s < 82 ? "attended"
                    : s < 92 ? "absent"
                             : "cancelled";
        school_.bookings.push_back(std::move(bk));
      }
    }
  }

  // The optional behaviour feed, with the pattern the impact analysis should find: pupils in
  // IE this week had incidents in the three weeks before; after their IE about 60% have none
  // and the rest go on; a few other pupils have the odd incident; one department records
  // about half of all incidents; now and then one is withdrawn. Its own Rng, so the other
  // feeds stay as they were. Nothing is dated after `start` (the demo's today).
  void make_behaviour() {
    Rng rng(opt_.seed * 7919u + 17u);
    static constexpr std::array<const char*, 6> kTypes = {
        "Defiance", "Disruption", "Late to lesson", "Phone out", "Rudeness", "Refusal to work"};
    std::vector<std::string> referring, everyone;
    if (!teachers_.empty()) referring = teachers_.begin()->second.names;
    for (const auto& st : school_.staff) everyone.push_back(st.code);
    if (everyone.empty()) return;
    const Date monday = opt_.start.monday();
    int next_id = 1;
    auto weekday_between = [&](Date a, Date b) -> std::optional<Date> {
      std::vector<Date> days;
      for (Date d = a; d <= b; d = d.plus_days(1))
        if (d.weekday() < 5 && d <= opt_.start) days.push_back(d);
      if (days.empty()) return std::nullopt;
      return days[size_t(rng.below(int(days.size())))];
    };
    auto add = [&](const std::string& sid, Date d) {
      Incident in;
      in.id = pad(next_id++, 6, "B");
      in.student_id = sid;
      in.date = d;
      in.time = std::string(kPeriodTimes[size_t(rng.below(kPeriods))]).substr(0, 5);
      in.type = kTypes[size_t(rng.below(int(kTypes.size())))];
      in.points = 1 + rng.below(3);
      const auto& pool = !referring.empty() && rng.chance(50) ? referring : everyone;
      in.recorded_by = pool[size_t(rng.below(int(pool.size())))];
      if (rng.chance(6)) in.status = "withdrawn";
      school_.incidents.push_back(std::move(in));
    };
    std::map<std::string, Date> first_ie;
    for (const auto& b : school_.bookings)
      if (b.status != "absent" && b.status != "cancelled" && !first_ie.contains(b.student_id))
        first_ie[b.student_id] = b.date;
    for (const auto& st : school_.students) {
      auto ie = first_ie.find(st.id);
      if (ie == first_ie.end()) {
        if (!rng.chance(20)) continue;
        for (int k = 1 + rng.below(2); k > 0; --k)
          if (auto d = weekday_between(monday.plus_days(-21), opt_.start)) add(st.id, *d);
        continue;
      }
      for (int k = 2 + rng.below(4); k > 0; --k)
        if (auto d = weekday_between(monday.plus_days(-21), ie->second.plus_days(-1)))
          add(st.id, *d);
      if (rng.chance(60)) continue;  // improved
      for (int k = 1 + rng.below(3); k > 0; --k)
        if (auto d = weekday_between(ie->second.plus_days(1), monday.plus_days(4))) add(st.id, *d);
    }
    std::stable_sort(school_.incidents.begin(), school_.incidents.end(),
                     [](const Incident& a, const Incident& b) { return a.date < b.date; });
  }

  Options opt_;
  Rng rng_;
  School school_;
  std::array<int, 7> year_size_{};
  std::vector<Date> joined_;  // per student, the start of their memberships
  std::set<std::string> staff_codes_;
  std::map<std::string, Pool> teachers_;
  std::map<std::string, Pool> rooms_;
  int tutor_rooms_ = 0;
  std::vector<int> order_;            // the shuffled slot order every year rotates
  std::vector<size_t> tutor_groups_;  // index of each tutor group's first lesson
};

using Row = std::vector<std::optional<std::string>>;

std::optional<std::string> opt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// SIMS writes dates in XML as 2026-09-01T00:00:00; its CSV exports use DD/MM/YYYY.
std::string date_text(Date d, Format f) {
  if (f == Format::xml) return d.iso() + "T00:00:00";
  auto iso = d.iso();
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
}

std::string year_text(int y) {
  return y < 10 ? "Year  " + std::to_string(y) : "Year " + std::to_string(y);
}

// SIMS truncates day names to four characters: Day10 is exported as Da10.
std::string day_text(int cycle_day) {
  return cycle_day == 10 ? "Da10" : "Day" + std::to_string(cycle_day);
}

std::vector<Row> rows(const School& s, Feed feed, Format f) {
  std::vector<Row> out;
  switch (feed) {
    case Feed::students:
      for (const auto& st : s.students)
        out.push_back({st.id, st.forename, st.surname, year_text(st.year), opt(st.reg_group),
                       opt(st.email), opt(st.upn), opt(st.sen), opt(st.pupil_premium),
                       opt(st.gender)});
      break;
    case Feed::staff:
      for (const auto& m : s.staff) out.push_back({m.code, m.name, opt(m.email)});
      break;
    case Feed::memberships:
      for (const auto& m : s.memberships)
        out.push_back({m.student_id, m.class_code, date_text(m.start, f),
                       m.end ? std::optional<std::string>(date_text(*m.end, f)) : std::nullopt});
      break;
    case Feed::timetable:
      for (const auto& l : s.lessons)
        out.push_back({opt(l.class_code), day_text(l.cycle_day), l.time.start.str(),
                       l.time.end.str(), opt(l.room), opt(l.teacher)});
      break;
    case Feed::bookings:
      for (const auto& b : s.bookings)
        out.push_back({b.id, b.student_id, date_text(b.date, f), b.start, opt(b.end), opt(b.reason),
                       opt(b.room), opt(b.status)});
      break;
    case Feed::behaviour:
      for (const auto& i : s.incidents)
        out.push_back({i.id, i.student_id, date_text(i.date, f), opt(i.time), i.type,
                       std::to_string(i.points), opt(i.recorded_by), opt(i.status)});
      break;
  }
  return out;
}

void xml_escape(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
}

void csv_field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

School generate(const Options& opt) {
  return Builder(opt).run();
}

const std::vector<std::string>& captions(Feed feed) {
  static const std::map<Feed, std::vector<std::string>> k = {
      {Feed::students,
       {"Adno", "Forename", "Legal Surname", "Year", "Reg", "Primary Email", "UPN", "SEN Status",
        "Pupil Premium", "Gender"}},
      {Feed::staff, {"Staff Code", "Name", "Email"}},
      {Feed::memberships, {"Adno", "Class", "Start Date", "End Date"}},
      {Feed::timetable, {"ShortName", "DayName", "StartTime", "EndTime", "Name", "Staff Code"}},
      {Feed::bookings, {"Booking ID", "Adno", "Date", "Start", "End", "Reason", "Room", "Status"}},
      {Feed::behaviour,
       {"Incident ID", "Adno", "Date", "Time", "Type", "Points", "Recorded By", "Status"}},
  };
  return k.at(feed);
}

std::string file_name(Feed feed, Format format) {
  std::string stem = feed == Feed::bookings ? "ie-bookings" : feed_name(feed);
  return stem + (format == Format::xml ? ".xml" : ".csv");
}

std::string encode_caption(std::string_view caption) {
  std::string out;
  for (char c : caption) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (plain) {
      out += c;
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "_x%04X_", unsigned(static_cast<unsigned char>(c)));
      out += buf;
    }
  }
  return out;
}

std::string render(const School& school, Feed feed, Format format) {
  const auto& caps = captions(feed);
  std::string out;
  if (format == Format::xml) {
    std::vector<std::string> tags;
    for (const auto& c : caps) tags.push_back(encode_caption(c));
    out += "<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n";
    for (const Row& row : rows(school, feed, format)) {
      out += "  <Record>\n";
      for (size_t i = 0; i < row.size(); ++i) {
        if (!row[i]) continue;  // a NULL column is simply absent
        out += "    <" + tags[i] + ">";
        xml_escape(out, *row[i]);
        out += "</" + tags[i] + ">\n";
      }
      out += "  </Record>\n";
    }
    out += "</SuperStarReport>\n";
    return out;
  }
  for (size_t i = 0; i < caps.size(); ++i) {
    if (i) out += ',';
    csv_field(out, caps[i]);
  }
  out += "\r\n";
  for (const Row& row : rows(school, feed, format)) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      if (row[i]) csv_field(out, *row[i]);
    }
    out += "\r\n";
  }
  return out;
}

Result<void> write_feeds(const School& school, Format format, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error(dir.string(), "cannot create the folder: " + ec.message(),
                      "check the path and its permissions");
  for (Feed feed : kAllFeeds) {
    const auto path = dir / file_name(feed, format);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    const std::string text = render(school, feed, format);
    f.write(text.data(), std::streamsize(text.size()));
    f.close();
    if (!f)
      return make_error(path.string(), "cannot write the file", "check free space and permissions");
  }
  return {};
}

}  // namespace iesync::gen
