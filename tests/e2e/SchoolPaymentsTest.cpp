#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "common/AtomicFile.h"
#include "disburse/Notices.h"
#include "registry/Imports.h"
#include "rules/EntitlementRun.h"
#include "store/BatchFixture.h"
#include "store/SqlRegistryStore.h"

namespace edupay::testing {
namespace {

namespace fs = std::filesystem;

/// Three children in the final year of kindergarten 一幼 (4301210003, county 430121): the free
/// final preschool year (学前一年免保教费) is paid to the kindergarten, 1,200.00 yuan a child and
/// term, one payment for the three; a budget, a signing key, the county's payer account at ICBC
/// and the bank simulator.
class SchoolPayments : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr const char* kProgramme = "preschool_final_year_free";
  static constexpr const char* kSchool = "4301210003";

  SchoolPayments() : f(GetParam()), store(*f.db), audit(*f.db), registry(*f.db) {
    RollBuilder roll;
    const char* names[] = {"王小一", "李小二", "赵小三"};
    for (int i = 0; i < 3; ++i) {
      const int seq = 2 * i + 1;
      roll.student(seq, names[i])
          .set("resident_id", makeId("430121", "20200315", seq))
          .set("birth_date", "2020-03-15")
          .set("school_code", kSchool)
          .set("stage", "preschool")
          .set("grade", "3")
          .set("class", "大班1班")
          .set("enroll_date", "2023-09-01")
          .set("claimed_categories", "")
          .set("difficulty_level", "")
          .set("bank_account", card(seq))
          .set("account_holder", names[i]);
    }
    EXPECT_TRUE(f.import(roll.csv()).committed);
    const auto policy =
        rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
    store::SqlEntitlementStore ents(*f.db);
    int64_t policy_id = 0;
    {
      auto tx = ents.transaction();
      policy_id = ents.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
      tx->commit();
    }
    rules::EntitleOptions o;
    o.term = Term::parse("2026-autumn");
    (void)rules::runEntitlements(ents, policy, policy_id, o);
    EXPECT_EQ(f.count("entitlements",
                      "programme = 'preschool_final_year_free' AND status = "
                      "'eligible' AND payee = 'school'"),
              3);
    calendar = policy.holidays;
    std::vector<disburse::BudgetLine> lines;
    for (const char* source : {"central", "provincial", "county"}) {
      disburse::BudgetLine l;
      l.programme = kProgramme;
      l.region = "430121";
      l.fiscal_year = 2026;
      l.source = source;
      l.allocated = Money::fromYuan(100000);
      lines.push_back(l);
    }
    store.importBudget(lines);
    security::SigningKey::generate(path("bureau.pem"));
    key.emplace(security::SigningKey::load(path("bureau.pem")));
    store.setPayer({"430121", "102", "6212260000000430121", "长沙县教育局学生资助专户"});
  }

  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  bankfiles::SchoolAccountResult setAccount(const std::string& account, const security::User& who) {
    return bankfiles::setSchoolAccount(registry, audit, who, f.cipher,
                                       {kSchool, account, "102551000019", ""});
  }

  disburse::BuildResult build() {
    return disburse::buildBatches(store, audit, officer, kProgramme, Term::parse("2026-autumn"), "",
                                  bankfiles::holderEncodingCheck(store, layouts));
  }

  /// Publishes the notice well in the past, submits and approves (by `approver`).
  void approve(int64_t id, const security::User& approver) {
    disburse::publishNotice(store, audit, officer, kProgramme, Term::parse("2026-autumn"), kSchool,
                            f.scratch.dir(), calendar, *Date::fromYmd(2026, 9, 14));
    disburse::submitBatch(store, audit, officer, id);
    disburse::approveBatch(store, audit, approver, id);
  }

  bankfiles::ExportResult exportTo(int64_t id, const std::string& dir) {
    fs::create_directories(dir);
    return bankfiles::exportBatch(store, audit, officer, id, dir, layouts, f.cipher, *key,
                                  "学前一年免保教费2026秋");
  }

  bankfiles::Verification verify(const std::string& file) {
    return bankfiles::verifyPaymentFile(file, layouts,
                                        security::VerifyingKey::load(path("bureau.pem.pub")));
  }

  int bank(const std::string& file, const std::string& result, const std::string& extra = "") {
    const std::string cmd = std::string(EDUPAY_BANKSIM) + " --in '" + file + "' --public-key '" +
                            path("bureau.pem.pub") + "' --out '" + result +
                            "' --fail-rate 0 --seed 1 --date 2026-09-25 " + extra +
                            " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  bankfiles::ImportResult importResult(const std::string& file) {
    auto r = bankfiles::importResultFile(store, audit, officer, file, std::nullopt);
    for (const auto& p : r.problems) ADD_FAILURE() << p;
    return r;
  }

  std::string reference(int64_t batch_id) {
    auto s = f.db->prepare("SELECT end_to_end_ref FROM payments WHERE batch_id = ? ORDER BY seq");
    s->bind(1, batch_id);
    return s->next() ? s->getText(0) : "";
  }

  bankfiles::ReconcileRow reconcile() {
    for (const auto& r : store.reconcile(Term::parse("2026-autumn"), "430121"))
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

  RegistryFixture f;
  store::SqlDisbursementStore store;
  store::SqlSecurityStore audit;
  store::SqlRegistryStore registry;
  HolidayCalendar calendar;
  bankfiles::LayoutSet layouts;
  std::optional<security::SigningKey> key;
  security::User officer = user("officer1", security::Role::kBureauOfficer, "430121");
  security::User approver1 = user("approver1", security::Role::kBureauApprover, "4301");
  security::User approver2 = user("approver2", security::Role::kBureauApprover, "430121");
};

TEST_P(SchoolPayments, AFeeWaiverIsOnePaymentToTheSchoolWithItsStudentsAnnexed) {
  // No account on file: an exception at build, naming the school and what to do; nothing batched.
  const auto none = build();
  EXPECT_TRUE(none.batch_ids.empty());
  EXPECT_EQ(none.unbankable, 0);
  ASSERT_EQ(none.without_account.size(), 1u);
  EXPECT_EQ(none.without_account[0].code, kSchool);
  EXPECT_EQ(none.without_account[0].name, "一幼");
  EXPECT_EQ(none.without_account[0].students, 3);
  EXPECT_EQ(none.without_account[0].amount.fen(), 3 * 120000);

  // Only an officer over the county records the school's account; it is stored encrypted.
  EXPECT_NE(refusal([&] {
              setAccount(card(40), user("school", security::Role::kSchoolAdmin, kSchool));
            }).find("only a bureau officer"),
            std::string::npos);
  const auto set = setAccount(card(40), officer);
  EXPECT_TRUE(set.changed);
  EXPECT_EQ(set.holder, "一幼");
  EXPECT_EQ(set.mask, BankAccountNumber::parse(card(40))->masked());
  EXPECT_EQ(f.count("school_accounts", "acct_enc LIKE '%" + card(40) + "%'"), 0);
  EXPECT_FALSE(setAccount(card(40), officer).changed) << "the same account again changes nothing";
  EXPECT_EQ(f.count("audit_events", "action = 'school.account'"), 1);

  // One payment to the school: the three children's amounts and funding shares summed exactly.
  const auto built = build();
  ASSERT_EQ(built.batch_ids.size(), 1u);
  EXPECT_TRUE(built.without_account.empty());
  const int64_t id = built.batch_ids[0];
  EXPECT_EQ(built.payments, 1);
  EXPECT_EQ(built.total.fen(), 3 * 120000);
  EXPECT_EQ(f.count("payments", "batch_id = " + std::to_string(id) +
                                    " AND payee = 'school' AND holder_name = '一幼' AND "
                                    "amount_fen = 360000 AND central_fen + provincial_fen + "
                                    "county_fen = 360000"),
            1);
  EXPECT_EQ(f.count("payment_entitlements", "live = 1 AND amount_fen = 120000"), 3);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(pe.central_fen) FROM payment_entitlements pe"),
            store::queryInt(*f.db, "SELECT central_fen FROM payments"));
  // The database refuses to cover an entitlement twice, whatever payment tries.
  store::execute(*f.db,
                 "INSERT INTO payments (batch_id, entitlement_id, attempt, seq, end_to_end_ref, "
                 "amount_fen, central_fen, provincial_fen, county_fen, payee, holder_name, "
                 "bank_code, status) SELECT batch_id, entitlement_id, 9, 99, 'EDUTEST', "
                 "amount_fen, central_fen, provincial_fen, county_fen, payee, holder_name, "
                 "bank_code, 'removed' FROM payments");
  EXPECT_THROW(store::execute(*f.db,
                              "INSERT INTO payment_entitlements (payment_id, entitlement_id, "
                              "amount_fen, central_fen, provincial_fen, county_fen) SELECT p.id, "
                              "(SELECT MAX(entitlement_id) FROM payment_entitlements), 120000, "
                              "120000, 0, 0 FROM payments p WHERE p.end_to_end_ref = 'EDUTEST'"),
               Error);
  EXPECT_TRUE(build().batch_ids.empty()) << "nothing is left to batch";

  approve(id, approver1);
  const auto exported = exportTo(id, path("out"));
  ASSERT_EQ(exported.paths.size(), 1u);
  const std::string file = exported.paths[0];
  const auto v = verify(file);
  EXPECT_TRUE(v.ok()) << (v.problems.empty() ? "" : v.problems[0]);
  ASSERT_TRUE(v.manifest.has_value());
  ASSERT_EQ(v.manifest->annexes.size(), 2u);
  EXPECT_EQ(v.manifest->annexes[0].file, fs::path(file).filename().string() + ".students.csv");
  EXPECT_EQ(v.manifest->annexes[1].encoding, "GB18030");
  EXPECT_EQ(v.manifest->annexes[0].students, 3);
  EXPECT_EQ(v.manifest->annexes[0].total.fen(), 360000);
  // The annex lists each child with a masked ID, grade, class and amount, never the full ID.
  const std::string annex = readFile(file + ".students.csv");
  for (const char* name : {"王小一", "李小二", "赵小三"})
    EXPECT_NE(annex.find(name), std::string::npos) << name;
  EXPECT_NE(annex.find("大班1班"), std::string::npos);
  EXPECT_NE(annex.find("1200.00"), std::string::npos);
  EXPECT_EQ(annex.find(makeId("430121", "20200315", 1)), std::string::npos);
  EXPECT_TRUE(fs::exists(file + ".students.gb18030.csv"));
  // Exporting again writes the same bytes, annexes included.
  const std::string before = readFile(file + ".students.gb18030.csv");
  exportTo(id, path("out"));
  EXPECT_EQ(readFile(file + ".students.gb18030.csv"), before);

  ASSERT_EQ(bank(file, path("result.txt")), 0);
  const auto r = importResult(path("result.txt"));
  EXPECT_EQ(r.paid, 1);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSettled);
  const auto row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.entitled_n, 3);
  EXPECT_EQ(row.paid_n, 3);
  EXPECT_EQ(row.paid.fen(), 360000);
  EXPECT_EQ(row.outstanding().fen(), 0);
  EXPECT_EQ(row.outstandingCount(), 0);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(paid_fen) FROM budgets"), 360000);
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
}

TEST_P(SchoolPayments, AReturnedSchoolPaymentReturnsItsStudentsAndIsPaidAgainOnce) {
  store.setBank("102", "pain.001.001.03", 0);
  setAccount(card(40), officer);
  const int64_t id = build().batch_ids.at(0);
  approve(id, approver1);
  const auto exported = exportTo(id, path("out"));
  ASSERT_EQ(exported.paths.size(), 1u);
  const auto v = verify(exported.paths[0]);
  EXPECT_TRUE(v.ok()) << (v.problems.empty() ? "" : v.problems[0]);
  ASSERT_EQ(v.manifest->annexes.size(), 1u) << "pain.001 is UTF-8: one annex";

  const std::string ref = reference(id);
  ASSERT_EQ(bank(exported.paths[0], path("result.xml"), "--fail " + ref + "=E002"), 0);
  const auto r = importResult(path("result.xml"));
  EXPECT_EQ(r.returned, 1);
  // The returned school payment returns all three children's entitlements to awaiting account.
  auto row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.returned_n, 3);
  EXPECT_EQ(row.returned.fen(), 360000);
  EXPECT_EQ(row.awaiting_account_n, 3);
  EXPECT_EQ(row.unbatched_n, 3);
  EXPECT_EQ(row.paid_n, 0);
  EXPECT_TRUE(build().batch_ids.empty()) << "nothing is paid again before the account is fixed";
  // A student's account correction cannot take a school's payment.
  bankfiles::AccountCorrection wrong;
  wrong.payment = ref;
  wrong.account = card(41);
  wrong.holder = "王小一";
  wrong.bank_code = "102551000017";
  EXPECT_NE(refusal([&] {
              bankfiles::correctAccount(registry, store, audit, officer, f.cipher, wrong);
            }).find("edupay school account set 4301210003"),
            std::string::npos);

  const auto fixed = setAccount(card(42), officer);
  EXPECT_TRUE(fixed.changed);
  EXPECT_EQ(fixed.released, 1);
  const auto again = build();
  ASSERT_EQ(again.batch_ids.size(), 1u);
  const int64_t second = again.batch_ids[0];
  EXPECT_EQ(again.payments, 1);
  EXPECT_EQ(again.total.fen(), 360000);
  EXPECT_EQ(f.count("payments", "batch_id = " + std::to_string(second) + " AND attempt = 2"), 1);
  EXPECT_EQ(f.count("returned_funds", "status = 'reissued' AND reissue_payment_id IS NOT NULL"), 1);
  EXPECT_TRUE(build().batch_ids.empty()) << "the school is paid again once";

  disburse::submitBatch(store, audit, officer, second);
  disburse::approveBatch(store, audit, approver2, second);
  const auto reissued = exportTo(second, path("out2"));
  EXPECT_TRUE(verify(reissued.paths[0]).ok());
  ASSERT_EQ(bank(reissued.paths[0], path("result2.xml")), 0);
  EXPECT_EQ(importResult(path("result2.xml")).paid, 1);
  EXPECT_EQ(bankfiles::closeBatch(store, audit, officer, id).status,
            disburse::BatchStatus::kClosed);

  row = reconcile();
  EXPECT_TRUE(row.addsUp());
  EXPECT_EQ(row.entitled_n, 3);
  EXPECT_EQ(row.paid_n, 3);
  EXPECT_EQ(row.paid.fen(), 360000);
  EXPECT_EQ(row.reissued_n, 3);
  EXPECT_EQ(row.awaiting_account_n, 0);
  EXPECT_EQ(row.outstanding().fen(), 0);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(paid_fen) FROM budgets"), 360000);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"), 0);
}

TEST_P(SchoolPayments, FileVerifyRefusesATamperedOrMissingAnnex) {
  setAccount(card(40), officer);
  const int64_t id = build().batch_ids.at(0);
  approve(id, approver1);
  const std::string file = exportTo(id, path("out")).paths.at(0);
  ASSERT_TRUE(verify(file).ok());
  // One child's amount raised in the list: the digest no longer matches the signed manifest.
  std::string annex = readFile(file + ".students.csv");
  const auto at = annex.find("1200.00");
  ASSERT_NE(at, std::string::npos);
  annex.replace(at, 7, "1900.00");
  writeFileAtomically(file + ".students.csv", annex);
  auto v = verify(file);
  EXPECT_FALSE(v.ok());
  bool named = false;
  for (const auto& p : v.problems)
    named |= p.find("students.csv") != std::string::npos && p.find("SHA-256") != std::string::npos;
  EXPECT_TRUE(named);
  // A list left behind is named as missing.
  fs::remove(file + ".students.gb18030.csv");
  v = verify(file);
  bool missing = false;
  for (const auto& p : v.problems) missing |= p.find("is not beside the file") != std::string::npos;
  EXPECT_TRUE(missing);
}

TEST_P(SchoolPayments, SchoolAccountsComeWithTheSchoolsFileAndAreCheckedAtBuild) {
  // The schools file carries the account (encrypted on import); a bad one is refused whole.
  const std::string bad = writeFile(f.scratch.dir(), "schools-bad.csv",
                                    "school_code,name,region_code,stages,ownership,bank_code,"
                                    "bank_account,account_holder\n"
                                    "4301210003,一幼,430121,preschool,private,102,12AB,一幼\n");
  EXPECT_THROW(registry::importSchoolsAs(
                   registry, audit, user("admin", security::Role::kSysadmin, "*"), bad, &f.cipher),
               Error);
  EXPECT_EQ(f.count("school_accounts"), 0);
  // The school's account is also a child's account: flagged, with the evidence, before approval.
  const std::string shared = card(1);  // 王小一's card
  const std::string good = writeFile(f.scratch.dir(), "schools.csv",
                                     "school_code,name,region_code,stages,ownership,bank_code,"
                                     "bank_account,account_holder\n"
                                     "4301210003,一幼,430121,preschool,private,102551000019," +
                                         shared + ",\n");
  const auto imported = registry::importSchoolsAs(
      registry, audit, user("admin", security::Role::kSysadmin, "*"), good, &f.cipher);
  EXPECT_EQ(imported.accounts, 1);
  ASSERT_TRUE(registry.schoolAccount(kSchool).has_value());
  EXPECT_EQ(registry.schoolAccount(kSchool)->holder, "一幼");
  const auto built = build();
  ASSERT_EQ(built.batch_ids.size(), 1u);
  const auto flags = store.flags(built.batch_ids[0]);
  bool shared_flag = false;
  for (const auto& fl : flags) {
    if (fl.kind == "school_account_shared") {
      shared_flag = true;
      EXPECT_NE(fl.evidence.find("4301210003"), std::string::npos);
      EXPECT_EQ(fl.evidence.find(shared), std::string::npos) << "masked only";
    }
    EXPECT_NE(fl.kind, "implausible_age");
  }
  EXPECT_TRUE(shared_flag);
  // A child who left before the reference date, still on the list: flagged too.
  store::execute(*f.db,
                 "UPDATE enrollments SET status = 'dropped', status_date = '2026-08-20', end_date "
                 "= '2026-08-20' WHERE id = (SELECT MIN(id) FROM enrollments)");
  store::execute(*f.db, "UPDATE school_accounts SET acct_hash = 'x'");
  const auto rebuilt_id = built.batch_ids[0];
  store::execute(*f.db, "DELETE FROM batch_flags WHERE batch_id = ?", {rebuilt_id});
  EXPECT_GT(store.flagBatch(*store.loadBatch(rebuilt_id), 3), 0);
  bool inactive = false;
  for (const auto& fl : store.flags(rebuilt_id)) inactive |= fl.kind == "school_student_inactive";
  EXPECT_TRUE(inactive);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchoolPayments, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
