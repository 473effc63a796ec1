#pragma once

#include <map>

#include "disburse/Batches.h"
#include "store/Database.h"

namespace edupay::store {

/// Batches, payments and budgets over either dialect.
class SqlDisbursementStore : public disburse::DisbursementStore {
 public:
  explicit SqlDisbursementStore(Database& db) : db_(db) {}
  std::unique_ptr<StoreTransaction> transaction() override;
  std::vector<std::pair<std::string, std::string>> candidateGroups(const std::string& programme,
                                                                   const Term& term,
                                                                   const std::string& region_prefix,
                                                                   int64_t& unbankable) override;
  std::vector<disburse::Candidate> candidates(const std::string& programme, const Term& term,
                                              const std::string& region, const std::string& bank,
                                              int64_t after_id, size_t limit) override;
  int maxLines(const std::string& bank_code) override;
  std::vector<disburse::Threshold> thresholds() override;
  int64_t createBatch(const disburse::BatchPlan& plan) override;
  std::optional<disburse::Batch> loadBatch(int64_t id) override;
  std::vector<disburse::Batch> listBatches(const std::string& term,
                                           const std::string& region_prefix) override;
  bool transition(int64_t id, int expected_version, disburse::BatchStatus status,
                  int cycle) override;
  void addAction(int64_t batch_id, const disburse::BatchAction& action) override;
  void commitBudget(const disburse::Batch& b, int fiscal_year) override;
  void importBudget(const std::vector<disburse::BudgetLine>& lines) override;
  std::vector<disburse::BudgetLine> budgets(const std::string& region_prefix,
                                            int fiscal_year) override;
  int64_t flagBatch(const disburse::Batch& b, int shared_account_limit) override;
  std::vector<disburse::Flag> flags(int64_t batch_id) override;
  std::optional<disburse::Flag> flag(int64_t flag_id) override;
  void clearFlag(int64_t flag_id, const std::string& user, const std::string& reason) override;
  std::optional<std::tuple<int64_t, std::string, std::string>> school(
      const std::string& code) override;
  std::vector<disburse::NoticeEntry> noticeEntries(const std::string& programme, const Term& term,
                                                   int64_t school_id) override;
  int64_t saveNotice(const disburse::NoticeInfo& info, int64_t school_id,
                     const std::string& sha256) override;
  std::vector<std::pair<std::string, std::string>> noticeWindows(int64_t batch_id) override;
  int64_t openObjections(int64_t batch_id) override;
  std::optional<std::pair<int64_t, std::string>> entitlementFor(const std::string& rid_hash,
                                                                const std::string& programme,
                                                                const Term& term) override;
  int64_t addObjection(int64_t entitlement_id, const std::string& user,
                       const std::string& text) override;
  void resolveObjection(int64_t id, const std::string& user, const std::string& decision,
                        const std::string& resolution) override;
  std::optional<std::string> objectionRegion(int64_t id) override;
  std::optional<PaymentRef> payment(int64_t payment_id) override;
  bool removePayment(int64_t payment_id, const PaymentRef& p, int expected_version,
                     int required_approvals, const std::string& user,
                     const std::string& reason) override;

 private:
  Database& db_;
  std::map<std::string, int> max_lines_;
};

}  // namespace edupay::store
