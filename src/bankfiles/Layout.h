#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/Message.h"

namespace edupay::bankfiles {

/// What a payment-file field shows (templates/banks/README.md, "Layout file").
enum class FieldValue {
  kText,  ///< the literal `text`
  kSeq,
  kAccount,
  kHolder,
  kAmount,
  kReference,
  kPurpose,
  kPayerAccount,
  kPayerName,
  kTotalCount,
  kTotalAmount,
  kDate,
  kBatch,
  kPart,
  kParts,
  kBankCode,
};
/// The name a layout file gives the value (`payer_account`; `text` for kText).
std::string_view code(FieldValue v);

struct Field {
  FieldValue value = FieldValue::kText;
  std::string text;  ///< for kText
  int width = 0;     ///< 0: as long as the value; fixed layouts: bytes in the encoding
  bool align_right = false;
  char pad = ' ';
};
using Record = std::vector<Field>;

/// What a bank's return (reason) code means, in Chinese and English (templates/banks/README.md,
/// "Return codes").
struct ReturnCodeText {
  std::string zh, en;
};
using ReturnCodes = std::map<std::string, ReturnCodeText>;

enum class LayoutKind { kDelimited, kFixed, kPain001 };
enum class FileEncoding { kGbk, kGb18030, kUtf8 };
enum class ResultKind { kPipeResult, kPain002 };

/// A bank's payment-file layout, loaded from a JSON template (templates/banks/*.json).
struct Layout {
  std::string name, description;
  LayoutKind kind = LayoutKind::kDelimited;
  FileEncoding encoding = FileEncoding::kGbk;
  std::string line_ending = "\r\n";
  char delimiter = '|';
  bool terminate_fields = false;
  bool quote = false;
  /// Delimited layouts: the bank's specification forbids changing a name (it compares the holder
  /// with its records character by character), so a value that starts like a spreadsheet formula
  /// stops the export; otherwise such a value gets the OWASP `'` prefix (text::neutraliseFormula).
  bool holder_verbatim = false;
  int max_lines = 2000;
  bool amount_in_fen = false;
  int amount_decimals = 2;
  std::vector<Record> header, trailer;
  Record detail;
  std::string version;  ///< pain.001.001.09 or pain.001.001.03
  ResultKind result = ResultKind::kPipeResult;
  /// The bank's own return codes (`return_codes`); the shared ISO 20022 codes are the LayoutSet's.
  ReturnCodes return_codes;

  /// `.xml` for pain.001, `.txt` otherwise.
  std::string extension() const { return kind == LayoutKind::kPain001 ? ".xml" : ".txt"; }
};

/// Parses a layout; Error(kInvalidInput) naming `source` and the key that is wrong (unknown keys
/// are refused so a typo does not silently change a bank's file).
Layout parseLayout(std::string_view json, const std::string& source);

/// The `return_codes` of a return-code file (`{"return_codes": {"AC04": {"zh": …, "en": …}}}`),
/// or of a layout; Error(kInvalidInput) naming `source` and the code that is wrong.
ReturnCodes parseReturnCodes(std::string_view json, const std::string& source);

/// The file of ISO 20022 status reason codes every layout shares (templates/banks).
inline constexpr const char* kIsoReturnCodesFile = "iso20022-return-codes.json";

/// The reason a returned payment shows people: the code's explanation in the reader's language
/// with the code beside it (「账户已销户（AC04）」, "account closed (AC04)"); for a code no
/// table explains, the bank's own text (or the bare code) with the code.
Message returnReason(const ReturnCodeText* explained, const std::string& code,
                     const std::string& bank_text);

/// The layouts shipped in templates/banks (built into the binary), then those of `dir` (when not
/// empty), which add to or replace them by name. `iso20022-return-codes.json` (in either place)
/// is not a layout but the ISO 20022 return codes every layout shares.
class LayoutSet {
 public:
  explicit LayoutSet(const std::string& dir = {});
  /// What `code` means for a bank using layout `layout` (the layout's own codes first, then the
  /// shared ISO 20022 codes); nullptr when neither explains it. An unknown layout has only the
  /// shared codes.
  const ReturnCodeText* explainReturnCode(const std::string& layout, const std::string& code) const;
  /// returnReason() with explainReturnCode().
  Message returnReason(const std::string& layout, const std::string& code,
                       const std::string& bank_text) const;
  const ReturnCodes& isoReturnCodes() const { return iso_; }
  /// Error(kNotFound) listing the known names.
  const Layout& get(const std::string& name) const;
  bool has(const std::string& name) const { return layouts_.count(name) > 0; }
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Layout> layouts_;
  ReturnCodes iso_;
};

/// The built-in templates: (file name, JSON) pairs (generated at build time).
const std::vector<std::pair<std::string, std::string>>& builtinLayouts();

}  // namespace edupay::bankfiles
