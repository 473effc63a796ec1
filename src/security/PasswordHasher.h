#pragma once

#include <string>
#include <string_view>

namespace edupay::security {

/// Password storage: PBKDF2-HMAC-SHA256 with a per-user random 16-byte salt and at least 600,000
/// iterations (OWASP 2023), stored as `pbkdf2-sha256$ITERATIONS$SALT$HASH` (base64), so the cost
/// can rise later without breaking existing hashes.
class PasswordHasher {
 public:
  static constexpr int kMinIterations = 600000;
  static constexpr size_t kMinLength = 10;

  /// REQUIRES: iterations >= kMinIterations (tests may pass fewer through `forTests`).
  explicit PasswordHasher(int iterations = kMinIterations);
  /// A hasher with a low cost, for unit tests only: production code never calls it.
  static PasswordHasher forTests() { return PasswordHasher(1000, true); }

  /// Throws Error(kInvalidInput) when the password is shorter than kMinLength characters or is
  /// all one character class.
  std::string hash(std::string_view password) const;
  /// A service account's machine secret (64 hex characters = 256 random bits, from
  /// randomSecret()): stored as `secret-sha256$SALT$HASH`, one salted SHA-256. Stretching guards
  /// passwords people choose; a 256-bit random secret cannot be guessed, so it needs none (NIST
  /// SP 800-63B 5.1.1.2 asks for stretching of memorized secrets). Error(kInvalidInput) for
  /// anything but 64 hex characters.
  static std::string hashSecret(std::string_view secret);
  /// Constant-time comparison (either scheme); false for a malformed stored value.
  bool verify(std::string_view password, std::string_view stored) const;
  /// True when `stored` used fewer iterations than this hasher (re-hash on next login).
  bool needsRehash(std::string_view stored) const;
  int iterations() const { return iterations_; }

 private:
  PasswordHasher(int iterations, bool test_only);
  int iterations_;
};

}  // namespace edupay::security
