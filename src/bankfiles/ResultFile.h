#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankfiles/Layout.h"
#include "common/Message.h"
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
  /// pain.002: the message (OrgnlMsgId) and payment-information block (OrgnlPmtInfId) the line
  /// answers; empty for pipe-result.
  std::string message_id, block_id;
  /// Empty for a transaction line. For one payment of a message or block answered as a whole (see
  /// BlockStatus), where that answer came from, e.g. `group status RJCT of EDUPAY-B1-P1`.
  std::string from_status;
  /// The same, for people (bank.import.from_status); set with from_status.
  Message from_status_message;
};

/// A pain.002 status given to a whole message (OrgnlGrpInfAndSts/GrpSts) or payment-information
/// block (OrgnlPmtInfAndSts/PmtInfSts). It speaks for every payment of that message or block only
/// when no transaction line is listed under it (`applies`); with lines it is a summary and the
/// lines are the answer. A group status applies only when the file lists no transaction at all
/// and no block has a status of its own.
struct BlockStatus {
  bool group = true;        ///< GrpSts, else PmtInfSts
  std::string original_id;  ///< OrgnlMsgId / OrgnlPmtInfId
  std::string status;       ///< as written (empty when the block gives none)
  Outcome outcome = Outcome::kPending;
  std::string reason_code, reason_text;
  std::optional<int64_t> count;  ///< OrgnlNbOfTxs, when given
  std::optional<Money> total;    ///< OrgnlCtrlSum, when given
  int64_t transactions = 0;      ///< transaction lines under it
  bool applies = false;
};

/// What a result file says besides its lines (pain.002; empty for pipe-result).
struct ResultSummary {
  std::string message_id;           ///< OrgnlMsgId
  std::vector<BlockStatus> blocks;  ///< the group first, then each payment-information block
};

/// An ISO 20022 amount (xs:decimal: `1150`, `1150.0`, `1150.000`, `+1150.00`, `.5`) by value, in
/// fen. nullopt with `why` (bank.amount.*) when it is not a decimal, negative, or not a whole
/// number of fen.
std::optional<Money> parseIsoAmount(std::string_view text, Message* why);

/// When `path` is plainly not a bank's answer but one of the files we send (a pain.001 or pipe
/// payment file, a payment manifest, the student list beside a school payment): what it is and
/// what to upload instead (bank.result.kind.*). nullopt otherwise (the file is then read, and
/// refused line by line if it is broken).
std::optional<Message> notAResultFile(const std::string& path);

/// pain.002 when the file starts (after white space or a BOM) with '<', else pipe-result.
ResultKind detectResultKind(const std::string& path);

/// Streams the transaction lines of a file to `each`, then returns the message- and block-level
/// statuses (pain.002). Throws Error(kInvalidInput) naming the file and line for anything
/// malformed: a line with the wrong number of fields, an unknown status, a pipe-result amount that
/// is not yuan with 2 decimals, bytes invalid in GBK; for XML: a DTD or entity declaration
/// (refused before parsing, so neither external entities nor entity expansion ever happen),
/// malformed XML, a transaction without OrgnlEndToEndId or TxSts, an amount that is not a whole
/// number of fen, a rejection (of a transaction, or of a message or block that applies) without
/// the bank's reason. A reason is `StsRsnInf/Rsn/Cd` (ISO code) or `Rsn/Prtry` (the bank's own
/// code), with `AddtlInf` as its text.
ResultSummary readResultFile(const std::string& path, ResultKind kind,
                             const std::function<void(const ResultLine&)>& each);

}  // namespace edupay::bankfiles
