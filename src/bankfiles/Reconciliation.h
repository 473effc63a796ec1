#pragma once

// The reconciliation buckets (对账): where each payment of a term stands, as a pure function of
// what the store counted. The store keeps its grouped SQL (set-based: one row per programme,
// county and combination of states, never one per payment) and feeds the rows here. The report
// and its columns: README.md, `edupay reconcile report`.

#include <cstdint>
#include <string>
#include <vector>

#include "bankfiles/BankFiles.h"
#include "common/Message.h"

namespace edupay::bankfiles {

/// Where a payment stands in the reconciliation report.
enum class Bucket {
  kPaid,        ///< the bank paid it (and did not send the money back later)
  kReturned,    ///< the bank returned it, or sent the money back after paying it
  kInBank,      ///< exported to the bank, no answer yet
  kApproved,    ///< approved, not yet exported
  kInApproval,  ///< draft, submitted or rejected batch
};

/// The state of a payment as the store reads it.
struct PaymentState {
  std::string payment_status;  ///< payments.status: pending, sent, paid, returned, failed
  std::string
      batch_status;     ///< batches.status: draft, submitted, rejected, approved, exported, ...
  std::string outcome;  ///< payment_results.outcome: paid, returned, or empty (no answer)
  bool returned_after_payment = false;  ///< a payment_returns row: paid money came back later
  bool reissue = false;                 ///< attempt > 1: the re-issue of a returned payment
};

/// The bucket of a payment: an answer first (paid, unless the money came back later; returned),
/// then a returned or failed payment, then the batch's status (exported or later = in the bank,
/// approved, else in approval).
[[nodiscard]] Bucket bucketOf(const PaymentState& s);
/// A re-issue counts as re-issued while it has not itself come back.
[[nodiscard]] bool countsAsReissued(const PaymentState& s);

/// Counted entitlements of one programme and county (eligible; and those without a live payment:
/// not batched, or waiting for their re-issue).
struct EntitledGroup {
  std::string programme, region;
  int64_t count = 0, unbatched_count = 0;
  Money amount, unbatched_amount;
};

/// Covered entitlements of one programme and county in one payment state, counted per entitlement
/// (a payment to a school counts its students and their amounts).
struct PaymentGroup {
  std::string programme, region;
  PaymentState state;
  int64_t count = 0;
  Money amount;
};

/// Returned money of one programme and county waiting for a corrected account.
struct AwaitingGroup {
  std::string programme, region;
  int64_t count = 0;
  Money amount;
};

/// The report's rows, one per programme and county found in any input, ordered by programme then
/// county.
[[nodiscard]] std::vector<ReconcileRow> reconcileRows(const std::vector<EntitledGroup>& entitled,
                                                      const std::vector<PaymentGroup>& payments,
                                                      const std::vector<AwaitingGroup>& awaiting);

/// One row of the report as a sentence (bank.reconcile.row): entitled, paid, at the bank,
/// approved, in approval, not batched, returned (awaiting an account, re-issued), outstanding.
[[nodiscard]] Message reconcileRowMessage(const ReconcileRow& r);
/// Whether the row adds up (entitled = paid + at bank + approved + in approval + not batched), as
/// a sentence naming the numbers (bank.reconcile.row_adds_up / row_does_not_add_up).
[[nodiscard]] Message reconcileCheckMessage(const ReconcileRow& r);

}  // namespace edupay::bankfiles
