#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace edupay::security {

/// Ed25519 signatures (through OpenSSL) for payment-file manifests: the bureau signs with its
/// private key, banks and `edupay file verify` check with the public key. Ed25519 signatures are
/// deterministic, so the same manifest always gets the same signature.
class SigningKey {
 public:
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  /// Writes a new private key to `path` (PEM, mode 0600) and its public key to `path.pub`
  /// (PEM), atomically; refuses to overwrite either (Error(kConflict)).
  static void generate(const std::string& path);
  /// Reads a PEM private key. Error(kNotFound) when missing, Error(kForbidden) when others may
  /// read it, Error(kInvalidInput) when it is not an Ed25519 private key.
  static SigningKey load(const std::string& path);

  /// The raw 64-byte signature of `data`.
  std::string sign(std::string_view data) const;
  /// PEM of the public key.
  std::string publicKeyPem() const;
  /// First 16 hex of the SHA-256 of the public key's DER encoding.
  std::string keyId() const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class VerifyingKey {
 public:
  ~VerifyingKey();
  VerifyingKey(VerifyingKey&&) noexcept;
  VerifyingKey& operator=(VerifyingKey&&) noexcept;

  /// Reads a PEM public key; Error(kNotFound) / Error(kInvalidInput) naming the file.
  static VerifyingKey load(const std::string& path);
  static VerifyingKey fromPem(std::string_view pem, const std::string& source);

  bool verify(std::string_view data, std::string_view signature) const;
  std::string keyId() const;

 private:
  struct Impl;
  explicit VerifyingKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edupay::security
