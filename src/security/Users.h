#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/Message.h"
#include "common/StoreTransaction.h"
#include "security/AuditChain.h"
#include "security/PasswordHasher.h"

namespace edupay::security {

enum class Role {
  kSchoolAdmin,
  /// Decides the school's identification of needy students (资助对象认定, school working group):
  /// the second person of the school's maker-checker; scope as a school administrator's.
  kSchoolApprover,
  kBureauOfficer,
  kBureauApprover,
  kBankOperator,
  kAuditor,
  kSysadmin
};
std::optional<Role> parseRole(std::string_view s);
std::string_view code(Role r);
/// The role's name in each language (学校管理员 / school administrator), as a message argument.
MessageArg roleArg(std::string name, Role r);

/// Checks that a scope fits a role: a school administrator's or school approver's scope is a
/// 10-digit school code, a bureau officer's, approver's or auditor's a region code prefix (2, 4 or
/// 6 digits), a bank operator's a 3-digit bank code, a sysadmin's `*`. Throws Error(kInvalidInput)
/// saying which.
void validateScope(Role role, const std::string& scope);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kAuditor;
  std::string scope;
  bool disabled = false;
  int failed_logins = 0;
  std::string locked_until;  ///< ISO time; empty when not locked
  std::string password_hash;
  std::string created_on, updated_on;
  /// True when this user's scope covers a region code (bureau roles, auditors) or a school
  /// code (school administrators and approvers: their own school only).
  bool covers(const std::string& region_or_school) const;
};

/// Persistence of users and the audit chain (implemented in src/store).
class SecurityStore {
 public:
  virtual ~SecurityStore() = default;
  virtual std::unique_ptr<StoreTransaction> transaction() = 0;
  virtual int64_t countUsers() = 0;
  virtual std::optional<User> findUser(const std::string& name) = 0;
  virtual std::vector<User> listUsers() = 0;
  /// Error(kConflict) when the name is taken.
  virtual void addUser(const User& user) = 0;
  virtual void updateUser(const User& user) = 0;
  /// The last event (seq, hash), or nullopt for an empty chain.
  virtual std::optional<std::pair<int64_t, std::string>> lastAudit() = 0;
  /// Error(kConflict) when another writer took the same position first.
  virtual void insertAudit(const AuditEvent& e) = 0;
  /// Events in sequence order, from `after_seq` + 1, at most `limit`.
  virtual std::vector<AuditEvent> auditEvents(int64_t after_seq, size_t limit) = 0;

  struct StoredSession {
    std::string user_name, expires_at;
    bool revoked = false;
  };
  virtual void addSession(const std::string& token_hash, const std::string& user_name,
                          const std::string& created_at, const std::string& expires_at) = 0;
  virtual std::optional<StoredSession> findSession(const std::string& token_hash) = 0;
  virtual void revokeSession(const std::string& token_hash) = 0;
  /// Revokes every live session of the user.
  virtual void revokeUserSessions(const std::string& user_name) = 0;
};

/// Appends an event to the audit chain inside the caller's transaction: what the store holds is
/// linked to the event before it, so a later edit, deletion or reordering is detectable.
AuditEvent appendAudit(SecurityStore& store, const std::string& actor, const std::string& action,
                       const std::string& object, const std::string& before,
                       const std::string& after);
/// The same with the states as messages (messages/audit.json), kept in their stored form
/// (storedForm: the code, and each argument's words in both languages) so the operation log reads
/// them in the reader's language (auditText); an empty message keeps an empty state.
AuditEvent appendAudit(SecurityStore& store, const std::string& actor, const std::string& action,
                       const std::string& object, const Message& before, const Message& after);

struct AuditVerification {
  int64_t events = 0;
  std::optional<AuditBreak> broken;
};
/// Walks the whole chain in batches (constant memory).
AuditVerification verifyAudit(SecurityStore& store);

/// Checks a user's password. Wrong password or unknown user: the same message; five failures
/// lock the account for 15 minutes; a disabled user cannot log in. Successes and failures are
/// audited. Throws Error(kForbidden) with a message a user can act on.
User authenticate(SecurityStore& store, const PasswordHasher& hasher, const std::string& name,
                  const std::string& password);

/// Adds a user. `actor` is the logged-in sysadmin, or nullopt for the very first user, who must
/// be a sysadmin. Checks the name, the role's scope and the password; audited. Throws
/// Error(kForbidden / kInvalidInput / kConflict) with the reason.
User addUser(SecurityStore& store, const std::optional<User>& actor, const std::string& name,
             Role role, const std::string& scope, const std::string& password);
/// A service account for unattended jobs (same rules as addUser): its credential is `secret`
/// (64 hex characters, from randomSecret()), stored with PasswordHasher::hashSecret.
User addServiceAccount(SecurityStore& store, const std::optional<User>& actor,
                       const std::string& name, Role role, const std::string& scope,
                       const std::string& secret);

/// `what` is "disable", "enable" or "passwd" (`password` then holds the new one). A sysadmin may
/// change anyone but not disable themself; a user may change only their own password. Audited.
/// A disable or a password change ends every session of the user in the same transaction (a
/// service that saw the session in the last SessionCache::kSeconds may honour it that long).
User changeUser(SecurityStore& store, const User& actor, const std::string& name,
                const std::string& what, const std::string& password = "");

/// An API session: the bearer token is shown once; the store keeps only its SHA-256.
struct Session {
  std::string token, expires_at;
  User user;
};
/// Logs in (authenticate(): lockout, audit) and opens a session of `minutes`.
Session openSession(SecurityStore& store, const PasswordHasher& hasher, const std::string& name,
                    const std::string& password, int minutes);
/// The user of a live session; nullopt when the token is unknown, expired or revoked, or the
/// user is disabled.
std::optional<User> sessionUser(SecurityStore& store, const std::string& token);
/// The live session of a token (user and expiry; `token` left empty), or nullopt as above.
std::optional<Session> findLiveSession(SecurityStore& store, const std::string& token);
/// Revokes the session (audited); false when there was no live session.
bool closeSession(SecurityStore& store, const std::string& token);

/// The current time in UTC+8 as `YYYY-MM-DDTHH:MM:SS+08:00` (EDUPAY_NOW overrides, for tests).
std::string nowIso();

/// 32 random bytes as 64 hex characters (session tokens, service-account credentials).
std::string randomSecret();

/// A service account's credential file (`edupay user add NAME ... --credential-file FILE`): the
/// account's secret on one line, written with mode 600, never over an existing file. Unattended
/// jobs act as the account with `--as NAME --credential FILE` (or EDUPAY_CREDENTIAL) and their
/// actions are audited under its name. Error(kConflict) when FILE exists, kUnavailable when it
/// cannot be written.
void writeCredentialFile(const std::string& path, const std::string& secret);
/// Reads it back: Error(kNotFound) when missing, kForbidden when it is not a regular file of at
/// most 1 KiB or is readable by group or others (as for the key file: `chmod 600 FILE`).
std::string readCredentialFile(const std::string& path);

}  // namespace edupay::security
