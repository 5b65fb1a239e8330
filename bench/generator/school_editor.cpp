// gen::edit: a nightly MIS re-export of a generated school with a share of every feed changed,
// for the re-export benchmarks and the diff-apply tests. Every choice comes from one seeded
// engine and vectors walked in order, so the same school, fraction and seed give the same edit.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <unordered_set>

#include "bench/generator/school_generator.h"

namespace iesync::gen {

namespace {

// The generator's five lesson periods: new lessons, bookings and incidents use them.
constexpr std::array<const char*, 5> kPeriods = {"08:50-09:50", "09:50-10:50", "11:10-12:10",
                                                 "12:10-13:10", "14:00-15:00"};
constexpr std::array<const char*, 9> kReasons = {"PP", "VA", "DB", "BU", "DA",
                                                 "VP", "DM", "MT", "PA"};
constexpr std::array<const char*, 5> kStatuses = {"", "booked", "attended", "absent", "cancelled"};

std::string pad(long v, int width, const char* prefix = "") {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%0*ld", prefix, width, v);
  return buf;
}

std::string lower_letters(std::string_view s) {
  std::string out;
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) out += char(c | 0x20);
  return out;
}

// The number in an id such as "001234", "IE000123" or "B000042"; 0 when it has none.
long number_in(const std::string& id) {
  size_t i = 0;
  while (i < id.size() && (id[i] < '0' || id[i] > '9')) ++i;
  return i < id.size() ? std::strtol(id.c_str() + i, nullptr, 10) : 0;
}

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : eng_(seed) {}
  size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(eng_); }
  bool chance(int percent) { return below(100) < size_t(percent); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  std::vector<size_t> permutation(size_t n) {
    std::vector<size_t> v(n);
    std::iota(v.begin(), v.end(), size_t{0});
    std::shuffle(v.begin(), v.end(), eng_);
    return v;
  }

 private:
  std::mt19937 eng_;
};

// How one feed changes. A third each of deletions and insertions, the rest (at least one)
// updates; a feed with no records can only grow.
struct Plan {
  size_t updates = 0, deletes = 0, inserts = 0;
};

Plan plan_for(size_t n, double fraction) {
  const auto k = std::max<size_t>(1, size_t(std::llround(fraction * double(n))));
  if (n == 0) return Plan{0, 0, k};
  Plan p;
  p.deletes = k / 3;
  p.inserts = k / 3;
  p.updates = k - p.deletes - p.inserts;
  return p;
}

// Which records are deleted and which updated: disjoint, in a random order. A record is
// deleted only when `deletable` says so; deletions that cannot be had become updates.
struct Choice {
  std::vector<bool> dead;
  std::vector<size_t> update;
};

template <class T, class Deletable, class Updatable>
Choice choose(Rng& rng, const std::vector<T>& v, Plan p, Deletable deletable, Updatable updatable) {
  Choice c{std::vector<bool>(v.size()), {}};
  const auto order = rng.permutation(v.size());
  size_t deleted = 0;
  for (size_t i : order) {
    if (deleted == p.deletes) break;
    if (deletable(v[i])) {
      c.dead[i] = true;
      ++deleted;
    }
  }
  const size_t updates = p.updates + (p.deletes - deleted);
  for (size_t i : order) {
    if (c.update.size() == updates) break;
    if (!c.dead[i] && updatable(v[i])) c.update.push_back(i);
  }
  return c;
}

template <class T>
void erase_dead(std::vector<T>& v, const std::vector<bool>& dead) {
  size_t kept = 0;
  for (size_t i = 0; i < v.size(); ++i)
    if (!dead[i]) {
      if (kept != i) v[kept] = std::move(v[i]);
      ++kept;
    }
  v.erase(v.begin() + long(kept), v.end());
}

// Removes the records that name a deleted student; returns how many.
template <class T>
size_t erase_students(std::vector<T>& v, const std::unordered_set<std::string>& gone) {
  const size_t before = v.size();
  std::erase_if(v, [&](const T& r) { return gone.contains(r.student_id); });
  return before - v.size();
}

class Editor {
 public:
  Editor(School& s, double fraction, std::uint32_t seed) : s_(s), rng_(seed) {
    // Every plan is sized from the school as it was: a deleted student's records count
    // towards their feeds' deletions, not on top of them.
    students_ = plan_for(s.students.size(), fraction);
    staff_ = plan_for(s.staff.size(), fraction);
    memberships_ = plan_for(s.memberships.size(), fraction);
    size_t classes = 0;
    for (const auto& l : s.lessons) classes += l.class_code.empty() ? 0 : 1;
    lessons_ = plan_for(classes, fraction);
    bookings_ = plan_for(s.bookings.size(), fraction);
    incidents_ = plan_for(s.incidents.size(), fraction);
    week_ = bookings_week();
  }

  void run() {
    edit_students();
    edit_staff();
    edit_lessons();
    edit_memberships();
    edit_bookings();
    edit_incidents();
  }

 private:
  // The Monday of the week the bookings are in: new bookings go there, new incidents before it.
  Date bookings_week() const {
    if (!s_.bookings.empty())
      return std::min_element(s_.bookings.begin(), s_.bookings.end(),
                              [](auto& a, auto& b) { return a.date < b.date; })
          ->date.monday();
    if (!s_.incidents.empty())
      return std::max_element(s_.incidents.begin(), s_.incidents.end(),
                              [](auto& a, auto& b) { return a.date < b.date; })
          ->date.monday();
    if (!s_.memberships.empty()) return s_.memberships.front().start.plus_days(84).monday();
    return Date::from_ymd(2026, 11, 23);
  }

  // A forename and a surname borrowed from two students, so nobody new is described.
  std::pair<std::string, std::string> some_name() {
    if (s_.students.empty()) return {"Alex", "Morgan"};
    return {rng_.pick(s_.students).forename, rng_.pick(s_.students).surname};
  }

  void edit_students() {
    auto& v = s_.students;
    auto c = choose(
        rng_, v, students_, [](auto&) { return true; }, [](auto&) { return true; });
    for (size_t i : c.update) update(v[i]);
    long next = 0;
    for (const auto& st : v) next = std::max(next, number_in(st.id));
    std::unordered_set<std::string> gone;
    for (size_t i = 0; i < v.size(); ++i)
      if (c.dead[i]) gone.insert(v[i].id);
    erase_dead(v, c.dead);
    cascaded_memberships_ = erase_students(s_.memberships, gone);
    cascaded_bookings_ = erase_students(s_.bookings, gone);
    cascaded_incidents_ = erase_students(s_.incidents, gone);
    for (size_t k = 0; k < students_.inserts; ++k) {
      const long adno = ++next;
      auto [fore, sur] = some_name();
      Student st;
      if (!v.empty()) {
        const Student& like = rng_.pick(v);  // same year and tutor group as a classmate
        st.year = like.year;
        st.reg_group = like.reg_group;
      } else {
        st.reg_group = "7X";
      }
      st.id = pad(adno, 6);
      st.email = lower_letters(fore) + "." + lower_letters(sur) + "." + std::to_string(adno) +
                 "@demo.sch.uk";
      st.upn = pad(930000000000L + adno, 12, "Z");
      st.sen = "N";
      st.pupil_premium = rng_.chance(27) ? "Y" : "N";
      st.gender = rng_.chance(50) ? "F" : "M";
      st.forename = std::move(fore);
      st.surname = std::move(sur);
      v.push_back(std::move(st));
    }
  }

  void update(Student& st) {
    switch (rng_.below(4)) {
      case 0: {  // married, or a corrected spelling
        std::string sur = some_name().second;
        st.surname = sur != st.surname ? sur : st.surname + "-" + some_name().second;
        break;
      }
      case 1: {  // moved tutor group within the year
        const char letter = st.reg_group.empty() ? 'X' : st.reg_group.back();
        st.reg_group = std::to_string(st.year) + (letter == 'X' ? 'Y' : 'X');
        break;
      }
      case 2: {
        const std::string old = st.email;
        while (st.email == old)
          st.email = lower_letters(st.forename) + "." + lower_letters(st.surname) +
                     std::to_string(rng_.below(1000)) + "." + st.id + "@demo.sch.uk";
        break;
      }
      default:  // SEN support assessed, or ended
        st.sen = st.sen == "N" ? "K" : st.sen == "K" ? "E" : "N";
    }
  }

  void edit_staff() {
    auto& v = s_.staff;
    auto c = choose(
        rng_, v, staff_, [](auto&) { return true; }, [](auto&) { return true; });
    for (size_t i : c.update) {
      const std::string old = v[i].email;
      while (v[i].email == old)
        v[i].email =
            lower_letters(v[i].code) + "." + std::to_string(rng_.below(100000)) + "@demo.sch.uk";
    }
    std::set<std::string> left;
    for (size_t i = 0; i < v.size(); ++i)
      if (c.dead[i]) left.insert(v[i].code);
    erase_dead(v, c.dead);
    std::set<std::string> codes;
    for (const auto& m : v) codes.insert(m.code);
    long next = long(v.size());
    for (size_t k = 0; k < staff_.inserts; ++k) {
      std::string code;
      do code = pad(++next, 3, "N");
      while (codes.contains(code));
      codes.insert(code);
      auto [fore, sur] = some_name();
      StaffMember m;
      m.code = code;
      m.email = lower_letters(fore).substr(0, 1) + "." + lower_letters(sur) + "." +
                lower_letters(code) + "@demo.sch.uk";
      m.name = sur + ", " + fore;
      v.push_back(std::move(m));
    }
    // A leaver's lessons go to one colleague (a new teacher when there is one), as the MIS
    // would show after the timetable is updated; they count towards the timetable's updates.
    // Their past incidents keep their code, as a MIS keeps history.
    if (left.empty() || v.empty()) return;
    std::map<std::string, std::string> cover;
    for (const auto& code : left)
      cover[code] =
          staff_.inserts ? v[v.size() - 1 - rng_.below(staff_.inserts)].code : rng_.pick(v).code;
    for (auto& l : s_.lessons) {
      auto it = cover.find(l.teacher);
      if (it == cover.end()) continue;
      l.teacher = it->second;
      if (!l.class_code.empty()) ++reassigned_lessons_;
    }
  }

  void edit_lessons() {
    auto& v = s_.lessons;
    auto is_lesson = [](const Lesson& l) { return !l.class_code.empty(); };
    Plan p = lessons_;
    p.updates -= std::min(p.updates, reassigned_lessons_);
    auto c = choose(rng_, v, p, is_lesson, is_lesson);
    std::vector<std::string> rooms;
    {
      std::set<std::string> r;
      for (const auto& l : v)
        if (!l.room.empty()) r.insert(l.room);
      rooms.assign(r.begin(), r.end());
    }
    for (size_t i : c.update) {
      Lesson& l = v[i];
      if (s_.staff.size() > 1 && rng_.chance(50)) {  // cover becomes the teacher
        const std::string old = l.teacher;
        while (l.teacher == old) l.teacher = rng_.pick(s_.staff).code;
      } else {  // a room swap
        const std::string old = l.room;
        while (l.room == old)
          l.room = rooms.size() > 1 ? rng_.pick(rooms) : "R" + std::to_string(rng_.below(1000));
      }
    }
    erase_dead(v, c.dead);
    // A new lesson of an existing class, in a slot where that class has none.
    std::set<std::tuple<std::string, int, int>> taken;
    std::vector<size_t> classes;
    for (size_t i = 0; i < v.size(); ++i)
      if (is_lesson(v[i])) {
        taken.insert({v[i].class_code, v[i].cycle_day, v[i].time.start.minutes});
        classes.push_back(i);
      }
    for (size_t k = 0; k < p.inserts && !classes.empty(); ++k) {
      for (int tries = 0; tries < 50; ++tries) {
        Lesson l = v[rng_.pick(classes)];
        l.cycle_day = 1 + int(rng_.below(10));
        l.time = *TimeRange::parse(kPeriods[rng_.below(kPeriods.size())]);
        if (!taken.insert({l.class_code, l.cycle_day, l.time.start.minutes}).second) continue;
        if (!s_.staff.empty()) l.teacher = rng_.pick(s_.staff).code;
        v.push_back(std::move(l));
        break;
      }
    }
  }

  void edit_memberships() {
    auto& v = s_.memberships;
    Plan p = memberships_;
    p.deletes -= std::min(p.deletes, cascaded_memberships_);
    auto c = choose(
        rng_, v, p, [](auto&) { return true; }, [](auto&) { return true; });
    for (size_t i : c.update) {
      Membership& m = v[i];
      if (m.end && rng_.chance(50))
        m.end.reset();  // the move was undone
      else if (m.end)
        m.end = m.end->plus_days(7);
      else
        m.end = std::max(m.start, week_).plus_days(7 * int(1 + rng_.below(8)));  // leaves the set
    }
    erase_dead(v, c.dead);
    // New memberships start after the bookings week (set changes ahead); only those can
    // collide with the new ones' (student, class, start).
    std::set<std::tuple<std::string, std::string, Date>> ahead;
    for (const auto& m : v)
      if (m.start > week_) ahead.insert({m.student_id, m.class_code, m.start});
    std::vector<std::string> classes;
    {
      std::set<std::string> cs;
      for (const auto& l : s_.lessons)
        if (!l.class_code.empty()) cs.insert(l.class_code);
      classes.assign(cs.begin(), cs.end());
    }
    if (s_.students.empty() || classes.empty()) return;
    for (size_t k = 0; k < p.inserts; ++k) {
      for (int tries = 0; tries < 50; ++tries) {
        Membership m{rng_.pick(s_.students).id, rng_.pick(classes),
                     week_.plus_days(7 * int(1 + rng_.below(6)) + int(rng_.below(5))),
                     std::nullopt};
        if (!ahead.insert({m.student_id, m.class_code, m.start}).second) continue;
        v.push_back(std::move(m));
        break;
      }
    }
  }

  void edit_bookings() {
    auto& v = s_.bookings;
    Plan p = bookings_;
    p.deletes -= std::min(p.deletes, cascaded_bookings_);
    auto c = choose(
        rng_, v, p, [](auto&) { return true; }, [](auto&) { return true; });
    for (size_t i : c.update) {
      Booking& b = v[i];
      switch (rng_.below(3)) {
        case 0: {  // marked, or cancelled
          const std::string old = b.status;
          while (b.status == old) b.status = kStatuses[rng_.below(kStatuses.size())];
          break;
        }
        case 1: {
          const std::string old = b.reason;
          while (b.reason == old) b.reason = kReasons[rng_.below(kReasons.size())];
          break;
        }
        default:
          b.room = b.room == "IE1" ? "IE2" : b.room == "IE2" ? "" : "IE1";
      }
    }
    long next = 0;
    std::set<std::pair<std::string, Date>> booked;
    for (size_t i = 0; i < v.size(); ++i) {
      next = std::max(next, number_in(v[i].id));
      if (!c.dead[i]) booked.insert({v[i].student_id, v[i].date});
    }
    erase_dead(v, c.dead);
    if (s_.students.empty()) return;
    for (size_t k = 0; k < p.inserts; ++k) {
      for (int tries = 0; tries < 50; ++tries) {
        Booking b;
        b.student_id = rng_.pick(s_.students).id;
        b.date = week_.plus_days(int(rng_.below(5)));
        if (!booked.insert({b.student_id, b.date}).second) continue;  // one booking a day
        b.id = pad(++next, 6, "IE");
        switch (rng_.below(4)) {
          case 0:
            b.start = "AM";
            break;
          case 1:
            b.start = "ALL";
            break;
          case 2:
            b.start = "13:10";
            b.end = "15:00";
            break;
          default: {
            const size_t p1 = rng_.below(kPeriods.size());
            b.start = std::to_string(p1 + 1);
            b.end = std::to_string(p1 + 1 + rng_.below(kPeriods.size() - p1));
          }
        }
        b.reason = kReasons[rng_.below(kReasons.size())];
        b.room = "IE1";
        b.status = "booked";
        v.push_back(std::move(b));
        break;
      }
    }
  }

  void edit_incidents() {
    auto& v = s_.incidents;
    Plan p = incidents_;
    p.deletes -= std::min(p.deletes, cascaded_incidents_);
    auto c = choose(
        rng_, v, p, [](auto&) { return true; }, [](auto&) { return true; });
    for (size_t i : c.update) {
      Incident& in = v[i];
      if (rng_.chance(50))
        in.points = in.points % 3 + 1;  // always another value
      else
        in.status = in.status.empty() ? "withdrawn" : "";
    }
    long next = 0;
    Date last = week_;
    for (const auto& in : v) {
      next = std::max(next, number_in(in.id));
      last = std::max(last, in.date);
    }
    erase_dead(v, c.dead);
    if (s_.students.empty() || s_.staff.empty()) return;
    for (size_t k = 0; k < p.inserts; ++k) {
      Incident in;
      in.id = pad(++next, 6, "B");
      in.student_id = rng_.pick(s_.students).id;
      in.date = last.plus_days(-int(rng_.below(21)));
      while (in.date.weekday() >= 5) in.date = in.date.plus_days(-1);
      in.time = std::string(kPeriods[rng_.below(kPeriods.size())]).substr(0, 5);
      in.type = v.empty() ? "Disruption" : rng_.pick(v).type;
      in.points = 1 + int(rng_.below(3));
      in.recorded_by = rng_.pick(s_.staff).code;
      v.push_back(std::move(in));
    }
  }

  School& s_;
  Rng rng_;
  Plan students_, staff_, memberships_, lessons_, bookings_, incidents_;
  size_t cascaded_memberships_ = 0, cascaded_bookings_ = 0, cascaded_incidents_ = 0;
  size_t reassigned_lessons_ = 0;
  Date week_;
};

}  // namespace

void edit(School& school, double fraction, std::uint32_t seed) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  Editor(school, fraction, seed).run();
}

}  // namespace iesync::gen
