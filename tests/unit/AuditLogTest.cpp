#include "security/AuditLog.h"

#include <gtest/gtest.h>

namespace edupay::security {
namespace {

TEST(AuditLog, MasksLongDigitRunsButNotDigestsOrCodes) {
  EXPECT_EQ(maskLongNumbers("account 6222020200112233445 at 102100000001"),
            "account 6222***********3445 at 102100000001");
  EXPECT_EQ(maskLongNumbers("id 43012120170315001X."), "id 4301**********001X.");
  const std::string digest = "sha256 0123456789012345678901234567890123456789abcdef0123456789abcd";
  EXPECT_EQ(maskLongNumbers(digest), digest);
  EXPECT_EQ(maskLongNumbers("school:4301210001 batch:42"), "school:4301210001 batch:42");
}

TEST(AuditLog, ScopeRulesPerRole) {
  User auditor{1, "a", Role::kAuditor, "430121"};
  EXPECT_TRUE(seesScope(auditor, {"430121", "", ""}));
  EXPECT_FALSE(seesScope(auditor, {"430122", "", ""}));
  EXPECT_FALSE(seesScope(auditor, {"43", "", ""}));  // a provincial officer's action
  EXPECT_FALSE(seesScope(auditor, {"", "", ""}));
  User province{2, "p", Role::kAuditor, "43"};
  EXPECT_TRUE(seesScope(province, {"", "", ""}));
  EXPECT_TRUE(seesScope(province, {"430122", "", ""}));
  User school{3, "s", Role::kSchoolAdmin, "4301210001"};
  EXPECT_TRUE(seesScope(school, {"430121", "4301210001", ""}));
  EXPECT_FALSE(seesScope(school, {"430121", "", ""}));
  User bank{4, "b", Role::kBankOperator, "102"};
  EXPECT_TRUE(seesScope(bank, {"430121", "", "102"}));
  EXPECT_FALSE(seesScope(bank, {"430121", "", "103"}));
}

TEST(AuditLog, ParsesAnImportsSummary) {
  UploadRecord r;
  r.kind = "roll";
  parseUploadSummary("名册 a.csv sha256 " + std::string(64, 'b') +
                         ": 3 rows, 3 ok, 0 skipped; students 0 new, 0 changed; enrollments 0 "
                         "opened, 0 transfers; accounts 0 added, 0 replaced",
                     r);
  EXPECT_EQ(r.file_name, "名册 a.csv");
  EXPECT_EQ(r.rows, 3);
  EXPECT_TRUE(r.unchanged);
  r = {};
  r.kind = "result";
  parseUploadSummary("result-0123456789abcdef-回盘 1.txt sha256 " + std::string(64, 'c') +
                         ": 2 paid (500.00), 0 returned (0.00; 0 of them after being paid), 0 "
                         "pending, 0 unchanged; batches 3 settled",
                     r);
  EXPECT_EQ(r.file_name, "回盘 1.txt");
  EXPECT_EQ(r.paid, 2);
  EXPECT_EQ(r.paid_total, "500.00");
  EXPECT_FALSE(r.unchanged);
  EXPECT_EQ(actionName("batch.approve"), "审批通过批次");
  EXPECT_EQ(actionName("made.up"), "made.up");
}

}  // namespace
}  // namespace edupay::security
