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
  /// Constant-time comparison; false for a malformed stored value.
  bool verify(std::string_view password, std::string_view stored) const;
  /// True when `stored` used fewer iterations than this hasher (re-hash on next login).
  bool needsRehash(std::string_view stored) const;
  int iterations() const { return iterations_; }

 private:
  PasswordHasher(int iterations, bool test_only);
  int iterations_;
};

}  // namespace edupay::security
