#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "app/Cli.h"
#include "app/CliContext.h"
#include "common/Error.h"
#include "security/Users.h"

namespace edupay::app {
namespace {

/// Only a sysadmin manages users; the very first user (a sysadmin) needs no login.
std::string userManager(Context& c, bool bootstrap_allowed) {
  if (bootstrap_allowed && c.security().countUsers() == 0) return "bootstrap";
  const auto me = c.actingUser();
  if (me.role != security::Role::kSysadmin) {
    throw Error(ErrorCode::kForbidden, "only a sysadmin manages users; " + me.name + " is " +
                                           std::string(security::code(me.role)));
  }
  return me.name;
}

int userAdd(Context& c) {
  const std::string& name = c.word(2, "NAME");
  const auto role = security::parseRole(c.args().get("role"));
  if (!role) {
    throw Error(ErrorCode::kInvalidInput,
                "--role must be one of school_admin, bureau_officer, bureau_approver, "
                "bank_operator, auditor, sysadmin");
  }
  const std::string scope = c.args().get("scope");
  security::validateScope(*role, scope);
  if (name.empty() || name.size() > 64 || name.find_first_of(" \t:") != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput,
                "a user name is 1-64 characters without spaces or colons");
  }
  const bool first = c.security().countUsers() == 0;
  if (first && *role != security::Role::kSysadmin) {
    throw Error(ErrorCode::kInvalidInput,
                "the first user must be a sysadmin (--role sysadmin --scope '*')");
  }
  const std::string actor = userManager(c, true);
  security::User u;
  u.name = name;
  u.role = *role;
  u.scope = scope;
  u.password_hash = security::PasswordHasher().hash(
      readPassword(c, "EDUPAY_NEW_PASSWORD", "new password for " + name));
  u.created_on = u.updated_on = security::nowIso();
  auto tx = c.security().transaction();
  c.security().addUser(u);
  security::appendAudit(c.security(), actor, "user.add", "user:" + name, "",
                        std::string(security::code(u.role)) + " " + u.scope);
  tx->commit();
  c.out() << "added user " << name << " (" << security::code(u.role) << ", scope " << scope
          << ")\n";
  return kExitOk;
}

int userChange(Context& c, const std::string& what) {
  const std::string& name = c.word(2, "NAME");
  const auto me = c.actingUser();
  auto target = c.security().findUser(name);
  if (!target) throw Error(ErrorCode::kNotFound, "no user named " + name);
  const bool self = me.name == name;
  if (me.role != security::Role::kSysadmin && !(what == "passwd" && self)) {
    throw Error(ErrorCode::kForbidden, "only a sysadmin can " + what + " another user");
  }
  if (what == "disable" && self)
    throw Error(ErrorCode::kForbidden, "a sysadmin cannot disable their own account");
  std::string before, after;
  if (what == "passwd") {
    target->password_hash = security::PasswordHasher().hash(
        readPassword(c, "EDUPAY_NEW_PASSWORD", "new password for " + name));
    target->failed_logins = 0;
    target->locked_until.clear();
    after = "password changed";
  } else {
    before = target->disabled ? "disabled" : "enabled";
    target->disabled = what == "disable";
    after = target->disabled ? "disabled" : "enabled";
  }
  target->updated_on = security::nowIso();
  auto tx = c.security().transaction();
  c.security().updateUser(*target);
  security::appendAudit(c.security(), me.name, "user." + what, "user:" + name, before, after);
  tx->commit();
  c.out() << "user " << name << ": " << after << "\n";
  return kExitOk;
}

int userList(Context& c) {
  const auto me = c.actingUser();
  if (me.role != security::Role::kSysadmin && me.role != security::Role::kAuditor) {
    throw Error(ErrorCode::kForbidden, "only a sysadmin or an auditor lists users");
  }
  const auto users = c.security().listUsers();
  if (c.json()) {
    Poco::JSON::Array arr;
    for (const auto& u : users) {
      Poco::JSON::Object o;
      o.set("name", u.name);
      o.set("role", std::string(security::code(u.role)));
      o.set("scope", u.scope);
      o.set("disabled", u.disabled);
      o.set("locked_until", u.locked_until);
      arr.add(o);
    }
    Poco::JSON::Object o;
    o.set("users", arr);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  for (const auto& u : users) {
    c.out() << u.name << "  " << security::code(u.role) << "  " << u.scope
            << (u.disabled ? "  disabled" : "")
            << (u.locked_until.empty() ? "" : "  locked until " + u.locked_until) << "\n";
  }
  return kExitOk;
}

}  // namespace

int cmdUser(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub == "add") return userAdd(c);
  if (sub == "disable" || sub == "enable" || sub == "passwd") return userChange(c, sub);
  if (sub == "list") return userList(c);
  throw Error(ErrorCode::kInvalidInput,
              "use: edupay user add|disable|enable|passwd NAME, or edupay user list");
}

int cmdAudit(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub != "verify") throw Error(ErrorCode::kInvalidInput, "use: edupay audit verify");
  const auto v = security::verifyAudit(c.security());
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("events", v.events);
    o.set("intact", !v.broken.has_value());
    if (v.broken) {
      o.set("first_broken_event", v.broken->seq);
      o.set("problem", v.broken->problem);
    }
    c.out() << toJson(o) << "\n";
  } else if (v.broken) {
    c.out() << "audit chain BROKEN at event " << v.broken->seq << ": " << v.broken->problem << " ("
            << v.events << " events before it verify)\n";
  } else {
    c.out() << "audit chain intact: " << v.events << " events verified\n";
  }
  return v.broken ? kExitConflict : kExitOk;
}

}  // namespace edupay::app
