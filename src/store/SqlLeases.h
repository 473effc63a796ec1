#pragma once

#include "common/Lease.h"
#include "store/Database.h"

namespace edupay::store {

/// LeaseStore over the `job_leases` table of either dialect (autocommit statements: call these
/// outside a transaction).
class SqlLeases : public LeaseStore {
 public:
  explicit SqlLeases(Database& db) : db_(db) {}
  std::pair<std::string, std::string> leaseHolder(const std::string& name) override;
  bool takeLease(const std::string& name, const std::string& holder, const std::string& now,
                 const std::string& expires_at, const std::string& stale_holder) override;
  void releaseLease(const std::string& name, const std::string& holder) override;

 private:
  Database& db_;
};

}  // namespace edupay::store
