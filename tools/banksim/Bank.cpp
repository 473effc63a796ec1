#include "Bank.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace edupay::banksim {

namespace {

constexpr std::string_view kManifestFormat = "edupay-payment-manifest/1";
constexpr size_t kEd25519SignatureSize = 64;

struct LayoutEntry {
  Layout layout;
  std::string_view name;
};
constexpr LayoutEntry kLayouts[] = {
    {Layout::kPipeGbk, "pipe-gbk"},          {Layout::kHeaderBlockGbk, "header-block-gbk"},
    {Layout::kAbcFixed, "abc-fixed"},        {Layout::kCcbCsv, "ccb-csv"},
    {Layout::kPain00109, "pain.001.001.09"}, {Layout::kPain00103, "pain.001.001.03"},
};

bool isDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string readWholeFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + std::string(what) + " " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + std::string(what) + " " + path);
  return bytes.str();
}

std::string toHex(const unsigned char* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 0x0f];
  }
  return hex;
}

/// Strict base64 (RFC 4648 alphabet, padding required); nullopt on anything else.
std::optional<std::string> decodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[k] = value(c);
      if (v[k] < 0) return std::nullopt;
    }
    const uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                       (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey loadPublicKey(const std::string& path) {
  const std::string pem = readWholeFile(path, "public key");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) throw IoError("out of memory reading the public key");
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw IoError(path + " is not a PEM public key");
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    throw IoError(path + " is not an Ed25519 public key");
  }
  return key;
}

bool verifyEd25519(EVP_PKEY* key, std::string_view message, std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx) throw IoError("out of memory verifying the signature");
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
    throw IoError("cannot set up Ed25519 verification");
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

/// First 16 hex digits of the SHA-256 of the public key in DER (SubjectPublicKeyInfo).
std::string keyIdOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key, &der);
  if (size <= 0) throw IoError("cannot encode the public key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_size = 0;
  const int ok = EVP_Digest(der, static_cast<size_t>(size), md, &md_size, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) throw IoError("cannot hash the public key");
  return toHex(md, md_size).substr(0, 16);
}

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class ManifestKeys {
 public:
  ManifestKeys(const Poco::JSON::Object& object, Problems& problems)
      : object_(object), problems_(problems) {}

  std::string text(const std::string& key) {
    if (!object_.has(key)) {
      problems_.add(0, "manifest has no \"" + key + "\"");
      return {};
    }
    const Poco::Dynamic::Var value = object_.get(key);
    if (!value.isString()) {
      problems_.add(0, "manifest \"" + key + "\" is not a string");
      return {};
    }
    return value.extract<std::string>();
  }

  int64_t integer(const std::string& key) {
    if (!object_.has(key)) {
      problems_.add(0, "manifest has no \"" + key + "\"");
      return 0;
    }
    const Poco::Dynamic::Var value = object_.get(key);
    if (!value.isInteger() || value.isBoolean()) {
      problems_.add(0, "manifest \"" + key + "\" is not an integer");
      return 0;
    }
    try {
      return value.convert<Poco::Int64>();
    } catch (const Poco::Exception&) {
      problems_.add(0, "manifest \"" + key + "\" is out of range");
      return 0;
    }
  }

 private:
  const Poco::JSON::Object& object_;
  Problems& problems_;
};

}  // namespace

std::optional<Layout> layoutFromName(std::string_view name) {
  for (const auto& entry : kLayouts) {
    if (entry.name == name) return entry.layout;
  }
  return std::nullopt;
}

std::string_view layoutName(Layout layout) {
  for (const auto& entry : kLayouts) {
    if (entry.layout == layout) return entry.name;
  }
  return "?";
}

bool isPain001(Layout layout) {
  return layout == Layout::kPain00109 || layout == Layout::kPain00103;
}

uint64_t defaultMaxLines(Layout layout) { return isPain001(layout) ? 1000000 : 2000; }

void Problems::add(uint64_t line, std::string what) {
  ++count_;
  if (kept_.size() < kKept) kept_.emplace_back(line, std::move(what));
}

Intake::Intake(Problems& problems, Options options, std::function<void(const Payment&)> sink)
    : problems_(problems), options_(options), sink_(std::move(sink)) {
  if (options_.check_seq && options_.first_seq_is_one) expected_seq_ = 1;
  reference_line_.reserve(std::min(options_.expected_lines, options_.max_lines));
}

std::string_view Intake::keep(std::string_view text) {
  constexpr size_t kBlock = 1 << 20;
  if (arena_.empty() || arena_used_ + text.size() > kBlock) {
    arena_.push_back(std::make_unique<char[]>(std::max(kBlock, text.size())));
    arena_used_ = 0;
  }
  char* copy = arena_.back().get() + arena_used_;
  std::memcpy(copy, text.data(), text.size());
  arena_used_ += text.size();
  return {copy, text.size()};
}

void Intake::countLine(uint64_t line) {
  ++count_;
  if (count_ == options_.max_lines + 1) {
    problems_.add(line, "more than " + std::to_string(options_.max_lines) +
                            " detail lines in one file (this is detail line " +
                            std::to_string(count_) + "); split the batch into parts");
  }
}

void Intake::add(const Payment& payment) {
  countLine(payment.line);
  if (options_.check_seq) {
    if (expected_seq_ && payment.seq != *expected_seq_) {
      problems_.add(payment.line, "序号 " + std::to_string(payment.seq) + " where " +
                                      std::to_string(*expected_seq_) +
                                      " is due (part 1 starts at 1; numbers rise by one, line "
                                      "after line)");
    }
    expected_seq_ = payment.seq + 1;
  }
  const size_t arena_mark = arena_used_;
  const std::string_view kept = keep(payment.reference);
  if (const auto [seen, fresh] = reference_line_.try_emplace(kept, payment.line); !fresh) {
    arena_used_ = arena_mark;  // the copy is not needed; a new block, if any, stays for later
    problems_.add(payment.line, "reference " + quoted(payment.reference) +
                                    " appears twice (first on line " +
                                    std::to_string(seen->second) + ")");
  }
  if (__builtin_add_overflow(total_fen_, payment.amount_fen, &total_fen_)) {
    problems_.add(payment.line, "the total amount of the file is too large");
    total_known_ = false;
    total_fen_ = 0;
  }
  if (problems_.empty()) sink_(payment);
}

void Intake::addUnreadable(uint64_t line) {
  countLine(line);
  total_known_ = false;
  if (expected_seq_) ++*expected_seq_;
}

std::optional<Manifest> readManifest(const std::string& payment_path,
                                     const std::string& public_key_path, Problems& problems) {
  const Pkey key = loadPublicKey(public_key_path);
  const std::string manifest_bytes = readWholeFile(payment_path + ".manifest.json", "manifest");
  std::string sig_text = readWholeFile(payment_path + ".manifest.sig", "signature");

  if (!sig_text.empty() && sig_text.back() == '\n') sig_text.pop_back();
  const std::optional<std::string> signature = decodeBase64(sig_text);
  if (!signature || signature->size() != kEd25519SignatureSize) {
    problems.add(0,
                 "the .manifest.sig is not one line of base64 holding a 64-byte Ed25519 "
                 "signature");
    return std::nullopt;
  }
  if (!verifyEd25519(key.get(), manifest_bytes, *signature)) {
    problems.add(0, "the manifest signature does not verify with " + public_key_path +
                        " (manifest altered, or signed with another key)");
    return std::nullopt;
  }

  Poco::JSON::Object::Ptr object;
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var root = parser.parse(manifest_bytes);
    if (root.type() != typeid(Poco::JSON::Object::Ptr)) {
      problems.add(0, "the manifest is not a JSON object");
      return std::nullopt;
    }
    object = root.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    problems.add(0, "the manifest is not valid JSON: " + e.displayText());
    return std::nullopt;
  }

  Manifest m;
  const uint64_t problems_before = problems.count();
  ManifestKeys keys(*object, problems);
  m.format = keys.text("format");
  m.batch = keys.integer("batch");
  m.file = keys.text("file");
  m.part = keys.integer("part");
  m.parts = keys.integer("parts");
  m.layout = keys.text("layout");
  m.bank = keys.text("bank");
  m.payer_account = keys.text("payer_account");
  m.count = keys.integer("count");
  m.total_fen = keys.integer("total_fen");
  m.total = keys.text("total");
  m.sha256 = keys.text("sha256");
  m.created = keys.text("created");
  m.key_id = keys.text("key_id");
  if (problems.count() != problems_before) return std::nullopt;  // a key missing or mistyped

  if (m.format != kManifestFormat) {
    problems.add(0,
                 "manifest format " + quoted(m.format) + " is not " + std::string(kManifestFormat));
  }
  if (m.file != baseName(payment_path)) {
    problems.add(0, "the manifest is for " + quoted(m.file) + ", not for this file");
  }
  if (m.part < 1 || m.parts < m.part) {
    problems.add(0, "manifest part " + std::to_string(m.part) + " of " + std::to_string(m.parts) +
                        " is impossible");
  }
  if (m.count < 0 || m.total_fen < 0) problems.add(0, "manifest count or total_fen is negative");
  if (m.total != formatFen(m.total_fen)) {
    problems.add(0, "manifest total " + quoted(m.total) + " does not match total_fen " +
                        std::to_string(m.total_fen));
  }
  if (m.sha256.size() != 64 ||
      m.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    problems.add(0, "manifest sha256 is not 64 lower-case hex digits");
  }
  if (!isDate(m.created, true)) {
    problems.add(0, "manifest created " + quoted(m.created) + " is not a date YYYY-MM-DD");
  }
  const std::string our_key_id = keyIdOf(key.get());
  if (m.key_id != our_key_id) {
    problems.add(0, "manifest key_id " + quoted(m.key_id) + " is not the key this bank holds (" +
                        our_key_id + ")");
  }
  return m;
}

FileSource::FileSource(const std::string& path)
    : path_(path), file_(std::fopen(path.c_str(), "rb")), sha256_(EVP_MD_CTX_new()) {
  if (file_ == nullptr) {
    EVP_MD_CTX_free(sha256_);
    throw IoError("cannot read " + path);
  }
  if (sha256_ == nullptr || EVP_DigestInit_ex(sha256_, EVP_sha256(), nullptr) != 1) {
    std::fclose(file_);
    EVP_MD_CTX_free(sha256_);
    throw IoError("cannot set up SHA-256");
  }
}

FileSource::~FileSource() {
  std::fclose(file_);
  EVP_MD_CTX_free(sha256_);
}

size_t FileSource::read(char* buffer, size_t size) {
  const size_t got = std::fread(buffer, 1, size, file_);
  if (got == 0 && std::ferror(file_)) throw IoError("cannot read " + path_);
  if (EVP_DigestUpdate(sha256_, buffer, got) != 1) throw IoError("SHA-256 failed");
  if (first_cr_line_ == 0) {
    const char* begin = buffer;
    const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', got));
    line_ += static_cast<uint64_t>(std::count(begin, cr != nullptr ? cr : begin + got, '\n'));
    if (cr != nullptr) first_cr_line_ = line_;
  }
  return got;
}

std::string FileSource::finish() {
  std::vector<char> buffer(1 << 16);
  while (read(buffer.data(), buffer.size()) > 0) {
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_size = 0;
  if (EVP_DigestFinal_ex(sha256_, md, &md_size) != 1) throw IoError("SHA-256 failed");
  return toHex(md, md_size);
}

Iconv::Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {
  if (cd_ == reinterpret_cast<iconv_t>(-1)) {
    throw IoError(std::string("iconv cannot convert ") + from + " to " + to);
  }
}

Iconv::~Iconv() { iconv_close(cd_); }

bool Iconv::convert(std::string_view in, std::string& out, size_t& bad_offset) {
  iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // initial shift state
  out.resize(in.size() * 2 + 16);
  // glibc's iconv takes char** for the input but does not write through it.
  char* in_ptr = const_cast<char*>(in.data());
  size_t in_left = in.size();
  size_t out_used = 0;
  while (in_left > 0) {
    char* out_ptr = out.data() + out_used;
    size_t out_left = out.size() - out_used;
    const size_t rc = iconv(cd_, &in_ptr, &in_left, &out_ptr, &out_left);
    out_used = out.size() - out_left;
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    bad_offset = in.size() - in_left;  // EILSEQ or EINVAL (truncated character)
    return false;
  }
  out.resize(out_used);
  return true;
}

std::optional<int64_t> parseFixedDecimal(std::string_view text, int decimals) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = text.substr(dot + 1);
  if (!isDigits(whole) || whole.size() > 13 || (whole.size() > 1 && whole[0] == '0')) {
    return std::nullopt;
  }
  if (fraction.size() != static_cast<size_t>(decimals) || (decimals > 0 && !isDigits(fraction))) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  for (char c : fraction) value = value * 10 + (c - '0');
  return value;
}

std::string formatFen(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(fen + 1)) + 1 : static_cast<uint64_t>(fen);
  std::string cents = std::to_string(magnitude % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + "." + cents;
}

std::optional<uint64_t> parseCount(std::string_view text) {
  if (!isDigits(text) || text.size() > 15 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : text) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

bool isAccountNumber(std::string_view text) {
  return text.size() >= 12 && text.size() <= 30 && isDigits(text);
}

std::string referenceProblem(std::string_view reference) {
  if (reference.empty()) return "reference is empty";
  if (reference.size() > 35) {
    return "reference is " + std::to_string(reference.size()) + " characters long (at most 35)";
  }
  for (char c : reference) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '|') {
      return "reference " + quoted(reference) +
             " holds a character other than printable ASCII (no spaces, no '|')";
    }
  }
  return {};
}

bool isDate(std::string_view text, bool dashed) {
  std::string digits;
  if (dashed) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    digits = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) +
             std::string(text.substr(8, 2));
  } else {
    if (text.size() != 8) return false;
    digits = std::string(text);
  }
  if (!isDigits(digits)) return false;
  const int year = std::stoi(digits.substr(0, 4));
  const int month = std::stoi(digits.substr(4, 2));
  const int day = std::stoi(digits.substr(6, 2));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

std::string_view trimSpaces(std::string_view text) {
  const size_t first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::string quoted(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  size_t shown = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (shown >= kMax && (byte & 0xc0) != 0x80) {
      out += "...";
      break;
    }
    if (byte < 0x20 || byte == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      out += text[i];
    }
    if ((byte & 0xc0) != 0x80) ++shown;
  }
  return out + "\"";
}

}  // namespace edupay::banksim
