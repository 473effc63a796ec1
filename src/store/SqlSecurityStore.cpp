#include "store/SqlSecurityStore.h"

#include "common/Error.h"
#include "common/Retry.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

constexpr const char* kUserColumns =
    "SELECT id, name, password_hash, role, scope, disabled, failed_logins, locked_until, "
    "created_on, updated_on "
    "FROM users ";

security::User readUser(Statement& s) {
  security::User u;
  u.id = s.getInt(0);
  u.name = s.getText(1);
  u.password_hash = s.getText(2);
  u.role = stored(security::parseRole(s.getText(3)), "users", "role", u.id, s.getText(3));
  readColumns(s, 4, u.scope, u.disabled, u.failed_logins, u.locked_until, u.created_on,
              u.updated_on);
  return u;
}

}  // namespace

int64_t SqlSecurityStore::countUsers() { return queryInt(db_, "SELECT COUNT(*) FROM users"); }

std::optional<security::User> SqlSecurityStore::findUser(const std::string& name) {
  Statement& s = cachedQuery(db_, std::string(kUserColumns) + "WHERE name = ?", {name});
  std::optional<security::User> u;
  if (s.next()) u = readUser(s);
  s.reset();
  return u;
}

std::vector<security::User> SqlSecurityStore::listUsers() {
  auto s = db_.prepare(std::string(kUserColumns) + "ORDER BY name");
  std::vector<security::User> out;
  while (s->next()) out.push_back(readUser(*s));
  return out;
}

void SqlSecurityStore::addUser(const security::User& u) {
  try {
    execute(db_,
            "INSERT INTO users (name, password_hash, role, scope, disabled, failed_logins, "
            "created_on, updated_on) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            {u.name, u.password_hash, std::string(security::code(u.role)), u.scope,
             int64_t{u.disabled}, u.created_on, u.updated_on});
  } catch (const TransientError&) {
    throw;  // a deadlock or certification failure: the unit of work runs again
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kConflict) {
      throw Error(ErrorCode::kConflict, msg("user.exists", {arg("name", u.name)}));
    }
    throw;
  }
}

void SqlSecurityStore::updateUser(const security::User& u) {
  execute(db_,
          "UPDATE users SET password_hash = ?, role = ?, scope = ?, disabled = ?, failed_logins = "
          "?, locked_until = ?, "
          "updated_on = ? WHERE id = ?",
          {u.password_hash, std::string(security::code(u.role)), u.scope, int64_t{u.disabled},
           int64_t{u.failed_logins}, textOrNull(u.locked_until), u.updated_on, u.id});
}

std::optional<std::pair<int64_t, std::string>> SqlSecurityStore::lastAudit() {
  auto s = db_.prepare("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  if (!s->next()) return std::nullopt;
  return std::make_pair(s->getInt(0), s->getText(1));
}

void SqlSecurityStore::insertAudit(const security::AuditEvent& e) {
  try {
    execute(db_,
            "INSERT INTO audit_events (seq, at, actor, action, object, before_state, after_state, "
            "prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {e.seq, e.at, e.actor, e.action, e.object, e.before, e.after, e.prev_hash, e.hash});
  } catch (const TransientError&) {
    throw;
  } catch (const Error& ex) {
    // Another unit of work took the same sequence number (the chain's head) at the same time:
    // running this one again reads the new head and links after it.
    if (ex.code() != ErrorCode::kConflict) throw;
    throw TransientError(
        TransientError::Kind::kConflict, ErrorCode::kConflict, db_messages::busy(),
        "audit event " + std::to_string(e.seq) + " taken concurrently: " + ex.detail());
  }
  // The event's hash is the unit of work's idempotency key: after a connection lost at COMMIT,
  // finding it on another node means the transaction committed.
  db_.setCommitCheck("SELECT 1 FROM audit_events WHERE hash = ?", e.hash);
}

std::vector<security::AuditEvent> SqlSecurityStore::auditEvents(int64_t after_seq, size_t limit) {
  auto s = query(
      db_,
      "SELECT seq, at, actor, action, object, before_state, after_state, prev_hash, hash FROM "
      "audit_events "
      "WHERE seq > ? ORDER BY seq LIMIT ?",
      {after_seq, static_cast<int64_t>(limit)});
  std::vector<security::AuditEvent> out;
  while (s->next()) {
    out.push_back({s->getInt(0), s->getText(1), s->getText(2), s->getText(3), s->getText(4),
                   s->getText(5), s->getText(6), s->getText(7), s->getText(8)});
  }
  return out;
}

void SqlSecurityStore::addSession(const std::string& token_hash, const std::string& user_name,
                                  const std::string& created_at, const std::string& expires_at) {
  execute(db_,
          "INSERT INTO sessions (token_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, "
          "?)",
          {token_hash, user_name, created_at, expires_at});
}

std::optional<security::SecurityStore::StoredSession> SqlSecurityStore::findSession(
    const std::string& token_hash) {
  Statement& s =
      db_.cached("SELECT user_name, expires_at, revoked FROM sessions WHERE token_hash = ?");
  s.bind(1, token_hash);
  std::optional<StoredSession> out;
  if (s.next()) out = StoredSession{s.getText(0), s.getText(1), s.getInt(2) != 0};
  s.reset();
  return out;
}

void SqlSecurityStore::revokeSession(const std::string& token_hash) {
  execute(db_, "UPDATE sessions SET revoked = 1 WHERE token_hash = ?", {token_hash});
}

void SqlSecurityStore::revokeUserSessions(const std::string& user_name) {
  execute(db_, "UPDATE sessions SET revoked = 1 WHERE user_name = ? AND revoked = 0", {user_name});
}

}  // namespace edupay::store
