#include "bench/generator/classroom_fixture.h"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace iesync::gen {

namespace json = boost::json;

namespace {

struct SubjectInfo {
  const char* name;
  std::array<const char*, 4> topics;
};

// Keyed by the subject code after "/" in a class code (the generator's kSubjects).
const std::map<std::string, SubjectInfo>& subjects() {
  static const std::map<std::string, SubjectInfo> k = {
      {"Ma", {"Mathematics", {"Quadratics", "Fractions", "Simultaneous equations", "Probability"}}},
      {"En", {"English", {"Macbeth", "Persuasive writing", "Poetry anthology", "Of Mice and Men"}}},
      {"Sc", {"Science", {"Forces", "Cells", "Chemical reactions", "Electricity"}}},
      {"Hi",
       {"History",
        {"The Norman Conquest", "The Tudors", "The Industrial Revolution", "World War One"}}},
      {"Gg", {"Geography", {"Rivers", "Plate tectonics", "Urbanisation", "Weather and climate"}}},
      {"Fr", {"French", {"Ma famille", "Les vacances", "Le collège", "En ville"}}},
      {"Ar", {"Art", {"Still life", "Portraits", "Printmaking", "Perspective"}}},
      {"Pe", {"Physical Education", {"Fitness", "Athletics", "Netball rules", "Healthy living"}}},
      {"Cp", {"Computing", {"Algorithms", "Python loops", "Networks", "Binary"}}},
      {"Re", {"Religious Education", {"Ethics", "World faiths", "Pilgrimage", "Philosophy"}}},
      {"Mu", {"Music", {"Rhythm", "The orchestra", "Film music", "Composing"}}},
      {"Dt", {"Design and Technology", {"Materials", "Product analysis", "CAD", "Structures"}}},
  };
  return k;
}

constexpr std::array<const char*, 4> kTasks = {"practice set", "worksheet", "reading and questions",
                                               "quiz"};

std::string pad(long v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*ld", width, v);
  return buf;
}

std::string rfc3339(Date d, int hh, int mm) {
  return d.iso() + "T" + pad(hh, 2) + ":" + pad(mm, 2) + ":00Z";
}

json::object date_json(Date d) {
  auto ymd = d.ymd();
  // Signed, as a parsed JSON document would hold them (the fake's dueDate ordering reads int64).
  return {{"year", int(ymd.year())},
          {"month", int(unsigned(ymd.month()))},
          {"day", int(unsigned(ymd.day()))}};
}

bool has_course(std::string_view class_code) {
  auto slash = class_code.rfind('/');
  if (slash == std::string_view::npos) return false;
  auto subject = class_code.substr(slash + 1);
  return subject != "Tu" && subject != "Reg";
}

std::string alias_for(std::string class_code) {
  for (char& c : class_code)
    if (c == '/') c = '-';
  return "d:" + class_code;
}

}  // namespace

json::object classroom_fixture(const School& school, const Options& opt) {
  // Its own stream: the feeds' stream is consumed by generate(), and adding a course must
  // not change who is booked.
  std::mt19937 eng(opt.seed * 2654435761u + 0x5C1A55u);
  auto below = [&eng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(eng); };

  const Date monday = opt.start.monday();
  const Date friday = monday.plus_days(4);

  // Classes in timetable order (the feed's order, so the result is deterministic).
  std::vector<std::string> classes;
  std::set<std::string> seen;
  for (const auto& l : school.lessons)
    if (!l.class_code.empty() && has_course(l.class_code) && seen.insert(l.class_code).second)
      classes.push_back(l.class_code);

  // Roster: whoever is in the class at some point of the booking week.
  std::map<std::string, std::vector<std::string>> roster;
  std::set<std::pair<std::string, std::string>> on_roster;
  for (const auto& m : school.memberships) {
    if (m.start > friday || (m.end && *m.end < monday)) continue;
    if (on_roster.insert({m.class_code, m.student_id}).second)
      roster[m.class_code].push_back(m.student_id);
  }
  std::map<std::string, const Student*> by_id;
  for (const auto& s : school.students) by_id[s.id] = &s;
  // How likely each student is to hand work in: some always do, some rarely.
  std::map<std::string, int> diligence;
  for (const auto& s : school.students)
    diligence[s.id] = std::array{20, 50, 55, 85}[size_t(below(4))];

  // Materials draw from a stream of their own too, so the courses, work and hand-ins above
  // are the same with or without them.
  std::mt19937 material_eng(opt.seed * 2246822519u + 0x3A7E1Au);
  auto material_below = [&material_eng](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(material_eng);
  };

  json::array courses, students, work, materials, subs;
  long next_course = 1, next_work = 1, next_sub = 1, next_material = 1;
  for (const auto& code : classes) {
    const bool skipped = below(8) == 0;  // drawn for every class, so later ones do not shift
    if (skipped) continue;
    const std::string subject_code = code.substr(code.rfind('/') + 1);
    auto it = subjects().find(subject_code);
    const std::string subject = it != subjects().end() ? it->second.name : subject_code;
    const std::string set = code.substr(0, code.rfind('/'));
    const std::string course_id = "7" + pad(next_course++, 9);
    const std::string course_link = "https://classroom.google.com/c/" + course_id;
    courses.push_back(
        json::object{{"id", course_id},
                     {"name", set + " " + subject},
                     {"section", code},
                     {"courseState", "ACTIVE"},
                     {"alternateLink", course_link},
                     {"aliases", json::array{json::object{{"alias", alias_for(code)}}}}});
    const auto& members = roster[code];
    for (const auto& sid : members) {
      const Student* s = by_id.at(sid);
      const std::string uid = "u" + sid;
      students.push_back(json::object{
          {"courseId", course_id},
          {"userId", uid},
          {"profile",
           json::object{{"id", uid},
                        {"emailAddress", s->email},
                        {"name", json::object{{"givenName", s->forename},
                                              {"familyName", s->surname},
                                              {"fullName", s->forename + " " + s->surname}}}}}});
    }
    // A reading pack (nothing to hand in) posted the evening before `day`. Google fills
    // alternateLink only for a published item.
    auto add_material = [&](Date day, const char* state) {
      const std::string material_id = "9" + pad(next_material++, 9);
      const std::string topic =
          it != subjects().end() ? it->second.topics[size_t(material_below(4))] : subject;
      const std::string posted =
          rfc3339(day.plus_days(-1), 17 + material_below(3), material_below(60));
      json::object m{
          {"courseId", course_id},
          {"id", material_id},
          {"title", topic + ": reading pack"},
          {"state", state},
          {"creationTime", posted},
          {"updateTime", posted},
          {"assigneeMode", "ALL_STUDENTS"},
          {"materials",
           json::array{json::object{
               {"link", json::object{{"url", "https://www.example.org/reading/" + material_id},
                                     {"title", topic}}}}}}};
      if (std::string(state) == "PUBLISHED")
        m["alternateLink"] = course_link + "/m/" + material_id + "/details";
      materials.push_back(std::move(m));
    };
    int task = 1 + below(3);
    for (int d = 0; d < 5; ++d) {
      // Work created up to set_before (3 days in the demo) before a lesson counts for it, so
      // at 0.6 a day nearly every lesson after Monday would have some; 0.4 leaves the
      // dashboard's "not set" for about a quarter of mid-week lessons.
      const bool has_work = below(10) < 4;
      // A material, drawn from its own stream every day: on a third of the days without an
      // assignment (so some lessons are set by a material alone), now and then beside one.
      const int material_draw = material_below(100);
      if (material_draw < (has_work ? 12 : 35))
        add_material(monday.plus_days(d), material_draw < 4 ? "DRAFT" : "PUBLISHED");
      if (!has_work) continue;
      const Date due = monday.plus_days(d);
      const Date created = due.plus_days(-1);
      const std::string work_id = "8" + pad(next_work++, 9);
      const std::string topic =
          it != subjects().end() ? it->second.topics[size_t(below(4))] : subject;
      const std::string title =
          topic + ": " + kTasks[size_t(below(int(kTasks.size())))] + " " + std::to_string(task++);
      const std::string created_at = rfc3339(created, 16 + below(3), below(60));
      work.push_back(
          json::object{{"courseId", course_id},
                       {"id", work_id},
                       {"title", title},
                       {"state", "PUBLISHED"},
                       {"alternateLink", course_link + "/a/" + work_id + "/details"},
                       {"creationTime", created_at},
                       {"updateTime", created_at},
                       {"dueDate", date_json(due)},
                       {"dueTime", json::object{{"hours", 15}}},  // proto3 JSON omits minutes: 0
                       {"workType", "ASSIGNMENT"},
                       {"assigneeMode", "ALL_STUDENTS"}});
      for (const auto& sid : members) {
        const int r = below(100);
        const bool in = r < diligence[sid];
        // A teacher has marked and returned some of what was handed in.
        const char* state = !in ? "CREATED" : below(5) == 0 ? "RETURNED" : "TURNED_IN";
        subs.push_back(
            json::object{{"courseId", course_id},
                         {"courseWorkId", work_id},
                         {"id", "s" + pad(next_sub++, 7)},
                         {"userId", "u" + sid},
                         {"state", state},
                         {"updateTime", in ? rfc3339(due, 9 + below(6), below(60)) : created_at}});
      }
    }
  }
  return json::object{{"courses", std::move(courses)},
                      {"students", std::move(students)},
                      {"courseWork", std::move(work)},
                      {"courseWorkMaterial", std::move(materials)},
                      {"studentSubmissions", std::move(subs)}};
}

Result<void> write_classroom_fixture(const School& school, const Options& opt,
                                     const std::filesystem::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec)
    return make_error(file.parent_path().string(), "cannot create the folder: " + ec.message(),
                      "check the path and its permissions");
  const std::string text = json::serialize(classroom_fixture(school, opt)) + "\n";
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f.write(text.data(), std::streamsize(text.size()));
  f.close();
  if (!f)
    return make_error(file.string(), "cannot write the Classroom fixture",
                      "check free space and permissions");
  return {};
}

}  // namespace iesync::gen
