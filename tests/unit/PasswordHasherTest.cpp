#include "security/PasswordHasher.h"

#include <gtest/gtest.h>

#include "common/Error.h"

namespace edupay::security {
namespace {

TEST(PasswordHasher, VerifiesTheRightPasswordOnly) {
  const auto h = PasswordHasher::forTests();
  const std::string stored = h.hash("Correct horse 9");
  EXPECT_EQ(stored.rfind("pbkdf2-sha256$1000$", 0), 0u);
  EXPECT_TRUE(h.verify("Correct horse 9", stored));
  EXPECT_FALSE(h.verify("correct horse 9", stored));
  EXPECT_FALSE(h.verify("", stored));
}

TEST(PasswordHasher, SaltsEachHash) {
  const auto h = PasswordHasher::forTests();
  EXPECT_NE(h.hash("Same password 1"), h.hash("Same password 1"));
}

TEST(PasswordHasher, RefusesWeakPasswords) {
  const auto h = PasswordHasher::forTests();
  EXPECT_THROW((void)h.hash("Short1"), Error);
  EXPECT_THROW((void)h.hash("alllowercaseletters"), Error);
}

TEST(PasswordHasher, ProductionCostIsAtLeast600000) {
  EXPECT_THROW(PasswordHasher(100000), Error);
  const PasswordHasher prod;
  EXPECT_TRUE(prod.needsRehash(PasswordHasher::forTests().hash("Weakly hashed 1")));
}

TEST(PasswordHasher, AMalformedStoredValueNeverVerifies) {
  const auto h = PasswordHasher::forTests();
  for (const char* bad :
       {"", "plain", "pbkdf2-sha256$x$y$z", "pbkdf2-sha256$1000$$", "md5$1$abc$def"}) {
    EXPECT_FALSE(h.verify("anything 123", bad)) << bad;
  }
}

}  // namespace
}  // namespace edupay::security
