// Real-world inputs that once failed (tests/golden/field-cases/turn2, made-up people): each is
// imported through the CLI as a school or bureau would, on every backend, and must give the
// right value — one record per child whatever identifier arrives, every legal identity
// document, names and dates as people type them, Excel's workbooks as Excel writes them.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "app/Cli.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

struct CliRun {
  int code;
  std::string out, err;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(out).extract<Poco::JSON::Object::Ptr>();
  }
  /// Every issue's reason, one per line, with its severity and column.
  std::string issues() const {
    std::string s;
    auto a = json()->getArray("issues");
    for (size_t i = 0; i < a->size(); ++i) {
      auto o = a->getObject(static_cast<unsigned>(i));
      s += o->getValue<std::string>("severity") + " " + o->getValue<std::string>("column") + ": " +
           o->getValue<std::string>("reason") + "\n";
    }
    return s;
  }
};

class FieldCases : public ::testing::TestWithParam<std::string> {
 protected:
  FieldCases() : scratch(GetParam()), actors(scratch.url(), scratch.dir()) {
    EXPECT_EQ(cli({"keygen", "--key-file", key()}, false).code, 0);
    EXPECT_EQ(cli({"import", "regions", file("regions.csv")}).code, 0);
    auto r = cli({"import", "schools", file("schools.csv")});
    EXPECT_EQ(r.code, 0) << r.err;
  }
  CliRun cli(std::vector<std::string> args, bool with_db = true) {
    if (with_db) {
      args = actors.with(std::move(args));
      args.insert(args.begin(), {"--db", scratch.url(), "--key-file", key()});
    }
    std::ostringstream out, err;
    const int code = app::runCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  CliRun roll(const std::string& path, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--json", "import", "roll", path, "--as-of", "2026-10-08"};
    args.insert(args.end(), extra.begin(), extra.end());
    return cli(args);
  }
  std::string key() const { return scratch.dir() + "/edupay.key"; }
  static std::string file(const std::string& name) {
    return std::string(EDUPAY_SOURCE_DIR) + "/tests/golden/field-cases/turn2/" + name;
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string p = scratch.dir() + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  int64_t count(const std::string& sql) {
    auto db = scratch.open();
    return store::queryInt(*db, sql);
  }
  /// The county's officer `officer` (password Officer-pass-2026), added by the sysadmin.
  void addCountyOfficer() {
    ::setenv("EDUPAY_NEW_PASSWORD", "Officer-pass-2026", 1);
    std::vector<std::string> add = {"user",           "add",     "officer", "--role",
                                    "bureau_officer", "--scope", "430181"};
    for (const auto& a : actors.admin()) add.push_back(a);
    ASSERT_EQ(cli(add).code, 0);
  }
  int64_t students() { return count("SELECT COUNT(DISTINCT person_id) FROM enrollments"); }

  ScratchDatabase scratch;
  CliActors actors;
};

const char* kHeader =
    "resident_id,student_no,name,sex,birth_date,ethnicity,school_code,stage,grade,class,major,"
    "agri_major,boarding,enroll_date,status,status_date,household_id,hukou_region,hukou_type,"
    "guardian_name,guardian_id,difficulty_level,claimed_categories,bank_account,bank_code,"
    "account_holder,account_kind\n";

TEST_P(FieldCases, AStudentNumberAndTheResidentIdInsideItAreOneChildPaidOnce) {
  // c13a: the G number only; c13b days later: the resident ID only.
  auto a = roll(file("c13a-student-no-only.csv"));
  ASSERT_EQ(a.code, 0) << a.out << a.err;
  auto b = roll(file("c13b-resident-id-only.csv"));
  ASSERT_EQ(b.code, 0) << b.out << b.err;
  EXPECT_EQ(b.json()->getObject("changes")->getValue<int64_t>("persons_added"), 0) << b.out;
  EXPECT_EQ(students(), 1);
  // The G number holds the ID in clear: it is not kept beside the encrypted ID.
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE student_no LIKE 'G%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id_document = 'resident_id'"), 2);

  // c13c: the civil-affairs roster names the guardian by his 18-digit ID; the roll gave his
  // 15-digit legacy ID. One guardian, and the household is on the roster.
  auto r = cli({"--json", "import", "roster", file("c13c-roster-guardian-18.csv"), "--source",
                "civil_affairs"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM household_status WHERE source = 'civil_affairs'"), 1);

  // One entitlement per programme for the child, whatever identifier each roll used.
  ASSERT_EQ(
      cli({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  auto e = cli({"--json", "entitle", "--term", "2026-autumn"});
  ASSERT_EQ(e.code, 0) << e.out << e.err;
  EXPECT_EQ(count("SELECT COUNT(DISTINCT person_id) FROM entitlements"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT programme FROM entitlements GROUP BY programme "
                  "HAVING COUNT(*) > 1) t"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM entitlements WHERE programme = "
                  "'highschool_national_grant' AND status = 'eligible'"),
            1);

  // The same the other way round: an ID first, then the G number alone.
  auto c = roll(file("c02-foreign-permanent-id.csv"));
  ASSERT_EQ(c.code, 0) << c.out;
  auto d = roll(file("c02b-foreign-student-no-only.csv"));
  ASSERT_EQ(d.code, 0) << d.out;
  EXPECT_EQ(d.json()->getObject("changes")->getValue<int64_t>("persons_added"), 0) << d.out;
  EXPECT_EQ(students(), 2);
}

TEST_P(FieldCases, AChildKnownByAGNumberAloneGetsTheIdOnTheSameRecord) {
  // A record made before G numbers were read as IDs: the person has only the student number.
  auto a = roll(file("c13a-student-no-only.csv"));
  ASSERT_EQ(a.code, 0) << a.out;
  {
    auto db = scratch.open();
    store::execute(*db,
                   "UPDATE persons SET student_no = 'G430181201006181215', rid_hash = NULL, "
                   "rid_enc = NULL, rid_mask = NULL WHERE id IN (SELECT person_id FROM "
                   "enrollments)");
  }
  auto b = roll(file("c13b-resident-id-only.csv"));
  ASSERT_EQ(b.code, 0) << b.out;
  EXPECT_EQ(students(), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE student_no IS NOT NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons p JOIN enrollments e ON e.person_id = p.id "
                  "WHERE p.rid_hash IS NOT NULL"),
            1);
}

TEST_P(FieldCases, EveryLegalIdentityDocumentIsAccepted) {
  auto permits = roll(file("c01-hk-mo-tw-permits.csv"));
  ASSERT_EQ(permits.code, 0) << permits.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id_document = 'hmt_permit'"), 3);

  // Guardians with a foreigner's permanent-residence ID of either form never block the child.
  auto guardians = roll(file("c02c-foreign-guardian-ids.csv"));
  ASSERT_EQ(guardians.code, 0) << guardians.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id_document = 'foreign_permanent'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id_document = 'foreign_permanent_2017'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM guardians"), 5);  // three from c01, two here
  EXPECT_EQ(students(), 5);

  // A guardian holding a passport is recorded by name; the row is imported with a warning.
  const std::string passport =
      write("passport.csv",
            std::string(kHeader) +
                "430181201003150878,,周明,M,2010-03-15,汉族,1430181001,senior,2,高二1班,,N,N,"
                "2025-09-01,active,,H4301810000043,430181,rural,Kim Lee,M12345678,difficult,,,,,"
                "\n");
  auto p = roll(passport);
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.issues().find("warning guardian_id"), std::string::npos) << p.issues();
}

TEST_P(FieldCases, MiddleDotVariantsAreOneName) {
  auto r = roll(file("c03-names-roll.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  // The holder `阿依古丽•买买提` is the student `阿依古丽·买买提`: no holder warning.
  EXPECT_EQ(r.issues().find("account_holder"), std::string::npos) << r.issues();
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE name = '阿依古丽·买买提'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE name = '热依拉·艾力'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM bank_accounts WHERE holder_name = '阿依古丽·买买提'"), 1);
}

TEST_P(FieldCases, AnExcelWorkbookWithDateCellsIsReadAsDates) {
  auto r = roll(file("c14-xlsx-date-cells.xlsx"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(students(), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE birth_date = '2010-03-15'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE birth_date = '2009-11-20'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM enrollments WHERE enroll_date = '2025-09-01'"), 2);
}

TEST_P(FieldCases, ANewIdForAChildOnRecordIsRefusedNotPaidTwice) {
  ASSERT_EQ(roll(file("c06-c11-bank104-roll.csv")).code, 0);
  // 张晓燕 again, same birth date and household, under a corrected (different) ID.
  const std::string again =
      write("again.csv", std::string(kHeader) +
                             "430181201003150309,,张晓燕,F,2010-03-15,汉族,1430181001,senior,2,"
                             "高二1班,,N,N,2025-09-01,active,,H4301810000010,430181,rural,李建国,"
                             "43018119800101021X,difficult,,6210400000000000104,104430181010,"
                             "张晓燕,student_card\n");
  auto r = roll(again);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.issues().find("student merge"), std::string::npos) << r.issues();
  EXPECT_NE(r.issues().find("household"), std::string::npos) << r.issues();
  EXPECT_EQ(students(), 5);
  auto skipped = roll(again, {"--accept-valid"});
  EXPECT_EQ(skipped.code, 1);
  EXPECT_EQ(skipped.json()->getValue<int64_t>("rows_bad"), 1);
  EXPECT_EQ(students(), 5);

  // The ID was a correction: the county officer merges it into the child's record (audited, the
  // old identifier kept in the change log), and the roll then imports onto the same record.
  ASSERT_NO_FATAL_FAILURE(addCountyOfficer());
  ::setenv("EDUPAY_PASSWORD", "Officer-pass-2026", 1);
  auto no_reason =
      cli({"student", "merge", "430181201003150202", "430181201003150309", "--as", "officer"});
  EXPECT_EQ(no_reason.code, 2) << no_reason.err;
  auto merged = cli({"--json", "student", "merge", "430181201003150202", "430181201003150309",
                     "--reason", "身份证号录入错误，已核对户口本", "--as", "officer"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_EQ(merged.json()->getValue<std::string>("new"), "4301**********0309");
  auto after = roll(again);
  ASSERT_EQ(after.code, 0) << after.out;
  EXPECT_EQ(after.json()->getObject("changes")->getValue<int64_t>("persons_added"), 0);
  EXPECT_EQ(students(), 5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM change_log WHERE field = 'resident_id' AND old_value = "
                  "'4301**********0202' AND new_value = '4301**********0309'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action = 'student.merge'"), 1);
  auto shown = cli({"--json", "student", "show", "G430181201003150309"});
  EXPECT_EQ(shown.code, 0) << shown.err;
  // A merge onto an identifier that has its own record is refused.
  auto conflict = cli({"student", "merge", "430181201003150229", "430181201003150309", "--reason",
                       "test", "--as", "officer"});
  EXPECT_EQ(conflict.code, 4) << conflict.err;

  // The corrected-away ID still names the child: an old roll carrying it lands on the same
  // record, `student show` finds it, and nobody can "merge" the record back to it.
  auto old_roll = roll(file("c06-c11-bank104-roll.csv"));
  ASSERT_EQ(old_roll.code, 0) << old_roll.out;
  EXPECT_EQ(old_roll.json()->getObject("changes")->getValue<int64_t>("persons_added"), 0);
  EXPECT_EQ(students(), 5);
  auto by_old = cli({"--json", "student", "show", "430181201003150202"});
  ASSERT_EQ(by_old.code, 0) << by_old.err;
  EXPECT_NE(by_old.out.find("0309"), std::string::npos) << by_old.out;
  auto back = cli({"student", "merge", "430181201003150309", "430181201003150202", "--reason",
                   "undo", "--as", "officer"});
  EXPECT_EQ(back.code, 4) << back.err;
  EXPECT_NE(back.err.find("corrected away"), std::string::npos) << back.err;

  // The refusal names the record by its number, which the merge takes as it is.
  const std::string corrected_liu =
      write("liu.csv", std::string(kHeader) +
                           "430181201003150245,,刘子涵,F,2010-03-15,汉族,1430181001,senior,2,"
                           "高二1班,,N,N,2025-09-01,active,,H4301810000011,430181,rural,李建国,"
                           "430181198001010236,difficult,,6210400000000000112,104430181011,"
                           "刘子涵,student_card\n");
  auto refused = roll(corrected_liu);
  ASSERT_EQ(refused.code, 1);
  const std::string reason = refused.issues();
  const auto at = reason.find("on record as record ");
  ASSERT_NE(at, std::string::npos) << reason;
  const std::string number = reason.substr(at + 20, reason.find(' ', at + 20) - (at + 20));
  auto by_number = cli({"student", "merge", number, "430181201003150245", "--reason",
                        "身份证号更正", "--as", "officer"});
  EXPECT_EQ(by_number.code, 0) << by_number.err;
  EXPECT_EQ(roll(corrected_liu).code, 0);
  EXPECT_EQ(students(), 5);

  // Unmasked identifiers need a login in scope, and leave an audit event.
  EXPECT_EQ(cli({"student", "show", "430181201003150245", "--reveal"}).code, 2);
  auto revealed = cli({"student", "show", "430181201003150245", "--reveal", "--as", "officer"});
  EXPECT_EQ(revealed.code, 0) << revealed.err;
  EXPECT_NE(revealed.out.find("430181201003150245"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action = 'student.reveal' AND actor "
                  "= 'officer'"),
            1);
  // explain takes the student number too.
  ASSERT_EQ(
      cli({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  auto explained = cli({"explain", "G430181201003150245", "--term", "2026-autumn"});
  EXPECT_EQ(explained.code, 0) << explained.err;
  ::unsetenv("EDUPAY_PASSWORD");
  ::unsetenv("EDUPAY_NEW_PASSWORD");
}

TEST_P(FieldCases, FormatsThatAreNotARollAreNamedAndRostersTakeChineseHeaders) {
  const std::string old_xls =
      write("old.xls", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") + std::string(500, '\0'));
  auto xls = roll(old_xls);
  EXPECT_EQ(xls.code, 2);
  EXPECT_NE(xls.err.find(".xls"), std::string::npos) << xls.err;
  EXPECT_NE(xls.err.find("save it as .xlsx"), std::string::npos) << xls.err;
  // The Chinese reader is told the same: save it as another format.
  auto xls_zh = roll(old_xls, {"--lang", "zh"});
  EXPECT_EQ(xls_zh.code, 2);
  EXPECT_NE(xls_zh.err.find("另存为"), std::string::npos) << xls_zh.err;
  auto utf16 = roll(write("unicode.txt", std::string("\xFF\xFEr\0e\0")));
  EXPECT_EQ(utf16.code, 2);
  EXPECT_NE(utf16.err.find("UTF-16"), std::string::npos) << utf16.err;
  // A scan, a photo of the roll or a zipped folder sent by mistake: named as what it is, in the
  // reader's language, and in the school's upload history as refused with that reason.
  for (const auto& [name, bytes, zh] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"scan.pdf", "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "这是PDF 文档，不是学籍名册"},
           {"photo.csv", "\xFF\xD8\xFF\xE0\0\x10JFIF", "这是图片，不是学籍名册"},
           {"roll.rar", "Rar!\x1A\x07\x01\0", "这是压缩包，不是学籍名册"}}) {
    auto r = roll(write(name, bytes), {"--lang", "zh"});
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_NE(r.err.find(name + "：" + zh), std::string::npos) << r.err;
  }
  // A roll without its header row: refused, and its first row (a child's name and ID) is told to
  // the sender but never written into the audit chain.
  auto headless = roll(write("no-header.csv", "430121200801011234,张小明,男,2008-01-01\n"));
  EXPECT_NE(headless.code, 0);
  EXPECT_NE(headless.err.find("张小明"), std::string::npos) << headless.err;
  {
    auto db = scratch.open();
    const auto refused = testing::auditWords(*db, "roll.refused");
    ASSERT_FALSE(refused.empty());
    EXPECT_NE(refused.back().find("the header row is not a roll's"), std::string::npos)
        << refused.back();
    EXPECT_EQ(store::queryInt(*db,
                              "SELECT COUNT(*) FROM audit_events WHERE after_state LIKE '%张小明%' "
                              "OR after_state LIKE '%200801011234%'"),
              0);
  }
  auto en_pdf = roll(write("scan2.pdf", "%PDF-1.4\n"));
  EXPECT_NE(en_pdf.err.find("this is a PDF document, not a roll"), std::string::npos) << en_pdf.err;
  {
    auto db = scratch.open();
    const auto refused = testing::auditWords(*db, "roll.refused");
    ASSERT_GE(refused.size(), 4u);
    EXPECT_NE(refused.back().find("scan2.pdf sha256 "), std::string::npos) << refused.back();
    EXPECT_NE(refused.back().find("not read, nothing imported: scan2.pdf: this is a PDF document"),
              std::string::npos)
        << refused.back();
  }
  // A department's roster with Chinese headers.
  const std::string roster = write("roster-zh.csv",
                                   "身份证号,姓名,户编号,类别,开始日期,结束日期,地区\n"
                                   "430181197604120317,黄国强,H4301810000060,低保户,2024-01-01,,"
                                   "430181\n");
  auto r = cli({"import", "roster", roster, "--source", "civil_affairs"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(count("SELECT COUNT(*) FROM household_status WHERE category = 'dibao'"), 1);
}

TEST_P(FieldCases, TwoRecordsOfOneChildAreMergedAndPaidOnce) {
  ASSERT_EQ(
      cli({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  // The child first recorded under a wrong ID, entitled for the autumn term...
  const std::string row_tail =
      ",,张晓燕,F,2010-03-15,汉族,1430181001,senior,2,高二1班,,N,N,2025-09-01,active,,";
  ASSERT_EQ(roll(write("wrong.csv", std::string(kHeader) + "430181201003150202" + row_tail +
                                        "H4301810000010,430181,rural,李建国,43018119800101021X,"
                                        "difficult,,6210400000000000104,104430181010,张晓燕,"
                                        "student_card\n"))
                .code,
            0);
  ASSERT_EQ(cli({"entitle", "--term", "2026-autumn"}).code, 0);
  // ...left that school's roll, and was recorded again under the right ID with another household
  // code, guardian and card (so nothing on record matched), and entitled again.
  {
    auto db = scratch.open();
    store::execute(*db,
                   "UPDATE enrollments SET status = 'transferred', status_date = '2026-09-30', "
                   "end_date = '2026-09-30'");
  }
  ASSERT_EQ(roll(write("right.csv", std::string(kHeader) + "430181201003150309" + row_tail +
                                        "H4301810000099,430181,rural,张建华,430181198001010914,"
                                        "difficult,,6210400000000000997,104430181099,张晓燕,"
                                        "student_card\n"))
                .code,
            0);
  ASSERT_EQ(cli({"entitle", "--term", "2026-autumn"}).code, 0);
  EXPECT_EQ(students(), 2);
  ASSERT_EQ(count("SELECT COUNT(*) FROM entitlements WHERE programme = 'highschool_national_grant' "
                  "AND status = 'eligible'"),
            2)
      << "two records, two grants: the fault a merge repairs " << [&] {
           auto db = scratch.open();
           std::string d;
           auto st = db->prepare(
               "SELECT person_id, status, reason FROM entitlements WHERE "
               "programme = 'highschool_national_grant'");
           while (st->next()) d += st->getText(1) + " " + st->getText(2) + "\n";
           return d;
         }();

  ASSERT_NO_FATAL_FAILURE(addCountyOfficer());
  // Every programme both records are entitled to is held twice.
  const int64_t wrong_entitlements = count(
      "SELECT COUNT(*) FROM entitlements e JOIN persons p ON p.id = e.person_id WHERE p.rid_mask "
      "LIKE '%0202'");
  const int64_t wrong_eligible = count(
      "SELECT COUNT(*) FROM entitlements e JOIN persons p ON p.id = e.person_id WHERE p.rid_mask "
      "LIKE '%0202' AND e.status = 'eligible'");
  ASSERT_GE(wrong_eligible, 1);
  ::setenv("EDUPAY_PASSWORD", "Officer-pass-2026", 1);
  auto merged = cli({"--json", "student", "merge", "430181201003150202", "430181201003150309",
                     "--reason", "同一学生两条记录", "--as", "officer"});
  ::unsetenv("EDUPAY_PASSWORD");
  ::unsetenv("EDUPAY_NEW_PASSWORD");
  ASSERT_EQ(merged.code, 0) << merged.err;
  auto j = merged.json();
  EXPECT_NE(j->getValue<int64_t>("merged_person_id"), 0);
  EXPECT_EQ(j->getValue<int64_t>("enrollments_moved"), 1);
  EXPECT_EQ(j->getValue<int64_t>("entitlements_superseded"), wrong_entitlements);
  EXPECT_EQ(j->getArray("paid_twice")->size(), 0u);
  // One child, one grant: the other is excluded with its old version in the history.
  EXPECT_EQ(count("SELECT COUNT(*) FROM entitlements WHERE programme = 'highschool_national_grant' "
                  "AND status = 'eligible'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM entitlements WHERE reason LIKE 'merged:%' AND status = "
                  "'excluded' AND amount_fen = 0"),
            wrong_entitlements);
  // The superseded decisions' reason as a sentence, for readers of either language.
  EXPECT_EQ(count("SELECT COUNT(*) FROM entitlements e JOIN reason_sentences rs ON rs.sha256 = "
                  "e.reason_sha WHERE e.reason LIKE 'merged:%' AND rs.messages LIKE "
                  "'%rules.fact.merged%'"),
            wrong_entitlements);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT e.id) FROM entitlement_history h JOIN entitlements e ON "
                  "e.id = h.entitlement_id WHERE e.reason LIKE 'merged:%' AND h.status = "
                  "'eligible'"),
            wrong_eligible);
  EXPECT_EQ(count("SELECT COUNT(*) FROM enrollments e JOIN persons p ON p.id = e.person_id WHERE "
                  "p.merged_into IS NULL"),
            2);
  // A later roll still carrying the wrong ID lands on the record kept; a new entitlement run
  // gives the merged record nothing.
  auto again = roll(write("wrong-again.csv",
                          std::string(kHeader) + "430181201003150202" + row_tail +
                              "H4301810000099,430181,rural,张建华,430181198001010914,difficult,,"
                              "6210400000000000997,104430181099,张晓燕,student_card\n"));
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(again.json()->getObject("changes")->getValue<int64_t>("persons_added"), 0);
  ASSERT_EQ(cli({"entitle", "--term", "2026-autumn"}).code, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM entitlements WHERE programme = 'highschool_national_grant' "
                  "AND status = 'eligible'"),
            1);
  auto shown = cli({"--json", "student", "show", "430181201003150202"});
  ASSERT_EQ(shown.code, 0);
  EXPECT_NE(shown.out.find("0309"), std::string::npos) << shown.out;
}

TEST_P(FieldCases, WhatSlipsThroughIsFlaggedWhenTheBatchIsBuilt) {
  // One file naming the same child twice under two IDs (rows of one file are not "on record"
  // for each other): both are entitled, and the batch flags both payments.
  const std::string row_tail =
      ",,张晓燕,F,2010-03-15,汉族,1430181001,senior,2,高二1班,,N,N,2025-09-01,active,,"
      "H4301810000010,430181,rural,李建国,43018119800101021X,difficult,,";
  ASSERT_EQ(roll(write("twice.csv", std::string(kHeader) + "430181201003150202" + row_tail +
                                        "6210400000000000104,104430181010,张晓燕,student_card\n" +
                                        "430181201003150309" + row_tail +
                                        "6210400000000000997,104430181099,张晓燕,student_card\n"))
                .code,
            0);
  ASSERT_EQ(
      cli({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  ASSERT_EQ(cli({"entitle", "--term", "2026-autumn"}).code, 0);
  ASSERT_NO_FATAL_FAILURE(addCountyOfficer());
  ::setenv("EDUPAY_PASSWORD", "Officer-pass-2026", 1);
  auto built = cli({"batch", "build", "--term", "2026-autumn", "--programme",
                    "highschool_national_grant", "--as", "officer"});
  ::unsetenv("EDUPAY_PASSWORD");
  ::unsetenv("EDUPAY_NEW_PASSWORD");
  ASSERT_EQ(built.code, 0) << built.out << built.err;
  EXPECT_EQ(count("SELECT COUNT(*) FROM batch_flags WHERE kind = 'possible_duplicate' AND status "
                  "= 'open'"),
            2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM batch_flags WHERE kind = 'possible_duplicate' AND "
                  "evidence LIKE '%student merge%' AND evidence LIKE '%household%' AND evidence "
                  "NOT LIKE '%430181201003%'"),
            2);
}

TEST_P(FieldCases, EveryWriteNeedsAnActorAndIsAuditedInItsTransaction) {
  const std::string hunan = std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json";
  struct Write {
    std::vector<std::string> args;
    const char* action;
  };
  const std::vector<Write> writes = {
      {{"import", "regions", file("regions.csv")}, "regions.import"},
      {{"import", "schools", file("schools.csv")}, "schools.import"},
      {{"import", "roll", file("c06-c11-bank104-roll.csv"), "--as-of", "2026-10-08"},
       "roll.import"},
      {{"import", "roster", file("c13c-roster-guardian-18.csv"), "--source", "civil_affairs"},
       "roster.import"},
      {{"policy", "activate", hunan}, "policy.activate"},
      {{"entitle", "--term", "2026-autumn"}, "entitle.run"},
  };
  for (const auto& w : writes) {
    // Without an actor: refused, nothing written.
    std::vector<std::string> bare = {"--db", scratch.url(), "--key-file", key()};
    bare.insert(bare.end(), w.args.begin(), w.args.end());
    std::ostringstream out, err;
    EXPECT_EQ(app::runCli(bare, out, err), 2) << w.action;
    EXPECT_NE(err.str().find("--as"), std::string::npos) << w.action << ": " << err.str();
    const int64_t before =
        count("SELECT COUNT(*) FROM audit_events WHERE action = '" + std::string(w.action) + "'");
    // With one: done, and audited once.
    auto r = cli(w.args);
    EXPECT_EQ(r.code, 0) << w.action << ": " << r.out << r.err;
    EXPECT_EQ(
        count("SELECT COUNT(*) FROM audit_events WHERE action = '" + std::string(w.action) + "'"),
        before + 1)
        << w.action;
  }
  // A file's audit event names the file and its SHA-256, and the counts.
  {
    auto db = scratch.open();
    int64_t named = 0;
    for (const auto& w : testing::auditWords(*db, "roll.import")) {
      named += w.rfind("c06-c11-bank104-roll.csv sha256 ", 0) == 0 &&
               w.find(": 5 rows, 5 ok") != std::string::npos;
    }
    EXPECT_EQ(named, 1);
  }
  // The wrong role is refused; so is a credential file others can read.
  std::vector<std::string> as_admin = {"import", "roll", file("c13a-student-no-only.csv")};
  for (const auto& a : actors.admin()) as_admin.push_back(a);
  EXPECT_EQ(cli(as_admin).code, 5);
  const std::string loose = write("loose.credential",
                                  "0123456789abcdef0123456789abcdef"
                                  "0123456789abcdef0123456789abcdef\n");
  ::chmod(loose.c_str(), 0644);
  auto r = cli({"import", "roll", file("c13a-student-no-only.csv"), "--as", "svc-import",
                "--credential", loose});
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  // The chain still verifies end to end.
  EXPECT_EQ(cli({"audit", "verify"}).code, 0);
}

TEST_P(FieldCases, NothingTypedBecomesAFormulaInTheFilesWeWrite) {
  // A roll row whose name is a formula is refused, and the row report shows the value inert.
  const std::string evil = "=HYPERLINK(\"http://x\",\"点这里\")";
  std::string csv = std::string(kHeader) + "430181201003150202,,\"" +
                    "=HYPERLINK(\"\"http://x\"\",\"\"点这里\"\")" +
                    "\",F,2010-03-15,汉族,1430181001,senior,2,高二1班,,N,N,2025-09-01,active,,"
                    "H4301810000010,430181,rural,李建国,43018119800101021X,difficult,,,,,\n";
  const std::string report = scratch.dir() + "/formula-report.csv";
  auto r = roll(write("formula.csv", csv), {"--report", report});
  EXPECT_EQ(r.code, 1) << r.out;
  std::ifstream in(report, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find(",=HYPERLINK"), std::string::npos) << text;
  EXPECT_EQ(text.find(",\"=HYPERLINK"), std::string::npos) << text;
  // A name that reached the database by another way is neutralised in the public notice's CSV.
  ASSERT_EQ(roll(file("c06-c11-bank104-roll.csv")).code, 0);
  ASSERT_EQ(
      cli({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  ASSERT_EQ(cli({"entitle", "--term", "2026-autumn"}).code, 0);
  {
    auto db = scratch.open();
    store::execute(*db, "UPDATE persons SET name = '@SUM(1+1)' WHERE name = '张晓燕'");
  }
  ASSERT_NO_FATAL_FAILURE(addCountyOfficer());
  ::setenv("EDUPAY_PASSWORD", "Officer-pass-2026", 1);
  const std::string dir = scratch.dir() + "/notices";
  auto n =
      cli({"notice", "publish", "--term", "2026-autumn", "--programme", "highschool_national_grant",
           "--school", "1430181001", "--out", dir, "--as", "officer"});
  ::unsetenv("EDUPAY_PASSWORD");
  ::unsetenv("EDUPAY_NEW_PASSWORD");
  ASSERT_EQ(n.code, 0) << n.out << n.err;
  std::string notice_csv;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".csv") continue;
    std::ifstream f(e.path(), std::ios::binary);
    notice_csv.assign((std::istreambuf_iterator<char>(f)), {});
  }
  ASSERT_FALSE(notice_csv.empty());
  EXPECT_NE(notice_csv.find("'@SUM"), std::string::npos) << notice_csv;
  EXPECT_EQ(notice_csv.find(",@SUM"), std::string::npos) << notice_csv;
  (void)evil;
}

TEST_P(FieldCases, ARowHoldingAValueTheProgramDoesNotKnowIsNeverReadAsADefault) {
  ASSERT_EQ(roll(file("c06-c11-bank104-roll.csv")).code, 0);
  ASSERT_EQ(
      cli({"policy", "activate", std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json"}).code, 0);
  {
    auto db = scratch.open();
    store::execute(*db,
                   "UPDATE enrollments SET stage = 'kindergarten' WHERE id = (SELECT MIN(id) "
                   "FROM enrollments)");
  }
  // Today's rule would have read it as primary school and paid it as such.
  auto r = cli({"entitle", "--term", "2026-autumn"});
  EXPECT_EQ(r.code, 70) << r.out << r.err;
  EXPECT_NE(r.err.find("enrollments.stage of row"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kindergarten"), std::string::npos) << r.err;
  EXPECT_EQ(count("SELECT COUNT(*) FROM entitlements"), 0);
}

TEST_P(FieldCases, IdsAndAccountsExcelTurnedIntoNumbersAreNamed) {
  const std::string mangled = write(
      "mangled.csv", std::string(kHeader) +
                         "4.30181E+17,,张晓燕,F,2010-03-15,汉族,1430181001,senior,2,高二1班,,N,N,"
                         "2025-09-01,active,,H4301810000010,430181,rural,李建国,43018119800101021X,"
                         "difficult,,6.2104E+18,104430181010,张晓燕,student_card\n");
  auto r = roll(mangled);
  EXPECT_EQ(r.code, 1);
  const std::string issues = r.issues();
  EXPECT_NE(issues.find("error resident_id: Excel turned this ID into a number"), std::string::npos)
      << issues;
  EXPECT_NE(issues.find("error bank_account: Excel turned this account number"), std::string::npos)
      << issues;

  // In Chinese: the reason, its code and the column as student-record exports head it.
  auto zh = roll(mangled, {"--lang", "zh"});
  EXPECT_EQ(zh.code, 1);
  const auto first = zh.json()->getArray("issues")->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("column"), "resident_id");
  EXPECT_EQ(first->getValue<std::string>("column_zh"), "身份证号");
  EXPECT_NE(first->getValue<std::string>("reason").find("Excel 把证件号码存成了数字"),
            std::string::npos)
      << zh.out;
  EXPECT_EQ(first->getObject("reason_message")->getValue<std::string>("code"), "id.excel_number");
  // And in the human output of the command line.
  auto text = cli({"--lang", "zh", "import", "roll", mangled, "--as-of", "2026-10-08"});
  EXPECT_EQ(text.code, 1);
  EXPECT_NE(text.out.find("第 2 行，身份证号 `"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("请更正以上各行后重新导入"), std::string::npos) << text.out;
}

TEST_P(FieldCases, ARollAsTheStudentRecordSystemExportsIt) {
  // A title row above the header, columns aid does not need, Chinese words for every code,
  // dates as people write them, invisible characters pasted into fields.
  const std::string text =
      "浏阳市第一中学2026年秋季学籍名册,,,,\n"
      ",,,,\n"
      "序号,身份证号,姓名,性别,出生日期,学校标识码,学段,年级,班级,寄宿,入学年月,学籍状态,户编号,"
      "户口性质,监护人,监护人身份证号,困难等级,困难类别,银行账号,开户行行号,户名,账户类型,备注,"
      "联系电话\n"
      "1,\xE2\x80\x8B'430181201003150202 ,张晓燕,女,2010年3月15日,1430181001,高中,2,高二1班,是,"
      "2025.09,在校,H4301810000010,农业,李建国,43018119800101021X,困难,低保户,"
      "6210400000000000104,104430181010,张晓燕,社保卡,,13800000000\n";
  auto r = roll(write("export.csv", text));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::string issues = r.issues();
  EXPECT_NE(issues.find("warning 序号: ignored"), std::string::npos) << issues;
  EXPECT_NE(issues.find("warning 备注: ignored"), std::string::npos) << issues;
  EXPECT_EQ(count("SELECT COUNT(*) FROM enrollments WHERE stage = 'senior' AND boarding = 1 AND "
                  "enroll_date = '2025-09-01' AND status = 'active'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM bank_accounts WHERE kind = 'social_security'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM household_status WHERE category = 'dibao'"), 1);

  // A misspelt known column is still refused, naming it and the line of the header.
  const std::string misspelt =
      "标题\n身份正号,姓名,性别,出生日期,学校标识码,学段,年级,入学日期,学籍状态\n";
  auto bad = cli({"import", "roll", write("misspelt.csv", misspelt)});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("身份正号"), std::string::npos) << bad.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, FieldCases, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
