#pragma once

#include <functional>
#include <optional>
#include <string>

#include "bankfiles/Layout.h"
#include "common/Money.h"

namespace edupay::bankfiles {

enum class Outcome { kPaid, kReturned, kPending };
std::string_view code(Outcome o);

/// One line of a bank's answer (templates/banks/README.md, "Results").
struct ResultLine {
  int64_t line = 0;  ///< line in the file (pipe-result) or transaction number (pain.002)
  std::string reference;
  Outcome outcome = Outcome::kPending;
  std::string reason_code, reason_text, bank_txn_id;
  std::optional<Money> amount;
};

/// pain.002 when the file starts (after white space or a BOM) with '<', else pipe-result.
ResultKind detectResultKind(const std::string& path);

/// Streams the result lines of a file to `each`. Throws Error(kInvalidInput) naming the file and
/// line for anything malformed: a line with the wrong number of fields, an unknown status, an
/// amount that is not yuan with 2 decimals, bytes invalid in GBK; for XML: a DTD or entity
/// declaration (refused before parsing, so neither external entities nor entity expansion ever
/// happen), malformed XML, a transaction without OrgnlEndToEndId or TxSts.
void readResultFile(const std::string& path, ResultKind kind,
                    const std::function<void(const ResultLine&)>& each);

}  // namespace edupay::bankfiles
