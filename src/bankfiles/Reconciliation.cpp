#include "bankfiles/Reconciliation.h"

#include <map>
#include <utility>

namespace edupay::bankfiles {
namespace {

bool cameBack(const PaymentState& s) {
  return s.outcome == "returned" || s.returned_after_payment || s.payment_status == "returned" ||
         s.payment_status == "failed";
}

void addTo(int64_t& n, Money& sum, const PaymentGroup& g) {
  n += g.count;
  sum += g.amount;
}

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
    r.entitled_n += e.count;
    r.entitled += e.amount;
    r.unbatched_n += e.unbatched_count;
    r.unbatched += e.unbatched_amount;
  }
  for (const auto& g : payments) {
    auto& r = row(g.programme, g.region);
    switch (bucketOf(g.state)) {
      case Bucket::kPaid:
        addTo(r.paid_n, r.paid, g);
        break;
      case Bucket::kReturned:
        addTo(r.returned_n, r.returned, g);
        break;
      case Bucket::kInBank:
        addTo(r.in_bank_n, r.in_bank, g);
        break;
      case Bucket::kApproved:
        addTo(r.approved_n, r.approved, g);
        break;
      case Bucket::kInApproval:
        addTo(r.in_approval_n, r.in_approval, g);
        break;
    }
    if (countsAsReissued(g.state)) addTo(r.reissued_n, r.reissued, g);
  }
  for (const auto& a : awaiting) {
    auto& r = row(a.programme, a.region);
    r.awaiting_account_n += a.count;
    r.awaiting_account += a.amount;
  }
  std::vector<ReconcileRow> out;
  out.reserve(rows.size());
  for (auto& [key, r] : rows) out.push_back(std::move(r));
  return out;
}

}  // namespace edupay::bankfiles
