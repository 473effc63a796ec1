#include "disburse/Families.h"

#include <gtest/gtest.h>

#include <set>

namespace edupay::disburse {
namespace {

AidFact fact(const std::string& status) {
  AidFact f;
  f.term = "2026-autumn";
  f.programme = "compulsory_nonboarding_allowance";
  f.status = status;
  f.payee = "student_account";
  f.amount = Money::fromFen(31250);
  return f;
}

const std::map<std::string, std::string> kNames = {
    {"compulsory_nonboarding_allowance", "义务教育家庭经济困难非寄宿生生活补助"}};

TEST(FamilyAidLine, APaidLineShowsTheBankAndTheLastFourDigitsOnly) {
  AidFact f = fact("eligible");
  f.payment_state = "paid";
  f.paid_on = "2026-09-30";
  f.bank_name = "ICBC 中国工商银行";
  f.acct_mask = "6222****0010";
  const AidLine l = aidLine(f, kNames);
  EXPECT_EQ(l.decision, "eligible");
  EXPECT_EQ(l.programme_name, "义务教育家庭经济困难非寄宿生生活补助");
  EXPECT_TRUE(l.paid);
  EXPECT_EQ(l.payment_zh, "已发放到账");
  EXPECT_EQ(l.paid_on, "2026-09-30");
  EXPECT_EQ(l.bank_name, "中国工商银行");
  EXPECT_EQ(l.account_last4, "0010");
  EXPECT_EQ(l.amount.toYuan(), "312.50");
}

TEST(FamilyAidLine, NothingPaidYetShowsNoBankAndNoDate) {
  const AidLine l = aidLine(fact("eligible"), kNames);
  EXPECT_FALSE(l.paid);
  EXPECT_EQ(l.payment_zh, "尚未发放");
  EXPECT_EQ(l.bank_name, "");
  EXPECT_EQ(l.account_last4, "");
  EXPECT_EQ(l.paid_on, "");
}

TEST(FamilyAidLine, HeldLinesSayWhyInPlainChinese) {
  AidFact f = fact("held");
  f.hold_reason = "no payee account on file";
  EXPECT_NE(aidLine(f, kNames).reason_zh.find("收款账户"), std::string::npos);
  f.hold_reason = "claimed category not on the official roster";
  EXPECT_NE(aidLine(f, kNames).reason_zh.find("名单核实"), std::string::npos);
  AidFact c = fact("eligible");
  c.held_by_complaint = true;
  EXPECT_EQ(aidLine(c, kNames).decision, "held");
  EXPECT_NE(aidLine(c, kNames).reason_zh.find("投诉"), std::string::npos);
  AidFact o = fact("eligible");
  o.under_objection = true;
  EXPECT_NE(aidLine(o, kNames).reason_zh.find("异议"), std::string::npos);
  // Money already at the bank is not "held" by a later complaint: the family sees where it is.
  c.payment_state = "sent";
  EXPECT_EQ(aidLine(c, kNames).decision, "eligible");
}

TEST(FamilyAidLine, NotEligibleGivesTheFirstConditionNotMetAndNoAmount) {
  AidFact f = fact("excluded");
  f.amount = Money::fromFen(0);
  f.reason = "stage=primary; !boarding=no; category=dibao";
  const AidLine l = aidLine(f, kNames);
  EXPECT_EQ(l.decision, "not_eligible");
  EXPECT_EQ(l.reason_zh, "本项目只资助寄宿生");
  EXPECT_EQ(l.amount.fen(), 0);
  f.reason = "!nonsense=1";
  EXPECT_EQ(aidLine(f, kNames).reason_zh, "不符合本项目的资助条件");
}

TEST(FamilyAidLine, AFeeWaiverIsPaidToTheSchool) {
  AidFact f = fact("eligible");
  f.payee = "school";
  f.payment_state = "paid";
  f.bank_name = "ICBC 中国工商银行";
  f.acct_mask = "1901****7788";
  const AidLine l = aidLine(f, kNames);
  EXPECT_EQ(l.payment_zh, "已拨付学校，抵减学费");
  EXPECT_EQ(l.account_last4, "") << "the school's account is not the family's";
  EXPECT_NE(l.bank_name.find("学校"), std::string::npos);
}

TEST(ComplaintTracking, CodesAreRandomGroupedAndWithoutLookAlikes) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string c = newTrackingCode();
    ASSERT_EQ(c.size(), 19u);
    for (size_t j = 0; j < c.size(); ++j) {
      if (j % 5 == 4) {
        EXPECT_EQ(c[j], '-');
        continue;
      }
      EXPECT_EQ(std::string("01IO").find(c[j]), std::string::npos) << c;
    }
    seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(ComplaintTracking, TheStoredFormIgnoresCaseDashesAndSpaces) {
  EXPECT_EQ(trackingHash("ABCD-EFGH-JKLM-NPQR"), trackingHash("abcd efgh jklm npqr"));
  EXPECT_NE(trackingHash("ABCD-EFGH-JKLM-NPQR"), trackingHash("ABCD-EFGH-JKLM-NPQS"));
  EXPECT_EQ(trackingHash("X").size(), 64u);
}

TEST(ComplaintCategories, SixCategoriesWithChineseNames) {
  for (const char* c : {"not_paid", "wrong_account", "amount_wrong", "ineligible_paid",
                        "school_charged", "other"}) {
    const auto parsed = parseComplaintCategory(c);
    ASSERT_TRUE(parsed) << c;
    EXPECT_EQ(complaintCategoryCode(*parsed), c);
    EXPECT_NE(complaintCategoryZh(c), c);
  }
  EXPECT_FALSE(parseComplaintCategory("spam"));
}

}  // namespace
}  // namespace edupay::disburse
