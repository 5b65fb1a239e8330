#include "bench/floor.h"

#include <chrono>
#include <pugixml.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/generator/school_generator.h"
#include "store/store_access.h"

namespace iesync::bench {

namespace fs = std::filesystem;

// The demo school's mapping (the captions the generator writes).
Mapping demo_mapping() {
  Mapping m;
  m.fields[Feed::students] = {
      {"id", "Adno"},      {"forename", "Forename"}, {"surname", "Legal Surname"},
      {"year", "Year"},    {"reg_group", "Reg"},     {"email", "Primary Email"},
      {"upn", "UPN"},      {"sen", "SEN Status"},    {"pupil_premium", "Pupil Premium"},
      {"gender", "Gender"}};
  m.fields[Feed::staff] = {{"code", "Staff Code"}, {"name", "Name"}, {"email", "Email"}};
  m.fields[Feed::memberships] = {{"student_id", "Adno"},
                                 {"class", "Class"},
                                 {"start_date", "Start Date"},
                                 {"end_date", "End Date"}};
  m.fields[Feed::timetable] = {{"class", "ShortName"}, {"day", "DayName"},
                               {"start", "StartTime"}, {"end", "EndTime"},
                               {"room", "Name"},       {"teacher", "Staff Code"}};
  m.fields[Feed::bookings] = {{"id", "Booking ID"}, {"student_id", "Adno"}, {"date", "Date"},
                              {"start", "Start"},   {"end", "End"},         {"reason", "Reason"},
                              {"room", "Room"},     {"status", "Status"}};
  auto& c = m.calendar;
  c.cycle = 2;
  c.first_monday = Date::from_ymd(2026, 9, 7);
  c.day_name = "Day{cycle_day}";
  c.day_aliases = {{"Da10", "Day10"}};
  c.am = *TimeRange::parse("08:45-13:10");
  c.pm = *TimeRange::parse("13:10-15:15");
  c.periods = {{"1", *TimeRange::parse("08:50-09:50")},
               {"2", *TimeRange::parse("09:50-10:50")},
               {"3", *TimeRange::parse("11:10-12:10")},
               {"4", *TimeRange::parse("12:10-13:10")},
               {"5", *TimeRange::parse("14:00-15:00")}};
  return m;
}

namespace {

std::string tag(const char* caption) {
  return gen::encode_caption(caption);
}

void bind_opt(SQLite::Statement& st, int i, const pugi::xml_node& rec, const std::string& t) {
  auto n = rec.child(t.c_str());
  if (n)
    st.bind(i, n.child_value());
  else
    st.bind(i);
}

std::string iso_date(const char* feed_text) {
  auto d = Date::parse_feed(feed_text);
  return d ? d->iso() : std::string();
}

}  // namespace

size_t floor_import(const fs::path& dir, Store& store, const Calendar& cal, double* parse_s) {
  auto& db = StoreAccess::db(store);
  SQLite::Transaction tx(db);
  size_t rows = 0;
  auto load = [&](Feed feed, pugi::xml_document& doc) {
    auto t0 = std::chrono::steady_clock::now();
    auto path = dir / gen::file_name(feed, gen::Format::xml);
    if (!doc.load_file(path.c_str())) throw std::runtime_error("cannot parse " + path.string());
    *parse_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return doc.child("SuperStarReport");
  };
  {
    pugi::xml_document doc;
    auto root = load(Feed::students, doc);
    SQLite::Statement st(
        db,
        "INSERT INTO students (id, forename, surname, year, reg_group, email, upn, "
        "sen, pupil_premium, gender) VALUES (?,?,?,?,?,?,?,?,?,?)");
    const std::vector<std::string> tags = {tag("Adno"),  tag("Forename"),   tag("Legal Surname"),
                                           tag("Year"),  tag("Reg"),        tag("Primary Email"),
                                           tag("UPN"),   tag("SEN Status"), tag("Pupil Premium"),
                                           tag("Gender")};
    for (auto rec : root.children("Record")) {
      for (size_t i = 0; i < tags.size(); ++i) bind_opt(st, int(i + 1), rec, tags[i]);
      st.exec();
      st.reset();
      ++rows;
    }
  }
  {
    pugi::xml_document doc;
    auto root = load(Feed::staff, doc);
    SQLite::Statement st(db, "INSERT INTO staff (code, name, email) VALUES (?,?,?)");
    const std::vector<std::string> tags = {tag("Staff Code"), tag("Name"), tag("Email")};
    for (auto rec : root.children("Record")) {
      for (size_t i = 0; i < tags.size(); ++i) bind_opt(st, int(i + 1), rec, tags[i]);
      st.exec();
      st.reset();
      ++rows;
    }
  }
  {
    pugi::xml_document doc;
    auto root = load(Feed::memberships, doc);
    SQLite::Statement st(db,
                         "INSERT INTO memberships (student_id, class_code, start_date, end_date) "
                         "VALUES (?,?,?,?)");
    const std::string start = tag("Start Date"), end = tag("End Date");
    for (auto rec : root.children("Record")) {
      st.bind(1, rec.child_value("Adno"));
      st.bind(2, rec.child_value("Class"));
      st.bind(3, iso_date(rec.child_value(start.c_str())));
      if (auto e = rec.child(end.c_str()))
        st.bind(4, iso_date(e.child_value()));
      else
        st.bind(4);
      st.exec();
      st.reset();
      ++rows;
    }
  }
  {
    pugi::xml_document doc;
    auto root = load(Feed::timetable, doc);
    SQLite::Statement st(db,
                         "INSERT INTO lessons (class_code, cycle_day, day_name, start_time, "
                         "end_time, room, teacher, subject) VALUES (?,?,?,?,?,?,?,?)");
    const std::string teacher = tag("Staff Code");
    for (auto rec : root.children("Record")) {
      std::string cls = rec.child_value("ShortName");
      if (cls.empty()) continue;
      auto cd = cal.cycle_day_from_name(rec.child_value("DayName"));
      auto a = TimeOfDay::parse(rec.child_value("StartTime"));
      auto b = TimeOfDay::parse(rec.child_value("EndTime"));
      if (!cd || !a || !b) continue;
      st.bind(1, cls);
      st.bind(2, *cd);
      st.bind(3, rec.child_value("DayName"));
      st.bind(4, a->str());
      st.bind(5, b->str());
      bind_opt(st, 6, rec, "Name");
      bind_opt(st, 7, rec, teacher);
      auto slash = cls.find('/');
      st.bind(8, slash == std::string::npos ? std::string() : cls.substr(slash + 1, 2));
      st.exec();
      st.reset();
      ++rows;
    }
  }
  {
    pugi::xml_document doc;
    auto root = load(Feed::bookings, doc);
    SQLite::Statement st(
        db,
        "INSERT INTO bookings (id, student_id, date, start_spec, end_spec, reason, "
        "room, status) VALUES (?,?,?,?,?,?,?,?)");
    const std::string id = tag("Booking ID");
    for (auto rec : root.children("Record")) {
      st.bind(1, rec.child_value(id.c_str()));
      st.bind(2, rec.child_value("Adno"));
      st.bind(3, iso_date(rec.child_value("Date")));
      st.bind(4, rec.child_value("Start"));
      st.bind(5, rec.child_value("End"));
      bind_opt(st, 6, rec, "Reason");
      bind_opt(st, 7, rec, "Room");
      auto status = rec.child("Status");
      st.bind(8, status ? status.child_value() : "booked");
      st.exec();
      st.reset();
      ++rows;
    }
  }
  tx.commit();
  return rows;
}

}  // namespace iesync::bench
