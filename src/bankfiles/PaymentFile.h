#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bankfiles/Layout.h"
#include "common/Date.h"
#include "common/Money.h"

namespace edupay::bankfiles {

/// What a file's header and trailer show; the writer checks its lines add up to count and total.
struct FileHeader {
  int64_t batch = 0;
  int part = 1, parts = 1;
  std::string bank_code, payer_account, payer_name, purpose;
  Date date;
  int64_t count = 0;
  Money total;
};

/// One payment line, with the account in full (files go only to the bank).
struct PaymentLine {
  int64_t seq = 0;
  std::string reference, account, holder;
  Money amount;
};

/// UTF-8 to a layout's encoding, refusing characters the encoding lacks.
class Encoder {
 public:
  explicit Encoder(FileEncoding encoding);
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;
  /// Appends the encoded text; false (nothing appended) when a character cannot be encoded.
  bool append(std::string_view utf8, std::string& out);
  /// The characters of `utf8` that `append` refuses, each once in order of first appearance;
  /// empty when `append` would succeed. `batch build` asks this of every payee's holder name, so
  /// a name the export would refuse is flagged before anyone approves the batch.
  std::vector<std::string> unencodable(std::string_view utf8);
  const char* name() const;

 private:
  FileEncoding encoding_;
  void* cd_ = nullptr;  // iconv_t
};

/// Writes one payment file of a layout to a stream, record by record, in constant memory, and
/// computes its SHA-256 on the way. Throws Error(kInvalidInput) naming the payment (seq and
/// reference) and field when a value does not fit the layout (a character the encoding lacks, a
/// delimiter inside an unquoted field, a value wider than its fixed width).
class PaymentFileWriter {
 public:
  virtual ~PaymentFileWriter() = default;
  virtual void add(const PaymentLine& line) = 0;
  /// Writes the trailer; Error(kInternal) when the lines do not add up to the header's count and
  /// total. Returns the SHA-256 (hex) of everything written.
  virtual std::string finish() = 0;
};

std::unique_ptr<PaymentFileWriter> makeWriter(const Layout& layout, std::ostream& out,
                                              const FileHeader& header);

/// The amount as the layout writes it (`1500.00`, `1500.000` or `150000`).
std::string formatAmount(const Layout& layout, Money amount);

/// `<` `>` `&` `"` `'` escaped; Error(kInvalidInput) for characters XML 1.0 forbids.
std::string xmlEscape(std::string_view text);

}  // namespace edupay::bankfiles
