#pragma once
// What the entitlement run reads and writes, behind an interface (the SQL store implements it).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Lease.h"
#include "common/StoreTransaction.h"
#include "rules/Engine.h"

namespace edupay::rules {

/// A stored entitlement (student x programme x term), as the run compares it.
struct StoredEntitlement {
  int64_t id = 0;
  int64_t person_id = 0;
  std::string programme;
  std::string status;
  int64_t amount_fen = 0;
  int64_t account_id = 0;
  std::string paying_region;
  std::string reason;
  int64_t version = 0;
  bool locked = false;  ///< in an approved or paid batch: never changed silently
  /// The reason's sentences are stored (rows written before migration 0016 name none).
  bool has_reason_messages = true;
};

/// The facts of a range of students and what is already stored for them.
struct FactBatch {
  int64_t first_person_id = 0;  ///< inclusive bounds of the keyset range covered
  int64_t last_person_id = 0;
  std::vector<StudentFacts> students;
  std::vector<StoredEntitlement> existing;  ///< for the term, within the range, sorted by person
};

/// What one entitlement write does.
struct EntitlementWrite {
  /// kSentences: an unchanged decision stored without its reason's sentences gets them, and
  /// nothing else changes (no new version, no history row).
  enum class Kind { kInsert, kUpdate, kSentences } kind = Kind::kInsert;
  int64_t existing_id = 0;  ///< for updates
  int64_t person_id = 0;
  int64_t school_id = 0;
  Decision decision;
  std::string reason;
  std::string reason_messages;  ///< the reason's sentences (storedTrace); "" when none
  std::string reason_sha;       ///< SHA-256 (hex) of reason_messages, its key; "" when none
};

struct StoredPolicy {
  int64_t id = 0;
  std::string name, sha256, content, activated_on;
};

/// Persistence for policies and entitlements (implemented in src/store).
class EntitlementStore {
 public:
  virtual ~EntitlementStore() = default;
  virtual std::unique_ptr<StoreTransaction> transaction() = 0;

  virtual std::optional<StoredPolicy> activePolicy() = 0;
  /// Stores and activates a resolved policy (the same content twice is one row, re-activated).
  virtual int64_t activatePolicy(const std::string& name, const std::string& sha256,
                                 const std::string& content) = 0;

  /// Streams students enrolled on `reference` (optionally only those whose school or household is
  /// in `region_prefix`) in keyset batches of about `batch_size`, with their existing entitlements
  /// for `term`. Memory stays bounded by the batch.
  virtual void forEachFactBatch(const Term& term, const Date& reference, int academic_year,
                                const std::string& region_prefix, size_t batch_size,
                                const std::function<void(FactBatch&)>& fn) = 0;
  /// The facts of one student (by person id) on `reference`; nullopt when not enrolled then.
  virtual std::optional<StudentFacts> studentFacts(int64_t person_id, const Date& reference,
                                                   int academic_year) = 0;
  virtual std::optional<int64_t> personIdByHash(const std::string& rid_hash) = 0;
  virtual std::vector<StoredEntitlement> entitlementsOf(int64_t person_id, const Term& term) = 0;

  virtual int64_t beginEntitlementRun(const Term& term, const std::string& region,
                                      int64_t policy_id) = 0;
  /// May move from `writes`.
  virtual void writeEntitlements(const Term& term, int64_t run_id, int64_t policy_id,
                                 std::vector<EntitlementWrite>& writes) = 0;
  virtual void finishEntitlementRun(int64_t run_id, const std::string& summary_json) = 0;

  /// A run of `term` and `region` that started and never finished (the latest), with the policy it
  /// ran and its progress (empty before its first chunk committed).
  struct OpenRun {
    int64_t id = 0, policy_id = 0;
    std::string progress;
  };
  virtual std::optional<OpenRun> openEntitlementRun(const Term& term,
                                                    const std::string& region) = 0;
  /// Records how far a chunked run got (inside the chunk's transaction).
  virtual void saveRunProgress(int64_t run_id, const std::string& progress_json) = 0;
  /// Leases for exclusive work (one run per term and region at a time).
  virtual LeaseStore& leases() = 0;
};

}  // namespace edupay::rules
