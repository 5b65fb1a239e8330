// A lesson whose work was posted as a Classroom material is set: it is never in the
// dashboard's "Who to chase", nor in a teacher's chase email. The demo school's week on the
// Classroom fake (which posts materials, alone and beside assignments), synced by the real cycle,
// shown by the real page.
#include <gtest/gtest.h>

#ifndef IESYNC_HAVE_GENERATOR

TEST(MaterialsChase, NotLinked) {
  GTEST_SKIP()
      << "iesync_generator is not linked into iesync_tests; see bench/generator/CMakeLists.txt";
}

#else

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>

#include "base/html.h"
#include "bench/generator/classroom_fixture.h"
#include "bench/generator/school_generator.h"
#include "config/load.h"
#include "daemon/cycle.h"
#include "daemon/notify/notify_step.h"
#include "daemon/plan_view.h"
#include "daemon/status/dashboard.h"
#include "tests/fakes/classroom/fake_classroom.h"
#include "tests/fakes/classroom/test_keys.h"
#include "tests/support/demo_school.h"
#include "tests/support/fake_env.h"
#include "tests/support/files.h"

namespace iesync {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The <li> entries of the page's chase section.
std::vector<std::string> chase_entries(const std::string& html) {
  std::vector<std::string> out;
  auto at = html.find("id=\"chase\"");
  if (at == std::string::npos) return out;
  auto end = html.find("</section>", at);
  for (auto li = html.find("<li>", at); li != std::string::npos && li < end;
       li = html.find("<li>", li + 4))
    out.push_back(html.substr(li, html.find("</li>", li) - li));
  return out;
}

TEST(MaterialsChase, ALessonWithAMaterialIsSetAndNeverChased) {
  gen::Options o;
  o.students = 150;
  o.seed = 1;
  o.start = Date::from_ymd(2026, 11, 23);  // the committed demo exports' week
  const fs::path dir = test::copy_demo_school("iesync-materials-chase");
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{dir};

  // The exports' times are real ones, so the cycle runs on the real time (the date synced is
  // given); the page is drawn as at 06:00 that day, when every lesson is still to come.
  FakeClock clock(SystemClock().now());
  fake::FakeOptions fo;
  fo.clock = &clock;
  fo.page_size = 50;
  fo.public_key_pem = fake::shared_test_key_pair().public_pem;
  fake::FakeClassroom classroom(fo);
  ASSERT_TRUE(
      classroom.load_fixture_json(json::serialize(gen::classroom_fixture(gen::generate(o), o))));
  classroom.start();
  fs::create_directories(dir / "classroom");
  auto account = fake::write_service_account_key(dir / "classroom", classroom.token_uri());
  std::string toml = test::slurp(dir / "iesync.toml");
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = toml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    toml.replace(at, from.size(), to);
  };
  replace("enabled = false", "enabled = true");
  replace("api_base = \"https://classroom.googleapis.com\"",
          "api_base = \"" + classroom.base_url() + "\"");
  replace("token_uri = \"https://oauth2.googleapis.com/token\"",
          "token_uri = \"" + classroom.token_uri() + "\"\nkey_file = \"" +
              account.key_file.string() +
              "\"\nimpersonate = \"iesync-reader@demo.example.sch.uk\"");
  std::ofstream(dir / "iesync.toml", std::ios::trunc) << toml;
  auto loaded = load_config(dir / "iesync.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.problems.front().to_string();
  auto store = Store::open(loaded.config.store.path);
  ASSERT_TRUE(store);

  test::FakeEnv env(clock);
  Config notify_cfg = loaded.config;
  notify_cfg.notify.enabled = true;
  int with_material = 0, only_materials = 0, chased = 0, emailed = 0, emailed_found = 0;
  for (int offset : {0, 1, 2, 3, 4}) {
    const Date date = o.start.plus_days(offset);
    CollectingSink events;
    CycleDeps deps;
    deps.sleep = [](std::chrono::milliseconds) {};
    CycleOptions opts;
    opts.date = date;
    auto r = run_cycle(loaded.config, **store, events, env, opts, deps);
    ASSERT_NE(r.exit_code, 3) << r.summary;
    EXPECT_FALSE(events.has_kind("classroom.materials_scope"));

    auto plan = build_plan(loaded.config, **store, date, clock);
    ASSERT_TRUE(plan) << plan.error().to_string();
    StatusSnapshot snap;
    snap.now = date.days + std::chrono::hours{6};
    snap.today = date;
    const std::string html = render_dashboard(*plan, date, snap);
    const auto entries = chase_entries(html);
    chased += int(entries.size());
    // The chase emails a chase at 06:00 that day would send (composed, not sent).
    FakeClock at_six(TimeZone::london().to_utc(date, TimeOfDay::hm(6, 0)));
    auto composed = compose_chase(notify_cfg, **store, at_six, "06:00");
    ASSERT_TRUE(composed) << composed.error().to_string();
    std::set<std::tuple<std::string, std::string, std::string> > emailed_today;  // class, start, id
    for (const auto& l : composed->chased)
      if (l.date == date) emailed_today.insert({l.class_code, l.start.str(), l.student_id});
    emailed += int(emailed_today.size());
    const int with_material_before = with_material;

    for (const auto& sv : plan->at("sessions").as_array()) {
      const auto& session = sv.as_object();
      if (str(session, "status") == "absent" || str(session, "status") == "cancelled") continue;
      const std::string name = str(session.at("student").as_object(), "name");
      const std::string id = str(session.at("student").as_object(), "id");
      for (const auto& lv : session.at("lessons").as_array()) {
        const auto& lesson = lv.as_object();
        const auto& work = lesson.at("work").as_object();
        const auto& items = work.at("items").as_array();
        int materials = 0;
        for (const auto& iv : items) {
          const auto& item = iv.as_object();
          if (str(item, "state") != "MATERIAL") continue;
          ++materials;
          EXPECT_EQ(str(item, "link").rfind("https://classroom.google.com/c/", 0), 0u)
              << str(item, "link");
          EXPECT_NE(str(item, "link").find("/m/"), std::string::npos) << str(item, "link");
          // The page shows it as a link and says there is nothing to hand in.
          EXPECT_NE(html.find("<a href=\"" + html_escape(str(item, "link")) + "\">"),
                    std::string::npos);
        }
        if (materials == 0) {
          // The emails' lessons are keyed as the plan's are: a lesson without work is found.
          if (emailed_today.contains({str(lesson, "class"), str(lesson, "start"), id}))
            ++emailed_found;
          continue;
        }
        ++with_material;
        if (materials == int(items.size())) ++only_materials;
        const std::string status = str(work, "status");
        EXPECT_TRUE(status == "set" || status == "handed_in") << status;
        EXPECT_FALSE(work.contains("materials_checked"));
        const std::string lesson_text = html_escape(str(lesson, "start")) + "\xe2\x80\x93" +
                                        html_escape(str(lesson, "end")) + " &middot; " +
                                        html_escape(str(lesson, "class"));
        for (const auto& e : entries)
          EXPECT_FALSE(e.find(lesson_text) != std::string::npos &&
                       e.find(html_escape(name)) != std::string::npos)
              << date.iso() << ": " << e << " is chased though a material was set";
        EXPECT_FALSE(emailed_today.contains({str(lesson, "class"), str(lesson, "start"), id}))
            << date.iso() << " " << str(lesson, "start") << " " << str(lesson, "class") << " of "
            << id << " is in a chase email though a material was set";
      }
    }
    if (with_material > with_material_before) {
      EXPECT_NE(html.find("material, nothing to hand in"), std::string::npos);
    }
  }
  EXPECT_GT(with_material, 0) << "the demo week posts no material for a missed lesson";
  EXPECT_GT(only_materials, 0) << "no lesson is set by a material alone";
  EXPECT_GT(chased, 0) << "nobody is chased all week: the check above proves nothing";
  EXPECT_GT(emailed, 0) << "no chase email all week: the check above proves nothing";
  EXPECT_GT(emailed_found, 0) << "no emailed lesson matched the plan's: the keys differ";
  classroom.stop();
}

}  // namespace
}  // namespace iesync

#endif
