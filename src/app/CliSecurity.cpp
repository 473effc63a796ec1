#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "app/Cli.h"
#include "app/CliContext.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "security/Users.h"

#include <unistd.h>

namespace edupay::app {
namespace {

int userAdd(Context& c) {
  const std::string& name = c.word(2, "NAME");
  const auto role = security::parseRole(c.args().get("role"));
  if (!role) {
    throw Error(ErrorCode::kInvalidInput,
                msg("cli.user.role", {arg("value", c.args().get("role"))}));
  }
  // The very first user (a sysadmin) is added without a login; every later one by a sysadmin.
  std::optional<security::User> actor;
  if (c.security().countUsers() > 0 || c.args().has("as")) actor = c.actingUser();
  // A service account for unattended jobs gets a random secret in a file only its owner reads.
  const std::string credential = c.args().get("credential-file");
  if (!credential.empty() && ::access(credential.c_str(), F_OK) == 0) {
    throw Error(ErrorCode::kConflict, msg("credential.exists", {arg("file", credential)}));
  }
  const std::string secret = credential.empty()
                                 ? readPassword(c, "EDUPAY_NEW_PASSWORD",
                                                msg("cli.password.new_prompt", {arg("user", name)}))
                                 : security::randomSecret();
  // The file first: if the account cannot be added, the file is removed again.
  if (!credential.empty()) security::writeCredentialFile(credential, secret);
  security::User u;
  try {
    u = credential.empty()
            ? security::addUser(c.security(), actor, name, *role, c.args().get("scope"), secret)
            : security::addServiceAccount(c.security(), actor, name, *role, c.args().get("scope"),
                                          secret);
  } catch (...) {
    if (!credential.empty()) ::unlink(credential.c_str());
    throw;
  }
  const auto role_words = security::roleArg("role", u.role);
  c.out() << c.text(credential.empty() ? msg("cli.user.added", {arg("user", u.name), role_words,
                                                                arg("scope", u.scope)})
                                       : msg("cli.user.added_service",
                                             {arg("user", u.name), role_words,
                                              arg("scope", u.scope), arg("file", credential)}))
          << "\n";
  return kExitOk;
}

int userChange(Context& c, const std::string& what) {
  const std::string& name = c.word(2, "NAME");
  const auto me = c.actingUser();
  const std::string password =
      what == "passwd" ? readPassword(c, "EDUPAY_NEW_PASSWORD",
                                      msg("cli.password.new_prompt", {arg("user", name)}))
                       : "";
  const auto u = security::changeUser(c.security(), me, name, what, password);
  c.out() << c.text(msg(what == "passwd" ? "cli.user.password_changed"
                        : u.disabled     ? "cli.user.disabled"
                                         : "cli.user.enabled",
                        {arg("name", u.name)}))
          << "\n";
  return kExitOk;
}

int userList(Context& c) {
  const auto me = c.actingUser();
  if (me.role != security::Role::kSysadmin && me.role != security::Role::kAuditor) {
    throw Error(ErrorCode::kForbidden, msg("user.list_refused"));
  }
  const auto users = c.security().listUsers();
  if (c.json()) {
    Poco::JSON::Array arr;
    for (const auto& u : users) {
      Poco::JSON::Object o;
      json::set(o, "name", u.name, "role", std::string(security::code(u.role)), "scope", u.scope,
                "disabled", u.disabled, "locked_until", u.locked_until);
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
  throw Error(ErrorCode::kInvalidInput, msg("cli.user.usage"));
}

int cmdAudit(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub == "log") return cmdAuditLog(c);
  if (sub != "verify") throw Error(ErrorCode::kInvalidInput, msg("cli.audit.usage"));
  const auto v = security::verifyAudit(c.security());
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("events", v.events);
    o.set("intact", !v.broken.has_value());
    if (v.broken) {
      o.set("first_broken_event", v.broken->seq);
      o.set("problem", c.text(v.broken->problem_message));
    }
    c.out() << toJson(o) << "\n";
  } else if (v.broken) {
    c.out() << c.text(msg("cli.audit.broken", {arg("seq", std::to_string(v.broken->seq)),
                                               arg("problem", v.broken->problem_message),
                                               arg("count", std::to_string(v.events))}))
            << "\n";
  } else {
    c.out() << c.text(msg("cli.audit.intact", {arg("count", std::to_string(v.events))})) << "\n";
  }
  return v.broken ? kExitConflict : kExitOk;
}

}  // namespace edupay::app
