#include "bankfiles/Reconciliation.h"

#include <gtest/gtest.h>

#include "common/Catalogue.h"

namespace edupay::bankfiles {
namespace {

PaymentState state(std::string payment, std::string batch, std::string outcome = "",
                   bool late = false, bool reissue = false) {
  return {std::move(payment), std::move(batch), std::move(outcome), late, reissue};
}

TEST(Reconciliation, AnAnswerDecidesFirst) {
  EXPECT_EQ(bucketOf(state("pending", "settled", "paid")), Bucket::kPaid);
  EXPECT_EQ(bucketOf(state("pending", "closed", "paid")), Bucket::kPaid);
  EXPECT_EQ(bucketOf(state("returned", "partially_settled", "returned")), Bucket::kReturned);
  // Paid, then the money came back: returned, whatever the batch says.
  EXPECT_EQ(bucketOf(state("returned", "partially_settled", "paid", true)), Bucket::kReturned);
  EXPECT_EQ(bucketOf(state("returned", "closed", "paid", true)), Bucket::kReturned);
}

TEST(Reconciliation, AReturnedOrFailedPaymentWithoutAnAnswerIsReturned) {
  EXPECT_EQ(bucketOf(state("returned", "exported")), Bucket::kReturned);
  EXPECT_EQ(bucketOf(state("failed", "exported")), Bucket::kReturned);
  EXPECT_EQ(bucketOf(state("failed", "draft")), Bucket::kReturned);
}

TEST(Reconciliation, WithoutAnAnswerTheBatchStatusDecides) {
  for (const char* exported : {"exported", "settled", "partially_settled", "closed"})
    EXPECT_EQ(bucketOf(state("pending", exported)), Bucket::kInBank) << exported;
  EXPECT_EQ(bucketOf(state("sent", "exported")), Bucket::kInBank);
  EXPECT_EQ(bucketOf(state("pending", "approved")), Bucket::kApproved);
  for (const char* before : {"draft", "submitted", "rejected"})
    EXPECT_EQ(bucketOf(state("pending", before)), Bucket::kInApproval) << before;
}

TEST(Reconciliation, AReissueCountsUntilItComesBackItself) {
  EXPECT_TRUE(countsAsReissued(state("pending", "draft", "", false, true)));
  EXPECT_TRUE(countsAsReissued(state("pending", "exported", "", false, true)));
  EXPECT_TRUE(countsAsReissued(state("pending", "settled", "paid", false, true)));
  EXPECT_FALSE(countsAsReissued(state("returned", "settled", "returned", false, true)));
  EXPECT_FALSE(countsAsReissued(state("returned", "settled", "paid", true, true)));
  EXPECT_FALSE(countsAsReissued(state("failed", "exported", "", false, true)));
  EXPECT_FALSE(countsAsReissued(state("pending", "settled", "paid")));
}

TEST(Reconciliation, RowsPerProgrammeAndCountyThatAddUp) {
  const std::string p = "compulsory_nonboarding_allowance";
  const auto rows = reconcileRows(
      {{p, "430121", 10, 3, Money::fromFen(250000), Money::fromFen(75000)},
       {"a_first", "430122", 1, 1, Money::fromFen(100), Money::fromFen(100)}},
      {{p, "430121", state("pending", "settled", "paid"), 4, Money::fromFen(100000)},
       {p, "430121", state("returned", "settled", "paid", true), 1, Money::fromFen(25000)},
       {p, "430121", state("returned", "settled", "returned"), 1, Money::fromFen(25000)},
       {p, "430121", state("pending", "exported", "", false, true), 1, Money::fromFen(25000)},
       {p, "430121", state("pending", "approved"), 1, Money::fromFen(25000)},
       {p, "430121", state("pending", "submitted"), 1, Money::fromFen(25000)}},
      {{p, "430121", 2, Money::fromFen(50000)}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].programme, "a_first") << "ordered by programme, then county";
  EXPECT_TRUE(rows[0].addsUp());
  const auto& r = rows[1];
  EXPECT_EQ(r.region, "430121");
  EXPECT_EQ(r.entitled_n, 10);
  EXPECT_EQ(r.unbatched.fen(), 75000);
  EXPECT_EQ(r.paid_n, 4);
  EXPECT_EQ(r.paid.fen(), 100000);
  EXPECT_EQ(r.returned_n, 2);
  EXPECT_EQ(r.returned.fen(), 50000);
  EXPECT_EQ(r.in_bank_n, 1);
  EXPECT_EQ(r.approved_n, 1);
  EXPECT_EQ(r.in_approval_n, 1);
  EXPECT_EQ(r.reissued_n, 1);
  EXPECT_EQ(r.reissued.fen(), 25000);
  EXPECT_EQ(r.awaiting_account_n, 2);
  EXPECT_EQ(r.awaiting_account.fen(), 50000);
  // Returned entitlements are unbatched again (waiting for their re-issue): 10 = 4 + 1 + 1 + 1 + 3.
  EXPECT_TRUE(r.addsUp());
  EXPECT_EQ(r.outstandingCount(), 6);
}

TEST(Reconciliation, PaymentsWithoutEntitlementsStillGetARow) {
  const auto rows = reconcileRows({}, {}, {{"x", "430121", 1, Money::fromFen(5)}});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].awaiting_account_n, 1);
  EXPECT_EQ(rows[0].entitled_n, 0);
}

// The reconciliation check as people read it, in both languages, naming the numbers.
TEST(ReconcileMessages, TheCheckSaysWhetherTheRowAddsUpInChineseAndEnglish) {
  ReconcileRow r;
  r.programme = "rain_dew";
  r.region = "430121";
  r.entitled_n = 3;
  r.entitled = Money::fromFen(450000);
  r.paid_n = 2;
  r.paid = Money::fromFen(300000);
  r.in_bank_n = 1;
  r.in_bank = Money::fromFen(150000);
  ASSERT_TRUE(r.addsUp());
  EXPECT_EQ(i18n::render(reconcileCheckMessage(r), Lang::kEn),
            "adds up: entitled 3 / 4,500.00 = paid + at bank + approved + in approval + not "
            "batched 3 / 4,500.00");
  EXPECT_NE(
      i18n::render(reconcileCheckMessage(r), Lang::kZh).find("账相符：应发 3 笔 / 4,500.00 元"),
      std::string::npos);
  r.in_bank_n = 0;
  r.in_bank = Money();
  ASSERT_FALSE(r.addsUp());
  const std::string zh = i18n::render(reconcileCheckMessage(r), Lang::kZh);
  EXPECT_NE(zh.find("对不上账"), std::string::npos) << zh;
  EXPECT_NE(zh.find("之和为 2 笔 / 3,000.00 元"), std::string::npos) << zh;
  EXPECT_NE(i18n::render(reconcileCheckMessage(r), Lang::kEn).find("DOES NOT ADD UP"),
            std::string::npos);
  const std::string row = i18n::render(reconcileRowMessage(r), Lang::kZh);
  EXPECT_NE(row.find("应发 3 笔 / 4,500.00 元；已发放 2 笔 / 3,000.00 元"), std::string::npos)
      << row;
  EXPECT_NE(i18n::render(reconcileRowMessage(r), Lang::kEn).find("entitled 3 / 4,500.00; paid 2"),
            std::string::npos);
}

}  // namespace
}  // namespace edupay::bankfiles
