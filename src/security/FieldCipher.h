#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace edupay::security {

/// Protects sensitive fields (resident IDs, account numbers) at rest.
/// - encrypt(): AES-256-GCM with a fresh random 96-bit IV; output `v1:` + base64(IV | ciphertext |
///   tag). The field name is bound as associated data, so a ciphertext moved to another column
///   does not decrypt.
/// - blindIndex(): HMAC-SHA256 under a separate key, truncated to 128 bits, hex; equal plaintexts
/// give equal indexes, so
///   the database can look up and de-duplicate without seeing the value.
/// The 64-byte key (32 encryption + 32 index) lives in a key file made by `edupay keygen`.
class FieldCipher {
 public:
  static constexpr size_t kKeyBytes = 64;

  explicit FieldCipher(const std::array<uint8_t, kKeyBytes>& key);
  ~FieldCipher();

  /// Reads a key file. Throws Error(kNotFound) when missing, Error(kInvalidInput) when it is not
  /// an edupay key file, Error(kForbidden) when its permissions let others read it.
  static FieldCipher loadKeyFile(const std::string& path);
  /// Writes a new random key file (mode 0600), atomically; refuses to overwrite an existing file
  /// (Error(kConflict)).
  static void generateKeyFile(const std::string& path);

  std::string encrypt(std::string_view field, std::string_view plaintext) const;
  /// Throws Error(kForbidden) "wrong key" when authentication fails, Error(kInvalidInput) when the
  /// text is not a ciphertext of ours.
  std::string decrypt(std::string_view field, std::string_view ciphertext) const;
  std::string blindIndex(std::string_view field, std::string_view plaintext) const;
  /// A public identifier of the key (first 16 hex of an HMAC of a constant): stored in the
  /// database so a wrong key file is detected before anything is written or shown.
  std::string fingerprint() const;

 private:
  struct MacState;  // the HMAC context keyed once, duplicated per call

  std::array<uint8_t, 32> enc_key_{};
  std::array<uint8_t, 32> mac_key_{};
  std::shared_ptr<const MacState> mac_;
};

/// SHA-256 of data, lower-case hex.
std::string sha256Hex(std::string_view data);
/// Streaming SHA-256 of a file, lower-case hex. Throws Error(kNotFound).
std::string sha256File(const std::string& path);
/// Base64 (standard alphabet, padded, no line breaks).
std::string base64Encode(std::string_view data);
/// Throws Error(kInvalidInput) on malformed input.
std::string base64Decode(std::string_view text);

}  // namespace edupay::security
