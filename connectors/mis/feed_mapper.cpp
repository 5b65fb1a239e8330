#include "connectors/mis/feed_mapper.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace iesync {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string in_quotes(std::string_view v) {
  constexpr std::size_t kMax = 60;  // a 10 MB value must not become a 10 MB message
  if (v.size() > kMax) return "\"" + std::string(v.substr(0, kMax)) + "...\"";
  return "\"" + std::string(v) + "\"";
}

// The columns a feed's mapping names, resolved once against the table.
class Columns {
 public:
  Columns(const FeedTable& t, const FieldMap& fields, Feed feed)
      : t_(t), fields_(fields), feed_(feed) {}

  Result<void> resolve() {
    if (auto r = check_field_map(feed_, fields_); !r) return r;
    // An XML report with no records has no columns to check; an empty feed is left to the
    // [safety] check instead.
    bool can_check = t_.numbered_by_line || !t_.empty();
    for (auto& [logical, caption] : fields_) {
      int i = t_.column(caption);
      index_[logical] = i;
      bool required = std::ranges::count(required_fields(feed_), logical) > 0;
      if (i < 0 && required && can_check) {
        std::string found;
        for (std::size_t k = 0; k < t_.columns.size() && k < 20; ++k)
          found += (k ? ", " : "") + in_quotes(t_.columns[k]);
        return make_error(
            t_.file,
            "the required column " + in_quotes(caption) + " (" + feed_name(feed_) + " " + logical +
                ") is not in the export; columns found: " + (found.empty() ? "none" : found),
            "add the column to the report in the MIS, or correct [fields." +
                std::string(feed_name(feed_)) + "] " + logical + " in mapping.toml");
      }
    }
    return {};
  }

  int index(const std::string& logical) const {
    auto it = index_.find(logical);
    return it == index_.end() ? -1 : it->second;
  }
  const std::string& caption(const std::string& logical) const { return fields_.at(logical); }

  // The value as the reader gave it (readers trim what SIMS pads, never quoted text);
  // empty when absent.
  std::string_view get(const FeedRecord& r, int i) const {
    if (i < 0) return {};
    return r.value(static_cast<std::size_t>(i)).value_or(std::string_view());
  }

 private:
  const FeedTable& t_;
  const FieldMap& fields_;
  Feed feed_;
  std::unordered_map<std::string, int> index_;
};

// Collects per-record problems for one feed.
template <class T>
class Mapper {
 public:
  Mapper(const FeedTable& t, const FieldMap& f, Feed feed, const char* thing)
      : t(t), cols(t, f, feed), thing_(thing) {
    out.skipped = t.record_errors;
    out.skipped_not_kept = t.record_errors_not_kept;
  }

  // The value of a required field, or a record error when it is empty.
  bool need(const FeedRecord& r, const std::string& logical, std::string_view& v) {
    return need_at(r, cols.index(logical), logical, v);
  }
  // The same with the column looked up once before the loop, for the feeds with hundreds of
  // thousands of records.
  bool need_at(const FeedRecord& r, int column, const std::string& logical, std::string_view& v) {
    v = cols.get(r, column);
    if (!v.empty()) return true;
    skip(r, cols.caption(logical) + " (" + logical + ") is empty",
         "fill it in in the MIS; the record will be read at the next export");
    return false;
  }
  std::string opt(const FeedRecord& r, const std::string& logical) const {
    return std::string(cols.get(r, cols.index(logical)));
  }
  void skip(const FeedRecord& r, const std::string& what, std::string fix) {
    if (own_skips_++ >= kMaxKeptSkips) {
      ++out.skipped_not_kept;
      return;
    }
    out.skipped.push_back(
        {r.number,
         make_error(t.where(r), what + "; the " + thing_ + " was skipped", std::move(fix))});
  }
  void keep(const FeedRecord& r, T item) {
    out.items.push_back(std::move(item));
    out.numbers.push_back(r.number);
  }
  MappedFeed<T> finish() {
    settle_skipped(out.skipped, out.skipped_not_kept);
    return std::move(out);
  }

  const FeedTable& t;
  Columns cols;
  MappedFeed<T> out;

 private:
  std::string thing_;
  std::size_t own_skips_ = 0;  // skips found here, not by the reader
};

// First-seen record number per key, to report duplicates against the original.
class Seen {
 public:
  explicit Seen(SeenKeys* keys) : keys_(keys) {}
  // 0 when new, else the record number that had it first.
  std::size_t first(std::string key, std::size_t number) {
    if (keys_) return keys_->first(key, number).value_or(0);
    auto [it, added] = seen_.try_emplace(std::move(key), number);
    return added ? 0 : it->second;
  }

 private:
  SeenKeys* keys_;
  std::unordered_map<std::string, std::size_t> seen_;
};

// Items already kept, looked up by their key through their index, so no key is copied: at
// 650,000 memberships a map of key strings took ~80 MB, and a map of copied Adnos cost as
// much as the record table itself for a short students export. KeyOf gives the key's hash
// and equality. Open addressing over a flat array of indexes, at most half full: 8 bytes an
// item, where std::unordered_set's node and bucket per item took ~40 (18 MB of a 50,000-pupil
// school's memberships export).
template <class T, class KeyOf>
class SeenItems {
 public:
  explicit SeenItems(const std::vector<T>& items) : items_(items) {}
  void reserve(std::size_t n) {
    if (n * 2 > slots_.size()) rehash(n * 2);
  }
  // Adds the item at `index`; nullopt when new, else the index of the earlier equal item.
  std::optional<std::size_t> add(std::size_t index) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(std::max<std::size_t>(16, slots_.size() * 2));
    const T& item = items_[index];
    for (std::size_t i = slot_of(KeyOf::hash(item));; i = (i + 1) & mask_) {
      const std::uint32_t s = slots_[i];
      if (s == kEmpty) {
        slots_[i] = static_cast<std::uint32_t>(index);
        ++size_;
        return std::nullopt;
      }
      if (KeyOf::equal(items_[s], item)) return s;
    }
  }

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;  // no export has 2^32 records (1 GiB)

  // Fibonacci hashing: the top bits of the product, so keys whose hashes differ only in their
  // high bits still spread over the table.
  std::size_t slot_of(std::size_t h) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(h) * 0x9E3779B97F4A7C15ull) >>
                                    (64 - bits_));
  }
  void rehash(std::size_t at_least) {
    std::size_t n = 16;
    bits_ = 4;
    while (n < at_least) {
      n *= 2;
      ++bits_;
    }
    std::vector<std::uint32_t> old(n, kEmpty);
    old.swap(slots_);
    mask_ = n - 1;
    for (std::uint32_t s : old) {
      if (s == kEmpty) continue;
      std::size_t i = slot_of(KeyOf::hash(items_[s]));
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  const std::vector<T>& items_;
  std::vector<std::uint32_t> slots_;
  std::size_t size_ = 0, mask_ = 0;
  int bits_ = 0;
};

// A student is known by admission number.
struct StudentKey {
  static std::size_t hash(const Student& s) { return std::hash<std::string>{}(s.id); }
  static bool equal(const Student& a, const Student& b) { return a.id == b.id; }
};
using SeenStudents = SeenItems<Student, StudentKey>;

// A membership is known by (student, class, start date).
struct MembershipKey {
  static std::size_t hash(const Membership& m) {
    std::size_t h = std::hash<std::string>{}(m.student_id);
    h = h * 1000003u ^ std::hash<std::string>{}(m.class_code);
    return h * 1000003u ^
           (m.start_date ? static_cast<std::size_t>(m.start_date->days.time_since_epoch().count())
                         : 0u);
  }
  static bool equal(const Membership& x, const Membership& y) {
    return x.student_id == y.student_id && x.class_code == y.class_code &&
           x.start_date == y.start_date;
  }
};
using SeenMemberships = SeenItems<Membership, MembershipKey>;

std::string upper(std::string_view v) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string_view v) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* kDateForms = "a date (YYYY-MM-DD, YYYY-MM-DDThh:mm:ss or DD/MM/YYYY)";

}  // namespace

void settle_skipped(std::vector<SkippedRecord>& skipped, std::size_t& not_kept) {
  std::stable_sort(skipped.begin(), skipped.end(),
                   [](auto& a, auto& b) { return a.number < b.number; });
  if (skipped.size() > kMaxKeptSkips) {
    not_kept += skipped.size() - kMaxKeptSkips;
    skipped.erase(skipped.begin() + static_cast<std::ptrdiff_t>(kMaxKeptSkips), skipped.end());
  }
}

std::string membership_key(const Membership& m) {
  std::string key = m.student_id;
  key += '\x1f';
  key += m.class_code;
  key += '\x1f';
  if (m.start_date) key += m.start_date->iso();
  return key;
}

const std::vector<std::string>& required_fields(Feed f) {
  static const std::map<Feed, std::vector<std::string>> k = {
      {Feed::students, {"id", "forename", "surname", "year"}},
      {Feed::staff, {"code", "name"}},
      {Feed::memberships, {"student_id", "class"}},
      {Feed::timetable, {"class", "day", "start", "end"}},
      {Feed::bookings, {"id", "student_id", "date", "start", "end"}},
      {Feed::behaviour, {"id", "student_id", "date"}},
  };
  return k.at(f);
}

Result<void> check_field_map(Feed f, const FieldMap& fields) {
  for (auto& logical : required_fields(f))
    if (!fields.contains(logical) || fields.at(logical).empty())
      return make_error(
          std::string("mapping.toml [fields.") + feed_name(f) + "]",
          "the required field " + logical + " is not mapped to a column",
          "add " + logical + " = \"<column caption>\" to [fields." + feed_name(f) + "]");
  return {};
}

std::string normalise_year(std::string_view v) {
  v = trim(v);
  if (v.size() >= 4 && lower(v.substr(0, 4)) == "year") v = trim(v.substr(4));
  return std::string(v);
}

std::string subject_code(std::string_view class_code,
                         const std::map<std::string, std::string>& subjects) {
  auto slash = class_code.rfind('/');
  if (slash == std::string_view::npos) return {};
  auto rest = class_code.substr(slash + 1);
  std::size_t n = 0;
  while (n < rest.size() && std::isalpha(static_cast<unsigned char>(rest[n]))) ++n;
  auto letters = rest.substr(0, n);
  for (std::size_t len = letters.size(); len > 0; --len)
    if (subjects.contains(std::string(letters.substr(0, len))))
      return std::string(letters.substr(0, len));
  // SIMS subject codes are a capital and lower-case letters; a set suffix ("H3") follows.
  std::size_t k = 1;
  while (k < letters.size() && std::islower(static_cast<unsigned char>(letters[k]))) ++k;
  return std::string(letters.substr(0, std::min(k, letters.size())));
}

Result<void> check_columns(const FeedTable& t, const FieldMap& fields, Feed f) {
  return Columns(t, fields, f).resolve();
}

Result<MappedFeed<Student>> map_students(const FeedTable& t, const FieldMap& f, SeenKeys* keys) {
  Mapper<Student> m(t, f, Feed::students, "student");
  if (auto r = m.cols.resolve(); !r) return r.error();
  m.out.items.reserve(t.size());
  m.out.numbers.reserve(t.size());
  SeenStudents seen(m.out.items);
  if (!keys) seen.reserve(t.size());
  for (const FeedRecord r : t) {
    std::string_view id, fore, sur, year;
    if (!m.need(r, "id", id) || !m.need(r, "forename", fore) || !m.need(r, "surname", sur) ||
        !m.need(r, "year", year))
      continue;
    m.keep(r, Student{std::string(id), std::string(fore), std::string(sur), normalise_year(year),
                      m.opt(r, "reg_group"), m.opt(r, "email"), m.opt(r, "upn"), m.opt(r, "sen"),
                      m.opt(r, "pupil_premium"), m.opt(r, "gender")});
    std::optional<std::size_t> first;
    if (keys) {
      first = keys->first(id, r.number);
    } else if (auto at = seen.add(m.out.items.size() - 1)) {
      first = m.out.numbers[*at];
    }
    if (first) {
      // The first record with the Adno is kept; this one is skipped.
      m.out.items.pop_back();
      m.out.numbers.pop_back();
      m.skip(r, "student " + std::string(id) + " appears twice (first at " + t.where(*first) + ")",
             "check the admission numbers in the MIS");
    }
  }
  return m.finish();
}

Result<MappedFeed<Staff>> map_staff(const FeedTable& t, const FieldMap& f, SeenKeys* keys) {
  Mapper<Staff> m(t, f, Feed::staff, "staff member");
  if (auto r = m.cols.resolve(); !r) return r.error();
  Seen seen(keys);
  for (const FeedRecord r : t) {
    std::string_view code, name;
    if (!m.need(r, "code", code) || !m.need(r, "name", name)) continue;
    if (auto first = seen.first(std::string(code), r.number)) {
      m.skip(r,
             "staff code " + std::string(code) + " appears twice (first at " + t.where(first) + ")",
             "check the staff codes in the MIS");
      continue;
    }
    m.keep(r, Staff{std::string(code), std::string(name), m.opt(r, "email")});
  }
  return m.finish();
}

Result<MappedFeed<Membership>> map_memberships(const FeedTable& t, const FieldMap& f,
                                               SeenKeys* keys) {
  Mapper<Membership> m(t, f, Feed::memberships, "membership");
  if (auto r = m.cols.resolve(); !r) return r.error();
  m.out.items.reserve(t.size());
  m.out.numbers.reserve(t.size());
  SeenMemberships seen(m.out.items);
  if (!keys) seen.reserve(t.size());
  const std::string student_id = "student_id", cls_name = "class";
  const int student_col = m.cols.index(student_id), class_col = m.cols.index(cls_name);
  const int start_col = m.cols.index("start_date"), end_col = m.cols.index("end_date");
  for (const FeedRecord r : t) {
    std::string_view sid, cls;
    if (!m.need_at(r, student_col, student_id, sid) || !m.need_at(r, class_col, cls_name, cls))
      continue;
    Membership mem{std::string(sid), std::string(cls), std::nullopt, std::nullopt};
    bool ok = true;
    for (auto [logical, column, slot] : {std::tuple{"start_date", start_col, &mem.start_date},
                                         std::tuple{"end_date", end_col, &mem.end_date}}) {
      auto v = m.cols.get(r, column);
      if (v.empty()) continue;
      *slot = Date::parse_feed(v);
      if (!*slot) {
        m.skip(r, m.cols.caption(logical) + " " + in_quotes(v) + " is not " + kDateForms,
               "correct the date in the MIS");
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (mem.start_date && mem.end_date && *mem.end_date < *mem.start_date) {
      m.skip(r,
             "the membership of " + mem.student_id + " in " + mem.class_code + " ends (" +
                 mem.end_date->iso() + ") before it starts (" + mem.start_date->iso() + ")",
             "correct the dates in the MIS");
      continue;
    }
    m.keep(r, std::move(mem));
    std::optional<std::size_t> first;
    if (keys) {
      first = keys->first(membership_key(m.out.items.back()), r.number);
    } else if (auto at = seen.add(m.out.items.size() - 1)) {
      first = m.out.numbers[*at];
    }
    if (first) {
      const Membership& dup = m.out.items.back();
      m.skip(r,
             "student " + dup.student_id + " is in " + dup.class_code + " twice (first at " +
                 t.where(*first) + ")",
             "remove the duplicate membership in the MIS");
      m.out.items.pop_back();
      m.out.numbers.pop_back();
    }
  }
  return m.finish();
}

Result<MappedFeed<Lesson>> map_timetable(const FeedTable& t, const FieldMap& f, const Calendar& cal,
                                         const std::map<std::string, std::string>& subjects) {
  Mapper<Lesson> m(t, f, Feed::timetable, "lesson");
  if (auto r = m.cols.resolve(); !r) return r.error();
  int subject_col = m.cols.index("subject");
  for (const FeedRecord r : t) {
    std::string_view cls = m.cols.get(r, m.cols.index("class"));
    if (cls.empty()) {  // a staff free or a room with nothing on: not a lesson
      ++m.out.ignored;
      continue;
    }
    std::string_view day, start, end;
    if (!m.need(r, "day", day) || !m.need(r, "start", start) || !m.need(r, "end", end)) continue;
    auto cycle_day = cal.cycle_day_from_name(day);
    if (!cycle_day) {
      m.skip(r,
             m.cols.caption("day") + " " + in_quotes(day) +
                 " is not a day of the timetable cycle (" + cal.day_name(1) + ".." +
                 cal.day_name(cal.cycle_days()) + ")",
             "check [calendar] day_name and day_aliases in mapping.toml");
      continue;
    }
    auto s = TimeOfDay::parse(start), e = TimeOfDay::parse(end);
    if (!s || !e) {
      auto [logical, v] = !s ? std::pair<std::string, std::string_view>{"start", start}
                             : std::pair<std::string, std::string_view>{"end", end};
      m.skip(r, m.cols.caption(logical) + " " + in_quotes(v) + " is not a time (HH:MM)",
             "check the timetable in the MIS");
      continue;
    }
    if (*e <= *s) {
      m.skip(r,
             "the lesson of " + std::string(cls) + " ends (" + e->str() +
                 ") before or when it starts (" + s->str() + ")",
             "check the timetable in the MIS");
      continue;
    }
    Lesson l;
    l.class_code = std::string(cls);
    l.cycle_day = *cycle_day;
    l.day_name = std::string(day);
    l.time = TimeRange{*s, *e};
    l.room = m.opt(r, "room");
    l.teacher = m.opt(r, "teacher");
    std::string code(m.cols.get(r, subject_col));
    if (code.empty()) code = subject_code(cls, subjects);
    auto named = subjects.find(code);
    l.subject = named != subjects.end() ? named->second : code;
    m.keep(r, std::move(l));
  }
  return m.finish();
}

Result<MappedFeed<Booking>> map_bookings(const FeedTable& t, const FieldMap& f, const Calendar& cal,
                                         SeenKeys* keys) {
  Mapper<Booking> m(t, f, Feed::bookings, "booking");
  if (auto r = m.cols.resolve(); !r) return r.error();
  Seen seen(keys);
  const std::string bad_spec_fix =
      "use HH:MM, a period named in [calendar.periods] of mapping.toml, or AM/PM/ALL as start";
  for (const FeedRecord r : t) {
    std::string_view id, sid, date, start;
    if (!m.need(r, "id", id) || !m.need(r, "student_id", sid) || !m.need(r, "date", date) ||
        !m.need(r, "start", start))
      continue;
    Booking b;
    b.id = std::string(id);
    b.student_id = std::string(sid);
    auto d = Date::parse_feed(date);
    if (!d) {
      m.skip(r, m.cols.caption("date") + " " + in_quotes(date) + " is not " + kDateForms,
             "correct the booking's date in the MIS");
      continue;
    }
    b.date = *d;
    std::string end(m.cols.get(r, m.cols.index("end")));
    auto word = upper(start);
    if (word == "AM" || word == "PM" || word == "ALL") {
      b.start_spec = word;
      if (!end.empty() && upper(end) != word) {
        m.skip(
            r,
            "the booking starts " + word + " (a whole session) but also has end " + in_quotes(end),
            "leave end empty for an AM, PM or ALL booking, or give times instead");
        continue;
      }
    } else {
      // A time, else a period name; the period's own window is resolved at reconcile.
      auto spec = [&](std::string_view v,
                      const std::string& logical) -> std::optional<std::string> {
        if (auto tm = TimeOfDay::parse(v)) return tm->str();
        if (cal.period(v)) return std::string(v);
        m.skip(r,
               m.cols.caption(logical) + " " + in_quotes(v) +
                   " is not a time (HH:MM) or a period name" +
                   (logical == "start" ? " or AM/PM/ALL" : ""),
               bad_spec_fix);
        return std::nullopt;
      };
      auto s = spec(start, "start");
      if (!s) continue;
      if (end.empty()) {
        m.skip(r, m.cols.caption("end") + " (end) is empty", bad_spec_fix);
        continue;
      }
      auto e = spec(end, "end");
      if (!e) continue;
      b.start_spec = std::move(*s);
      b.end_spec = std::move(*e);
    }
    auto status = lower(m.cols.get(r, m.cols.index("status")));
    if (!status.empty()) {
      auto st = booking_status_from_name(status);
      if (!st) {
        m.skip(r,
               m.cols.caption("status") + " " + in_quotes(status) +
                   " is not one of booked, attended, absent, cancelled",
               "correct the booking's status in the MIS");
        continue;
      }
      b.status = *st;
    }
    b.reason = m.opt(r, "reason");
    b.room = m.opt(r, "room");
    b.referred_by = m.opt(r, "referred_by");
    b.incident_id = m.opt(r, "incident_id");
    if (auto first = seen.first(b.id, r.number)) {
      m.skip(r, "booking " + b.id + " appears twice (first at " + t.where(first) + ")",
             "check the booking ids in the MIS export");
      continue;
    }
    m.keep(r, std::move(b));
  }
  return m.finish();
}

Result<MappedFeed<Incident>> map_behaviour(const FeedTable& t, const FieldMap& f,
                                           const Calendar& cal, SeenKeys* keys) {
  Mapper<Incident> m(t, f, Feed::behaviour, "incident");
  if (auto r = m.cols.resolve(); !r) return r.error();
  Seen seen(keys);
  m.out.items.reserve(t.size());
  for (const FeedRecord r : t) {
    std::string_view id, sid, date;
    if (!m.need(r, "id", id) || !m.need(r, "student_id", sid) || !m.need(r, "date", date)) continue;
    Incident in;
    in.id = std::string(id);
    in.student_id = std::string(sid);
    auto d = Date::parse_feed(date);
    if (!d) {
      m.skip(r, m.cols.caption("date") + " " + in_quotes(date) + " is not " + kDateForms,
             "correct the incident's date in the MIS");
      continue;
    }
    in.date = *d;
    if (auto time = m.opt(r, "time"); !time.empty()) {
      if (auto tm = TimeOfDay::parse(time)) {
        in.time = tm->str();
      } else if (cal.period(time)) {
        in.time = time;
      } else {
        m.skip(r,
               m.cols.caption("time") + " " + in_quotes(time) +
                   " is not a time (HH:MM) or a period name",
               "correct the incident's time in the MIS, or name the period in [calendar.periods] "
               "of mapping.toml");
        continue;
      }
    }
    if (auto points = std::string(trim(m.opt(r, "points"))); !points.empty()) {
      // Whole points, as SIMS gives them; a sign is allowed (some schools record rewards as
      // negative points), a fraction or a word is not.
      std::size_t k = points[0] == '-' || points[0] == '+' ? 1 : 0;
      bool digits = k < points.size() && points.size() - k <= 4;
      for (std::size_t i = k; digits && i < points.size(); ++i)
        digits = std::isdigit(static_cast<unsigned char>(points[i])) != 0;
      if (!digits) {
        m.skip(
            r,
            m.cols.caption("points") + " " + in_quotes(points) + " is not a whole number of points",
            "correct the incident's points in the MIS");
        continue;
      }
      in.points = std::stoi(points);
    }
    in.type = m.opt(r, "type");
    in.recorded_by = m.opt(r, "recorded_by");
    in.status = lower(trim(m.opt(r, "status")));
    if (auto first = seen.first(in.id, r.number)) {
      m.skip(r, "incident " + in.id + " appears twice (first at " + t.where(first) + ")",
             "check the incident ids in the MIS export");
      continue;
    }
    m.keep(r, std::move(in));
  }
  return m.finish();
}

}  // namespace iesync
