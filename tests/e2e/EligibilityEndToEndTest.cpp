#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/Cli.h"
#include "common/Csv.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

/// One term of eligibility through the CLI on a generated province: rosters, policy,
/// nominations, the run, a re-run, explain and the drop-out report; the money must add up.
class EligibilityEndToEnd : public ::testing::TestWithParam<std::string> {
 protected:
  EligibilityEndToEnd() : scratch(GetParam()), actors(scratch.url(), scratch.dir()) {}

  struct Result {
    int code;
    std::string out, err;
    Poco::JSON::Object::Ptr json() const {
      return Poco::JSON::Parser().parse(out).extract<Poco::JSON::Object::Ptr>();
    }
  };
  Result run(std::vector<std::string> args) {
    args = actors.with(std::move(args));
    args.insert(args.begin(), {"--db", scratch.url(), "--key-file", scratch.dir() + "/k.key"});
    std::ostringstream out, err;
    const int code = app::runCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  void setUpTerm() {
    const std::string d = scratch.dir() + "/prov";
    ASSERT_EQ(run({"synth", "--students", "2500", "--seed", "11", "--out", d}).code, 0);
    ASSERT_EQ(run({"keygen"}).code, 0);
    ASSERT_EQ(run({"import", "regions", d + "/regions.csv"}).code, 0);
    ASSERT_EQ(run({"import", "schools", d + "/schools.csv"}).code, 0);
    for (const auto& e : std::filesystem::directory_iterator(d + "/roll")) {
      const auto r = run({"import", "roll", e.path().string(), "--as-of", "2026-10-08"});
      ASSERT_EQ(r.code, 0) << r.out << r.err;
    }
    for (const char* s : {"poverty", "civil_affairs", "disabled", "orphan"}) {
      const auto r = run({"import", "roster", d + "/rosters/" + s + ".csv", "--source", s});
      ASSERT_EQ(r.code, 0) << r.out << r.err;
    }
    ASSERT_EQ(
        run({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code,
        0);
    for (const auto& e : std::filesystem::directory_iterator(d + "/nominations")) {
      const std::string name = e.path().stem().string();
      const auto r =
          run({"import", "nominations", e.path().string(), "--programme",
               name.substr(0, name.rfind('-')), "--year", name.substr(name.rfind('-') + 1)});
      ASSERT_EQ(r.code, 0) << r.out << r.err;
    }
  }

  /// The resident ID of the first student of the first English-header roll; "" if none.
  std::string firstStudentId() const {
    for (const auto& e : std::filesystem::directory_iterator(scratch.dir() + "/prov/roll")) {
      std::ifstream in(e.path());
      std::string header, line;
      std::getline(in, header);
      if (header.rfind("resident_id", 0) != 0 || !std::getline(in, line)) continue;
      return line.substr(0, line.find(','));
    }
    return "";
  }

  ScratchDatabase scratch;
  CliActors actors;
};

TEST_P(EligibilityEndToEnd, ATermComputesAndTheMoneyAddsUp) {
  setUpTerm();
  const auto first = run(
      {"--json", "entitle", "--term", "2026-autumn", "--exceptions", scratch.dir() + "/exc.csv"});
  ASSERT_EQ(first.code, 0) << first.err;
  const auto j = first.json();
  EXPECT_EQ(j->getValue<int64_t>("students"), 2500);
  EXPECT_GT(j->getValue<int64_t>("eligible"), 100);
  EXPECT_GT(j->getValue<int64_t>("held"), 0) << "the generator makes claims no roster confirms";

  // The per-programme totals add up to the run's total, and to what the database holds.
  int64_t by_programme = 0;
  auto progs = j->getObject("programmes");
  for (const auto& name : progs->getNames()) {
    const std::string yuan = progs->getObject(name)->getValue<std::string>("eligible_amount");
    by_programme += std::stoll(yuan.substr(0, yuan.find('.'))) * 100 +
                    std::stoll(yuan.substr(yuan.find('.') + 1));
  }
  const int64_t total = j->getValue<int64_t>("eligible_amount_fen");
  EXPECT_EQ(by_programme, total);
  auto db = scratch.open();
  EXPECT_EQ(
      store::queryInt(*db, "SELECT SUM(amount_fen) FROM entitlements WHERE status = 'eligible'"),
      total);
  EXPECT_EQ(store::queryInt(
                *db, "SELECT SUM(central_fen + provincial_fen + county_fen) FROM entitlements"),
            store::queryInt(*db, "SELECT SUM(amount_fen) FROM entitlements"));
  EXPECT_EQ(
      store::queryInt(*db,
                      "SELECT COUNT(*) FROM (SELECT person_id, programme, term FROM entitlements "
                      "GROUP BY person_id, programme, term HAVING COUNT(*) > 1) d"),
      0);
  // Scholarships come from the nomination lists, and never both for one student.
  EXPECT_GT(progs->getObject("higher_national_scholarship")->getValue<int64_t>("eligible") +
                progs->getObject("secvoc_national_scholarship")->getValue<int64_t>("eligible"),
            0);
  EXPECT_EQ(
      store::queryInt(
          *db,
          "SELECT COUNT(*) FROM entitlements a JOIN entitlements b ON a.person_id = b.person_id "
          "AND a.term = b.term WHERE a.programme = 'higher_national_scholarship' AND "
          "b.programme = 'higher_encouragement_scholarship' AND a.status = 'eligible' AND "
          "b.status = 'eligible'"),
      0);
  // Rain-Dew goes to one-card accounts; fee waivers to schools.
  EXPECT_EQ(store::queryInt(
                *db,
                "SELECT COUNT(*) FROM entitlements WHERE programme = 'raindew_vocational' AND "
                "status = 'eligible' AND payee <> 'household_one_card'"),
            0);
  EXPECT_EQ(
      store::queryInt(*db,
                      "SELECT COUNT(*) FROM entitlements WHERE programme LIKE '%waiver%' AND "
                      "status = 'eligible' AND (payee <> 'school' OR account_id IS NOT NULL)"),
      0);

  const auto again = run({"--json", "entitle", "--term", "2026-autumn"});
  ASSERT_EQ(again.code, 0);
  EXPECT_EQ(again.json()->getValue<int64_t>("inserted"), 0);
  EXPECT_EQ(again.json()->getValue<int64_t>("updated"), 0);
  EXPECT_EQ(again.json()->getValue<int64_t>("unchanged"), j->getValue<int64_t>("inserted"));
}

TEST_P(EligibilityEndToEnd, ExplainAndTheDropOutReportSpeakPlainly) {
  setUpTerm();
  ASSERT_EQ(run({"entitle", "--term", "2026-autumn"}).code, 0);
  const std::string id = firstStudentId();
  ASSERT_FALSE(id.empty());
  // Side by side when asked; in the reader's language (here the tests' English locale) otherwise.
  const auto both = run({"explain", id, "--term", "2026-autumn", "--lang", "both"});
  ASSERT_EQ(both.code, 0) << both.err;
  EXPECT_NE(both.out.find("学段 / stage"), std::string::npos) << both.out;
  EXPECT_EQ(both.out.find(id), std::string::npos) << "explain printed the full resident ID";
  const auto plain = run({"explain", id, "--term", "2026-autumn"});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_NE(plain.out.find("[ok] stage: "), std::string::npos) << plain.out;
  EXPECT_EQ(plain.out.find("学段"), std::string::npos) << plain.out;
  const auto en = run({"--json", "explain", id, "--term", "2026-autumn"});
  ASSERT_EQ(en.code, 0);
  EXPECT_EQ(en.json()->getArray("programmes")->size(), 15u);
  // In Chinese only: the labels and the facts (the stage in its word, the rate in yuan).
  const auto zh = run({"explain", id, "--term", "2026-autumn", "--lang", "zh"});
  ASSERT_EQ(zh.code, 0) << zh.err;
  EXPECT_NE(zh.out.find("[符合] 学段: "), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("阶段\n"), std::string::npos) << zh.out;
  EXPECT_EQ(zh.out.find(" / stage"), std::string::npos) << zh.out;
  const auto zh_json = run({"--json", "explain", id, "--term", "2026-autumn", "--lang", "zh"});
  ASSERT_EQ(zh_json.code, 0) << zh_json.err;
  const auto first = zh_json.json()->getArray("programmes")->getObject(0);
  const auto check = first->getArray("trace")->getObject(0);
  ASSERT_TRUE(check->has("fact_message")) << zh_json.out;
  EXPECT_EQ(check->getObject("fact_message")->getValue<std::string>("text"),
            check->getValue<std::string>("fact"));

  const auto dropouts = run(
      {"--json", "report", "dropouts", "--term", "2026-autumn", "--out", scratch.dir() + "/d.csv"});
  ASSERT_EQ(dropouts.code, 0) << dropouts.err;
  EXPECT_GT(dropouts.json()->getValue<int64_t>("children"), 0);
}

// What an officer reads on the command line in a Chinese locale: sentences in Chinese,
// programmes, terms, stages and statuses by name; the same commands in English unchanged.
/// The command lines a usage text lists: each line's leading command words (`batch export`).
std::vector<std::string> commandsOf(const std::string& usage) {
  std::vector<std::string> out;
  std::istringstream in(usage);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  ", 0) != 0 || line.size() < 3 || line[2] < 'a' || line[2] > 'z') continue;
    // The command, up to where its description starts (two spaces or more).
    std::istringstream words(line.substr(2, line.find("  ", 2) - 2));
    std::string command, word;
    while (words >> word && std::islower(static_cast<unsigned char>(word[0])) &&
           word.find_first_of("|;") == std::string::npos)
      command += (command.empty() ? "" : " ") + word;
    out.push_back(command);
  }
  return out;
}

TEST_P(EligibilityEndToEnd, TheHelpListsTheSameCommandsInEitherLanguage) {
  const auto zh = run({"help", "--lang", "zh"});
  const auto en = run({"--help", "--lang", "en"});
  ASSERT_EQ(zh.code, 0) << zh.err;
  ASSERT_EQ(en.code, 0) << en.err;
  EXPECT_NE(zh.out.find("用法：edupay"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("导入学校的学籍名册"), std::string::npos) << zh.out;
  EXPECT_NE(en.out.find("usage: edupay"), std::string::npos) << en.out;
  const auto zh_commands = commandsOf(zh.out);
  EXPECT_GT(zh_commands.size(), 50u);
  EXPECT_EQ(zh_commands, commandsOf(en.out));
}

TEST_P(EligibilityEndToEnd, TheCommandLineSpeaksChineseToAChineseReader) {
  setUpTerm();
  const auto zh = run({"entitle", "--term", "2026-autumn", "--lang", "zh"});
  ASSERT_EQ(zh.code, 0) << zh.err;
  for (const char* words : {"2026年秋季学期资助测算", "测算学生：2500 人", "符合：", "不予资助",
                            "分项目：", "义务教育"})
    EXPECT_NE(zh.out.find(words), std::string::npos) << words << " not in:\n" << zh.out;
  for (const char* english :
       {"students evaluated", "eligible", "excluded", "_allowance", "_grant", "2026-autumn"})
    EXPECT_EQ(zh.out.find(english), std::string::npos) << english << " in:\n" << zh.out;
  const auto en = run({"entitle", "--term", "2026-autumn", "--lang", "en"});
  ASSERT_EQ(en.code, 0) << en.err;
  EXPECT_NE(en.out.find("students evaluated: 2500"), std::string::npos) << en.out;
  EXPECT_NE(en.out.find("written: 0 new, 0 changed, "), std::string::npos) << en.out;

  const auto as = [&](std::vector<std::string> args) {
    const auto officer = actors.officer();
    args.insert(args.end(), officer.begin(), officer.end());
    return run(args);
  };
  const auto decisions =
      as({"report", "decisions", "--term", "2026-autumn", "--status", "excluded", "--lang", "zh"});
  ASSERT_EQ(decisions.code, 0) << decisions.err;
  EXPECT_NE(decisions.out.find("不予资助的资助决定"), std::string::npos) << decisions.out;
  for (const char* english : {"none of", "not ", "assessed", "decision(s)", "_allowance"})
    EXPECT_EQ(decisions.out.find(english), std::string::npos) << english << " in:\n"
                                                              << decisions.out;

  const auto schools = as({"school", "list", "--lang", "zh"});
  ASSERT_EQ(schools.code, 0) << schools.err;
  EXPECT_NE(schools.out.find("在籍学生"), std::string::npos) << schools.out;
  EXPECT_EQ(schools.out.find("enrolled"), std::string::npos) << schools.out;

  const std::string id = firstStudentId();
  ASSERT_FALSE(id.empty());
  const auto student = as({"student", "show", id, "--lang", "zh"});
  ASSERT_EQ(student.code, 0) << student.err;
  for (const char* words : {"学籍：", "收款账户：", "出生", "年级"})
    EXPECT_NE(student.out.find(words), std::string::npos) << words << " not in:\n" << student.out;
  for (const char* english : {"Enrollments", "Accounts", "born", "grade", "student_card"})
    EXPECT_EQ(student.out.find(english), std::string::npos) << english << " in:\n" << student.out;
}

TEST_P(EligibilityEndToEnd, ABadPolicyFileIsRefusedAndNothingIsActivated) {
  const std::string bad = scratch.dir() + "/bad.json";
  std::ofstream(bad)
      << R"({"policy_version": 1, "name": "x", "programmes": [{"code": "Bad Code"}]})";
  ASSERT_EQ(run({"keygen"}).code, 0);
  const auto r = run({"policy", "activate", bad});
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("/programmes/0"), std::string::npos) << r.err;
  const auto show = run({"policy", "show"});
  EXPECT_EQ(show.code, app::kExitNotFound);
  EXPECT_NE(show.err.find("edupay policy activate"), std::string::npos) << show.err;
  const auto entitle = run({"entitle", "--term", "2026-autumn"});
  EXPECT_EQ(entitle.code, app::kExitNotFound);
}

TEST_P(EligibilityEndToEnd, BadCommandLinesAndFilesSayWhatToDo) {
  ASSERT_EQ(run({"keygen"}).code, 0);
  auto r = run({"import", "roster", scratch.dir() + "/none.csv", "--source", "poverty"});
  EXPECT_EQ(r.code, app::kExitNotFound);
  EXPECT_NE(r.err.find("none.csv"), std::string::npos) << r.err;
  const std::string roster = scratch.dir() + "/r.csv";
  std::ofstream(roster) << "resident_id,name,household_id,category,valid_from,valid_to,region\n";
  r = run({"import", "roster", roster, "--source", "police"});
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("--source must be"), std::string::npos) << r.err;
  r = run({"entitle", "--term", "2026-winter"});
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("2026-winter"), std::string::npos) << r.err;
  r = run({"entitle"});
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("--term is required"), std::string::npos) << r.err;
  r = run({"policy", "check", scratch.dir() + "/missing.json"});
  EXPECT_EQ(r.code, app::kExitNotFound);
  r = run({"explain", "4301ABC", "--term", "2026-autumn"});  // neither an ID nor a record number
  EXPECT_EQ(r.code, app::kExitUsage);
  r = run({"frobnicate"});
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos) << r.err;
  r = run({"import", "roll", roster, "--no-such-option"});
  EXPECT_EQ(r.code, app::kExitUsage);
  EXPECT_NE(r.err.find("--no-such-option"), std::string::npos) << r.err;
}

TEST_P(EligibilityEndToEnd, ARollWithBytesInvalidInItsEncodingIsRefusedWithTheLine) {
  ASSERT_EQ(run({"keygen"}).code, 0);
  const std::string path = scratch.dir() + "/broken.csv";
  std::ofstream(path, std::ios::binary)
      << "resident_id,name,sex,birth_date,school_code,stage,grade,enroll_date,status\n"
      << "11010519491231002X,ok,F,1949-12-31,1430121001,primary,1,2026-09-01,active\n"
      << "11010519491231002X,\xff\xfe,F,1949-12-31,1430121001,primary,1,2026-09-01,active\n";
  const auto r = run({"import", "roll", path, "--encoding", "utf-8"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("broken.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
  auto db = scratch.open();
  EXPECT_EQ(store::queryInt(*db, "SELECT COUNT(*) FROM persons"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, EligibilityEndToEnd, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
