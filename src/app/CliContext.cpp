#include "app/CliContext.h"

#include "app/Cli.h"
#include "common/Retry.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

namespace edupay::app {
namespace {

const std::map<std::string, bool> kKnownOptions = {
    // name -> takes a value
    {"db", true},           {"key-file", true},      {"json", false},
    {"dry-run", false},     {"accept-valid", false}, {"report", true},
    {"as-of", true},        {"encoding", true},      {"reveal", false},
    {"students", true},     {"seed", true},          {"out", true},
    {"single-file", false}, {"help", false},         {"source", true},
    {"programme", true},    {"year", true},          {"term", true},
    {"region", true},       {"exceptions", true},    {"lang", true},
    {"as", true},           {"role", true},          {"scope", true},
    {"reason", true},       {"school", true},        {"text", true},
    {"decision", true},     {"signing", true},       {"signing-key", true},
    {"public-key", true},   {"layouts", true},       {"layout", true},
    {"max-lines", true},    {"bank", true},          {"account", true},
    {"holder", true},       {"bank-code", true},     {"name", true},
    {"kind", true},         {"student", true},       {"csv", true},
    {"payment", true},      {"credential", true},    {"credential-file", true},
    {"status", true},       {"stage", true},         {"search", true},
    {"after", true},        {"limit", true},         {"all-schools", false},
    {"batch", true},        {"round-up", true},      {"headroom", true},
    {"to", true},           {"outcome", true},       {"hold", false},
    {"flag", false},        {"objection", false},    {"user", true},
    {"action", true},       {"object", true},        {"page", true},
};

/// The options of `edupay identify` (CliIdentify.cpp), name -> takes a value.
const std::map<std::string, bool> kIdentifyOptions = {
    {"members", true},         {"income-band", true},     {"indicators", true}, {"details", true},
    {"commitment-date", true}, {"notes", true},           {"change", false},    {"from", true},
    {"teacher", true},         {"representatives", true}, {"level", true},      {"percent", true},
    {"outcome", true},
};

}  // namespace

Lang cliLang(const Args& args) {
  if (!args.has("lang") || args.get("lang") == "both") return langFromEnvironment();
  if (const auto l = parseLang(args.get("lang")); l) return *l;
  throw Error(ErrorCode::kInvalidInput, msg("cli.lang", {arg("value", args.get("lang"))}));
}

Args parseArgs(const std::vector<std::string>& argv) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (w.rfind("--", 0) != 0 || w.size() == 2) {
      a.words.push_back(w);
      continue;
    }
    std::string name = w.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto known = kKnownOptions.find(name);
    auto identify = kIdentifyOptions.find(name);
    if (known == kKnownOptions.end() && identify == kIdentifyOptions.end())
      throw Error(ErrorCode::kInvalidInput, msg("cli.option.unknown", {arg("option", name)}));
    const bool takes_value = known != kKnownOptions.end() ? known->second : identify->second;
    if (takes_value && !value) {
      if (i + 1 >= argv.size())
        throw Error(ErrorCode::kInvalidInput, msg("cli.option.value", {arg("option", name)}));
      value = argv[++i];
    }
    a.options[name] = value.value_or("1");
  }
  return a;
}

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

int exitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return kExitUsage;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kConflict:
      return kExitConflict;
    case ErrorCode::kForbidden:
    case ErrorCode::kUnauthenticated:
      return kExitForbidden;
    case ErrorCode::kUnavailable:
      return kExitUnavailable;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

std::string toJson(const Poco::JSON::Object& o) {
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(o, s, 2);
  return s.str();
}

Date asOfDate(const Args& a) {
  if (!a.has("as-of")) return Date::today();
  auto d = Date::parse(a.get("as-of"));
  if (!d) throw Error(ErrorCode::kInvalidInput, msg("cli.as_of", {arg("value", a.get("as-of"))}));
  return *d;
}

std::string readPassword(Context& c, const char* env, const Message& prompt) {
  if (const char* p = std::getenv(env); p && *p) return p;
  c.err() << c.text(prompt) << ": " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line) || line.empty()) {
    throw Error(ErrorCode::kInvalidInput, msg("cli.no_password", {arg("variable", env)}));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void auditMigration(store::Database& db, const store::MigrationResult& r) {
  if (r.applied.empty() || r.from_version == 0) return;
  std::string applied;
  for (const auto& m : r.applied) applied += (applied.empty() ? "" : ", ") + m;
  store::SqlSecurityStore audit(db);
  return retryUnit("cli.auditMigration", [&] {
    auto tx = audit.transaction();
    security::appendAudit(
        audit, "system", "schema.migrate", "database",
        msg("audit.rec.schema.version", {arg("version", std::to_string(r.from_version))}),
        msg("audit.rec.schema.migrate",
            {arg("version", std::to_string(r.to_version)), arg("applied", applied)}));
    tx->commit();
  });
}

security::User Context::actingUser() {
  if (acting_) return *acting_;
  const std::string name = args_.get("as");
  if (name.empty()) throw Error(ErrorCode::kInvalidInput, msg("cli.as_needed"));
  // A service account (unattended jobs) proves itself with its credential file; a person with
  // a password.
  std::string credential = args_.get("credential");
  if (credential.empty()) credential = envOr("EDUPAY_CREDENTIAL", "");
  const std::string password =
      !credential.empty()
          ? security::readCredentialFile(credential)
          : readPassword(*this, "EDUPAY_PASSWORD", msg("cli.password.prompt", {arg("user", name)}));
  acting_ = security::authenticate(security(), security::PasswordHasher(), name, password);
  return *acting_;
}

}  // namespace edupay::app
