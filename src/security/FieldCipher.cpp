#include "security/FieldCipher.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sys/stat.h>

#include <atomic>
#include <cstring>

#include <fstream>
#include <memory>
#include <mutex>
#include <vector>

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay::security {
namespace {

constexpr std::string_view kKeyHeader = "edupay-field-key-v1";
constexpr std::string_view kCipherPrefix = "v1:";
constexpr size_t kIvBytes = 12;
constexpr size_t kTagBytes = 16;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

std::string toHex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

/// AES-256-GCM, fetched from the provider once rather than on every call.
const EVP_CIPHER* aes256gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (!cipher) throw Error(ErrorCode::kInternal, "OpenSSL has no AES-256-GCM");
  return cipher;
}

/// Fresh IVs from the CSPRNG, drawn 4 KiB at a time: one RAND_bytes call per 341 encryptions.
/// A forked child discards the parent's buffer, so no IV is ever handed out twice.
std::atomic<uint64_t> g_fork_generation{0};
void onFork() { g_fork_generation.fetch_add(1); }

void randomIv(unsigned char* iv) {
  struct Pool {
    unsigned char bytes[4092];
    size_t pos = sizeof(bytes);
    uint64_t generation = 0;
  };
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, onFork); });
  thread_local Pool pool;
  const uint64_t gen = g_fork_generation.load();
  if (pool.pos + kIvBytes > sizeof(pool.bytes) || pool.generation != gen) {
    if (RAND_bytes(pool.bytes, sizeof(pool.bytes)) != 1)
      throw Error(ErrorCode::kInternal, "RAND_bytes failed");
    pool.pos = 0;
    pool.generation = gen;
  }
  std::memcpy(iv, pool.bytes + pool.pos, kIvBytes);
  OPENSSL_cleanse(pool.bytes + pool.pos, kIvBytes);
  pool.pos += kIvBytes;
}

std::string hmacHex(const std::array<uint8_t, 32>& key, std::string_view a, std::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string msg;
  msg.reserve(a.size() + 1 + b.size());
  msg.append(a).push_back('\0');
  msg.append(b);
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len)) {
    throw Error(ErrorCode::kInternal, "HMAC-SHA256 failed");
  }
  return toHex(out, len);
}

}  // namespace

struct FieldCipher::MacState {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;
  ~MacState() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
  }
};

FieldCipher::FieldCipher(const std::array<uint8_t, kKeyBytes>& key) {
  std::copy(key.begin(), key.begin() + 32, enc_key_.begin());
  std::copy(key.begin() + 32, key.end(), mac_key_.begin());
  auto state = std::make_shared<MacState>();
  state->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  state->keyed = state->mac ? EVP_MAC_CTX_new(state->mac) : nullptr;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!state->keyed || EVP_MAC_init(state->keyed, mac_key_.data(), mac_key_.size(), params) != 1) {
    throw Error(ErrorCode::kInternal, "cannot set up HMAC-SHA256");
  }
  mac_ = std::move(state);
}

FieldCipher::~FieldCipher() {
  OPENSSL_cleanse(enc_key_.data(), enc_key_.size());
  OPENSSL_cleanse(mac_key_.data(), mac_key_.size());
}

FieldCipher FieldCipher::loadKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error(ErrorCode::kNotFound, msg("security.key.not_found", {arg("path", path)}));
  }
  if ((st.st_mode & 0077) != 0) {
    throw Error(ErrorCode::kForbidden, msg("security.key.readable", {arg("path", path)}));
  }
  const std::string content = readFile(path, 64 * 1024);
  const auto lines = text::split(content, '\n');
  if (lines.size() < 2 || text::trim(lines[0]) != kKeyHeader) {
    throw Error(ErrorCode::kInvalidInput,
                msg("security.key.not_a_key", {arg("path", path), arg("header", kKeyHeader)}));
  }
  const std::string raw = base64Decode(text::trim(lines[1]));
  if (raw.size() != kKeyBytes) {
    throw Error(ErrorCode::kInvalidInput, msg("security.key.length", {arg("path", path)}));
  }
  std::array<uint8_t, kKeyBytes> key{};
  std::copy(raw.begin(), raw.end(), key.begin());
  FieldCipher cipher(key);
  OPENSSL_cleanse(key.data(), key.size());
  return cipher;
}

void FieldCipher::generateKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    throw Error(ErrorCode::kConflict, msg("security.key.exists", {arg("path", path)}));
  }
  std::array<uint8_t, kKeyBytes> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw Error(ErrorCode::kInternal, "the random number generator failed");
  }
  std::string content(kKeyHeader);
  content += '\n';
  content += base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  content += '\n';
  OPENSSL_cleanse(key.data(), key.size());
  const mode_t old_mask = ::umask(0077);
  try {
    writeFileAtomically(path, content);
  } catch (...) {
    ::umask(old_mask);
    throw;
  }
  ::umask(old_mask);
  ::chmod(path.c_str(), 0600);
}

std::string FieldCipher::encrypt(std::string_view field, std::string_view plaintext) const {
  unsigned char iv[kIvBytes];
  randomIv(iv);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(kIvBytes + plaintext.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::copy(iv, iv + kIvBytes, o);
  int len = 0;
  int total = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), aes256gcm(), nullptr, enc_key_.data(), iv) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(field.data()),
                        static_cast<int>(field.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o + kIvBytes, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1) {
    throw Error(ErrorCode::kInternal, "AES-256-GCM encryption failed");
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), o + kIvBytes + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + kIvBytes + total + len) !=
          1) {
    throw Error(ErrorCode::kInternal, "AES-256-GCM encryption failed");
  }
  return std::string(kCipherPrefix) + base64Encode(out);
}

std::string FieldCipher::decrypt(std::string_view field, std::string_view ciphertext) const {
  if (ciphertext.substr(0, kCipherPrefix.size()) != kCipherPrefix) {
    throw Error(ErrorCode::kInvalidInput, "stored value is not an edupay ciphertext");
  }
  const std::string raw = base64Decode(ciphertext.substr(kCipherPrefix.size()));
  if (raw.size() < kIvBytes + kTagBytes) {
    throw Error(ErrorCode::kInvalidInput, "stored ciphertext is truncated");
  }
  const auto* r = reinterpret_cast<const unsigned char*>(raw.data());
  const size_t n = raw.size() - kIvBytes - kTagBytes;
  std::string out(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::array<unsigned char, kTagBytes> tag{};
  std::copy(r + kIvBytes + n, r + raw.size(), tag.begin());
  const bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), aes256gcm(), nullptr, enc_key_.data(), r) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(field.data()),
                        static_cast<int>(field.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, r + kIvBytes,
                        static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) == 1;
  if (!ok) {
    throw Error(ErrorCode::kForbidden,
                "cannot decrypt a stored " + std::string(field) +
                    ": the key file does not match the one the data was written with");
  }
  return out;
}

std::string FieldCipher::blindIndex(std::string_view field, std::string_view plaintext) const {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(mac_->keyed),
                                                                EVP_MAC_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  const unsigned char zero = 0;
  if (!ctx ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(field.data()),
                     field.size()) != 1 ||
      EVP_MAC_update(ctx.get(), &zero, 1) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(plaintext.data()),
                     plaintext.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out, &len, sizeof(out)) != 1) {
    throw Error(ErrorCode::kInternal, "HMAC-SHA256 failed");
  }
  // 128 bits are ample against collisions among a country's IDs and halve the index size.
  return toHex(out, 16);
}

std::string FieldCipher::fingerprint() const {
  return hmacHex(mac_key_, "edupay-key-fingerprint", "").substr(0, 16);
}

std::string sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "SHA-256 failed");
  }
  return toHex(md, len);
}

std::string sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("csv.cannot_open", {arg("file", path)}));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return toHex(md, len);
}

std::string base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) throw Error(ErrorCode::kInvalidInput, "malformed base64 text");
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) throw Error(ErrorCode::kInvalidInput, "malformed base64 text");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace edupay::security
