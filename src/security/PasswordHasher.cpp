#include "security/PasswordHasher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <vector>

#include "common/Error.h"
#include "common/Text.h"
#include "security/FieldCipher.h"

namespace edupay::security {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string derive(std::string_view password, const std::string& salt, int iterations) {
  std::string out(kHashBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw Error(ErrorCode::kInternal, "PBKDF2 failed");
  }
  return out;
}

struct Parsed {
  int iterations = 0;
  std::string salt, hash;
};

bool parse(std::string_view stored, Parsed& p) {
  const auto parts = text::split(stored, '$');
  if (parts.size() != 4 || parts[0] != kScheme || !text::isAllDigits(parts[1]) ||
      parts[1].size() > 9)
    return false;
  try {
    p.iterations = std::stoi(parts[1]);
    p.salt = base64Decode(parts[2]);
    p.hash = base64Decode(parts[3]);
  } catch (const Error&) {
    return false;
  }
  return p.iterations > 0 && p.hash.size() == kHashBytes && !p.salt.empty();
}

}  // namespace

PasswordHasher::PasswordHasher(int iterations) : PasswordHasher(iterations, false) {}

PasswordHasher::PasswordHasher(int iterations, bool test_only) : iterations_(iterations) {
  if (!test_only && iterations < kMinIterations) {
    throw Error(ErrorCode::kInvalidInput,
                "password hashing needs at least 600,000 PBKDF2 iterations");
  }
}

std::string PasswordHasher::hash(std::string_view password) const {
  if (password.size() < kMinLength) {
    throw Error(ErrorCode::kInvalidInput,
                msg("password.length", {arg("length", static_cast<int64_t>(kMinLength))}));
  }
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
    digit |= std::isdigit(c) != 0;
    other |= !std::isalnum(c);
  }
  if (lower + upper + digit + other < 2) {
    throw Error(ErrorCode::kInvalidInput, msg("password.mix"));
  }
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    throw Error(ErrorCode::kInternal, "RAND_bytes failed");
  }
  return std::string(kScheme) + "$" + std::to_string(iterations_) + "$" + base64Encode(salt) + "$" +
         base64Encode(derive(password, salt, iterations_));
}

namespace {
constexpr std::string_view kSecretScheme = "secret-sha256";

std::string saltedSha256(const std::string& salt, std::string_view secret) {
  std::string out(kHashBytes, '\0');
  unsigned int n = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, salt.data(), salt.size()) == 1 &&
                  EVP_DigestUpdate(ctx, secret.data(), secret.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &n) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || n != kHashBytes) throw Error(ErrorCode::kInternal, "SHA-256 failed");
  return out;
}

bool isMachineSecret(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
}  // namespace

std::string PasswordHasher::hashSecret(std::string_view secret) {
  if (!isMachineSecret(secret))
    throw Error(ErrorCode::kInvalidInput, msg("password.service_secret"));
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    throw Error(ErrorCode::kInternal, "RAND_bytes failed");
  }
  return std::string(kSecretScheme) + "$" + base64Encode(salt) + "$" +
         base64Encode(saltedSha256(salt, secret));
}

bool PasswordHasher::verify(std::string_view password, std::string_view stored) const {
  if (stored.rfind(kSecretScheme, 0) == 0) {
    const auto parts = text::split(stored, '$');
    if (parts.size() != 3 || parts[0] != kSecretScheme || !isMachineSecret(password)) return false;
    std::string salt, hash;
    try {
      salt = base64Decode(parts[1]);
      hash = base64Decode(parts[2]);
    } catch (const Error&) {
      return false;
    }
    if (salt.empty() || hash.size() != kHashBytes) return false;
    const std::string candidate = saltedSha256(salt, password);
    return CRYPTO_memcmp(candidate.data(), hash.data(), kHashBytes) == 0;
  }
  Parsed p;
  if (!parse(stored, p)) return false;
  const std::string candidate = derive(password, p.salt, p.iterations);
  return CRYPTO_memcmp(candidate.data(), p.hash.data(), kHashBytes) == 0;
}

bool PasswordHasher::needsRehash(std::string_view stored) const {
  if (stored.rfind(kSecretScheme, 0) == 0) return false;  // a machine secret is never stretched
  Parsed p;
  return !parse(stored, p) || p.iterations < iterations_;
}

}  // namespace edupay::security
