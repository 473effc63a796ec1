#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Catalogue.h"
#include "common/Error.h"
#include "disburse/Batches.h"
#include "registry/RosterImporter.h"
#include "rules/EntitlementRun.h"
#include "store/BatchFixture.h"
#include "store/RollFixture.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlEntitlementStore.h"
#include "store/SqlSecurityStore.h"

namespace edupay::testing {
namespace {

class BatchWorkflowTest : public BatchFixture {
 protected:
  /// The refusal as a county officer or approver who reads Chinese sees it.
  static std::string refusalZh(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return i18n::render(e.message(), Lang::kZh);
    }
    return "";
  }
};

TEST_P(BatchWorkflowTest, BuildsDraftsPerCountyAndBankSplitAtTheBanksLineLimit) {
  store::execute(*f.db, "UPDATE banks SET max_lines = 2 WHERE code = '102'");
  const auto r = build();
  ASSERT_EQ(r.batch_ids.size(), 3u);
  EXPECT_EQ(r.payments, 5);
  EXPECT_EQ(r.total.fen(), 5 * 25000);
  const auto b = *store.loadBatch(r.batch_ids[0]);
  EXPECT_EQ(b.status, disburse::BatchStatus::kDraft);
  EXPECT_EQ(b.payment_count, 2);
  EXPECT_EQ(b.total.fen(), 50000);
  EXPECT_EQ(b.bank_code, "102");
  EXPECT_EQ((b.central + b.provincial + b.county).fen(), 50000);
  EXPECT_EQ(f.count("payments", "status = 'pending' AND acct_mask LIKE '6222****%'"), 5);
  EXPECT_EQ(f.count("entitlements", "locked = 1"), 5);
  EXPECT_EQ(build().batch_ids.size(), 0u)
      << "an entitlement already in a live batch was batched again";
}

TEST_P(BatchWorkflowTest, TheDatabaseAllowsOneLivePaymentPerEntitlement) {
  const auto r = build();
  ASSERT_EQ(r.batch_ids.size(), 1u);
  try {
    store::execute(
        *f.db,
        "INSERT INTO payments (batch_id, entitlement_id, attempt, seq, end_to_end_ref, amount_fen, "
        "central_fen, provincial_fen, county_fen, payee, holder_name, bank_code, status) SELECT "
        "batch_id, "
        "entitlement_id, 2, seq + 100, 'DUP-1', amount_fen, central_fen, provincial_fen, "
        "county_fen, "
        "payee, holder_name, bank_code, 'pending' FROM payments WHERE seq = 1");
    FAIL() << "a second live payment for one entitlement was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
}

TEST_P(BatchWorkflowTest, SubmitThenApproveCommitsTheBudgetExactly) {
  const int64_t id = submitted();
  const auto b = disburse::approveBatch(store, audit, approver1, id);
  EXPECT_EQ(b.status, disburse::BatchStatus::kApproved);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"), 5 * 25000);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT committed_fen FROM budgets WHERE source = 'central'"),
            b.central.fen());
  EXPECT_EQ(f.count("audit_events", "action IN ('batch.build', 'batch.submit', 'batch.approve')"),
            3);
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
}

TEST_P(BatchWorkflowTest, RefusesEveryForbiddenMoveWithAReason) {
  const int64_t id = build().batch_ids.at(0);
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, approver1, id);
            }).find("only a submitted batch"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              disburse::submitBatch(store, audit, approver1, id);
            }).find("only a bureau officer submits"),
            std::string::npos);
  const std::string zh = refusalZh([&] { disburse::submitBatch(store, audit, approver1, id); });
  EXPECT_NE(zh.find("只有教育局经办人员可以提交批次；approver1 的角色是教育局审批人员"),
            std::string::npos)
      << zh;
  EXPECT_NE(refusalZh([&] {
              disburse::approveBatch(store, audit, approver1, id);
            }).find("只有已提交的批次可以审批；本批次当前为“草稿”"),
            std::string::npos);
  disburse::submitBatch(store, audit, officer, id);
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, officer, id);
            }).find("only a bureau approver"),
            std::string::npos);
  // A batch outside an approver's scope is not revealed: the use case answers as for a batch
  // that does not exist (as the API and the command line do), not "does not cover county".
  const auto outsider = user("approver9", security::Role::kBureauApprover, "4302");
  try {
    disburse::approveBatch(store, audit, outsider, id);
    ADD_FAILURE() << "an approver outside the county approved";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_EQ(std::string(e.what()), "no batch " + std::to_string(id) + " in your scope");
  }
  const auto admin = user("root", security::Role::kSysadmin, "*");
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, admin, id);
            }).find("only a bureau approver"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              disburse::rejectBatch(store, audit, approver1, id, "");
            }).find("needs a reason"),
            std::string::npos);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSubmitted);
  // The preparer may not approve, even as an approver.
  auto b = *store.loadBatch(id);
  const auto preparer_as_approver = user("officer1", security::Role::kBureauApprover, "430121");
  const auto maker = disburse::refuseApprove(b, preparer_as_approver);
  ASSERT_TRUE(maker);
  EXPECT_NE(i18n::render(*maker, Lang::kEn).find("prepared this batch"), std::string::npos);
  // The approver who reads Chinese is told why and what to do.
  EXPECT_NE(
      i18n::render(*maker, Lang::kZh).find("officer1 是本批次的制单人，不能审批自己制作的批次"),
      std::string::npos)
      << i18n::render(*maker, Lang::kZh);
  try {
    disburse::approveBatch(store, audit, preparer_as_approver, id);
    ADD_FAILURE() << "the maker approved";
  } catch (const Error& e) {
    const std::string zh = i18n::render(e.message(), Lang::kZh);
    EXPECT_NE(zh.find("不能审批批次 " + std::to_string(id) + "（"), std::string::npos) << zh;
    EXPECT_NE(zh.find("制单人"), std::string::npos) << zh;
  }
}

TEST_P(BatchWorkflowTest, LargeBatchesNeedDistinctApproversAndNobodyApprovesTwice) {
  store::execute(*f.db,
                 "UPDATE approval_thresholds SET min_total_fen = 100000 WHERE approvers = 2");
  const int64_t id = submitted();
  ASSERT_EQ(store.loadBatch(id)->required_approvals, 2);
  auto b = disburse::approveBatch(store, audit, approver1, id);
  EXPECT_EQ(b.status, disburse::BatchStatus::kSubmitted)
      << "one approval of two approved the batch";
  EXPECT_NE(
      refusal([&] { disburse::approveBatch(store, audit, approver1, id); }).find("already acted"),
      std::string::npos);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"), 0);
  b = disburse::approveBatch(store, audit, approver2, id);
  EXPECT_EQ(b.status, disburse::BatchStatus::kApproved);
  EXPECT_EQ(b.approvals(), 2);
}

TEST_P(BatchWorkflowTest, ABudgetThatWouldGoNegativeRefusesApproval) {
  budget(100);  // 100 yuan per source; the batch needs 625 central
  const int64_t id = submitted();
  const std::string why = refusal([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(why.find("is short by"), std::string::npos) << why;
  const std::string zh = refusalZh([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(zh.find("中央资金预算指标不足，还差 525.00 元（剩余 100.00 元，本批次需要 625.00 元）"),
            std::string::npos)
      << zh;
  EXPECT_NE(zh.find("请追加预算指标"), std::string::npos) << zh;
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSubmitted);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"), 0);
  EXPECT_EQ(f.count("batch_actions", "action = 'approve'"), 0)
      << "a refused approval left a trace as if it counted";
  // And the database itself refuses overspending.
  try {
    store::execute(*f.db, "UPDATE budgets SET committed_fen = allocated_fen + 1");
    FAIL() << "an overdrawn budget was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
}

TEST_P(BatchWorkflowTest, ARejectedBatchReturnsToDraftForANewRound) {
  const int64_t id = submitted();
  auto b = disburse::rejectBatch(store, audit, approver1, id, "two students left the school");
  EXPECT_EQ(b.status, disburse::BatchStatus::kDraft);
  EXPECT_EQ(b.cycle, 2);
  disburse::submitBatch(store, audit, officer, id);
  b = disburse::approveBatch(store, audit, approver1,
                             id);  // a new round: the same approver may act again
  EXPECT_EQ(b.status, disburse::BatchStatus::kApproved);
}

TEST_P(BatchWorkflowTest, TwoApproversRacingCannotBothWin) {
  const int64_t id = submitted();
  std::atomic<int> won{0}, lost{0};
  std::atomic<bool> go{false};
  auto racer = [&](const security::User& u) {
    auto db = f.scratch.open();
    store::SqlDisbursementStore s(*db);
    store::SqlSecurityStore a(*db);
    while (!go) std::this_thread::yield();
    try {
      disburse::approveBatch(s, a, u, id);
      ++won;
    } catch (const Error&) {
      ++lost;
    }
  };
  std::thread t1(racer, approver1), t2(racer, approver2);
  go = true;
  t1.join();
  t2.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), 1);
  EXPECT_EQ(f.count("batch_actions", "action = 'approve'"), 1);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"), 5 * 25000);
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
}

TEST_P(BatchWorkflowTest, PrecisionFlagsBlockApprovalUntilClearedWithAReason) {
  // Students 1 and 3 get accounts held by strangers; all five end up on one card number.
  store::execute(*f.db,
                 "UPDATE bank_accounts SET acct_hash = (SELECT MIN(acct_hash) FROM bank_accounts)");
  store::execute(
      *f.db,
      "UPDATE bank_accounts SET holder_name = '代理人' WHERE student_id IN (SELECT person_id FROM "
      "(SELECT person_id FROM enrollments ORDER BY person_id LIMIT 2) first_two)");
  const auto r = build();
  ASSERT_EQ(r.batch_ids.size(), 1u);
  const int64_t id = r.batch_ids[0];
  publish(*Date::fromYmd(2026, 9, 14));
  const auto fl = store.flags(id);
  int shared = 0, holder = 0;
  for (const auto& x : fl) {
    shared += x.kind == "shared_account";
    holder += x.kind == "holder_mismatch";
    EXPECT_EQ(x.evidence.find("6222021234567890128"), std::string::npos)
        << "evidence shows a full account number";
  }
  EXPECT_EQ(shared, 5) << "one account receiving for five households (limit 3)";
  EXPECT_EQ(holder, 2);
  EXPECT_EQ(r.flags, static_cast<int64_t>(fl.size()));
  disburse::submitBatch(store, audit, officer, id);
  const std::string why = refusal([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(why.find(std::to_string(fl.size()) + " precision flag(s) are not cleared"),
            std::string::npos)
      << why;
  const std::string zh = refusalZh([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(zh.find("还有 " + std::to_string(fl.size()) + " 条精准资助核查疑点未解除"),
            std::string::npos)
      << zh;
  EXPECT_NE(refusal([&] {
              disburse::clearFlag(store, audit, officer, fl[0].id, "ok");
            }).find("written reason"),
            std::string::npos);
  // Characters as a person counts them: four Chinese characters are four, not twelve bytes.
  EXPECT_NE(refusal([&] {
              disburse::clearFlag(store, audit, officer, fl[0].id, "已核实好");
            }).find("written reason"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              disburse::clearFlag(store, audit, approver1, fl[0].id, "checked with the school");
            }).find("only a bureau officer"),
            std::string::npos);
  for (const auto& x : fl)
    disburse::clearFlag(store, audit, officer, x.id, "已电话核实户名与学生身份一致");
  EXPECT_EQ(disburse::approveBatch(store, audit, approver1, id).status,
            disburse::BatchStatus::kApproved);
  EXPECT_EQ(f.count("audit_events", "action = 'flag.clear'"), static_cast<int64_t>(fl.size()));
}

TEST_P(BatchWorkflowTest, ApprovalWaitsForTheNoticeWindowAndObjections) {
  const int64_t id = build().batch_ids.at(0);
  disburse::submitBatch(store, audit, officer, id);
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, approver1, id);
            }).find("no public notice"),
            std::string::npos);
  const std::string zh = refusalZh([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(zh.find("不能审批批次 " + std::to_string(id) + "（"), std::string::npos) << zh;
  EXPECT_NE(zh.find("还有 1 所学校未发布公示"), std::string::npos) << zh;
  const auto notice = publish(Date::today());
  const std::string open = refusal([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(open.find("window is still open"), std::string::npos) << open;
  EXPECT_NE(open.find(notice.info.window_ends), std::string::npos) << open;
  const std::string open_zh =
      refusalZh([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(open_zh.find("（至 " + notice.info.window_ends + "）"), std::string::npos) << open_zh;
  EXPECT_NE(open_zh.find("请在公示期满后再审批"), std::string::npos) << open_zh;
  publish(*Date::fromYmd(2026, 9, 14));  // an earlier notice does not shorten the newer window
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, approver1, id);
            }).find("window is still open"),
            std::string::npos);
}

TEST_P(BatchWorkflowTest, AnOpenObjectionHoldsTheBatch) {
  const int64_t id = submitted();
  const int64_t ent = store::queryInt(*f.db, "SELECT MIN(entitlement_id) FROM payments");
  const int64_t objection = store.addObjection(ent, "officer1", "the family moved away in August");
  EXPECT_NE(
      refusal([&] { disburse::approveBatch(store, audit, approver1, id); }).find("objection(s)"),
      std::string::npos);
  store.resolveObjection(objection, "officer1", "dismissed",
                         "the family still lives in the county");
  EXPECT_EQ(disburse::approveBatch(store, audit, approver1, id).status,
            disburse::BatchStatus::kApproved);
}

TEST_P(BatchWorkflowTest, TheNoticeShowsNoPrivateData) {
  (void)build();
  const auto r = publish(*Date::fromYmd(2026, 9, 14));
  EXPECT_EQ(r.info.entries, 5);
  EXPECT_NE(r.info.window_ends, r.info.published_on);
  for (const auto& path : {r.html_path, r.csv_path}) {
    const std::string text = readFile(path);
    EXPECT_NE(text.find("张三"), std::string::npos) << "the notice must show names";
    for (int seq : {1, 3, 5, 7, 9}) {
      const std::string id = makeId("430121", "20170315", seq);
      EXPECT_EQ(text.find(id), std::string::npos) << path << " shows a resident ID";
      EXPECT_EQ(text.find(id.substr(6, 8)), std::string::npos)
          << path << " shows a birth date (in ID form)";
      EXPECT_EQ(text.find(card(seq)), std::string::npos) << path << " shows an account number";
      EXPECT_EQ(text.find(card(seq).substr(card(seq).size() - 4)), std::string::npos)
          << path << " shows account digits";
    }
    EXPECT_EQ(text.find("2017-03-15"), std::string::npos) << path << " shows a birth date";
    EXPECT_EQ(text.find("430121"), std::string::npos)
        << path << " shows a household or region code";
    for (const char* word : {"电话", "phone", "地址", "address", "身份证", "账号"}) {
      EXPECT_EQ(text.find(word), std::string::npos) << path << " has a " << word << " column";
    }
  }
}

TEST_P(BatchWorkflowTest, AnUpheldObjectionKeepsTheStudentOutOfLaterBatches) {
  const int64_t ent =
      store::queryInt(*f.db, "SELECT MIN(id) FROM entitlements WHERE status = 'eligible'");
  const int64_t objection =
      store.addObjection(ent, "officer1", "the student is not at this school");
  store.resolveObjection(objection, "officer1", "upheld", "confirmed with the school roll");
  const auto r = build();
  EXPECT_EQ(r.payments, 4);
  EXPECT_EQ(f.count("payments", "entitlement_id = " + std::to_string(ent)), 0);
}

TEST_P(BatchWorkflowTest, AFlaggedPaymentCanBeRemovedFromADraft) {
  store::execute(*f.db,
                 "UPDATE bank_accounts SET holder_name = '代理人' WHERE student_id = (SELECT "
                 "MIN(person_id) FROM "
                 "enrollments)");
  const int64_t id = build().batch_ids.at(0);
  const auto fl = store.flags(id);
  ASSERT_EQ(fl.size(), 1u);
  EXPECT_NE(refusal([&] {
              disburse::removePayment(store, audit, officer, fl[0].payment_id, "short");
            }).find("reason"),
            std::string::npos);
  const auto b = disburse::removePayment(store, audit, officer, fl[0].payment_id,
                                         "holder is not family; account to be corrected");
  EXPECT_EQ(b.payment_count, 4);
  EXPECT_EQ(b.total.fen(), 4 * 25000);
  EXPECT_EQ((b.central + b.provincial + b.county).fen(), 4 * 25000);
  EXPECT_EQ(store.flags(id)[0].status, "removed");
  EXPECT_EQ(f.count("entitlements", "locked = 1"), 4);
  // The entitlement goes into a later batch once the account is fixed.
  store::execute(*f.db, "UPDATE bank_accounts SET holder_name = '张三'");
  EXPECT_EQ(build().payments, 1);
  publish(*Date::fromYmd(2026, 9, 14));
  disburse::submitBatch(store, audit, officer, id);
  EXPECT_NE(refusal([&] {
              disburse::removePayment(store, audit, officer, fl[0].payment_id,
                                      "too late for this one");
            }).find("draft only"),
            std::string::npos);
  EXPECT_EQ(disburse::approveBatch(store, audit, approver1, id).status,
            disburse::BatchStatus::kApproved);
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchWorkflowTest, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
