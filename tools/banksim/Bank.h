#pragma once

// The strict bank simulator reads payment files the way a strict bank would, independently of the
// exporter in src/ (it includes and links nothing from there). Its knowledge of the formats is
// hardcoded from templates/banks/README.md and templates/banks/*.json, as a bank knows its own.

#include <iconv.h>
#include <openssl/types.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace edupay::banksim {

/// A failure that is not the payment file's fault (a file cannot be read or written): exit code 1.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The layouts this bank takes, by the manifest's `layout` name (templates/banks/<name>.json).
enum class Layout { kPipeGbk, kHeaderBlockGbk, kAbcFixed, kCcbCsv, kPain00109, kPain00103 };

[[nodiscard]] std::optional<Layout> layoutFromName(std::string_view name);
[[nodiscard]] std::string_view layoutName(Layout layout);
[[nodiscard]] bool isPain001(Layout layout);
/// Detail lines one file may hold when --max-lines is not given (the layout's `max_lines`).
[[nodiscard]] uint64_t defaultMaxLines(Layout layout);

/// Everything that makes the bank refuse the whole file. Line 0 stands for the file as a whole.
class Problems {
 public:
  static constexpr size_t kKept = 200;  ///< problems kept for the report; the rest are counted

  void add(uint64_t line, std::string what);
  [[nodiscard]] bool empty() const { return count_ == 0; }
  [[nodiscard]] uint64_t count() const { return count_; }
  /// The first kKept problems in the order found, as (line, what).
  [[nodiscard]] const std::vector<std::pair<uint64_t, std::string>>& kept() const { return kept_; }

 private:
  std::vector<std::pair<uint64_t, std::string>> kept_;
  uint64_t count_ = 0;
};

/// One payment as read from a file, its fields already checked by the layout's reader.
struct Payment {
  uint64_t line = 0;  ///< line of the file where the payment is (pain.001: where it starts)
  uint64_t seq = 0;   ///< the file's 序号 (abc-fixed has none: the line number in the file)
  std::string reference;
  std::string account;
  int64_t amount_fen = 0;
  std::string instr_id;  ///< pain.001 PmtId/InstrId; may be empty
};

/// The checks every layout shares: at most `max_lines` detail lines, sequence numbers running up
/// by one, each reference once, the totals. Hands each payment to `sink` while the file is clean
/// (once a problem is found the file is refused and nothing more is written).
class Intake {
 public:
  struct Options {
    uint64_t max_lines = 2000;
    bool check_seq = true;          ///< the layout carries 序号
    bool first_seq_is_one = false;  ///< part 1 of a batch: numbering starts at 1
    uint64_t expected_lines = 0;    ///< a hint to size the reference index
  };

  Intake(Problems& problems, Options options, std::function<void(const Payment&)> sink);

  void add(const Payment& payment);
  /// A detail line too broken to read (already reported): it counts, its amount is unknown.
  void addUnreadable(uint64_t line);

  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] int64_t totalFen() const { return total_fen_; }
  /// False once a detail line could not be read: the sum of amounts is then unknown.
  [[nodiscard]] bool totalKnown() const { return total_known_ && complete_; }
  /// False when the reader gave up before the end of the file (say, broken XML): neither the
  /// count nor the total is known.
  [[nodiscard]] bool complete() const { return complete_; }
  void markIncomplete() { complete_ = false; }

 private:
  void countLine(uint64_t line);
  /// A copy of `text` that lives as long as the intake.
  std::string_view keep(std::string_view text);

  Problems& problems_;
  Options options_;
  std::function<void(const Payment&)> sink_;
  uint64_t count_ = 0;
  int64_t total_fen_ = 0;
  bool total_known_ = true;
  bool complete_ = true;
  std::optional<uint64_t> expected_seq_;
  std::unordered_map<std::string_view, uint64_t> reference_line_;  ///< keys point into arena_
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_used_ = 0;
};

/// What the manifest beside a payment file says (templates/banks/README.md, "Manifest").
struct Manifest {
  std::string format, file, layout, bank, payer_account, total, sha256, created, key_id;
  int64_t batch = 0, part = 0, parts = 0, count = 0, total_fen = 0;
};

/// Reads `payment_path`.manifest.json and .manifest.sig and checks them: the Ed25519 signature
/// over the exact manifest bytes with the key in `public_key_path`, the key id, the keys and their
/// types, the file name. Adds what is wrong to `problems`; returns nullopt when the manifest cannot
/// be trusted at all (bad signature, not JSON). Throws IoError when a file cannot be read.
[[nodiscard]] std::optional<Manifest> readManifest(const std::string& payment_path,
                                                   const std::string& public_key_path,
                                                   Problems& problems);

/// A payment file read once, front to back: its SHA-256 and the line of its first CR byte are
/// worked out on the way, so checking the manifest's digest costs no second pass.
class FileSource {
 public:
  /// Throws IoError when the file cannot be opened.
  explicit FileSource(const std::string& path);
  ~FileSource();
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  /// Up to `size` next bytes into `buffer`; 0 at the end. Throws IoError.
  [[nodiscard]] size_t read(char* buffer, size_t size);
  /// Reads whatever the reader left unread, then returns the lower-case hex SHA-256 of the
  /// whole file. Throws IoError.
  [[nodiscard]] std::string finish();
  /// The line of the first CR byte, 0 when there is none. REQUIRES: finish() was called.
  [[nodiscard]] uint64_t firstCrLine() const { return first_cr_line_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  FILE* file_;
  EVP_MD_CTX* sha256_;
  uint64_t line_ = 1;
  uint64_t first_cr_line_ = 0;
};

/// An iconv conversion (glibc), strict: no transliteration, no skipping.
class Iconv {
 public:
  /// Throws IoError when glibc does not know the encodings.
  Iconv(const char* to, const char* from);
  ~Iconv();
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  /// Converts `in` into `out`. Returns false, with `bad_offset` at the first byte that is not a
  /// valid (or complete) character of the source encoding or has no equivalent in the target.
  [[nodiscard]] bool convert(std::string_view in, std::string& out, size_t& bad_offset);

 private:
  iconv_t cd_;
};

// Field syntax shared by the readers and writers.

/// A positive-or-zero decimal with exactly `decimals` decimals and no superfluous leading zero
/// (`1500.00`), in units of 10^-decimals; nullopt when malformed or above 13 integer digits.
[[nodiscard]] std::optional<int64_t> parseFixedDecimal(std::string_view text, int decimals);
/// Fen as yuan with two decimals: 150000 -> "1500.00".
[[nodiscard]] std::string formatFen(int64_t fen);
/// A count: decimal digits without a leading zero ("0" itself is allowed).
[[nodiscard]] std::optional<uint64_t> parseCount(std::string_view text);
/// A payee account as this bank takes it: 12 to 30 ASCII digits.
[[nodiscard]] bool isAccountNumber(std::string_view text);
/// What is wrong with an end-to-end reference (1 to 35 printable ASCII characters, no space, no
/// `|`); empty when it is fine. Never repeats the reference itself.
[[nodiscard]] std::string referenceProblem(std::string_view reference);
/// A calendar date written `YYYYMMDD` (`dashed`: `YYYY-MM-DD`).
[[nodiscard]] bool isDate(std::string_view text, bool dashed);
/// `text` without leading and trailing ASCII spaces.
[[nodiscard]] std::string_view trimSpaces(std::string_view text);
/// Shows a field in a message: quoted, shortened when long, control bytes escaped.
[[nodiscard]] std::string quoted(std::string_view text);

}  // namespace edupay::banksim
