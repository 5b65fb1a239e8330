// `iesync student export|erase` and file modes, end to end: the built binary on a copy of
// the demo school after a real sync.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "privacy_support.h"

namespace iesync {
namespace {

using namespace privacy_test;

// Ruby Khan (001038, synthetic) has an attended booking on 2026-11-23 in the demo school.
constexpr const char* kId = "001038";
constexpr const char* kEmail = "ruby.khan.1038@demo.sch.uk";
constexpr const char* kUpn = "Z930000001038";

class StudentCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = run_iesync("sync --date 2026-11-23 --config " + demo.config(), demo.dir, "000");
    ASSERT_EQ(s.code, 0) << s.out << s.err;
  }
  DemoCopy demo;
};

TEST_F(StudentCommand, StoreLogsAndExportsAreNotReadableByOthersWhateverTheUmask) {
  auto out = demo.dir / "var/ruby.json";
  auto r = run_iesync(std::string("student export ") + kId + " --out " + out.string() +
                          " --config " + demo.config(),
                      demo.dir, "000");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<fs::path> files = {demo.store(), demo.logs() / "sync.log", demo.logs() / "sync.jsonl",
                                 out};
  for (const char* side : {"-wal", "-shm"})
    if (fs::exists(demo.store().string() + side)) files.push_back(demo.store().string() + side);
  for (const auto& f : files) {
    ASSERT_TRUE(fs::exists(f)) << f;
    EXPECT_EQ(mode_of(f) & 027, 0u) << f << " has mode " << std::oct << mode_of(f);
  }
  EXPECT_EQ(mode_of(out), 0600u);

  // An export over an existing, world-readable file takes it private too.
  fs::remove(out);
  std::ofstream(out) << "STALE-CONTENT";
  fs::permissions(out, fs::perms(0644));
  r = run_iesync(std::string("student export ") + kId + " --out " + out.string() + " --config " +
                     demo.config(),
                 demo.dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(mode_of(out), 0600u);
  EXPECT_EQ(slurp(out).find("STALE-CONTENT"), std::string::npos);
}

TEST_F(StudentCommand, ExportPrintsEverythingHeldAsJson) {
  auto r =
      run_iesync(std::string("student export ") + kId + " --config " + demo.config(), demo.dir);
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = boost::json::parse(r.out).as_object();
  EXPECT_EQ(doc.at("export").at("student_id").as_string(), kId);
  EXPECT_EQ(doc.at("export").at("store").as_string(), demo.store().string());
  EXPECT_EQ(doc.at("student").at("email").as_string(), kEmail);
  EXPECT_FALSE(doc.at("memberships").as_array().empty());
  ASSERT_FALSE(doc.at("bookings").as_array().empty());
  ASSERT_FALSE(doc.at("ie_sessions").as_array().empty());
  EXPECT_FALSE(doc.at("ie_sessions").as_array()[0].at("lessons").as_array().empty());
  EXPECT_FALSE(doc.at("outbox").as_array().empty()) << "the demo sends Ruby's lesson marks";
  EXPECT_FALSE(doc.at("audit").as_array().empty());
  for (const auto& o : doc.at("outbox").as_array()) EXPECT_EQ(o.at("student_id").as_string(), kId);
}

TEST_F(StudentCommand, UnknownIdsExitOneAndSayZerosMatter) {
  for (const char* id : {"1038", "999999"}) {
    for (const char* verb : {"export", "erase"}) {
      auto r = run_iesync(std::string("student ") + verb + " " + id +
                              (std::string(verb) == "erase" ? " --yes" : "") + " --config " +
                              demo.config(),
                          demo.dir);
      EXPECT_EQ(r.code, 1) << verb << " " << id << r.out << r.err;
      EXPECT_NE(r.err.find(std::string("no student with id ") + id +
                           " in the store; check the id (ids keep their leading zeros)"),
                std::string::npos)
          << r.err;
    }
  }
}

TEST_F(StudentCommand, EraseAsksUnlessYesThenRemovesTheStudentEverywhereInTheStore) {
  // Not a terminal and no --yes: refuses, changes nothing.
  auto no = run_iesync(
      std::string("student erase ") + kId + " --config " + demo.config() + " </dev/null", demo.dir);
  EXPECT_EQ(no.code, 2) << no.err;
  EXPECT_NE(no.err.find("--yes"), std::string::npos) << no.err;
  auto still =
      run_iesync(std::string("student export ") + kId + " --config " + demo.config(), demo.dir);
  EXPECT_EQ(still.code, 0);

  auto r = run_iesync(std::string("student erase ") + kId + " --yes --config " + demo.config(),
                      demo.dir);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("erase the student there too"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("could not be compacted"), std::string::npos) << r.out;

  auto gone =
      run_iesync(std::string("student export ") + kId + " --config " + demo.config(), demo.dir);
  EXPECT_EQ(gone.code, 1);

  std::string bytes = slurp(demo.store()) + slurp(demo.store().string() + "-wal");
  EXPECT_EQ(bytes.find(kEmail), std::string::npos);
  EXPECT_EQ(bytes.find(kUpn), std::string::npos);
  EXPECT_EQ(bytes.find(std::string(kId) + "|"), std::string::npos)
      << "no outbox key or audit subject";
  EXPECT_NE(bytes.find("sha256:"), std::string::npos) << "the erasure record is there";

  // The sync log records the erasure without naming anyone.
  auto log = slurp(demo.logs() / "sync.log");
  auto at = log.find("A student record was erased");
  ASSERT_NE(at, std::string::npos) << log;
  auto line = log.substr(at, log.find('\n', at) - at);
  EXPECT_EQ(line.find(kId), std::string::npos) << line;
  EXPECT_EQ(line.find("Ruby"), std::string::npos) << line;

  // The next sync still works; the unchanged students export does not bring Ruby back.
  auto s = run_iesync("sync --date 2026-11-23 --config " + demo.config(), demo.dir);
  EXPECT_LE(s.code, 1) << s.out << s.err;
}

TEST_F(StudentCommand, HelpNamesBothVerbs) {
  auto r = run_iesync("student --help", demo.dir);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("export"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("erase"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace iesync
