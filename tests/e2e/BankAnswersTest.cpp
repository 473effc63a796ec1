// The bank's answers as banks really send them (issue 13): the field cases of
// tests/golden/field-cases/turn2 (pain.002 answering a pain.001 of five highschool_national_grant
// payments of 1150.00 yuan to bank 104, message EDUPAY-B1-P1), on every backend.

#include <gtest/gtest.h>

#include <filesystem>

#include "bankfiles/BankFiles.h"
#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "disburse/Notices.h"
#include "security/AuditLog.h"
#include "store/BatchFixture.h"
#include "store/SqlAuditLog.h"
#include "store/SqlRegistryStore.h"

namespace edupay::testing {
namespace {

namespace fs = std::filesystem;
using bankfiles::ImportResult;

const std::string kCases = std::string(EDUPAY_SOURCE_DIR) + "/tests/golden/field-cases/turn2/";

/// County 430181 with senior school 1430181001 and its five students of the field-case roll, the
/// term's entitlements, the budget, and bank 104's (BOC, pain.001.001.09) payer account.
class BankAnswers : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr const char* kProgramme = "highschool_national_grant";

  BankAnswers() : f(GetParam()), store(*f.db), audit(*f.db), registry(*f.db) {
    (void)registry::importRegions(f.store, kCases + "regions.csv");
    EXPECT_EQ(registry::importSchools(f.store, kCases + "schools.csv").added, 1);
    EXPECT_TRUE(f.import(readFile(kCases + "c06-c11-bank104-roll.csv")).committed);
    const auto policy =
        rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
    calendar = policy.holidays;
    store::SqlEntitlementStore ents(*f.db);
    int64_t policy_id = 0;
    {
      auto tx = ents.transaction();
      policy_id = ents.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
      tx->commit();
    }
    rules::EntitleOptions o;
    o.term = Term::parse("2026-autumn");
    rules::runEntitlements(ents, policy, policy_id, o);
    EXPECT_EQ(f.count("entitlements",
                      "programme = 'highschool_national_grant' AND status = "
                      "'eligible' AND amount_fen = 115000"),
              5);
    disburse::importBudgetFile(store, audit, officer, kCases + "budget.csv");
    security::SigningKey::generate(path("bureau.pem"));
    key.emplace(security::SigningKey::load(path("bureau.pem")));
    store.setPayer({"430181", "104", "6216610000000430181", "浏阳市教育局学生资助专户"});
  }

  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  /// Builds, publishes, submits, approves and exports the grant's batch; returns its id.
  int64_t exported() {
    const auto built =
        disburse::buildBatches(store, audit, officer, kProgramme, Term::parse("2026-autumn"), "",
                               bankfiles::holderEncodingCheck(store, bankfiles::LayoutSet()));
    EXPECT_EQ(built.batch_ids.size(), 1u);
    const int64_t id = built.batch_ids.at(0);
    for (const auto& flag : store.flags(id)) {
      if (flag.status == "open")
        disburse::clearFlag(store, audit, officer, flag.id, "checked with the school");
    }
    disburse::publishNotice(store, audit, officer, kProgramme, Term::parse("2026-autumn"),
                            "1430181001", f.scratch.dir(), calendar, *Date::fromYmd(2026, 9, 14));
    disburse::submitBatch(store, audit, officer, id);
    disburse::approveBatch(store, audit, approver, id);
    fs::create_directories(path("out"));
    const auto r =
        bankfiles::exportBatch(store, audit, officer, id, path("out"), bankfiles::LayoutSet(),
                               f.cipher, *key, "普通高中国家助学金2026秋");
    EXPECT_EQ(r.paths.size(), 1u);
    batch = id;
    return id;
  }

  /// The field case `name` as the bank sent it, for this test's batch: the files answer batch 1,
  /// which a fresh database also gives; were it another, its number is put in.
  std::string fieldCase(const std::string& name, const std::string& out_name = "") {
    std::string body = readFile(kCases + name);
    auto replaceAll = [&](const std::string& from, const std::string& to) {
      for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + 1))
        body.replace(at, from.size(), to);
    };
    if (batch != 1) {
      replaceAll("EDUPAY-B1-P1", "EDUPAY-B" + std::to_string(batch) + "-P1");
      std::string digits = std::to_string(batch);
      replaceAll("EDU0000000001", "EDU" + std::string(10 - digits.size(), '0') + digits);
    }
    return write(out_name.empty() ? name : out_name, body);
  }
  std::string write(const std::string& name, const std::string& body) {
    writeFileAtomically(path(name), body);
    return path(name);
  }
  /// The field case with `from` replaced by `to` (once each, in order).
  std::string variant(const std::string& name, const std::string& out_name,
                      const std::vector<std::pair<std::string, std::string>>& changes) {
    std::string body = readFile(fieldCase(name, out_name));
    for (const auto& [from, to] : changes) {
      const size_t at = body.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) body.replace(at, from.size(), to);
    }
    return write(out_name, body);
  }

  std::string ref(int seq) const {
    const std::string digits = std::to_string(batch);
    return "EDU" + std::string(10 - digits.size(), '0') + digits + "00000" + std::to_string(seq) +
           "A1";
  }

  ImportResult import(const std::string& file, const security::User& who) {
    return bankfiles::importResultFile(store, audit, who, file, std::nullopt);
  }
  ImportResult import(const std::string& file) { return import(file, boc); }

  std::string problems(const ImportResult& r) {
    std::string all;
    for (const auto& p : r.problems) all += p + "\n";
    return all;
  }
  int64_t budgetSum(const std::string& column) {
    return store::queryInt(*f.db, "SELECT SUM(" + column + ") FROM budgets WHERE programme = '" +
                                      std::string(kProgramme) + "'");
  }
  int64_t states(const std::string& where) { return f.count("payment_states", where); }
  bankfiles::ReconcileRow reconcile() {
    for (const auto& r : store.reconcile(Term::parse("2026-autumn"), "430181"))
      if (r.programme == kProgramme) return r;
    ADD_FAILURE() << "no reconciliation row";
    return {};
  }
  std::string refusal(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  /// Nothing of a refused file stayed.
  void expectUnchanged(const std::string& sent_state, int64_t sent_n, const std::string& what) {
    EXPECT_EQ(states("state = '" + sent_state + "'"), sent_n) << what;
    EXPECT_EQ(f.count("payment_returns"), 0) << what;
  }
  /// The school corrects the student's account named by a returned payment.
  int64_t correct(const std::string& reference, int seq) {
    bankfiles::AccountCorrection fix;
    fix.payment = reference;
    fix.account = card(200 + seq);
    fix.holder = "新户名" + std::to_string(seq);
    fix.bank_code = "104430181099";
    return bankfiles::correctAccount(registry, store, audit, officer, f.cipher, fix).released;
  }
  std::vector<int64_t> rebuild() {
    return disburse::buildBatches(store, audit, officer, kProgramme, Term::parse("2026-autumn"), "",
                                  bankfiles::holderEncodingCheck(store, bankfiles::LayoutSet()))
        .batch_ids;
  }

  RegistryFixture f;
  store::SqlDisbursementStore store;
  store::SqlSecurityStore audit;
  store::SqlRegistryStore registry;
  std::optional<security::SigningKey> key;
  HolidayCalendar calendar;
  int64_t batch = 0;
  security::User officer = user("officer181", security::Role::kBureauOfficer, "430181");
  security::User approver = user("approver43", security::Role::kBureauApprover, "4301");
  security::User boc = user("boc1", security::Role::kBankOperator, "104");
};

// c06: the bank refused the whole message (GrpSts RJCT with a reason, no transaction lines).
TEST_P(BankAnswers, AGroupRejectionReturnsEveryPaymentOfTheMessageReissuableOnce) {
  const int64_t id = exported();
  EXPECT_EQ(id, 1) << "the field cases answer batch 1";
  EXPECT_EQ(states("state = 'sent' AND end_to_end_ref = 'EDU0000000001000005A1'"), 1);
  const auto r = import(fieldCase("c06-pain002-group-rjct.xml"));
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.returned, 5);
  EXPECT_EQ(r.returned_total.fen(), 5 * 115000);
  EXPECT_EQ(r.paid, 0);
  EXPECT_EQ(r.returned_late, 0);
  EXPECT_EQ(states("state = 'returned' AND reason_code = 'AM04' AND reason_text = "
                   "'付款账户余额不足，整批未处理'"),
            5);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kPartiallySettled);
  EXPECT_EQ(budgetSum("committed_fen"), 0);
  EXPECT_EQ(budgetSum("paid_fen"), 0);
  EXPECT_EQ(budgetSum("returned_fen"), 5 * 115000);
  const auto ledger = store.returnedFunds("430181");
  ASSERT_EQ(ledger.size(), 5u);
  for (const auto& l : ledger) {
    EXPECT_EQ(l.status, "awaiting_account");
    EXPECT_EQ(l.reason_code, "AM04");
    EXPECT_EQ(l.amount.fen(), 115000);
  }
  auto row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.returned_n, 5);
  EXPECT_EQ(row.awaiting_account_n, 5);
  EXPECT_EQ(row.outstanding().fen(), 5 * 115000);
  EXPECT_TRUE(import(fieldCase("c06-pain002-group-rjct.xml")).already_imported);

  // Re-sendable: after each account is corrected, the next build re-issues each payment once.
  EXPECT_TRUE(rebuild().empty()) << "nothing is re-issued before the account is corrected";
  for (int seq = 1; seq <= 5; ++seq) EXPECT_EQ(correct(ref(seq), seq), 1);
  const auto again = rebuild();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(f.count("payments", "batch_id = " + std::to_string(again[0]) + " AND attempt = 2"), 5);
  EXPECT_EQ(f.count("returned_funds", "status = 'reissued'"), 5);
  EXPECT_TRUE(rebuild().empty()) << "re-issued once only";
  row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.unbatched_n, 0);
  EXPECT_EQ(row.in_approval_n, 5);
}

// c11b's group status RJCT lists one transaction: only that one is answered.
TEST_P(BankAnswers, AGroupStatusOverTransactionLinesIsOnlyASummary) {
  exported();
  const auto r = import(fieldCase("c11b-pain002-late-return.xml"));
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.returned, 1);
  EXPECT_EQ(r.returned_late, 0);
  EXPECT_EQ(states("state = 'returned' AND reason_code = 'AC04'"), 1);
  EXPECT_EQ(states("state = 'returned' AND end_to_end_ref = '" + ref(2) + "'"), 1);
  EXPECT_EQ(states("state = 'sent'"), 4);
  EXPECT_EQ(store.loadBatch(batch)->status, disburse::BatchStatus::kExported);
}

TEST_P(BankAnswers, APaymentInformationStatusWithoutLinesAnswersItsBlock) {
  exported();
  // The group says only "partly"; the block without lines says all paid.
  const std::string paid = variant("c06-pain002-group-rjct.xml", "pmtinf-acsc.xml",
                                   {{"<GrpSts>RJCT</GrpSts>", "<GrpSts>PART</GrpSts>"},
                                    {"</OrgnlGrpInfAndSts>",
                                     "</OrgnlGrpInfAndSts>\n    <OrgnlPmtInfAndSts><OrgnlPmtInfId>"
                                     "EDUPAY-B1-P1</OrgnlPmtInfId><PmtInfSts>ACSC</PmtInfSts>"
                                     "</OrgnlPmtInfAndSts>"}});
  const auto r = import(paid);
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.paid, 5);
  EXPECT_EQ(r.paid_total.fen(), 5 * 115000);
  EXPECT_EQ(states("state = 'paid'"), 5);
  EXPECT_EQ(store.loadBatch(batch)->status, disburse::BatchStatus::kSettled);
  EXPECT_EQ(budgetSum("paid_fen"), 5 * 115000);
  EXPECT_EQ(budgetSum("committed_fen"), 0);
}

TEST_P(BankAnswers, APaymentInformationRejectionWithoutLinesReturnsItsBlock) {
  exported();
  const std::string rejected =
      variant("c06-pain002-group-rjct.xml", "pmtinf-rjct.xml",
              {{"<GrpSts>RJCT</GrpSts>", "<GrpSts>PART</GrpSts>"},
               {"</OrgnlGrpInfAndSts>",
                "</OrgnlGrpInfAndSts>\n    <OrgnlPmtInfAndSts><OrgnlPmtInfId>EDUPAY-B1-P1"
                "</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Prtry>E1001</Prtry>"
                "</Rsn><AddtlInf>付款账户已冻结</AddtlInf></StsRsnInf></OrgnlPmtInfAndSts>"}});
  const auto r = import(rejected);
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.returned, 5);
  EXPECT_EQ(states("state = 'returned' AND reason_code = 'E1001' AND reason_text = "
                   "'付款账户已冻结'"),
            5);
  EXPECT_EQ(f.count("returned_funds", "status = 'awaiting_account' AND reason_code = 'E1001'"), 5);
}

TEST_P(BankAnswers, AReceivedOrAcceptedMessageWithoutLinesChangesNothing) {
  exported();
  for (const char* status : {"ACSP", "ACTC", "ACCP", "PDNG", "RCVD"}) {
    const std::string file =
        variant("c06-pain002-group-rjct.xml", std::string("grp-") + status + ".xml",
                {{"<GrpSts>RJCT</GrpSts>", std::string("<GrpSts>") + status + "</GrpSts>"}});
    const auto r = import(file);
    ASSERT_TRUE(r.problems.empty()) << status << "\n" << problems(r);
    EXPECT_EQ(r.pending, 5) << status;
    EXPECT_EQ(r.paid + r.returned, 0) << status;
    EXPECT_EQ(states("state = 'sent'"), 5) << status;
    EXPECT_EQ(store.loadBatch(batch)->status, disburse::BatchStatus::kExported) << status;
  }
  EXPECT_EQ(budgetSum("committed_fen"), 5 * 115000);
}

// c08: a rejection whose reason is the bank's own code (Prtry).
TEST_P(BankAnswers, AProprietaryReasonCodeIsTheReasonAndTheRestOfTheFileApplies) {
  exported();
  const auto r = import(fieldCase("c08-pain002-prtry-reason.xml"));
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.paid, 4);
  EXPECT_EQ(r.returned, 1);
  EXPECT_EQ(
      states("state = 'returned' AND reason_code = 'E0217' AND end_to_end_ref = '" + ref(5) + "'"),
      1);
  EXPECT_EQ(states("state = 'paid' AND bank_txn_id IS NOT NULL"), 4);
  EXPECT_EQ(f.count("returned_funds", "reason_code = 'E0217'"), 1);
  EXPECT_EQ(store.loadBatch(batch)->status, disburse::BatchStatus::kPartiallySettled);
  EXPECT_EQ(budgetSum("paid_fen"), 4 * 115000);
  EXPECT_EQ(budgetSum("returned_fen"), 115000);
}

TEST_P(BankAnswers, TheMinimalProprietaryRejectionIsReadAndTheFullReportAfterItSettlesTheRest) {
  exported();
  const auto r = import(fieldCase("c08-min-prtry.xml"));
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.returned, 1);
  EXPECT_EQ(
      states("state = 'returned' AND reason_code = 'E0217' AND end_to_end_ref = '" + ref(5) + "'"),
      1);
  EXPECT_EQ(states("state = 'sent'"), 4);
  // A full report that answers the returned payment otherwise contradicts it: refused whole.
  const auto contradicting = import(variant("c08-pain002-prtry-reason.xml", "contradicting.xml",
                                            {{"<Prtry>E0217</Prtry>", "<Prtry>E0999</Prtry>"}}));
  EXPECT_NE(problems(contradicting)
                .find("reference " + ref(5) +
                      ": was already settled (returned) by an earlier result file"),
            std::string::npos)
      << problems(contradicting);
  EXPECT_EQ(states("state = 'sent'"), 4) << "nothing of the refused file stayed";
  // Issue 14: the bank's complete report after the partial one settles the rest; the answer it
  // repeats is reported unchanged (it used to refuse the whole file, leaving four payments stuck).
  const auto full = import(fieldCase("c08-pain002-prtry-reason.xml"));
  ASSERT_TRUE(full.problems.empty()) << problems(full);
  EXPECT_EQ(full.paid, 4);
  EXPECT_EQ(full.returned, 0);
  EXPECT_EQ(full.unchanged, 1);
  EXPECT_EQ(states("state = 'sent'"), 0);
  EXPECT_EQ(states("state = 'paid'"), 4);
  EXPECT_EQ(f.count("returned_funds", "reason_code = 'E0217'"), 1) << "returned once, not twice";
  EXPECT_EQ(budgetSum("paid_fen"), 4 * 115000);
  EXPECT_EQ(budgetSum("returned_fen"), 115000);
}

TEST_P(BankAnswers, EchoedAmountsCompareByValueInEveryFormTheSchemaAllows) {
  exported();
  // The five transactions echo 1150.00 as 1150, 1150.0, 1150.000, +1150.00000 and 01150.00.
  std::vector<std::pair<std::string, std::string>> forms;
  for (const char* form : {"1150", "1150.0", "1150.000", "+1150.00000", "01150.00"}) {
    forms.emplace_back("\">1150.00</InstdAmt>", std::string("\">") + form + "</InstdAmt>");
  }
  std::string body = readFile(fieldCase("c11a-pain002-all-paid.xml"));
  for (const auto& [from, to] : forms) body.replace(body.find(from), from.size(), to);
  body.replace(body.find("</OrgnlMsgNmId>"), 15,
               "</OrgnlMsgNmId><OrgnlNbOfTxs>5</OrgnlNbOfTxs><OrgnlCtrlSum>5750</OrgnlCtrlSum>");

  // A different value is still refused whole: 1150.01, a fraction of a fen, or another total.
  const std::string wrong = write("wrong-amount.xml", [&] {
    std::string b = body;
    b.replace(b.find(">1150.000<"), 10, ">1150.01<");
    return b;
  }());
  const auto r1 = import(wrong);
  EXPECT_NE(problems(r1).find("transaction 3: reference " + ref(3) +
                              ": amount 1150.01 differs from the 1150.00 yuan sent"),
            std::string::npos)
      << problems(r1);
  expectUnchanged("sent", 5, "wrong amount");
  std::string b = body;
  b.replace(b.find(">1150.000<"), 10, ">1150.001<");
  EXPECT_NE(refusal([&] { import(write("sub-fen.xml", b)); }).find("not a whole number of fen"),
            std::string::npos);
  expectUnchanged("sent", 5, "a fraction of a fen");
  b = body;
  b.replace(b.find("<OrgnlCtrlSum>5750<"), 19, "<OrgnlCtrlSum>5750.10<");
  EXPECT_NE(problems(import(write("ctrlsum.xml", b)))
                .find("OrgnlCtrlSum 5750.10 differs from the 5750.00 yuan edupay sent in it"),
            std::string::npos);
  expectUnchanged("sent", 5, "another control sum");

  const auto ok = import(write("forms.xml", body));
  ASSERT_TRUE(ok.problems.empty()) << problems(ok);
  EXPECT_EQ(ok.paid, 5);
  EXPECT_EQ(ok.paid_total.fen(), 5 * 115000);
}

// c11a then c11b: all five paid; days later one comes back.
TEST_P(BankAnswers, MoneyReturnedAfterItWasPaidIsALateReturnReissuableOnce) {
  exported();
  const auto paid = import(fieldCase("c11a-pain002-all-paid.xml"));
  ASSERT_TRUE(paid.problems.empty()) << problems(paid);
  EXPECT_EQ(paid.paid, 5);
  EXPECT_EQ(store.loadBatch(batch)->status, disburse::BatchStatus::kSettled);
  EXPECT_EQ(budgetSum("paid_fen"), 5 * 115000);

  const auto late = import(fieldCase("c11b-pain002-late-return.xml"));
  ASSERT_TRUE(late.problems.empty()) << problems(late);
  EXPECT_EQ(late.returned, 1);
  EXPECT_EQ(late.returned_late, 1);
  EXPECT_EQ(late.returned_total.fen(), 115000);
  // A file that only returns money late is the bank's and the county's upload as much as the
  // first answer: in the bank's upload history and in the county auditor's log.
  {
    store::SqlAuditLog log(*f.db);
    const auto uploads = security::uploadHistory(log, boc, "result", 1, 50);
    ASSERT_EQ(uploads.size(), 2u);
    EXPECT_EQ(uploads[0].returned, 1);
    EXPECT_EQ(uploads[0].scope.bank, "104");
    EXPECT_EQ(uploads[0].scope.region, "430181");
    security::AuditQuery q;
    q.action = "bank.import_result";
    EXPECT_EQ(security::auditLog(log, user("auditor181", security::Role::kAuditor, "430181"), q)
                  .entries.size(),
              2u);
  }
  // paid -> returned, with the return's reason and date; the first answer stays as it was.
  EXPECT_EQ(states("state = 'returned' AND reason_code = 'AC04' AND reason_text = "
                   "'收款账户已销户，资金退回' AND bank_txn_id = 'BOC000002A1' AND paid_on IS NOT "
                   "NULL AND settled_on = '" +
                   Date::today().str() + "' AND end_to_end_ref = '" + ref(2) + "'"),
            1);
  EXPECT_EQ(states("state = 'paid'"), 4);
  EXPECT_EQ(f.count("payment_results", "outcome = 'paid'"), 5);
  EXPECT_EQ(f.count("payment_returns"), 1);
  EXPECT_EQ(f.count("payments", "status = 'returned'"), 1);
  // The ledger, the budget, the batch and reconciliation follow, to the fen.
  const auto ledger = store.returnedFunds("430181");
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].reference, ref(2));
  EXPECT_EQ(ledger[0].reason_code, "AC04");
  EXPECT_EQ(ledger[0].status, "awaiting_account");
  EXPECT_EQ(ledger[0].amount.fen(), 115000);
  EXPECT_EQ(budgetSum("committed_fen"), 0);
  EXPECT_EQ(budgetSum("paid_fen"), 4 * 115000);
  EXPECT_EQ(budgetSum("returned_fen"), 115000);
  EXPECT_EQ(store.loadBatch(batch)->status, disburse::BatchStatus::kPartiallySettled);
  auto row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.entitled.fen(), 5 * 115000);
  EXPECT_EQ(row.paid_n, 4);
  EXPECT_EQ(row.paid.fen(), 4 * 115000);
  EXPECT_EQ(row.returned_n, 1);
  EXPECT_EQ(row.returned.fen(), 115000);
  EXPECT_EQ(row.awaiting_account_n, 1);
  EXPECT_EQ(row.unbatched.fen(), 115000);
  EXPECT_EQ(row.outstanding().fen(), 115000);
  EXPECT_NE(refusal([&] {
              bankfiles::closeBatch(store, audit, officer, batch);
            }).find("1 returned payment(s) wait"),
            std::string::npos);

  // The same file again changes nothing; the same return sent again in another file is
  // unchanged (issue 14); a second return with another reason, or `paid` for it, is refused whole.
  EXPECT_TRUE(import(fieldCase("c11b-pain002-late-return.xml")).already_imported);
  const auto repeated = import(variant("c11b-pain002-late-return.xml", "repeated-return.xml",
                                       {{"BOC-RPT-0012", "BOC-RPT-0015"}}));
  ASSERT_TRUE(repeated.problems.empty()) << problems(repeated);
  EXPECT_EQ(repeated.unchanged, 1);
  EXPECT_EQ(repeated.returned, 0);
  const auto twice = import(variant("c11b-pain002-late-return.xml", "second-return.xml",
                                    {{"BOC-RPT-0012", "BOC-RPT-0013"}, {"AC04", "AC06"}}));
  EXPECT_NE(problems(twice).find("reference " + ref(2) +
                                 ": was paid, then returned by an earlier result file"),
            std::string::npos)
      << problems(twice);
  const auto paid_again = import(
      variant("c11b-pain002-late-return.xml", "paid-again.xml",
              {{"<TxSts>RJCT</TxSts>", "<TxSts>ACSC</TxSts>"}, {"BOC-RPT-0012", "BOC-RPT-0014"}}));
  EXPECT_FALSE(paid_again.problems.empty());
  // Paid ones are not returned by a later refusal of the whole message.
  const auto whole = import(fieldCase("c06-pain002-group-rjct.xml"));
  EXPECT_NE(problems(whole).find("group status RJCT of EDUPAY-B1-P1: reference " + ref(1) +
                                 ": was already settled (paid)"),
            std::string::npos)
      << problems(whole);
  EXPECT_EQ(f.count("payment_returns"), 1);
  EXPECT_EQ(budgetSum("paid_fen"), 4 * 115000);
  EXPECT_EQ(f.count("result_imports"), 3) << "two that settled, one that changed nothing";
  // The database keeps it so: one late return per payment, only of paid money, never changed.
  const std::string pid = std::to_string(
      store::queryInt(*f.db, "SELECT id FROM payments WHERE end_to_end_ref = '" + ref(2) + "'"));
  const std::string other = std::to_string(
      store::queryInt(*f.db, "SELECT id FROM payments WHERE end_to_end_ref = '" + ref(3) + "'"));
  const std::string import_id = std::to_string(late.import_id);
  EXPECT_THROW(store::execute(*f.db,
                              "INSERT INTO payment_returns (payment_id, import_id, "
                              "reason_code, returned_on) VALUES (" +
                                  pid + ", " + import_id + ", 'AC04', '2026-12-01')"),
               Error);
  EXPECT_THROW(store::execute(*f.db, "UPDATE payment_returns SET reason_code = 'X'"), Error);
  EXPECT_THROW(store::execute(*f.db, "DELETE FROM payment_returns"), Error);
  EXPECT_THROW(store::execute(*f.db,
                              "INSERT INTO payment_returns (payment_id, import_id, "
                              "returned_on) VALUES (" +
                                  other + ", " + import_id + ", '2026-12-01')"),
               Error)
      << "a return needs the bank's reason";

  // Re-issued exactly once, after the account is corrected.
  EXPECT_TRUE(rebuild().empty());
  EXPECT_EQ(correct(ref(2), 2), 1);
  const auto again = rebuild();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(f.count("payments", "batch_id = " + std::to_string(again[0]) + " AND attempt = 2"), 1);
  EXPECT_EQ(f.count("returned_funds", "status = 'reissued'"), 1);
  EXPECT_TRUE(rebuild().empty()) << "re-issued once only";
  row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.in_approval_n, 1);
  EXPECT_EQ(row.unbatched_n, 0);
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
}

TEST_P(BankAnswers, AFileAnsweringAMessageNeverSentOrAnotherBanksIsRefusedWhole) {
  exported();
  struct Case {
    std::string file, problem;
  } cases[] = {
      {variant("c06-pain002-group-rjct.xml", "b9.xml", {{"EDUPAY-B1-P1", "EDUPAY-B9-P1"}}),
       "answers message EDUPAY-B9-P1, which edupay never sent"},
      {variant("c06-pain002-group-rjct.xml", "p2.xml", {{"EDUPAY-B1-P1", "EDUPAY-B1-P2"}}),
       "answers message EDUPAY-B1-P2, which edupay never sent"},
      {variant("c06-pain002-group-rjct.xml", "other.xml", {{"EDUPAY-B1-P1", "ACME-0001"}}),
       "answers message ACME-0001, which edupay never sent"},
      {variant("c11a-pain002-all-paid.xml", "lines-b9.xml", {{"EDUPAY-B1-P1", "EDUPAY-B9-P1"}}),
       "answers message EDUPAY-B9-P1, which edupay never sent"},
      {variant("c06-pain002-group-rjct.xml", "count.xml",
               {{"<OrgnlNbOfTxs>5<", "<OrgnlNbOfTxs>6<"}}),
       "OrgnlNbOfTxs 6 differs from the 5 payments edupay sent in it"},
      {variant("c11a-pain002-all-paid.xml", "unknown-ref.xml", {{ref(4), "EDU0000000099000004A1"}}),
       "transaction 4: reference EDU0000000099000004A1: not a payment edupay sent"},
  };
  for (const auto& c : cases) {
    const auto r = import(c.file);
    EXPECT_NE(problems(r).find(c.problem), std::string::npos) << c.file << "\n" << problems(r);
    expectUnchanged("sent", 5, c.file);
    EXPECT_EQ(f.count("result_imports"), 0) << c.file;
    EXPECT_EQ(f.count("returned_funds"), 0) << c.file;
  }
  // Another bank's operator may not answer BOC's message, whole or line by line.
  const auto icbc = user("icbc1", security::Role::kBankOperator, "102");
  EXPECT_NE(problems(import(fieldCase("c06-pain002-group-rjct.xml"), icbc))
                .find("group status RJCT of EDUPAY-B1-P1: reference " + ref(1) +
                      ": belongs to bank 104, not to bank 102"),
            std::string::npos);
  EXPECT_NE(problems(import(variant("c06-pain002-group-rjct.xml", "acsp.xml",
                                    {{"<GrpSts>RJCT</GrpSts>", "<GrpSts>ACSP</GrpSts>"}}),
                            icbc))
                .find("belongs to bank 104, not to bank 102"),
            std::string::npos);
  EXPECT_NE(problems(import(fieldCase("c11a-pain002-all-paid.xml"), icbc))
                .find("belongs to bank 104, not to bank 102"),
            std::string::npos);
  expectUnchanged("sent", 5, "another bank");
  EXPECT_EQ(f.count("result_imports"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, BankAnswers, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
