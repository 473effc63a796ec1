#include "security/Signing.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "security/FieldCipher.h"

namespace edupay::security {

namespace {

/// A PEM key is a few hundred bytes; a key file of more is not a key.
constexpr uint64_t kMaxKeyFileBytes = 64 * 1024;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string publicPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
    throw Error(ErrorCode::kInternal, "cannot encode a public key");
  return bioText(bio.get());
}

std::string keyIdOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) throw Error(ErrorCode::kInternal, "cannot encode a public key");
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return sha256Hex(bytes).substr(0, 16);
}

bool fileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

struct SigningKey::Impl {
  Pkey key;
};

struct VerifyingKey::Impl {
  Pkey key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

void SigningKey::generate(const std::string& path) {
  const std::string pub = path + ".pub";
  if (fileExists(path) || fileExists(pub)) {
    throw Error(ErrorCode::kConflict,
                msg("security.signing_key.exists", {arg("path", path), arg("public", pub)}));
  }
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!raw) throw Error(ErrorCode::kInternal, "cannot generate an Ed25519 key");
  Pkey key(raw);
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw Error(ErrorCode::kInternal, "cannot encode the signing key");
  const mode_t old_mask = ::umask(077);
  try {
    writeFileAtomically(path, bioText(bio.get()));
  } catch (...) {
    ::umask(old_mask);
    throw;
  }
  ::umask(old_mask);
  ::chmod(path.c_str(), 0600);
  writeFileAtomically(pub, publicPem(key.get()));
}

SigningKey SigningKey::load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error(ErrorCode::kNotFound, msg("security.signing_key.missing", {arg("path", path)}));
  }
  if (st.st_mode & 077) {
    throw Error(ErrorCode::kForbidden, msg("security.signing_key.readable", {arg("path", path)}));
  }
  const std::string pem = readFile(path, kMaxKeyFileBytes);
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    throw Error(ErrorCode::kInvalidInput,
                msg("security.signing_key.not_a_key", {arg("path", path)}));
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return SigningKey(std::move(impl));
}

std::string SigningKey::sign(std::string_view data) const {
  MdCtx ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    throw Error(ErrorCode::kInternal, "cannot sign");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    throw Error(ErrorCode::kInternal, "cannot sign");
  sig.resize(len);
  return sig;
}

std::string SigningKey::publicKeyPem() const { return publicPem(impl_->key.get()); }
std::string SigningKey::keyId() const { return keyIdOf(impl_->key.get()); }

VerifyingKey::VerifyingKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VerifyingKey::~VerifyingKey() = default;
VerifyingKey::VerifyingKey(VerifyingKey&&) noexcept = default;
VerifyingKey& VerifyingKey::operator=(VerifyingKey&&) noexcept = default;

VerifyingKey VerifyingKey::load(const std::string& path) {
  if (!fileExists(path)) {
    throw Error(ErrorCode::kNotFound, msg("security.public_key.missing", {arg("path", path)}));
  }
  return fromPem(readFile(path, kMaxKeyFileBytes), path);
}

VerifyingKey VerifyingKey::fromPem(std::string_view pem, const std::string& source) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    throw Error(ErrorCode::kInvalidInput,
                msg("security.public_key.not_a_key", {arg("path", source)}));
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return VerifyingKey(std::move(impl));
}

bool VerifyingKey::verify(std::string_view data, std::string_view signature) const {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1)
    throw Error(ErrorCode::kInternal, "cannot verify");
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

std::string VerifyingKey::keyId() const { return keyIdOf(impl_->key.get()); }

}  // namespace edupay::security
