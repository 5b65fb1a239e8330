// The Wonde target against the fake Wonde server over loopback, through the real curl client.
// The fake is as strict as the real API (tests/fakes/wonde/fake_wonde.h): writes are not
// idempotent, it never refuses a write over a teacher's mark, refusals are 422 in Laravel's
// style. So every promise here is kept by iesync itself, not by the fake.
#include "connectors/writeback/wonde_target.h"

#include <gtest/gtest.h>

#include <random>

#include "connectors/http/curl_client.h"
#include "connectors/writeback/sender.h"
#include "store/lookup_cache.h"
#include "tests/fakes/wonde/fake_wonde.h"
#include "tests/unit/writeback/writeback_fixtures.h"

namespace iesync {
namespace {

using namespace wbtest;
using fake::FakeWonde;
using fake::FaultSpec;
using fake::WondeFault;

std::string random_token() {
  std::random_device rd;
  std::string t;
  for (int i = 0; i < 40; ++i) t += "0123456789abcdef"[rd() % 16];
  return t;
}

struct WondeTest : ::testing::Test {
  std::string token = random_token();
  FakeWonde mis{{token}};
  TempStore t;
  FakeClock clock{at(10, 0)};
  Outbox box{t.store(), clock};
  LookupCache cache{t.store()};
  CollectingSink events;
  std::unique_ptr<HttpClient> http;
  std::vector<std::chrono::milliseconds> slept;  // what the target waited between lookups
  WondeOptions extra;                            // per-test option changes

  void SetUp() override {
    mis.seed_standard_codes();
    mis.add_student({"A100", "001042", "K801200001042", "Test", "Pupil-One"});
    mis.add_student({"A101", "001043", "K801200001043", "Test", "Pupil-Two"});
    // Enough students that the list comes in more than one page.
    for (int i = 0; i < 230; ++i)
      mis.add_student({"A9" + std::to_string(i), "9" + std::to_string(i), "", "Filler", "Student"});
    mis.add_lesson({"L1", "9X1/Ma", "2026-11-23", "09:50", "10:50"});
    mis.add_lesson({"L2", "9X1/En", "2026-11-23", "11:10", "12:10"});
    mis.add_lesson({"L3", "9X1/Sc", "2026-11-23", "12:10", "13:10"});
    mis.add_lesson({"L9", "9X1/Ma", "2026-11-24", "09:50", "10:50"});
    mis.start();
    HttpOptions o;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.total_timeout = std::chrono::milliseconds(1500);
    http = make_curl_client(o);
  }

  WondeOptions options(const std::string& tok = {}) {
    WondeOptions o = extra;
    o.api_base = mis.api_base();
    o.school_id = "A1930499544";
    o.token = tok.empty() ? token : tok;
    o.sleep = [this](std::chrono::milliseconds d) { slept.push_back(d); };
    o.cache = &cache;
    o.today = "2026-11-23";
    return o;
  }
  // A fresh target per run, as `iesync sync` makes one.
  Result<SendSummary> run(std::string tok = {}) {
    WondeTarget target(*http, options(tok));
    Sender s(box, target, clock, events);
    return s.run_once();
  }
  OutboxRow row(const std::string& key) { return **box.find(key); }
  int writes_to(const std::string& endpoint) {
    int n = 0;
    for (auto& w : mis.writes()) n += w.endpoint == endpoint;
    return n;
  }
};

TEST_F(WondeTest, HappyPathWritesEveryKindOnceWithOnlyDocumentedFields) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  auto b = lesson_mark("001043", "9X1/En", 11, 10);
  auto s = session_mark("001042", "AM", "/");
  auto e = exclusion("001042", "B1");
  ASSERT_TRUE(box.enqueue(std::vector{a, b, s, e}));
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  // The fake refuses any field Wonde does not document, so all four going through shows the
  // requests carry only documented fields.
  EXPECT_EQ(sum->confirmed, 4) << (events.events().empty() ? "" : events.events().front().message);
  EXPECT_EQ(mis.lesson_mark("A100", "L1"), "/");
  EXPECT_EQ(mis.lesson_mark("A101", "L2"), "/");
  EXPECT_EQ(mis.session_mark("A100", "2026-11-23", "AM"), "/");
  ASSERT_EQ(mis.behaviours(), 1);
  for (auto* it : {&a, &b, &s, &e}) {
    EXPECT_EQ(row(it->key).state, OutboxState::confirmed) << it->key;
    EXPECT_EQ(row(it->key).target_ref.rfind("WB", 0), 0u) << it->key;
  }
  // The two lesson marks went in one batch; the student list was read page by page.
  EXPECT_EQ(mis.requests("POST", "attendance/lesson"), 1);
  EXPECT_GE(mis.requests("GET", "students"), 2);
  EXPECT_EQ(mis.duplicates(), 0);
  EXPECT_TRUE(events.events().empty());
}

TEST_F(WondeTest, ExclusionRecordUsesTheTypeAndActionNamedInConfig) {
  auto e = exclusion("001042", "B1");
  ASSERT_TRUE(box.enqueue(std::vector{e}));
  ASSERT_TRUE(run());
  ASSERT_EQ(row(e.key).state, OutboxState::confirmed);
  auto recs = mis.behaviour_records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, "IEX");
  ASSERT_EQ(recs[0].students.size(), 1u);
  EXPECT_EQ(recs[0].students[0].action, "IE");
  EXPECT_EQ(recs[0].students[0].student_id, "A100");
  EXPECT_EQ(recs[0].date, "2026-11-23");
  EXPECT_NE(recs[0].comment.find("DB"), std::string::npos)
      << "the reason code: " << recs[0].comment;
}

TEST_F(WondeTest, AnUnknownBehaviourTypeNameFailsAndListsWhatTheMisOffers) {
  extra.behaviour_type = "Isolation";
  auto e = exclusion("001042", "B1");
  ASSERT_TRUE(box.enqueue(std::vector{e}));
  auto sum = run();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->failed, 1);
  auto err = row(e.key).last_error;
  EXPECT_NE(err.find("Isolation"), std::string::npos) << err;
  EXPECT_NE(err.find("Internal exclusion"), std::string::npos) << "offered names: " << err;
  EXPECT_NE(err.find("Detention"), std::string::npos) << err;
  EXPECT_EQ(mis.requests("POST", ""), 0);

  // The admin fixes the name and retries: it goes.
  extra.behaviour_type = "internal EXCLUSION";
  ASSERT_TRUE(box.retry(row(e.key).id));
  ASSERT_TRUE(run());
  EXPECT_EQ(row(e.key).state, OutboxState::confirmed);
  EXPECT_EQ(mis.behaviours(), 1);
}

TEST_F(WondeTest, ATeachersMarkIsReadFirstAndNeverOverwritten) {
  mis.set_lesson_mark("A100", "L1", "L");  // the teacher marked them late
  mis.set_lesson_mark("A100", "L2", "N");  // in may_overwrite
  mis.set_lesson_mark("A101", "L1", "L");
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  auto b = lesson_mark("001042", "9X1/En", 11, 10);
  auto c = lesson_mark("001043", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a, b, c}));
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->conflict, 2);
  EXPECT_EQ(sum->confirmed, 1);
  EXPECT_EQ(mis.lesson_mark("A100", "L1"), "L");
  EXPECT_EQ(mis.lesson_mark("A101", "L1"), "L");
  EXPECT_EQ(mis.lesson_mark("A100", "L2"), "/");
  EXPECT_EQ(row(a.key).state, OutboxState::conflict);
  EXPECT_EQ(row(b.key).state, OutboxState::confirmed);
  // Nothing was posted for the lesson with the teachers' marks, and each lesson's marks were
  // read once, not once per pupil.
  EXPECT_EQ(writes_to("lesson"), 1);
  EXPECT_EQ(mis.requests("GET", "attendance/lesson"), 2);
  ASSERT_TRUE(events.has_kind("writeback.conflict"));
  auto ev = events.events().front();
  EXPECT_NE(ev.message.find("001042"), std::string::npos) << ev.message;
  EXPECT_NE(ev.message.find("9X1/Ma"), std::string::npos) << ev.message;
  EXPECT_NE(ev.message.find("\"L\""), std::string::npos) << ev.message;
  // And the next run leaves it alone.
  ASSERT_TRUE(run());
  EXPECT_EQ(mis.lesson_mark("A100", "L1"), "L");
}

TEST_F(WondeTest, ASessionMarkIsReadOncePerDateBeforeWriting) {
  mis.set_session_mark("A100", "2026-11-23", "AM", "M");  // medical: a teacher's mark
  auto a = session_mark("001042", "AM", "/");
  auto b = session_mark("001043", "AM", "/");
  auto c = session_mark("001043", "PM", "\\");
  ASSERT_TRUE(box.enqueue(std::vector{a, b, c}));
  auto sum = run();
  ASSERT_TRUE(sum);
  EXPECT_EQ(row(a.key).state, OutboxState::conflict);
  EXPECT_EQ(row(b.key).state, OutboxState::confirmed);
  EXPECT_EQ(row(c.key).state, OutboxState::confirmed);
  EXPECT_EQ(mis.session_mark("A100", "2026-11-23", "AM"), "M");
  EXPECT_EQ(mis.session_mark("A101", "2026-11-23", "PM"), "\\");
  EXPECT_EQ(mis.requests("GET", "attendance/session"), 1);
}

TEST_F(WondeTest, AMarkAlreadyThereIsConfirmedWithoutWritingAgain) {
  mis.set_lesson_mark("A100", "L1", "/");
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  ASSERT_TRUE(run());
  EXPECT_EQ(row(a.key).state, OutboxState::confirmed);
  EXPECT_EQ(mis.requests("POST", ""), 0);
}

// A 422 naming one item of a 7-item batch: that item fails with the MIS's own words, the six
// others go at once in the same run.
TEST_F(WondeTest, ARefusalNamingOneItemSettlesItAloneAndSendsTheRest) {
  std::vector<WriteItem> items;
  for (int i = 0; i < 7; ++i) {
    const auto adno = "77" + std::to_string(i);
    mis.add_student({"A77" + std::to_string(i), adno, "", "Batch", "Pupil"});
    items.push_back(lesson_mark(adno, "9X1/Ma", 9, 50));
  }
  // The pupils' ids were looked up (and cached) by an earlier run today; one pupil has
  // since left the MIS, so the POST names an id the MIS no longer knows.
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001042", "9X1/Sc", 12, 10)}));
  ASSERT_TRUE(run());
  ASSERT_TRUE(box.enqueue(items));
  mis.remove_student("A773");
  const int posts_before = mis.requests("POST", "attendance/lesson");
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->confirmed + sum->failed + sum->conflict, 7);
  EXPECT_EQ(row(items[3].key).state, OutboxState::failed);
  EXPECT_NE(row(items[3].key).last_error.find("attendance."), std::string::npos)
      << "the MIS's own message: " << row(items[3].key).last_error;
  for (int i : {0, 1, 2, 4, 5, 6}) {
    EXPECT_EQ(row(items[i].key).state, OutboxState::confirmed) << i;
    EXPECT_EQ(mis.lesson_mark("A77" + std::to_string(i), "L1"), "/") << i;
  }
  EXPECT_EQ(mis.requests("POST", "attendance/lesson") - posts_before, 2)
      << "the batch, then the six again";
}

TEST_F(WondeTest, ARefusalNamingNothingIsBisectedToTheBadItem) {
  std::vector<WriteItem> items;
  for (int i = 0; i < 8; ++i) {
    const auto adno = "88" + std::to_string(i);
    mis.add_student({"A88" + std::to_string(i), adno, "", "Batch", "Pupil"});
    items.push_back(lesson_mark(adno, "9X1/Ma", 9, 50));
  }
  mis.refuse_unnamed("A882");
  ASSERT_TRUE(box.enqueue(items));
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(row(items[2].key).state, OutboxState::failed);
  for (int i = 0; i < 8; ++i) {
    if (i != 2) {
      EXPECT_EQ(row(items[i].key).state, OutboxState::confirmed) << i;
    }
  }
  // The batch, log2(8) = 3 halvings, and the good rest of it sent once more.
  EXPECT_LE(mis.requests("POST", "attendance/lesson"), 1 + 3 + 1);
  EXPECT_EQ(mis.duplicates(), 0);
}

// A lookup answered 429 twice, then fine: retried within the run (its Retry-After honoured),
// nothing backed off. A server that fails every third request still delivers everything.
TEST_F(WondeTest, FailedLookupsAreRetriedWithinTheRun) {
  FaultSpec f{WondeFault::http429, "GET", "students", 2};
  f.retry_after_seconds = 3;
  mis.inject(f);
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  auto sum = run();
  ASSERT_TRUE(sum);
  EXPECT_EQ(row(a.key).state, OutboxState::confirmed);
  ASSERT_EQ(slept.size(), 2u);
  EXPECT_EQ(slept[0], std::chrono::seconds(3));
}

TEST_F(WondeTest, AServerFailingEveryThirdRequestStillDeliversEveryMark) {
  std::vector<WriteItem> items;
  const char* classes[] = {"9X1/Ma", "9X1/En", "9X1/Sc"};
  const int hours[][2] = {{9, 50}, {11, 10}, {12, 10}};
  for (int s = 0; s < 4; ++s)
    for (int c = 0; c < 3; ++c) {
      const auto adno = "66" + std::to_string(s);
      if (c == 0) mis.add_student({"A66" + std::to_string(s), adno, "", "Flaky", "Pupil"});
      items.push_back(lesson_mark(adno, classes[c], hours[c][0], hours[c][1]));
    }
  ASSERT_TRUE(box.enqueue(items));
  FaultSpec f{WondeFault::http500, "", "", -1};
  f.every_nth = 3;
  mis.inject(f);
  auto work_left = [&] {
    return !box.due(clock.now(), 100)->empty() || !box.in_doubt(100)->empty();
  };
  for (int cycle = 0; cycle < 12 && work_left(); ++cycle) {
    ASSERT_TRUE(run());
    clock.advance(std::chrono::minutes(15));
  }
  auto c = *box.counts();
  EXPECT_EQ(c[OutboxState::confirmed], 12)
      << "pending " << c[OutboxState::pending] << ", in doubt " << c[OutboxState::in_doubt];
  for (auto& it : items) EXPECT_EQ(row(it.key).state, OutboxState::confirmed) << it.key;
  EXPECT_EQ(mis.duplicates(), 0);
}

TEST_F(WondeTest, ALookupThatKeepsFailingStopsTheRunWithoutBackingItemsOff) {
  mis.inject({WondeFault::http503, "GET", "attendance-codes", -1});
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  auto sum = run();
  ASSERT_TRUE(sum);
  auto r = row(a.key);
  EXPECT_EQ(r.state, OutboxState::pending);
  EXPECT_EQ(r.tries, 0) << "no try counted: nothing was sent";
  EXPECT_TRUE(r.next_try_at.empty()) << "not backed off";
  EXPECT_TRUE(events.has_kind("writeback.unavailable"));
  std::chrono::milliseconds total{0};
  for (auto d : slept) total += d;
  EXPECT_LE(total, std::chrono::seconds(30)) << "bounded to about 30 s";
  EXPECT_GT(total, std::chrono::seconds(0));
}

TEST_F(WondeTest, StudentsAndCodesAreCachedForTheDay) {
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001042", "9X1/Ma", 9, 50)}));
  ASSERT_TRUE(run());
  const int students = mis.requests("GET", "students");
  const int codes = mis.requests("GET", "attendance-codes");
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("001043", "9X1/Ma", 9, 50)}));
  ASSERT_TRUE(run());
  EXPECT_EQ(mis.requests("GET", "students"), students);
  EXPECT_EQ(mis.requests("GET", "attendance-codes"), codes);
  // A pupil who joined after the list was cached is looked up afresh, once.
  mis.add_student({"A555", "005555", "", "New", "Pupil"});
  ASSERT_TRUE(box.enqueue(std::vector{lesson_mark("005555", "9X1/En", 11, 10)}));
  ASSERT_TRUE(run());
  EXPECT_EQ(mis.lesson_mark("A555", "L2"), "/");
  EXPECT_GT(mis.requests("GET", "students"), students);
}

struct DoubtCase {
  const char* name;
  WondeFault fault;
  bool applied;  // did the MIS apply the write before the answer was lost?
};

class WondeDoubtTest : public WondeTest, public ::testing::WithParamInterface<DoubtCase> {};

// The answer to a POST is lost. The item is in_doubt, read back at the next run, and the MIS
// ends with the mark exactly once: never written twice, never lost.
TEST_P(WondeDoubtTest, AnAnswerLostIsReadBackNotSentBlind) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  FaultSpec f{GetParam().fault, "POST", "attendance/lesson", 1};
  f.stall_for = std::chrono::milliseconds(2500);
  mis.inject(f);
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->in_doubt, 1);
  EXPECT_EQ(row(a.key).state, OutboxState::in_doubt);
  EXPECT_TRUE(events.has_kind("writeback.in_doubt"));
  EXPECT_EQ(mis.requests("POST", "attendance/lesson"), 1) << "libcurl must not re-send a POST";

  sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(row(a.key).state, OutboxState::confirmed);
  EXPECT_EQ(mis.lesson_mark("A100", "L1"), "/");
  EXPECT_EQ(writes_to("lesson"), 1) << "written exactly once at the MIS";
  EXPECT_EQ(mis.requests("POST", "attendance/lesson"), GetParam().applied ? 1 : 2);
  EXPECT_EQ(mis.duplicates(), 0);
}

INSTANTIATE_TEST_SUITE_P(Faults, WondeDoubtTest,
                         ::testing::Values(DoubtCase{"accept_then_drop",
                                                     WondeFault::accept_then_drop, true},
                                           DoubtCase{"reset", WondeFault::reset, false},
                                           DoubtCase{"stall", WondeFault::stall, false},
                                           DoubtCase{"http500", WondeFault::http500, false}),
                         [](const auto& info) { return std::string(info.param.name); });

// 429 and 503 say nothing was done: the item waits (Retry-After honoured) and is sent again.
TEST_F(WondeTest, BusyAnswersBackOffAndSendAgainLater) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  FaultSpec f{WondeFault::http429, "POST", "", 1};
  f.retry_after_seconds = 600;
  mis.inject(f);
  auto sum = run();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->retry, 1);
  auto r = row(a.key);
  EXPECT_EQ(r.state, OutboxState::pending);
  EXPECT_EQ(r.next_try_at, format_utc(clock.now() + std::chrono::seconds(600)));
  clock.advance(std::chrono::seconds(600));
  ASSERT_TRUE(run());
  EXPECT_EQ(row(a.key).state, OutboxState::confirmed);
  EXPECT_EQ(writes_to("lesson"), 1);
}

// A crash between the POST and the commit of its answer: the store says in_doubt (recorded
// before the request went out); the next run finds the behaviour record and does not add
// a second one.
TEST_F(WondeTest, ACrashAfterAnExclusionRecordWentOutDoesNotAddASecond) {
  auto e = exclusion("001042", "B1");
  ASSERT_TRUE(box.enqueue(std::vector{e}));
  {
    // A target whose run "dies" right after its POST: the Sender never records the answer.
    WondeTarget target(*http, options());
    std::vector<OutboxRow> rows = *box.due(clock.now(), 10);
    auto out = target.send(
        rows, [&](std::span<const std::int64_t> ids) { return box.mark_in_doubt(ids, "wonde"); });
    ASSERT_TRUE(out);
  }
  ASSERT_EQ(row(e.key).state, OutboxState::in_doubt);
  ASSERT_EQ(mis.behaviours(), 1);
  auto sum = run();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->recovered, 1);
  EXPECT_EQ(row(e.key).state, OutboxState::confirmed);
  EXPECT_EQ(mis.behaviours(), 1);
  EXPECT_EQ(mis.duplicates(), 0);
}

TEST_F(WondeTest, RetractionPutsOurMarkBackToDashButLeavesATeachersChange) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  auto b = lesson_mark("001042", "9X1/En", 11, 10);
  ASSERT_TRUE(box.enqueue(std::vector{a, b}));
  ASSERT_TRUE(run());
  ASSERT_EQ(mis.lesson_mark("A100", "L1"), "/");
  mis.set_lesson_mark("A100", "L2", "L");  // a teacher corrected it meanwhile
  ASSERT_TRUE(*box.retract(a.key, "booking B1 cancelled"));
  ASSERT_TRUE(*box.retract(b.key, "booking B1 cancelled"));
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(mis.lesson_mark("A100", "L1"), "-");
  EXPECT_EQ(mis.lesson_mark("A100", "L2"), "L") << "never over a teacher's mark";
  EXPECT_EQ(row(retraction_key_for(a.key)).state, OutboxState::confirmed);
  // Reinstated: revision 2 is written again.
  ASSERT_EQ(box.enqueue(std::vector{a})->requeued, 1);
  ASSERT_TRUE(run());
  EXPECT_EQ(mis.lesson_mark("A100", "L1"), "/");
  EXPECT_EQ(writes_to("lesson"), 4) << "two marks, one retraction, the reinstated mark";
}

TEST_F(WondeTest, UnknownStudentOrLessonFailsThatItemOnlyWithAnEvent) {
  auto ok = lesson_mark("001042", "9X1/Ma", 9, 50);
  auto nostudent = lesson_mark("999999", "9X1/Ma", 9, 50);
  auto nolesson = lesson_mark("001042", "9X1/Art", 14, 0);
  ASSERT_TRUE(box.enqueue(std::vector{ok, nostudent, nolesson}));
  auto sum = run();
  ASSERT_TRUE(sum) << sum.error().to_string();
  EXPECT_EQ(sum->confirmed, 1);
  EXPECT_EQ(sum->failed, 2);
  EXPECT_EQ(row(nostudent.key).state, OutboxState::failed);
  EXPECT_NE(row(nolesson.key).last_error.find("9X1/Art"), std::string::npos);
  ASSERT_TRUE(events.has_kind("writeback.failed"));
  bool named = false;
  for (auto& e : events.events())
    named |= e.message.find("999999") != std::string::npos &&
             e.message.find("outbox retry") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST_F(WondeTest, WrongTokenSendsNothingAndSaysWhatToCheck) {
  auto a = lesson_mark("001042", "9X1/Ma", 9, 50);
  ASSERT_TRUE(box.enqueue(std::vector{a}));
  auto sum = run("not-the-token");
  ASSERT_TRUE(sum);
  EXPECT_EQ(row(a.key).state, OutboxState::pending);
  ASSERT_TRUE(events.has_kind("writeback.unavailable"));
  EXPECT_NE(events.events().front().message.find("token_file"), std::string::npos)
      << events.events().front().message;
  EXPECT_EQ(mis.requests("POST", ""), 0);
}

}  // namespace
}  // namespace iesync
