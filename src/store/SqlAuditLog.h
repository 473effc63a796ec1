#pragma once

#include "bankfiles/StudentTrace.h"
#include "security/AuditLog.h"
#include "store/Database.h"

namespace edupay::store {

/// The audit chain read for the operation log and the upload histories, and a student's trace
/// from entitlement to bank answer, on either dialect. Reads only.
class SqlAuditLog : public security::AuditLogStore, public bankfiles::StudentTraceStore {
 public:
  explicit SqlAuditLog(Database& db) : db_(db) {}
  std::vector<security::AuditEvent> searchAudit(const security::AuditQuery& q, int64_t before_seq,
                                                size_t limit) override;
  std::vector<security::ObjectScope> scopesOf(
      const std::vector<security::AuditEvent>& events) override;
  std::vector<int64_t> findPersons(const std::string& name, const std::string& rid_hash,
                                   const std::string& student_no, size_t limit) override;
  std::optional<bankfiles::TracedStudent> traceStudent(int64_t person_id) override;

 private:
  Database& db_;
};

}  // namespace edupay::store
