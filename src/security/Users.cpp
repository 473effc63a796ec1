#include "security/Users.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>

#include "common/AtomicFile.h"
#include "common/CodeTable.h"
#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "security/FieldCipher.h"

namespace edupay::security {
namespace {

constexpr std::array<CodeName<Role>, 7> kRoles{{
    {Role::kSchoolAdmin, "school_admin", "学校管理员", "school administrator"},
    {Role::kSchoolApprover, "school_approver", "学校资助审核人", "school approver"},
    {Role::kBureauOfficer, "bureau_officer", "教育局经办人员", "bureau officer"},
    {Role::kBureauApprover, "bureau_approver", "教育局审批人员", "bureau approver"},
    {Role::kBankOperator, "bank_operator", "银行操作员", "bank operator"},
    {Role::kAuditor, "auditor", "审计人员", "auditor"},
    {Role::kSysadmin, "sysadmin", "系统管理员", "system administrator"},
}};
constexpr int kMaxFailedLogins = 5;
constexpr int kLockMinutes = 15;

std::string isoAt(std::time_t t) {
  t += 8 * 3600;  // China Standard Time, no daylight saving
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buf;
}

std::time_t nowSeconds() {
  if (const char* fixed = std::getenv("EDUPAY_NOW")) {
    // Tests pin the clock: seconds since the epoch.
    return static_cast<std::time_t>(std::atoll(fixed));
  }
  return std::time(nullptr);
}

}  // namespace

std::optional<Role> parseRole(std::string_view s) { return parseIn(kRoles, s); }

std::string_view code(Role r) { return codeIn(kRoles, r); }

namespace {
/// The role in an audit record: its Chinese name, its code in English (as recorded before).
MessageArg roleCodeArg(Role r) {
  for (const auto& e : kRoles)
    if (e.value == r) return words("role", std::string(e.zh), std::string(e.code));
  return arg("role", "?");
}
}  // namespace

MessageArg roleArg(std::string name, Role r) {
  for (const auto& e : kRoles)
    if (e.value == r) return words(std::move(name), std::string(e.zh), std::string(e.more));
  return arg(std::move(name), "?");
}

void validateScope(Role role, const std::string& scope) {
  const bool digits = text::isAllDigits(scope);
  switch (role) {
    case Role::kSchoolAdmin:
    case Role::kSchoolApprover:
      if (scope.size() == 10 && digits) return;
      throw Error(ErrorCode::kInvalidInput, msg("user.scope.school"));
    case Role::kBureauOfficer:
    case Role::kBureauApprover:
    case Role::kAuditor:
      if ((scope.size() == 2 || scope.size() == 4 || scope.size() == 6) && digits) return;
      throw Error(ErrorCode::kInvalidInput, msg("user.scope.region"));
    case Role::kBankOperator:
      if (scope.size() == 3 && digits) return;
      throw Error(ErrorCode::kInvalidInput, msg("user.scope.bank"));
    case Role::kSysadmin:
      if (scope == "*") return;
      throw Error(ErrorCode::kInvalidInput, msg("user.scope.sysadmin"));
  }
}

bool User::covers(const std::string& region_or_school) const {
  if (disabled) return false;
  switch (role) {
    case Role::kSchoolAdmin:
    case Role::kSchoolApprover:
      return region_or_school == scope;
    case Role::kBureauOfficer:
    case Role::kBureauApprover:
    case Role::kAuditor:
      return region_or_school.rfind(scope, 0) == 0;
    case Role::kBankOperator:
    case Role::kSysadmin:
      return false;
  }
  return false;
}

std::string nowIso() { return isoAt(nowSeconds()); }

Session openSession(SecurityStore& store, const PasswordHasher& hasher, const std::string& name,
                    const std::string& password, int minutes) {
  Session s;
  s.user = authenticate(store, hasher, name, password);
  s.token = randomSecret();
  const int64_t now = nowSeconds();
  s.expires_at = isoAt(now + int64_t{minutes} * 60);
  return retryUnit("security.openSession", [&] {
    auto tx = store.transaction();
    store.addSession(sha256Hex(s.token), s.user.name, isoAt(now), s.expires_at);
    tx->commit();
    return s;
  });
}

std::optional<Session> findLiveSession(SecurityStore& store, const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  const auto stored = store.findSession(sha256Hex(token));
  if (!stored || stored->revoked || stored->expires_at <= nowIso()) return std::nullopt;
  auto user = store.findUser(stored->user_name);
  if (!user || user->disabled) return std::nullopt;
  Session s;
  s.user = std::move(*user);
  s.expires_at = stored->expires_at;
  return s;
}

std::optional<User> sessionUser(SecurityStore& store, const std::string& token) {
  auto s = findLiveSession(store, token);
  if (!s) return std::nullopt;
  return std::move(s->user);
}

bool closeSession(SecurityStore& store, const std::string& token) {
  auto user = sessionUser(store, token);
  if (!user) return false;
  return retryUnit("security.closeSession", [&] {
    auto tx = store.transaction();
    store.revokeSession(sha256Hex(token));
    appendAudit(store, user->name, "logout", "user:" + user->name, Message(),
                msg("audit.rec.session_revoked"));
    tx->commit();
    return true;
  });
}

AuditEvent appendAudit(SecurityStore& store, const std::string& actor, const std::string& action,
                       const std::string& object, const std::string& before,
                       const std::string& after) {
  AuditEvent e;
  const auto last = store.lastAudit();
  e.seq = last ? last->first + 1 : 1;
  e.prev_hash = last ? last->second : kAuditGenesis;
  e.at = nowIso();
  e.actor = actor;
  e.action = action;
  e.object = object;
  e.before = before;
  e.after = after;
  e.hash = auditHash(e);
  store.insertAudit(e);
  return e;
}

AuditEvent appendAudit(SecurityStore& store, const std::string& actor, const std::string& action,
                       const std::string& object, const Message& before, const Message& after) {
  return appendAudit(store, actor, action, object, storedForm(before), storedForm(after));
}

AuditVerification verifyAudit(SecurityStore& store) {
  AuditVerification v;
  std::string prev = kAuditGenesis;
  int64_t after = 0;
  for (;;) {
    const auto batch = store.auditEvents(after, 10000);
    if (batch.empty()) break;
    if (auto b = verifyAuditChain(batch, prev, after + 1)) {
      v.broken = b;
      v.events += b->verified;
      return v;
    }
    v.events += static_cast<int64_t>(batch.size());
    prev = batch.back().hash;
    after = batch.back().seq;
  }
  return v;
}

namespace {

/// A hash of no one's password at the hasher's cost, so that an unknown user's login does the
/// same PBKDF2 work as a known one's. Computed once per cost.
const std::string& dummyHash(const PasswordHasher& hasher) {
  static std::mutex mutex;
  static std::map<int, std::string> by_cost;
  std::lock_guard lock(mutex);
  auto it = by_cost.find(hasher.iterations());
  if (it == by_cost.end())
    it = by_cost.emplace(hasher.iterations(), hasher.hash("no-such-user-Password-1")).first;
  return it->second;
}

}  // namespace

User authenticate(SecurityStore& store, const PasswordHasher& hasher, const std::string& name,
                  const std::string& password) {
  const std::time_t now = nowSeconds();
  const std::string now_iso = isoAt(now);
  // One answer for every refusal, and the same PBKDF2 work for each: whether a name exists, is
  // disabled or is locked is not told to whoever is guessing. The audit log records which it
  // was; `user list` shows a lock to the officer.
  const Message kRefused = msg("login.refused");
  std::optional<User> user;
  retryUnit("security.authenticate", [&] {
    auto tx = store.transaction();
    user = store.findUser(name);
    const bool password_ok =
        hasher.verify(password, user ? user->password_hash : dummyHash(hasher));
    if (!user) {
      appendAudit(store, name, "login.failed", "user:" + name, Message(),
                  msg("audit.rec.login.unknown_user"));
      tx->commit();
      throw Error(ErrorCode::kForbidden, kRefused);
    }
    if (user->disabled) {
      appendAudit(store, name, "login.failed", "user:" + name, Message(),
                  msg("audit.rec.login.disabled"));
      tx->commit();
      throw Error(ErrorCode::kForbidden, kRefused);
    }
    if (!user->locked_until.empty() && user->locked_until > now_iso) {
      appendAudit(store, name, "login.failed", "user:" + name, Message(),
                  msg("audit.rec.login.locked", {arg("until", user->locked_until)}));
      tx->commit();
      throw Error(ErrorCode::kForbidden, kRefused);
    }
    if (!password_ok) {
      ++user->failed_logins;
      Message outcome = msg("audit.rec.login.wrong_password",
                            {arg("failures", std::to_string(user->failed_logins))});
      if (user->failed_logins >= kMaxFailedLogins) {
        user->locked_until = isoAt(now + kLockMinutes * 60);
        outcome = msg("audit.rec.login.wrong_password_locked",
                      {arg("failures", std::to_string(user->failed_logins)),
                       arg("until", user->locked_until)});
        user->failed_logins = 0;
      }
      user->updated_on = now_iso;
      store.updateUser(*user);
      appendAudit(store, name, "login.failed", "user:" + name, Message(), outcome);
      tx->commit();
      throw Error(ErrorCode::kForbidden, kRefused);
    }
    user->failed_logins = 0;
    user->locked_until.clear();
    user->updated_on = now_iso;
    store.updateUser(*user);
    appendAudit(store, name, "login", "user:" + name, Message(),
                msg("audit.rec.login", {roleCodeArg(user->role), arg("scope", user->scope)}));
    tx->commit();
  });
  return *user;
}

namespace {
User addAccount(SecurityStore& store, const std::optional<User>& actor, const std::string& name,
                Role role, const std::string& scope, const std::string& password_hash,
                bool service);
}  // namespace

User addUser(SecurityStore& store, const std::optional<User>& actor, const std::string& name,
             Role role, const std::string& scope, const std::string& password) {
  validateScope(role, scope);
  return addAccount(store, actor, name, role, scope, PasswordHasher().hash(password), false);
}

User addServiceAccount(SecurityStore& store, const std::optional<User>& actor,
                       const std::string& name, Role role, const std::string& scope,
                       const std::string& secret) {
  validateScope(role, scope);
  return addAccount(store, actor, name, role, scope, PasswordHasher::hashSecret(secret), true);
}

namespace {
User addAccount(SecurityStore& store, const std::optional<User>& actor, const std::string& name,
                Role role, const std::string& scope, const std::string& password_hash,
                bool service) {
  if (name.empty() || name.size() > 64 || name.find_first_of(" \t:") != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, msg("user.name"));
  }
  return retryUnit("security.addAccount", [&] {
    auto tx = store.transaction();
    const bool first = store.countUsers() == 0;
    if (first && role != Role::kSysadmin) {
      throw Error(ErrorCode::kInvalidInput, msg("user.first_sysadmin"));
    }
    if (!first && !actor) throw Error(ErrorCode::kInvalidInput, msg("user.add_needs_actor"));
    if (actor && actor->role != Role::kSysadmin) {
      throw Error(ErrorCode::kForbidden, msg("user.sysadmin_only", {arg("user", actor->name),
                                                                    roleArg("role", actor->role)}));
    }
    User u;
    u.name = name;
    u.role = role;
    u.scope = scope;
    u.password_hash = password_hash;
    u.created_on = u.updated_on = nowIso();
    store.addUser(u);
    appendAudit(store, actor ? actor->name : "bootstrap", "user.add", "user:" + name, Message(),
                msg(service ? "audit.rec.user.add_service" : "audit.rec.user.add",
                    {roleCodeArg(u.role), arg("scope", u.scope)}));
    tx->commit();
    return u;
  });
}
}  // namespace

User changeUser(SecurityStore& store, const User& actor, const std::string& name,
                const std::string& what, const std::string& password) {
  return retryUnit("security.changeUser", [&] {
    auto tx = store.transaction();
    auto target = store.findUser(name);
    if (!target) throw Error(ErrorCode::kNotFound, msg("user.not_found", {arg("user", name)}));
    const bool self = actor.name == name;
    if (actor.role != Role::kSysadmin && !(what == "passwd" && self)) {
      throw Error(ErrorCode::kForbidden,
                  msg("user.change_sysadmin_only", {words("change",
                                                          what == "passwd" ? "修改其他用户的密码"
                                                          : what == "disable" ? "停用其他用户"
                                                                              : "启用其他用户",
                                                          what + " another user")}));
    }
    if (what == "disable" && self) throw Error(ErrorCode::kForbidden, msg("user.disable_self"));
    Message before;
    const auto enabled = [](bool disabled) {
      return msg(disabled ? "audit.rec.user.disabled" : "audit.rec.user.enabled");
    };
    if (what == "passwd") {
      target->password_hash = PasswordHasher().hash(password);
      target->failed_logins = 0;
      target->locked_until.clear();
    } else if (what == "disable" || what == "enable") {
      before = enabled(target->disabled);
      target->disabled = what == "disable";
    } else {
      throw Error(ErrorCode::kInvalidInput, "unknown user change `" + what + "`");
    }
    target->updated_on = nowIso();
    store.updateUser(*target);
    // Whoever knew the old password, or held the disabled account, is out at once.
    if (what != "enable") store.revokeUserSessions(name);
    appendAudit(store, actor.name, "user." + what, "user:" + name, before,
                msg(what == "enable"    ? "audit.rec.user.enabled"
                    : what == "disable" ? "audit.rec.user.disabled_sessions_ended"
                                        : "audit.rec.user.passwd_sessions_ended"));
    tx->commit();
    return *target;
  });
}

std::string randomSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw Error(ErrorCode::kInternal, "RAND_bytes failed");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  OPENSSL_cleanse(bytes, sizeof bytes);
  return out;
}

void writeCredentialFile(const std::string& path, const std::string& secret) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    throw Error(ErrorCode::kConflict, msg("credential.exists", {arg("file", path)}));
  }
  const mode_t old_mask = ::umask(0077);
  try {
    writeFileAtomically(path, secret + "\n");
  } catch (...) {
    ::umask(old_mask);
    throw;
  }
  ::umask(old_mask);
  ::chmod(path.c_str(), 0600);
}

std::string readCredentialFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error(ErrorCode::kNotFound, msg("credential.not_found", {arg("file", path)}));
  if (!S_ISREG(st.st_mode) || st.st_size > 1024)
    throw Error(ErrorCode::kForbidden, msg("credential.not_one", {arg("file", path)}));
  if ((st.st_mode & 0077) != 0) {
    throw Error(ErrorCode::kForbidden, msg("credential.readable", {arg("file", path)}));
  }
  std::ifstream in(path, std::ios::binary);
  std::string secret;
  std::getline(in, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.empty())
    throw Error(ErrorCode::kForbidden, msg("credential.empty", {arg("file", path)}));
  return secret;
}

}  // namespace edupay::security
