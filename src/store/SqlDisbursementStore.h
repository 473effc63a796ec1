#pragma once

#include <functional>
#include <map>

#include "bankfiles/BankFiles.h"
#include "disburse/Batches.h"
#include "store/Database.h"
#include "store/SqlLeases.h"
#include "store/SqlStore.h"

namespace edupay::store {

/// Batches, payments and budgets over either dialect. Precision flags, notices and objections are
/// in SqlBatchFlags.cpp.
class SqlDisbursementStore : public SqlStore<bankfiles::BankFileStore> {
 public:
  explicit SqlDisbursementStore(Database& db) : SqlStore(db), leases_(db) {}
  std::vector<std::pair<std::string, std::string>> candidateGroups(const std::string& programme,
                                                                   const Term& term,
                                                                   const std::string& region_prefix,
                                                                   int64_t& unbankable) override;
  std::vector<disburse::Candidate> candidates(const std::string& programme, const Term& term,
                                              const std::string& region, const std::string& bank,
                                              int64_t after_id, size_t limit) override;
  std::vector<disburse::Candidate> schoolCandidates(const std::string& programme, const Term& term,
                                                    const std::string& region,
                                                    const std::string& bank) override;
  std::vector<disburse::SchoolWithoutAccount> schoolsWithoutAccount(
      const std::string& programme, const Term& term, const std::string& region_prefix) override;
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
  std::string maskedStudent(int64_t person_id) override;
  void addFlag(int64_t batch_id, int64_t seq, const disburse::Finding& finding) override;
  void releaseBudget(const disburse::Batch& b, int fiscal_year) override;
  void recordReturn(int64_t batch_id, const disburse::BatchAction& action) override;
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

  // Bank files and reconciliation (SqlBankFileStore.cpp); result imports and the returned-funds
  // ledger (SqlReturns.cpp).
  std::vector<bankfiles::BankConfig> banks() override;
  std::optional<bankfiles::BankConfig> bank(const std::string& code) override;
  void setBank(const std::string& code, const std::string& layout, int max_lines) override;
  std::optional<bankfiles::Payer> payer(const std::string& region,
                                        const std::string& bank) override;
  void setPayer(const bankfiles::Payer& p) override;
  std::vector<bankfiles::PartTotals> partTotals(int64_t batch_id, int max_lines) override;
  std::vector<bankfiles::ExportRow> exportRows(int64_t batch_id, int64_t first_seq,
                                               int64_t last_seq, size_t limit) override;
  std::string exportedOn(int64_t batch_id) override;
  LeaseStore& leases() override { return leases_; }
  std::optional<bankfiles::ExportPlan> exportPlan(int64_t batch_id) override;
  void saveExportPlan(const bankfiles::ExportPlan& p) override;
  bool markExported(int64_t batch_id, int expected_version, const std::string& date,
                    const std::vector<bankfiles::ExportedFile>& files) override;
  std::vector<bankfiles::ExportedFile> exportedFiles(int64_t batch_id) override;
  std::optional<int64_t> resultImportByDigest(const std::string& sha256) override;
  bool resultImportFinished(int64_t import_id) override;
  int64_t beginResultImport(const std::string& sha256, const std::string& file,
                            const std::string& user, const std::string& at) override;
  void finishResultImport(int64_t id, int64_t lines, int64_t paid, int64_t returned,
                          int64_t pending) override;
  std::vector<std::optional<bankfiles::SentPayment>> paymentsByReference(
      const std::vector<std::string>& refs) override;
  void settle(const std::vector<Settlement>& answers, int64_t import_id,
              const std::string& date) override;
  void returnLate(const std::vector<Settlement>& answers, int64_t import_id,
                  const std::string& date) override;
  std::optional<bankfiles::SentFile> sentFile(int64_t batch_id, int part) override;
  std::vector<bankfiles::SettledShare> settledBy(int64_t import_id) override;
  void returnBudget(const std::string& programme, const std::string& region, int fiscal_year,
                    const std::string& source, Money returned) override;
  void settleBudget(const std::string& programme, const std::string& region, int fiscal_year,
                    const std::string& source, Money paid, Money returned) override;
  std::string settleBatch(int64_t batch_id) override;
  int64_t recordReturned(int64_t import_id, const std::string& date) override;
  int64_t releaseReturned(int64_t person_id, int64_t new_account_id) override;
  int64_t openReturns(int64_t batch_id) override;
  std::optional<int64_t> personOfPayment(const std::string& reference) override;
  std::optional<std::string> schoolOfPayment(const std::string& reference) override;
  std::vector<bankfiles::AnnexRow> annexRows(int64_t batch_id, int64_t first_seq,
                                             int64_t last_seq) override;
  std::vector<Returned> returnedFunds(const std::string& region_prefix) override;
  void reportFacts(const std::string& term, const std::string& region_prefix,
                   const std::function<void(const ReportFact&)>& each) override;
  std::optional<PaymentTrace> tracePayment(const std::string& reference) override;
  std::vector<bankfiles::ReconcileRow> reconcile(const Term& term,
                                                 const std::string& region_prefix) override;

 private:
  SqlLeases leases_;
  std::map<std::string, int> max_lines_;
};

}  // namespace edupay::store
