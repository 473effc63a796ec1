#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/Cli.h"
#include "common/Csv.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

struct CliResult {
  int code;
  std::string out;
  std::string err;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(out).extract<Poco::JSON::Object::Ptr>();
  }
};

class RollImportEndToEnd : public ::testing::TestWithParam<std::string> {
 protected:
  RollImportEndToEnd() : scratch(GetParam()), actors(scratch.url(), scratch.dir()) {}

  CliResult run(std::vector<std::string> args, bool with_db = true) {
    if (with_db) {
      args = actors.with(std::move(args));
      args.insert(args.begin(), {"--db", scratch.url(), "--key-file", key()});
    }
    std::ostringstream out, err;
    const int code = app::runCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  std::string key() const { return scratch.dir() + "/edupay.key"; }
  std::string data() const { return scratch.dir() + "/province"; }

  /// Generates a province, makes a key and imports regions and schools.
  void setUpProvince(int students) {
    ASSERT_EQ(run({"synth", "--students", std::to_string(students), "--seed", "7", "--out", data()},
                  false)
                  .code,
              0);
    ASSERT_EQ(run({"keygen", "--key-file", key()}, false).code, 0);
    auto r = run({"import", "regions", data() + "/regions.csv"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = run({"import", "schools", data() + "/schools.csv"});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  ScratchDatabase scratch;
  CliActors actors;
};

TEST_P(RollImportEndToEnd, ImportsAGeneratedProvinceAndReimportsItUnchanged) {
  setUpProvince(1500);
  int64_t added = 0;
  int gbk_files = 0;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(data() + "/roll"))
    files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 3u);
  for (const auto& f : files) {
    auto r = run({"--json", "import", "roll", f, "--as-of", "2026-10-08"});
    ASSERT_EQ(r.code, 0) << f << "\n" << r.out << r.err;
    auto j = r.json();
    EXPECT_EQ(j->getValue<std::string>("outcome"), "imported");
    added += j->getObject("changes")->getValue<int64_t>("persons_added");
    if (j->getValue<std::string>("encoding") == "gb18030") ++gbk_files;
  }
  EXPECT_GT(gbk_files, 0) << "the generator writes some rolls in GBK; they must import";
  auto db = scratch.open();
  EXPECT_EQ(store::queryInt(*db, "SELECT COUNT(*) FROM enrollments WHERE end_date IS NULL"), 1500);
  EXPECT_EQ(store::queryInt(*db, "SELECT COUNT(DISTINCT person_id) FROM enrollments"), 1500);
  EXPECT_GE(added, 1500);  // students plus guardians first seen

  auto again = run({"--json", "import", "roll", files.front(), "--as-of", "2026-10-08"});
  ASSERT_EQ(again.code, 0) << again.err;
  auto c = again.json()->getObject("changes");
  EXPECT_EQ(c->getValue<int64_t>("persons_added"), 0);
  EXPECT_EQ(c->getValue<int64_t>("persons_updated"), 0);
  EXPECT_EQ(c->getValue<int64_t>("enrollments_opened"), 0);
  EXPECT_EQ(c->getValue<int64_t>("enrollments_updated"), 0);
  EXPECT_EQ(c->getValue<int64_t>("accounts_added"), 0);
}

TEST_P(RollImportEndToEnd, ABrokenRollIsRejectedWithARowLevelReport) {
  setUpProvince(300);
  auto db = scratch.open();
  const int64_t before = store::queryInt(*db, "SELECT COUNT(*) FROM persons");
  const std::string report = scratch.dir() + "/report.csv";
  auto r = run({"--json", "import", "roll", data() + "/roll-bad.csv", "--report", report, "--as-of",
                "2026-10-08"});
  EXPECT_EQ(r.code, app::kExitRejected) << r.out << r.err;
  auto j = r.json();
  EXPECT_EQ(j->getValue<std::string>("outcome"), "rejected");
  EXPECT_EQ(j->getValue<int64_t>("rows_ok"), 2);
  EXPECT_EQ(j->getValue<int64_t>("rows_bad"), 10);
  EXPECT_EQ(store::queryInt(*db, "SELECT COUNT(*) FROM persons"), before)
      << "a rejected file wrote rows";

  // Every broken field is named, with its line, in the report.
  std::ifstream in(report);
  CsvReader csv(in, report);
  std::vector<std::string> row;
  ASSERT_TRUE(csv.next(row));
  EXPECT_EQ(row, (std::vector<std::string>{"line", "column", "value", "severity", "reason"}));
  std::set<std::string> columns;
  std::string all;
  while (csv.next(row)) {
    if (row[3] == "error") columns.insert(row[1]);
    all += row[2] + "|" + row[4] + "\n";
  }
  for (const char* col : {"resident_id", "birth_date", "sex", "school_code", "grade",
                          "bank_account", "claimed_categories", "enroll_date", "boarding"}) {
    EXPECT_TRUE(columns.count(col)) << "no error reported for column " << col << "\n" << all;
  }
  EXPECT_NE(all.find("check character"), std::string::npos) << all;
  EXPECT_NE(all.find("already on line"), std::string::npos) << all;
  // Sensitive values are masked in the report.
  EXPECT_EQ(all.find("6222-ABCD-0000"), std::string::npos);

  // For a Chinese reader the report is headed and worded in Chinese, columns by their names.
  const std::string report_zh = scratch.dir() + "/report-zh.csv";
  EXPECT_EQ(run({"import", "roll", data() + "/roll-bad.csv", "--report", report_zh, "--as-of",
                 "2026-10-08", "--lang", "zh"})
                .code,
            app::kExitRejected);
  std::ifstream in_zh(report_zh);
  CsvReader csv_zh(in_zh, report_zh);
  ASSERT_TRUE(csv_zh.next(row));
  EXPECT_EQ(row, (std::vector<std::string>{"行号", "列", "内容", "类别", "原因及处理办法"}));
  std::set<std::string> columns_zh;
  while (csv_zh.next(row)) {
    if (row[3] == "错误") columns_zh.insert(row[1]);
  }
  EXPECT_TRUE(columns_zh.count("身份证号")) << "columns by their Chinese names";
  EXPECT_EQ(columns_zh.count("resident_id"), 0u);
  EXPECT_EQ(columns_zh.size(), columns.size());

  // --accept-valid writes the two good rows and still reports the rest.
  auto partial = run({"--json", "import", "roll", data() + "/roll-bad.csv", "--accept-valid",
                      "--as-of", "2026-10-08"});
  EXPECT_EQ(partial.code, app::kExitRejected);
  EXPECT_EQ(partial.json()->getValue<std::string>("outcome"), "imported");
  EXPECT_EQ(store::queryInt(*db, "SELECT COUNT(*) FROM enrollments"), 2);
}

TEST_P(RollImportEndToEnd, StudentShowMasksByDefault) {
  setUpProvince(200);
  ASSERT_EQ(
      run({"import", "roll", data() + "/roll-bad.csv", "--accept-valid", "--as-of", "2026-10-08"})
          .code,
      app::kExitRejected);
  std::ifstream in(data() + "/roll-bad.csv");
  CsvReader csv(in, "roll-bad.csv");
  std::vector<std::string> row;
  ASSERT_TRUE(csv.next(row));
  ASSERT_TRUE(csv.next(row));
  const std::string id = row[0];
  auto shown = run({"--json", "student", "show", id});
  ASSERT_EQ(shown.code, 0) << shown.err;
  EXPECT_EQ(shown.out.find(id), std::string::npos) << "full resident ID printed";
  EXPECT_EQ(shown.out.find(row[22]), std::string::npos) << "full account number printed";
  auto j = shown.json();
  EXPECT_EQ(j->getValue<std::string>("resident_id"),
            id.substr(0, 4) + "**********" + id.substr(14));
  EXPECT_EQ(j->getArray("enrollments")->size(), 1u);

  std::vector<std::string> reveal = {"--json", "student", "show", id, "--reveal"};
  for (const auto& a : actors.officer()) reveal.push_back(a);  // unmasked: in scope, audited
  auto revealed = run(reveal);
  EXPECT_EQ(revealed.json()->getValue<std::string>("resident_id"), id);

  auto missing = run({"student", "show", "11010519491231002X"});
  EXPECT_EQ(missing.code, app::kExitNotFound);
}

TEST_P(RollImportEndToEnd, AWrongKeyFileIsRefused) {
  setUpProvince(100);
  const std::string other = scratch.dir() + "/other.key";
  ASSERT_EQ(run({"keygen", "--key-file", other}, false).code, 0);
  std::ostringstream out, err;
  const int code = app::runCli(actors.with({"--db", scratch.url(), "--key-file", other, "import",
                                            "roll", data() + "/roll-bad.csv"}),
                               out, err);
  EXPECT_EQ(code, app::kExitForbidden);
  EXPECT_NE(err.str().find("key"), std::string::npos) << err.str();
}

TEST_P(RollImportEndToEnd, FileLevelProblemsNameTheFile) {
  setUpProvince(100);
  auto missing = run({"import", "roll", scratch.dir() + "/nope.csv"});
  EXPECT_EQ(missing.code, app::kExitNotFound);
  EXPECT_NE(missing.err.find("nope.csv"), std::string::npos);
  const std::string bad_header = writeFile(scratch.dir(), "header.csv", "foo,bar\n1,2\n");
  auto header = run({"import", "roll", bad_header});
  EXPECT_EQ(header.code, app::kExitUsage);
  EXPECT_NE(header.err.find("header.csv: line 1"), std::string::npos) << header.err;
  EXPECT_NE(header.err.find("Missing columns"), std::string::npos) << header.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, RollImportEndToEnd, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
