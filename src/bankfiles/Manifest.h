#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bankfiles/Layout.h"
#include "bankfiles/PaymentFile.h"
#include "common/Message.h"
#include "common/Money.h"
#include "security/Signing.h"

namespace edupay::bankfiles {

/// A file written beside a payment file to a school: the students the payments cover
/// (templates/banks/README.md, "Annex of students"), in one encoding.
struct Annex {
  std::string file, encoding, sha256;
  int64_t students = 0;
  Money total;  ///< what the students' lines add up to: the payment file's total
};

/// What is beside every payment file (templates/banks/README.md, "Manifest and signature").
struct Manifest {
  int64_t batch = 0;
  std::string file;
  int part = 1, parts = 1;
  std::string layout, bank, payer_account;
  int64_t count = 0;
  Money total;
  std::string sha256, created, key_id;
  std::vector<Annex> annexes;  ///< payments to schools only; absent from the JSON when empty
};

/// The header of an annex CSV, and the column of its amount (yuan).
const std::vector<std::string>& annexHeader();
constexpr size_t kAnnexAmountColumn = 10;

/// The manifest as JSON: keys in a fixed order, LF line ends (so the same batch signs the same).
std::string renderManifest(const Manifest& m);
/// Error(kInvalidInput) naming `source` and the key that is missing or wrong.
Manifest parseManifest(const std::string& json, const std::string& source);
std::string manifestPath(const std::string& file);
std::string signaturePath(const std::string& file);
/// Writes `file.manifest.json` and `file.manifest.sig` atomically.
void writeSignedManifest(const std::string& file, const Manifest& m,
                         const security::SigningKey& key);

/// A payment file read back the way a bank would: its detail lines, and the totals its header
/// or trailer (or group header) claim.
struct FileContent {
  int64_t count = 0;
  Money total;
  std::vector<std::string> problems;      ///< header/trailer totals that disagree with the lines
  std::vector<Message> problem_messages;  ///< the same, for people (bank.file.*)
};
/// Reads a payment file of `layout`; `each` (optional) sees every detail line. Throws
/// Error(kInvalidInput) naming the file and line when the file is not of the layout.
FileContent readPaymentFile(const std::string& path, const Layout& layout,
                            const std::function<void(const PaymentLine&)>& each = {});

struct Verification {
  std::optional<Manifest> manifest;
  FileContent content;
  std::vector<std::string> problems;      ///< empty when the file is good (English)
  std::vector<Message> problem_messages;  ///< the same, for people (bank.verify.*, bank.file.*)
  bool ok() const { return problems.empty(); }
};
/// `edupay file verify`: the manifest's signature, the file's digest, and the file's own count
/// and total against the manifest's; for a payment file to schools also each annex named in the
/// manifest: present, its SHA-256, and its students' amounts adding up to the file's total.
/// Every failed check is a problem, in words.
Verification verifyPaymentFile(const std::string& file, const LayoutSet& layouts,
                               const security::VerifyingKey& key);

}  // namespace edupay::bankfiles
