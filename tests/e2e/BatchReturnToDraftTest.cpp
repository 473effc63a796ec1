// Issue 13: a payee name the bank's file cannot carry is found when the batch is built, and an
// approved batch that still cannot be exported goes back to draft.
#include <gtest/gtest.h>

#include <filesystem>

#include "bankfiles/BankFiles.h"
#include "common/ResidentId.h"
#include "store/BatchFixture.h"

namespace edupay::testing {
namespace {

namespace fs = std::filesystem;

// 𫖯 is U+2B5AF (CJK Extension C): outside GBK. The name of field case c03-names-roll.csv.
constexpr const char* kRareName = "王\xF0\xAB\x96\xAF";

/// The batch fixture with a signing key and the county's payer account at ICBC (layout pipe-gbk),
/// so approved batches can be exported.
class BatchReturnToDraft : public BatchFixture {
 protected:
  BatchReturnToDraft() {
    security::SigningKey::generate(path("bureau.pem"));
    key.emplace(security::SigningKey::load(path("bureau.pem")));
    store.setPayer({"430121", "102", "6212260000000430121", "长沙县教育局学生资助专户"});
  }

  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  /// The first student's name, and the holder of their account, become `name`.
  void renameFirstStudent(const std::string& name) {
    const std::string first = "(SELECT MIN(person_id) FROM enrollments)";
    store::execute(*f.db, "UPDATE persons SET name = ? WHERE id = " + first, {name});
    store::execute(*f.db, "UPDATE bank_accounts SET holder_name = ? WHERE student_id = " + first,
                   {name});
  }

  std::vector<disburse::Flag> flagsOf(int64_t id, const std::string& kind) {
    std::vector<disburse::Flag> out;
    for (const auto& x : store.flags(id))
      if (x.kind == kind) out.push_back(x);
    return out;
  }

  bankfiles::ExportResult exportBatch(int64_t id) {
    fs::create_directories(path("out"));
    return bankfiles::exportBatch(store, audit, officer, id, path("out"), layouts, f.cipher, *key,
                                  "义务教育非寄宿生生活补助2026秋");
  }

  int64_t committed() { return store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"); }

  /// A batch with the rare name, flagged, cleared with a reason and approved.
  int64_t approvedWithRareName() {
    renameFirstStudent(kRareName);
    const int64_t id = submitted();
    for (const auto& x : store.flags(id))
      disburse::clearFlag(store, audit, officer, x.id, "the bank says it can take the name");
    disburse::approveBatch(store, audit, approver1, id);
    return id;
  }

  std::optional<security::SigningKey> key;
  const std::string first_id = makeId("430121", "20170315", 1);
};

TEST_P(BatchReturnToDraft, ANameGbkCannotWriteIsFlaggedAtBuildAndBlocksApproval) {
  renameFirstStudent(kRareName);
  const auto r = build();
  ASSERT_EQ(r.batch_ids.size(), 1u);
  const int64_t id = r.batch_ids[0];
  const auto flagged = flagsOf(id, "holder_not_encodable");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(store.flags(id).size(), 1u) << "the name agrees with the student: no other flag";
  EXPECT_EQ(r.flags, 1);
  const std::string& evidence = flagged[0].evidence;
  for (const std::string part :
       {ResidentId::parse(first_id)->masked(), std::string(kRareName),
        std::string("\xF0\xAB\x96\xAF (U+2B5AF)"), std::string("GBK"), std::string("pipe-gbk"),
        std::string("correct the account holder"), std::string("clear this flag")}) {
    EXPECT_NE(evidence.find(part), std::string::npos) << part << " in " << evidence;
  }
  EXPECT_EQ(evidence.find(first_id), std::string::npos) << "evidence shows a full resident ID";
  EXPECT_EQ(store::queryInt(*f.db, "SELECT seq FROM payments WHERE id = " +
                                       std::to_string(flagged[0].payment_id)),
            1)
      << "the flag is on the student's own payment";
  // Approval is refused while the flag is open, like any other flag.
  publish(*Date::fromYmd(2026, 9, 14));
  disburse::submitBatch(store, audit, officer, id);
  const std::string why = refusal([&] { disburse::approveBatch(store, audit, approver1, id); });
  EXPECT_NE(why.find("1 precision flag(s) are not cleared"), std::string::npos) << why;
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSubmitted);
  EXPECT_EQ(committed(), 0);
}

TEST_P(BatchReturnToDraft, TheSameNameToAUtf8BankIsNotFlagged) {
  store.setBank("102", "pain.001.001.09", 0);
  renameFirstStudent(kRareName);
  const auto r = build();
  ASSERT_EQ(r.batch_ids.size(), 1u);
  EXPECT_TRUE(store.flags(r.batch_ids[0]).empty());
  EXPECT_EQ(r.flags, 0);
}

TEST_P(BatchReturnToDraft, ANameNoBankFileShouldCarryIsFlagged) {
  renameFirstStudent("=HYPERLINK(\"x\")");
  const int64_t id = build().batch_ids.at(0);
  const auto flagged = flagsOf(id, "holder_unsafe_text");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_NE(flagged[0].evidence.find("= (U+003D)"), std::string::npos) << flagged[0].evidence;
  EXPECT_TRUE(flagsOf(id, "holder_not_encodable").empty());
}

TEST_P(BatchReturnToDraft, AnApprovedBatchTheExportRefusesGoesBackToDraft) {
  const int64_t id = approvedWithRareName();
  const int64_t before_approval = 0;
  EXPECT_EQ(committed(), 5 * 25000);
  const std::string failed = refusal([&] { (void)exportBatch(id); });
  EXPECT_NE(failed.find("(U+2B5AF), which GBK cannot encode"), std::string::npos) << failed;
  ASSERT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kApproved);

  const auto b = disburse::returnToDraft(store, audit, approver2, id,
                                         "王𫖯: ICBC cannot take the name; the family is asked");
  EXPECT_EQ(b.status, disburse::BatchStatus::kDraft);
  EXPECT_EQ(b.cycle, 2);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kDraft);
  EXPECT_EQ(committed(), before_approval) << "the commitment made at approval is released";
  EXPECT_EQ(store::queryInt(*f.db, "SELECT MIN(committed_fen) FROM budgets"), 0);
  EXPECT_EQ(f.count("audit_events",
                    "action = 'batch.return_to_draft' AND actor = 'approver2' AND "
                    "object = 'batch:" +
                        std::to_string(id) + "'"),
            1);
  // The log says what the batch was, what it is now and why, in the approver's words.
  EXPECT_EQ(testing::countAuditWords(*f.db, "batch.return_to_draft", "approved v", true), 1);
  const auto returned = testing::auditWords(*f.db, "batch.return_to_draft");
  ASSERT_EQ(returned.size(), 1u);
  EXPECT_EQ(returned[0].rfind("draft v", 0), 0u) << returned[0];
  EXPECT_NE(returned[0].find(", budget released: 王𫖯: ICBC cannot take the name"),
            std::string::npos)
      << returned[0];
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
  const auto loaded = *store.loadBatch(id);
  ASSERT_FALSE(loaded.actions.empty());
  EXPECT_EQ(loaded.actions.back().action, "return_to_draft");
  EXPECT_EQ(loaded.actions.back().cycle, 1);
  EXPECT_EQ(loaded.approvals(), 0) << "the approvals of the ended round do not count";

  // A draft as any other: the payment comes out, a new round of submit and approvals follows,
  // and the same approver may act in it.
  const auto flagged = flagsOf(id, "holder_not_encodable");
  ASSERT_EQ(flagged.size(), 1u);
  disburse::removePayment(store, audit, officer, flagged[0].payment_id,
                          "the bank cannot take the name; account to be corrected");
  EXPECT_EQ(f.count("entitlements", "locked = 1"), 4);
  EXPECT_NE(refusal([&] {
              disburse::approveBatch(store, audit, approver1, id);
            }).find("only a submitted batch"),
            std::string::npos);
  disburse::submitBatch(store, audit, officer, id);
  EXPECT_EQ(disburse::approveBatch(store, audit, approver1, id).status,
            disburse::BatchStatus::kApproved);
  EXPECT_EQ(committed(), 4 * 25000);
  EXPECT_EQ(exportBatch(id).batch.status, disburse::BatchStatus::kExported);

  // Exported money is at the bank: it never comes back.
  const std::string exported = refusal(
      [&] { disburse::returnToDraft(store, audit, approver2, id, "changed our minds, sorry"); });
  EXPECT_NE(exported.find("can never go back to draft"), std::string::npos) << exported;
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kExported);
  EXPECT_EQ(committed(), 4 * 25000);
}

TEST_P(BatchReturnToDraft, EveryoneElseIsRefusedWithAReason) {
  const int64_t id = approvedWithRareName();
  const std::string reason = "the bank cannot take the name";
  auto code = [&](const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  EXPECT_NE(refusal([&] {
              disburse::returnToDraft(store, audit, officer, id, reason);
            }).find("only a bureau approver"),
            std::string::npos);
  // A batch outside an approver's scope is not revealed: the use case answers as for a batch
  // that does not exist (as the API and the command line do), not "does not cover county".
  const auto outsider = user("approver9", security::Role::kBureauApprover, "4302");
  EXPECT_EQ(refusal([&] { disburse::returnToDraft(store, audit, outsider, id, reason); }),
            "no batch " + std::to_string(id) + " in your scope");
  EXPECT_EQ(code([&] { disburse::returnToDraft(store, audit, outsider, id, reason); }),
            ErrorCode::kNotFound);
  for (const std::string none : {"", "   "}) {
    EXPECT_NE(refusal([&] {
                disburse::returnToDraft(store, audit, approver2, id, none);
              }).find("needs a written reason"),
              std::string::npos);
    EXPECT_EQ(code([&] { disburse::returnToDraft(store, audit, approver2, id, none); }),
              ErrorCode::kInvalidInput);
  }
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kApproved);
  EXPECT_EQ(committed(), 5 * 25000);
  EXPECT_EQ(f.count("audit_events", "action = 'batch.return_to_draft'"), 0);
  // A draft or a submitted batch has nothing to return.
  disburse::returnToDraft(store, audit, approver2, id, reason);
  EXPECT_NE(refusal([&] {
              disburse::returnToDraft(store, audit, approver2, id, reason);
            }).find("already a draft"),
            std::string::npos);
  disburse::submitBatch(store, audit, officer, id);
  EXPECT_NE(refusal([&] {
              disburse::returnToDraft(store, audit, approver2, id, reason);
            }).find("reject it with a reason instead"),
            std::string::npos);
  EXPECT_EQ(committed(), 0);
}

TEST_P(BatchReturnToDraft, ABudgetThatNoLongerHoldsTheCommitmentStopsTheReturn) {
  const int64_t id = approvedWithRareName();
  store::execute(*f.db, "UPDATE budgets SET committed_fen = 0 WHERE source = 'central'");
  const std::string why = refusal(
      [&] { disburse::returnToDraft(store, audit, approver2, id, "the bank cannot take it"); });
  EXPECT_NE(why.find("holds less committed money"), std::string::npos) << why;
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kApproved);
  EXPECT_GT(committed(), 0) << "nothing was released: the whole return rolled back";
  EXPECT_EQ(store::queryInt(*f.db, "SELECT MIN(committed_fen) FROM budgets"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchReturnToDraft, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
