#include "security/FieldCipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/Error.h"

namespace edupay::security {
namespace {

FieldCipher cipherWith(uint8_t fill) {
  std::array<uint8_t, FieldCipher::kKeyBytes> k{};
  k.fill(fill);
  return FieldCipher(k);
}

std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("edupay_cipher_" + std::to_string(::getpid()) + name))
      .string();
}

TEST(FieldCipher, DecryptsWhatItEncrypted) {
  const auto c = cipherWith(7);
  const std::string ct = c.encrypt("resident_id", "11010519491231002X");
  EXPECT_EQ(ct.rfind("v1:", 0), 0u);
  EXPECT_EQ(ct.find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(c.decrypt("resident_id", ct), "11010519491231002X");
}

TEST(FieldCipher, UsesAFreshIvEveryTime) {
  const auto c = cipherWith(7);
  EXPECT_NE(c.encrypt("f", "same"), c.encrypt("f", "same"));
}

TEST(FieldCipher, RefusesAWrongKeyInsteadOfReturningGarbage) {
  const std::string ct = cipherWith(7).encrypt("resident_id", "11010519491231002X");
  try {
    (void)cipherWith(8).decrypt("resident_id", ct);
    FAIL() << "decrypted with the wrong key";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kForbidden);
  }
}

TEST(FieldCipher, RefusesACiphertextMovedToAnotherField) {
  const auto c = cipherWith(7);
  const std::string ct = c.encrypt("resident_id", "6222021234567890128");
  EXPECT_THROW((void)c.decrypt("bank_account", ct), Error);
}

TEST(FieldCipher, RefusesTamperedOrForeignText) {
  const auto c = cipherWith(7);
  std::string ct = c.encrypt("f", "value");
  ct[10] = ct[10] == 'A' ? 'B' : 'A';
  EXPECT_THROW((void)c.decrypt("f", ct), Error);
  EXPECT_THROW((void)c.decrypt("f", "plaintext"), Error);
}

TEST(FieldCipher, BlindIndexIsStablePerKeyAndField) {
  const auto a = cipherWith(1), b = cipherWith(2);
  EXPECT_EQ(a.blindIndex("resident_id", "x"), a.blindIndex("resident_id", "x"));
  EXPECT_NE(a.blindIndex("resident_id", "x"), b.blindIndex("resident_id", "x"));
  EXPECT_NE(a.blindIndex("resident_id", "x"), a.blindIndex("bank_account", "x"));
  EXPECT_EQ(a.blindIndex("resident_id", "x").size(), 32u);
  EXPECT_NE(a.fingerprint(), b.fingerprint());
}

TEST(FieldCipher, KeygenWritesAPrivateFileAndNeverOverwrites) {
  const std::string path = tempPath("key1");
  std::filesystem::remove(path);
  FieldCipher::generateKeyFile(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const auto c = FieldCipher::loadKeyFile(path);
  EXPECT_EQ(c.decrypt("f", c.encrypt("f", "v")), "v");
  try {
    FieldCipher::generateKeyFile(path);
    FAIL() << "an existing key file was overwritten";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
  std::filesystem::remove(path);
}

TEST(FieldCipher, RefusesAKeyFileOthersCanRead) {
  const std::string path = tempPath("key2");
  std::filesystem::remove(path);
  FieldCipher::generateKeyFile(path);
  ::chmod(path.c_str(), 0644);
  try {
    (void)FieldCipher::loadKeyFile(path);
    FAIL() << "a world-readable key file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kForbidden);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST(FieldCipher, RefusesAFileThatIsNotAKey) {
  const std::string path = tempPath("key3");
  {
    std::ofstream out(path);
    out << "hello\n";
  }
  ::chmod(path.c_str(), 0600);
  EXPECT_THROW((void)FieldCipher::loadKeyFile(path), Error);
  std::filesystem::remove(path);
  try {
    (void)FieldCipher::loadKeyFile(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("edupay keygen"), std::string::npos);
  }
}

TEST(FieldCipher, Base64RoundTripsAndRejectsJunk) {
  EXPECT_EQ(base64Decode(base64Encode("")), "");
  EXPECT_EQ(base64Decode(base64Encode("a")), "a");
  EXPECT_EQ(base64Decode(base64Encode("ab")), "ab");
  EXPECT_EQ(base64Decode(base64Encode("abc")), "abc");
  EXPECT_THROW((void)base64Decode("abc"), Error);
}

TEST(FieldCipher, Sha256MatchesTheKnownVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace edupay::security
