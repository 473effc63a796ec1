#pragma once

#include "rules/EntitlementStore.h"
#include "store/Database.h"
#include "store/SqlLeases.h"
#include "store/SqlStore.h"

namespace edupay::store {

/// EntitlementStore over either dialect. Facts are read per keyset range of person ids with one
/// query per kind of fact, so a batch of thousands of students costs a fixed number of queries.
/// One decision at a school, for the school's own list (masked).
struct SchoolEntitlement {
  int64_t id = 0, person_id = 0;
  std::string name, rid_mask, programme, status, reason, hold_reason;
  std::string reason_messages;  ///< the reason's sentences (rules::storedTrace), "" if none
  Money amount;
};

/// Keeps a reason's sentences (rules::storedTrace) under their SHA-256 in reason_sentences, once:
/// a key already kept is left as it is. Call inside the transaction that writes rows naming it.
void keepReasonSentences(Database& db, const std::string& sha256, const std::string& messages);

class SqlEntitlementStore : public SqlStore<rules::EntitlementStore> {
 public:
  explicit SqlEntitlementStore(Database& db) : SqlStore(db), leases_(db) {}

  std::optional<rules::StoredPolicy> activePolicy() override;
  int64_t activatePolicy(const std::string& name, const std::string& sha256,
                         const std::string& content) override;
  void forEachFactBatch(const Term& term, const Date& reference, int academic_year,
                        const std::string& region_prefix, size_t batch_size,
                        const std::function<void(rules::FactBatch&)>& fn) override;
  /// A school's decisions for a term by entitlement id after `after` (keyset pages); `status`
  /// filters when not empty.
  std::vector<SchoolEntitlement> schoolEntitlements(const std::string& school_code,
                                                    const Term& term, const std::string& status,
                                                    int64_t after, size_t limit);
  std::optional<rules::StudentFacts> studentFacts(int64_t person_id, const Date& reference,
                                                  int academic_year) override;
  std::optional<int64_t> personIdByHash(const std::string& rid_hash) override;
  std::vector<rules::StoredEntitlement> entitlementsOf(int64_t person_id,
                                                       const Term& term) override;
  int64_t beginEntitlementRun(const Term& term, const std::string& region,
                              int64_t policy_id) override;
  void writeEntitlements(const Term& term, int64_t run_id, int64_t policy_id,
                         std::vector<rules::EntitlementWrite>& writes) override;
  void finishEntitlementRun(int64_t run_id, const std::string& summary_json) override;
  std::optional<OpenRun> openEntitlementRun(const Term& term, const std::string& region) override;
  void saveRunProgress(int64_t run_id, const std::string& progress_json) override;
  LeaseStore& leases() override { return leases_; }

 private:
  /// Fills statuses, difficulty, accounts and nominations of `students` (sorted by person id,
  /// all within [lo, hi]).
  void fillFacts(std::vector<rules::StudentFacts>& students, int64_t lo, int64_t hi,
                 const Date& reference, int academic_year);
  SqlLeases leases_;
};

}  // namespace edupay::store
