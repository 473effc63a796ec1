#include <gtest/gtest.h>

#include "bankfiles/Manifest.h"
#include "disburse/Batches.h"

namespace edupay {
namespace {

disburse::Candidate student(int64_t entitlement, int64_t central, int64_t provincial,
                            int64_t county, int attempt = 1) {
  disburse::Candidate c;
  c.entitlement_id = entitlement;
  c.central = Money::fromFen(central);
  c.provincial = Money::fromFen(provincial);
  c.county = Money::fromFen(county);
  c.amount = c.central + c.provincial + c.county;
  c.attempt = attempt;
  c.payee = "school";
  c.school_code = "1430121004";
  c.holder = "长沙市第1县普通高中1校";
  return c;
}

TEST(SchoolPayment, SumsItsStudentsAmountAndEveryFundingShareExactly) {
  // Shares that do not divide evenly per student still add up to the fen.
  const auto p = disburse::schoolPayment(
      {student(12, 42001, 27999, 0), student(7, 42001, 27999, 0), student(30, 1, 2, 3, 2)});
  EXPECT_EQ(p.entitlement_id, 7) << "the first entitlement it covers";
  EXPECT_EQ(p.amount.fen(), 2 * 70000 + 6);
  EXPECT_EQ(p.central.fen(), 84003);
  EXPECT_EQ(p.provincial.fen(), 56000);
  EXPECT_EQ(p.county.fen(), 3);
  EXPECT_EQ(p.central + p.provincial + p.county, p.amount);
  EXPECT_EQ(p.attempt, 2) << "one more than any payment that covered one of them";
  ASSERT_EQ(p.covers.size(), 3u);
  EXPECT_EQ(p.covers[0].entitlement_id, 7);
  EXPECT_EQ(p.covers[2].entitlement_id, 30);
  EXPECT_EQ(disburse::coveredBy(p).size(), 3u);
  Money sum;
  for (const auto& c : p.covers) sum += c.amount;
  EXPECT_EQ(sum, p.amount);
  EXPECT_EQ(p.holder, "长沙市第1县普通高中1校");
}

TEST(SchoolPayment, AStudentPaymentCoversItsOwnEntitlement) {
  const auto c = student(5, 100, 0, 0);
  const auto covered = disburse::coveredBy(c);
  ASSERT_EQ(covered.size(), 1u);
  EXPECT_EQ(covered[0].entitlement_id, 5);
  EXPECT_EQ(covered[0].amount.fen(), 100);
}

TEST(Manifest, CarriesTheAnnexesOfAPaymentToSchoolsAndReadsThemBack) {
  bankfiles::Manifest m;
  m.batch = 59;
  m.file = "B000059-105-430121-highschool_fee_waiver-2026-autumn-p01.txt";
  m.layout = "ccb-csv";
  m.bank = "105";
  m.count = 1;
  m.total = Money::fromFen(1330000);
  m.sha256 = "ab";
  m.created = "2026-09-21";
  m.key_id = "k";
  const std::string plain = bankfiles::renderManifest(m);
  EXPECT_EQ(plain.find("annexes"), std::string::npos) << "a payment to students: as before";
  m.annexes.push_back({m.file + ".students.csv", "UTF-8", "cd", 19, Money::fromFen(1330000)});
  m.annexes.push_back(
      {m.file + ".students.gb18030.csv", "GB18030", "ef", 19, Money::fromFen(1330000)});
  const auto back = bankfiles::parseManifest(bankfiles::renderManifest(m), "test");
  ASSERT_EQ(back.annexes.size(), 2u);
  EXPECT_EQ(back.annexes[1].file, m.file + ".students.gb18030.csv");
  EXPECT_EQ(back.annexes[1].encoding, "GB18030");
  EXPECT_EQ(back.annexes[0].sha256, "cd");
  EXPECT_EQ(back.annexes[0].students, 19);
  EXPECT_EQ(back.annexes[0].total.fen(), 1330000);
  EXPECT_EQ(bankfiles::renderManifest(back), bankfiles::renderManifest(m));
}

}  // namespace
}  // namespace edupay
