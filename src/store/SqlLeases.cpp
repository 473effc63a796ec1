#include "store/SqlLeases.h"

namespace edupay::store {

std::pair<std::string, std::string> SqlLeases::leaseHolder(const std::string& name) {
  auto s = query(db_, "SELECT holder, expires_at FROM job_leases WHERE name = ?", {name});
  if (!s->next()) return {};
  return {s->getText(0), s->getText(1)};
}

bool SqlLeases::takeLease(const std::string& name, const std::string& holder,
                          const std::string& now, const std::string& expires_at,
                          const std::string& stale_holder) {
  execute(db_,
          db_.dialect() == Dialect::kMySQL
              ? "INSERT IGNORE INTO job_leases (name, holder, expires_at) VALUES (?, '', '')"
              : "INSERT OR IGNORE INTO job_leases (name, holder, expires_at) VALUES (?, '', '')",
          {name});
  // One conditional UPDATE decides: of two processes racing, one matches the condition.
  execute(db_,
          "UPDATE job_leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = '' OR "
          "expires_at < ? OR holder = ? OR (? <> '' AND holder = ?))",
          {holder, expires_at, name, now, holder, stale_holder, stale_holder});
  // Read back rather than trusting the affected-row count (MySQL counts an unchanged row as 0).
  return leaseHolder(name).first == holder;
}

void SqlLeases::releaseLease(const std::string& name, const std::string& holder) {
  execute(db_, "UPDATE job_leases SET holder = '', expires_at = '' WHERE name = ? AND holder = ?",
          {name, holder});
}

}  // namespace edupay::store
