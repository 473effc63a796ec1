#pragma once

#include "security/Users.h"
#include "store/Database.h"
#include "store/SqlStore.h"

namespace edupay::store {

/// Users and the audit chain over either dialect.
class SqlSecurityStore : public SqlStore<security::SecurityStore> {
 public:
  explicit SqlSecurityStore(Database& db) : SqlStore(db) {}
  int64_t countUsers() override;
  std::optional<security::User> findUser(const std::string& name) override;
  std::vector<security::User> listUsers() override;
  void addUser(const security::User& user) override;
  void updateUser(const security::User& user) override;
  std::optional<std::pair<int64_t, std::string>> lastAudit() override;
  void insertAudit(const security::AuditEvent& e) override;
  std::vector<security::AuditEvent> auditEvents(int64_t after_seq, size_t limit) override;
  void addSession(const std::string& token_hash, const std::string& user_name,
                  const std::string& created_at, const std::string& expires_at) override;
  std::optional<StoredSession> findSession(const std::string& token_hash) override;
  void revokeSession(const std::string& token_hash) override;
  void revokeUserSessions(const std::string& user_name) override;

 private:
};

}  // namespace edupay::store
