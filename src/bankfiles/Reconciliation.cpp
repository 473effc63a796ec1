#include "bankfiles/Reconciliation.h"

#include <iterator>
#include <map>
#include <utility>

namespace edupay::bankfiles {
namespace {

bool cameBack(const PaymentState& s) {
  return s.outcome == "returned" || s.returned_after_payment || s.payment_status == "returned" ||
         s.payment_status == "failed";
}

void add(int64_t& n, Money& sum, int64_t count, Money amount) {
  n += count;
  sum += amount;
}

/// The count and amount each bucket adds to, in the order of Bucket.
constexpr std::pair<int64_t ReconcileRow::*, Money ReconcileRow::*> kBucketTotals[] = {
    {&ReconcileRow::paid_n, &ReconcileRow::paid},
    {&ReconcileRow::returned_n, &ReconcileRow::returned},
    {&ReconcileRow::in_bank_n, &ReconcileRow::in_bank},
    {&ReconcileRow::approved_n, &ReconcileRow::approved},
    {&ReconcileRow::in_approval_n, &ReconcileRow::in_approval}};
static_assert(std::size(kBucketTotals) == static_cast<size_t>(Bucket::kInApproval) + 1);

}  // namespace

Bucket bucketOf(const PaymentState& s) {
  if (s.outcome == "paid" && !s.returned_after_payment) return Bucket::kPaid;
  if (cameBack(s)) return Bucket::kReturned;
  const std::string& b = s.batch_status;
  if (b != "draft" && b != "submitted" && b != "rejected" && b != "approved")
    return Bucket::kInBank;
  return b == "approved" ? Bucket::kApproved : Bucket::kInApproval;
}

bool countsAsReissued(const PaymentState& s) { return s.reissue && !cameBack(s); }

std::vector<ReconcileRow> reconcileRows(const std::vector<EntitledGroup>& entitled,
                                        const std::vector<PaymentGroup>& payments,
                                        const std::vector<AwaitingGroup>& awaiting) {
  std::map<std::pair<std::string, std::string>, ReconcileRow> rows;
  auto row = [&](const std::string& programme, const std::string& region) -> ReconcileRow& {
    auto& r = rows[{programme, region}];
    r.programme = programme;
    r.region = region;
    return r;
  };
  for (const auto& e : entitled) {
    auto& r = row(e.programme, e.region);
    add(r.entitled_n, r.entitled, e.count, e.amount);
    add(r.unbatched_n, r.unbatched, e.unbatched_count, e.unbatched_amount);
  }
  for (const auto& g : payments) {
    auto& r = row(g.programme, g.region);
    const auto& [n, sum] = kBucketTotals[static_cast<size_t>(bucketOf(g.state))];
    add(r.*n, r.*sum, g.count, g.amount);
    if (countsAsReissued(g.state)) add(r.reissued_n, r.reissued, g.count, g.amount);
  }
  for (const auto& a : awaiting) {
    auto& r = row(a.programme, a.region);
    add(r.awaiting_account_n, r.awaiting_account, a.count, a.amount);
  }
  std::vector<ReconcileRow> out;
  out.reserve(rows.size());
  for (auto& [key, r] : rows) out.push_back(std::move(r));
  return out;
}

Message reconcileRowMessage(const ReconcileRow& r) {
  return msg(
      "bank.reconcile.row",
      {arg("programme", r.programme), arg("region", r.region), arg("entitled_n", r.entitled_n),
       arg("entitled", r.entitled.toYuanGrouped()), arg("paid_n", r.paid_n),
       arg("paid", r.paid.toYuanGrouped()), arg("in_bank_n", r.in_bank_n),
       arg("approved_n", r.approved_n), arg("in_approval_n", r.in_approval_n),
       arg("unbatched_n", r.unbatched_n), arg("returned_n", r.returned_n),
       arg("returned", r.returned.toYuanGrouped()), arg("awaiting_n", r.awaiting_account_n),
       arg("reissued_n", r.reissued_n), arg("outstanding_n", r.outstandingCount()),
       arg("outstanding", r.outstanding().toYuanGrouped())});
}

Message reconcileCheckMessage(const ReconcileRow& r) {
  const int64_t parts_n = r.paid_n + r.in_bank_n + r.approved_n + r.in_approval_n + r.unbatched_n;
  const Money parts = r.paid + r.in_bank + r.approved + r.in_approval + r.unbatched;
  return msg(r.addsUp() ? "bank.reconcile.row_adds_up" : "bank.reconcile.row_does_not_add_up",
             {arg("entitled_n", r.entitled_n), arg("entitled", r.entitled.toYuanGrouped()),
              arg("parts_n", parts_n), arg("parts", parts.toYuanGrouped())});
}

}  // namespace edupay::bankfiles
