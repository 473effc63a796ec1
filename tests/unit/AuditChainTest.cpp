#include "security/AuditChain.h"

#include <gtest/gtest.h>

#include "common/Catalogue.h"

namespace edupay::security {
namespace {

std::vector<AuditEvent> chain(int n) {
  std::vector<AuditEvent> out;
  std::string prev = kAuditGenesis;
  for (int i = 1; i <= n; ++i) {
    AuditEvent e{i,
                 "2026-11-28T10:00:0" + std::to_string(i % 10) + "+08:00",
                 "officer1",
                 "batch.submit",
                 "batch:" + std::to_string(i),
                 "draft",
                 "submitted",
                 prev,
                 ""};
    e.hash = auditHash(e);
    prev = e.hash;
    out.push_back(e);
  }
  return out;
}

TEST(AuditChain, AnUntouchedChainVerifies) { EXPECT_FALSE(verifyAuditChain(chain(5)).has_value()); }

TEST(AuditChain, AnEditedEventIsNamed) {
  auto c = chain(5);
  c[2].after = "approved";
  const auto b = verifyAuditChain(c);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->seq, 3);
  EXPECT_EQ(b->verified, 2);
  EXPECT_EQ(i18n::render(b->problem_message, Lang::kZh), "写入后内容被改动过");
  EXPECT_NE(b->problem.find("changed"), std::string::npos);
}

TEST(AuditChain, ADeletedEventIsNamed) {
  auto c = chain(5);
  c.erase(c.begin() + 1);
  const auto b = verifyAuditChain(c);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->seq, 3);
  EXPECT_EQ(b->verified, 1) << "only event 1 holds before the gap";
  // Told in the auditor's language.
  EXPECT_EQ(i18n::render(b->problem_message, Lang::kZh),
            "此处应为第 2 条事件，实际为第 3 条（有事件被删除或调换了顺序）");
  EXPECT_EQ(b->problem, "expected event 2 here, found 3 (an event was deleted or reordered)");
}

TEST(AuditChain, ReorderedEventsAreNamed) {
  auto c = chain(5);
  std::swap(c[3], c[4]);
  const auto b = verifyAuditChain(c);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->seq, 5);
}

TEST(AuditChain, ARehashedEditStillBreaksTheNextLink) {
  auto c = chain(5);
  c[1].actor = "intruder";
  c[1].hash = auditHash(c[1]);
  const auto b = verifyAuditChain(c);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->seq, 3);
}

TEST(AuditChain, FieldBoundariesCannotBeShifted) {
  AuditEvent a{1, "t", "ab", "c", "", "", "", kAuditGenesis, ""};
  AuditEvent b{1, "t", "a", "bc", "", "", "", kAuditGenesis, ""};
  EXPECT_NE(auditHash(a), auditHash(b));
}

}  // namespace
}  // namespace edupay::security
