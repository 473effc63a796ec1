#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "store/BatchFixture.h"
#include "store/SqlRegistryStore.h"

namespace edupay::testing {
namespace {

namespace fs = std::filesystem;
using bankfiles::ImportResult;

/// The batch fixture, plus a signing key, the county's payer account at ICBC and a bank
/// simulator standing in for the bank.
class BankFilesEndToEnd : public BatchFixture {
 protected:
  BankFilesEndToEnd() : registry(*f.db) {
    security::SigningKey::generate(path("bureau.pem"));
    key.emplace(security::SigningKey::load(path("bureau.pem")));
    store.setPayer({"430121", "102", "6212260000000430121", "长沙县教育局学生资助专户"});
    budget(100000);
  }

  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  int64_t approved() {
    const int64_t id = submitted();
    disburse::approveBatch(store, audit, approver1, id);
    return id;
  }

  bankfiles::ExportResult exportTo(int64_t id, const std::string& dir,
                                   const bankfiles::LayoutSet& layouts = bankfiles::LayoutSet()) {
    fs::create_directories(dir);
    return bankfiles::exportBatch(store, audit, officer, id, dir, layouts, f.cipher, *key,
                                  "义务教育非寄宿生生活补助2026秋");
  }

  /// Runs the bank simulator on a payment file; returns its exit code.
  int bank(const std::string& file, const std::string& result, const std::string& extra = "") {
    const std::string cmd = std::string(EDUPAY_BANKSIM) + " --in '" + file + "' --public-key '" +
                            path("bureau.pem.pub") + "' --out '" + result +
                            "' --fail-rate 0 --seed 1 --date 2026-09-25 " + extra +
                            " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  ImportResult importResult(const std::string& file, const security::User& who) {
    return bankfiles::importResultFile(store, audit, who, file, std::nullopt);
  }

  std::vector<std::string> references(int64_t batch_id) {
    std::vector<std::string> out;
    auto s = f.db->prepare("SELECT end_to_end_ref FROM payments WHERE batch_id = ? ORDER BY seq");
    s->bind(1, batch_id);
    while (s->next()) out.push_back(s->getText(0));
    return out;
  }

  int64_t budgetSum(const std::string& column) {
    return store::queryInt(*f.db, "SELECT SUM(" + column + ") FROM budgets");
  }

  bankfiles::ReconcileRow reconcile() {
    const auto rows = store.reconcile(Term::parse("2026-autumn"), "430121");
    for (const auto& r : rows)
      if (r.programme == kProgramme) return r;
    ADD_FAILURE() << "no reconciliation row";
    return {};
  }

  std::string problems(const ImportResult& r) {
    std::string all;
    for (const auto& p : r.problems) all += p + "\n";
    return all;
  }

  store::SqlRegistryStore registry;
  std::optional<security::SigningKey> key;
  security::User bank_operator = user("icbc1", security::Role::kBankOperator, "102");
};

TEST_P(BankFilesEndToEnd, AWholeTermReconcilesToTheFen) {
  const int64_t id = approved();
  const auto exported = exportTo(id, path("out"));
  ASSERT_EQ(exported.paths.size(), 1u);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kExported);
  EXPECT_EQ(f.count("payment_states", "state = 'sent'"), 5);
  const auto v = bankfiles::verifyPaymentFile(exported.paths[0], bankfiles::LayoutSet(),
                                              security::VerifyingKey::load(path("bureau.pem.pub")));
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.content.total.fen(), 5 * 25000);

  // The bank pays four and returns one (name mismatch).
  const std::string failing = references(id)[2];
  ASSERT_EQ(bank(exported.paths[0], path("result.txt"), "--fail " + failing + "=E001"), 0);
  const auto r = importResult(path("result.txt"), bank_operator);
  ASSERT_TRUE(r.problems.empty()) << problems(r);
  EXPECT_EQ(r.paid, 4);
  EXPECT_EQ(r.returned, 1);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kPartiallySettled);
  EXPECT_EQ(f.count("payment_states",
                    "state = 'returned' AND reason_code = 'E001' AND reason_text = "
                    "'户名不符' AND end_to_end_ref = '" +
                        failing + "'"),
            1);
  // Budgets: committed moved to paid (4 x 250) and returned (250), to the fen.
  EXPECT_EQ(budgetSum("committed_fen"), 0);
  EXPECT_EQ(budgetSum("paid_fen"), 4 * 25000);
  EXPECT_EQ(budgetSum("returned_fen"), 25000);
  EXPECT_EQ(f.count("returned_funds", "status = 'awaiting_account'"), 1);
  auto row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.paid_n, 4);
  EXPECT_EQ(row.returned_n, 1);
  EXPECT_EQ(row.unbatched_n, 1);
  EXPECT_EQ(row.outstanding().fen(), 25000);

  EXPECT_NE(refusal([&] {
              bankfiles::closeBatch(store, audit, officer, id);
            }).find("1 returned payment(s) wait for a corrected account and a re-issue"),
            std::string::npos);
  // Nothing is re-issued until the account is corrected.
  EXPECT_TRUE(build().batch_ids.empty());
  bankfiles::AccountCorrection fix;
  fix.payment = failing;
  fix.account = card(99);
  fix.holder = "张三";
  fix.bank_code = "102551000017";
  const auto corrected = bankfiles::correctAccount(registry, store, audit, officer, f.cipher, fix);
  EXPECT_EQ(corrected.released, 1);
  const auto again = build();
  ASSERT_EQ(again.batch_ids.size(), 1u);
  const int64_t second = again.batch_ids[0];
  EXPECT_EQ(f.count("payments", "batch_id = " + std::to_string(second) + " AND attempt = 2"), 1);
  EXPECT_EQ(f.count("returned_funds", "status = 'reissued' AND reissue_payment_id IS NOT NULL"), 1);
  // The database refuses a second live attempt of the entitlement, and a changed answer.
  EXPECT_THROW(store::execute(*f.db,
                              "UPDATE payments SET status = 'pending' WHERE status = "
                              "'returned'"),
               Error);
  EXPECT_THROW(store::execute(*f.db, "UPDATE payment_results SET outcome = 'paid'"), Error);
  EXPECT_THROW(store::execute(*f.db, "DELETE FROM payment_results"), Error);

  disburse::submitBatch(store, audit, officer, second);
  disburse::approveBatch(store, audit, approver2, second);
  const auto reissued = exportTo(second, path("out2"));
  ASSERT_EQ(bank(reissued.paths[0], path("result2.txt")), 0);
  const auto r2 = importResult(path("result2.txt"), officer);
  ASSERT_TRUE(r2.problems.empty()) << problems(r2);
  EXPECT_EQ(store.loadBatch(second)->status, disburse::BatchStatus::kSettled);
  EXPECT_EQ(bankfiles::closeBatch(store, audit, officer, id).status,
            disburse::BatchStatus::kClosed);
  EXPECT_EQ(bankfiles::closeBatch(store, audit, officer, second).status,
            disburse::BatchStatus::kClosed);

  row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.entitled_n, 5);
  EXPECT_EQ(row.paid_n, 5);
  EXPECT_EQ(row.paid.fen(), 5 * 25000);
  EXPECT_EQ(row.reissued_n, 1);
  EXPECT_EQ(row.outstanding().fen(), 0);
  EXPECT_EQ(budgetSum("paid_fen"), 5 * 25000);
  EXPECT_EQ(budgetSum("committed_fen"), 0);
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
}

TEST_P(BankFilesEndToEnd, ExportIsForApprovedBatchesByAnOfficerAndDeterministic) {
  const int64_t draft = build().batch_ids.at(0);
  auto refusal_of = [&](const security::User& who, int64_t id) {
    return refusal([&] {
      bankfiles::exportBatch(store, audit, who, id, f.scratch.dir(), bankfiles::LayoutSet(),
                             f.cipher, *key, "x");
    });
  };
  EXPECT_NE(refusal_of(officer, draft).find("only approved batches are exported"),
            std::string::npos);
  publish(*Date::fromYmd(2026, 9, 14));
  disburse::submitBatch(store, audit, officer, draft);
  disburse::approveBatch(store, audit, approver1, draft);
  EXPECT_NE(refusal_of(approver1, draft).find("only a bureau officer"), std::string::npos);
  // An officer of another county is told the batch does not exist, as an unknown id would be.
  EXPECT_NE(refusal_of(user("o2", security::Role::kBureauOfficer, "430122"), draft)
                .find("no batch " + std::to_string(draft) + " in your scope"),
            std::string::npos);

  const auto first = exportTo(draft, path("a"));
  const std::string bytes = readFile(first.paths[0]);
  const std::string manifest = readFile(bankfiles::manifestPath(first.paths[0]));
  const auto second = exportTo(draft, path("b"));
  EXPECT_TRUE(second.again);
  EXPECT_EQ(readFile(second.paths[0]), bytes) << "same batch, same bytes";
  EXPECT_EQ(readFile(bankfiles::manifestPath(second.paths[0])), manifest);
  EXPECT_EQ(f.count("audit_events", "action = 'batch.export'"), 1);
  EXPECT_EQ(f.count("audit_events", "action = 'batch.export_again'"), 1);
  // Once exported, what was sent never changes (a database trigger, not just the code).
  const std::string where = " WHERE batch_id = " + std::to_string(draft);
  EXPECT_THROW(store::execute(*f.db, "UPDATE payments SET amount_fen = 1" + where), Error);
  EXPECT_THROW(store::execute(*f.db, "UPDATE payments SET holder_name = 'x'" + where), Error);
  EXPECT_THROW(store::execute(*f.db, "UPDATE payments SET status = 'removed'" + where), Error);
  // A payer account configured since does not change what was sent; a changed layout would,
  // so that re-export is refused.
  store.setPayer({"430121", "102", "6212269999999430121", "长沙县教育局"});
  EXPECT_EQ(readFile(exportTo(draft, path("c")).paths[0]), bytes);
  EXPECT_EQ(readFile(bankfiles::manifestPath(path("c") + "/" +
                                             fs::path(first.paths[0]).filename().string())),
            manifest);
  store.setBank("102", "header-block-gbk", 0);
  EXPECT_NE(refusal([&] { exportTo(draft, path("d")); }).find("would not give the bytes sent"),
            std::string::npos);
}

TEST_P(BankFilesEndToEnd, AnExportStoppedHalfWayIsFinishedOnALaterDayWithTheFirstDaysBytes) {
  const int64_t id = approved();
  struct Today {
    explicit Today(const char* d) { ::setenv("EDUPAY_TODAY", d, 1); }
    ~Today() { ::unsetenv("EDUPAY_TODAY"); }
  };
  {
    // The first attempt fixes the plan, then fails before anything is published (here: the
    // output folder does not exist, so nothing can be staged).
    Today day("2026-10-20");
    EXPECT_THROW(bankfiles::exportBatch(store, audit, officer, id, path("missing/out"),
                                        bankfiles::LayoutSet(), f.cipher, *key, "x"),
                 Error);
  }
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kApproved);
  EXPECT_EQ(f.count("export_plans", "created_on = '2026-10-20'"), 1);
  // A stale staging folder and temp file of a killed export are discarded by the next one.
  fs::create_directories(path("out/.staging-B" + std::string(6 - std::to_string(id).size(), '0') +
                              std::to_string(id)));
  const std::string stale = path("out/B" + std::string(6 - std::to_string(id).size(), '0') +
                                 std::to_string(id) + "-102-x.txt.tmp-abc123");
  writeFileAtomically(stale, "6212260000000430121");
  std::string first_bytes;
  {
    Today day("2026-10-23");  // another day: the files still say the 20th
    const auto r = exportTo(id, path("out"));
    EXPECT_FALSE(r.again);
    first_bytes = readFile(r.paths[0]);
    EXPECT_NE(readFile(bankfiles::manifestPath(r.paths[0])).find("2026-10-20"), std::string::npos);
    EXPECT_EQ(readFile(bankfiles::manifestPath(r.paths[0])).find("2026-10-23"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(stale));
  for (const auto& e : fs::recursive_directory_iterator(path("out"))) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    EXPECT_EQ(e.path().filename().string().find(".staging-"), std::string::npos) << e.path();
  }
  {
    Today day("2026-11-02");
    const auto again = exportTo(id, path("later"));
    EXPECT_TRUE(again.again);
    EXPECT_EQ(readFile(again.paths[0]), first_bytes) << "byte-identical on a later day";
  }
}

TEST_P(BankFilesEndToEnd, ALayoutLimitSplitsTheBatchIntoNumberedFilesEachWithItsTotals) {
  const std::string dir = path("layouts");
  fs::create_directories(dir);
  writeFileAtomically(dir + "/pipe-small.json", R"({"layout": "pipe-small", "kind": "delimited",
      "encoding": "GBK", "line_ending": "CRLF", "delimiter": "|", "terminate_fields": true,
      "max_lines": 2,
      "detail": [{"value": "seq"}, {"value": "account"}, {"value": "holder"}, {"value": "amount"},
                 {"value": "reference"}, {"value": "purpose"}],
      "trailer": [[{"text": "汇总"}, {"value": "total_count"}, {"value": "total_amount"}]],
      "result": {"kind": "pipe-result"}})");
  store.setBank("102", "pipe-small", 0);
  layouts = bankfiles::LayoutSet(dir);  // batch build checks names against the same layouts
  const int64_t id = approved();
  const auto r = exportTo(id, path("out"), layouts);
  ASSERT_EQ(r.paths.size(), 3u);
  EXPECT_NE(r.paths[2].find("-p03.txt"), std::string::npos);
  const auto pub = security::VerifyingKey::load(path("bureau.pem.pub"));
  int64_t count = 0;
  for (const auto& p : r.paths) {
    const auto v = bankfiles::verifyPaymentFile(p, layouts, pub);
    EXPECT_TRUE(v.ok()) << p;
    count += v.content.count;
  }
  EXPECT_EQ(count, 5);
  EXPECT_NE(gb18030ToUtf8(readFile(r.paths[2])).find("汇总|1|250.00|"), std::string::npos);
  EXPECT_EQ(f.count("payment_files", "batch_id = " + std::to_string(id)), 3);
}

TEST_P(BankFilesEndToEnd, Pain001GoesOutAndPain002ComesBack) {
  store.setBank("102", "pain.001.001.03", 0);
  const int64_t id = approved();
  const auto r = exportTo(id, path("out"));
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_NE(readFile(r.paths[0]).find("urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"),
            std::string::npos);
  ASSERT_EQ(bank(r.paths[0], path("result.xml"), "--fail " + references(id)[0] + "=E002"), 0);
  const auto imported = importResult(path("result.xml"), bank_operator);
  ASSERT_TRUE(imported.problems.empty()) << problems(imported);
  EXPECT_EQ(imported.paid, 4);
  EXPECT_EQ(imported.returned, 1);
  EXPECT_EQ(f.count("payment_states", "state = 'returned' AND reason_code = 'AC04'"), 1);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kPartiallySettled);
}

TEST_P(BankFilesEndToEnd, ABadResultFileIsRefusedWholeAndChangesNothing) {
  store::execute(*f.db, "UPDATE banks SET max_lines = 4 WHERE code = '102'");
  const auto built = build();
  ASSERT_EQ(built.batch_ids.size(), 2u);
  const int64_t id = built.batch_ids[0];
  publish(*Date::fromYmd(2026, 9, 14));
  disburse::submitBatch(store, audit, officer, id);
  disburse::approveBatch(store, audit, approver1, id);
  exportTo(id, path("out"));
  const auto refs = references(id);
  const std::string other = references(built.batch_ids[1])[0];  // never exported
  auto line = [](int seq, const std::string& ref, const std::string& amount,
                 const std::string& status) {
    return std::to_string(seq) + "|" + ref + "|6222|" + amount + "|" + status + "|" +
           (status == "E" ? "E003|账户冻结" : "|") + "|TX" + std::to_string(seq) + "|\r\n";
  };
  auto write = [&](const std::string& name, const std::string& body) {
    writeFileAtomically(path(name), utf8ToGb18030(withPipeSummary(body)));
    return path(name);
  };
  const std::string unknown =
      write("unknown.txt",
            line(1, refs[0], "250.00", "S") + line(2, "EDU9999999999999999A1", "250.00", "S"));
  const std::string twice =
      write("twice.txt", line(1, refs[0], "250.00", "S") + line(2, refs[0], "250.00", "E"));
  const std::string amount = write("amount.txt", line(1, refs[1], "205.00", "S"));
  const std::string not_sent = write("notsent.txt", line(1, other, "250.00", "S"));
  struct Case {
    std::string file, problem;
  } cases[] = {
      {unknown, "unknown.txt: line 2: reference EDU9999999999999999A1: not a payment edupay sent"},
      {twice, "twice.txt: line 2: reference " + refs[0] + ": appears twice in the file"},
      {amount, "amount.txt: line 1: reference " + refs[1] +
                   ": amount 205.00 differs from the 250.00 yuan sent"},
      {not_sent, "has not been exported"},
  };
  for (const auto& c : cases) {
    const auto r = importResult(c.file, officer);
    EXPECT_NE(problems(r).find(c.problem), std::string::npos) << c.file << ":\n" << problems(r);
    EXPECT_EQ(f.count("payment_states", "state = 'sent'"), 4) << c.file << " changed payments";
    EXPECT_EQ(f.count("result_imports"), 0) << c.file;
    EXPECT_EQ(f.count("returned_funds"), 0) << c.file;
    EXPECT_EQ(budgetSum("paid_fen"), 0) << c.file;
  }
  // Another bank's operator may not settle ICBC's payments.
  const std::string good =
      write("good.txt", line(1, refs[0], "250.00", "S") + line(2, refs[1], "250.00", "E") +
                            line(3, refs[2], "250.00", "A"));
  const auto foreign = importResult(good, user("abc1", security::Role::kBankOperator, "103"));
  EXPECT_NE(problems(foreign).find("belongs to bank 102, not to bank 103"), std::string::npos);
  // The same refusal as a Chinese reader sees it: whose payment it is and what to do.
  ASSERT_FALSE(foreign.problem_messages.empty());
  const std::string foreign_zh = i18n::render(foreign.problem_messages.front(), Lang::kZh);
  EXPECT_NE(foreign_zh.find("该支付属于银行 102，不属于银行 103"), std::string::npos) << foreign_zh;
  EXPECT_NE(foreign_zh.find("请只导入本行的回盘文件"), std::string::npos) << foreign_zh;
  EXPECT_NE(foreign_zh.find("参考号 " + refs[0]), std::string::npos) << foreign_zh;
  EXPECT_NE(refusal([&] {
              importResult(good, user("s1", security::Role::kSchoolAdmin, "4301210001"));
            }).find("only a bank operator"),
            std::string::npos);

  const auto ok = importResult(good, bank_operator);
  ASSERT_TRUE(ok.problems.empty()) << problems(ok);
  EXPECT_EQ(ok.paid, 1);
  EXPECT_EQ(ok.returned, 1);
  EXPECT_EQ(ok.pending, 1);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kExported)
      << "two payments are still at the bank";
  const auto again = importResult(good, bank_operator);
  EXPECT_TRUE(again.already_imported);
  EXPECT_EQ(f.count("payment_states", "state = 'paid'"), 1);
  EXPECT_EQ(f.count("result_imports"), 1);
  // A later file contradicting what was settled is refused whole.
  const auto contradicting = importResult(
      write("contradicting.txt", line(2, refs[1], "250.00", "S") + line(4, refs[3], "250.00", "S")),
      bank_operator);
  EXPECT_NE(problems(contradicting)
                .find("reference " + refs[1] +
                      ": was already settled (returned) by an earlier result file"),
            std::string::npos)
      << problems(contradicting);
  EXPECT_EQ(f.count("payment_states", "state = 'paid'"), 1);
  // Issue 14: a later file repeating an answer (the bank's complete file after a partial one)
  // settles the new lines and reports the repeated one unchanged; it used to be refused whole.
  const auto complete = importResult(
      write("late.txt", line(1, refs[0], "250.00", "S") + line(4, refs[3], "250.00", "S")),
      bank_operator);
  ASSERT_TRUE(complete.problems.empty()) << problems(complete);
  EXPECT_EQ(complete.paid, 1);
  EXPECT_EQ(complete.unchanged, 1);
  EXPECT_EQ(f.count("payment_states", "state = 'paid'"), 2);
  EXPECT_EQ(budgetSum("paid_fen"), 2 * 25000);
}

TEST_P(BankFilesEndToEnd, AFailureLineForAPaidPaymentInAPipeResultIsALateReturn) {
  const int64_t id = approved();
  const auto exported = exportTo(id, path("out"));
  ASSERT_EQ(bank(exported.paths[0], path("result.txt")), 0);
  ASSERT_TRUE(importResult(path("result.txt"), bank_operator).problems.empty());
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSettled);
  const std::string back = references(id)[3];
  auto write = [&](const std::string& name, const std::string& body) {
    writeFileAtomically(path(name), utf8ToGb18030(withPipeSummary(body)));
    return path(name);
  };
  const auto late = importResult(
      write("late.txt", "4|" + back + "|6222|250.00|E|E005|账户已销户|TX9|\r\n"), bank_operator);
  ASSERT_TRUE(late.problems.empty()) << problems(late);
  EXPECT_EQ(late.returned_late, 1);
  EXPECT_EQ(f.count("payment_states",
                    "state = 'returned' AND reason_code = 'E005' AND "
                    "end_to_end_ref = '" +
                        back + "'"),
            1);
  EXPECT_EQ(f.count("returned_funds", "status = 'awaiting_account' AND reason_code = 'E005'"), 1);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kPartiallySettled);
  EXPECT_EQ(budgetSum("paid_fen"), 4 * 25000);
  EXPECT_EQ(budgetSum("returned_fen"), 25000);
  const auto row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.paid_n, 4);
  EXPECT_EQ(row.returned_n, 1);
  EXPECT_EQ(row.outstanding().fen(), 25000);
  // A second return, or `paid` for the returned payment, is refused; the same file changes nothing.
  EXPECT_TRUE(importResult(path("late.txt"), bank_operator).already_imported);
  EXPECT_NE(problems(importResult(
                         write("again.txt", "4|" + back + "|6222|250.00|E|E006|账户冻结|TX10|\r\n"),
                         bank_operator))
                .find("was paid, then returned by an earlier result file"),
            std::string::npos);
  EXPECT_NE(problems(importResult(write("paid.txt", "4|" + back + "|6222|250.00|S|||TX11|\r\n"),
                                  bank_operator))
                .find("reference " + back + ": was paid, then returned by an earlier result file"),
            std::string::npos);
  EXPECT_EQ(f.count("payment_returns"), 1);
}

TEST_P(BankFilesEndToEnd, TheBankRefusesATamperedFile) {
  const int64_t id = approved();
  const auto r = exportTo(id, path("out"));
  std::string bytes = readFile(r.paths[0]);
  bytes[bytes.find("250.00")] = '9';
  writeFileAtomically(r.paths[0], bytes);
  EXPECT_EQ(bank(r.paths[0], path("result.txt")), 3) << "the simulator must refuse it";
  EXPECT_FALSE(fs::exists(path("result.txt")));
}

INSTANTIATE_TEST_SUITE_P(Backends, BankFilesEndToEnd, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
