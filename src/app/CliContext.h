#pragma once

#include <unistd.h>

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bankfiles/Layout.h"
#include "common/Catalogue.h"
#include "common/Date.h"
#include "common/Error.h"
#include "disburse/Batches.h"
#include "registry/Model.h"
#include "rules/Policy.h"
#include "security/FieldCipher.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "store/SqlEntitlementStore.h"
#include "store/SqlRegistryStore.h"
#include "store/SqlSecurityStore.h"

namespace Poco::JSON {
class Array;
class Object;
}  // namespace Poco::JSON

namespace edupay::app {

/// Parsed command line: positional words and --name[=value] options.
struct Args {
  std::vector<std::string> words;
  std::map<std::string, std::string> options;
  bool has(const std::string& k) const { return options.count(k) > 0; }
  std::string get(const std::string& k, const std::string& fallback = {}) const {
    auto it = options.find(k);
    return it == options.end() ? fallback : it->second;
  }
};

/// Throws Error(kInvalidInput) for unknown options or a missing value.
Args parseArgs(const std::vector<std::string>& argv);
std::string envOr(const char* name, const std::string& fallback);
int exitCodeFor(ErrorCode code);
std::string toJson(const Poco::JSON::Object& o);
/// --as-of, or today.
Date asOfDate(const Args& a);

/// An upgrade of an existing database's schema is an audit event (actor `system`); creating a new
/// database is not (there is nothing to audit yet).
void auditMigration(store::Database& db, const store::MigrationResult& r);

/// What every command needs: options, output streams, and lazily opened database, stores and key.
/// The language of people's sentences: `--lang zh|en`, else the locale (LANG: zh for `zh_*`).
/// `--lang both` (for `explain`) counts as the locale's here. Error(kInvalidInput) for others.
Lang cliLang(const Args& args);

class Context {
 public:
  Context(const Args& args, std::ostream& out, std::ostream& err)
      : args_(args), out_(out), err_(err) {}

  const Args& args() const { return args_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  bool json() const { return args_.has("json"); }
  Lang lang() const { return cliLang(args_); }
  /// `m` in the command's language.
  std::string text(const Message& m) const { return i18n::render(m, lang()); }
  /// A word (a status, a kind) in the command's language.
  std::string text(const MessageArg& a) const { return lang() == Lang::kZh ? a.zh : a.en; }
  std::string keyPath() const {
    return args_.get("key-file", envOr("EDUPAY_KEY_FILE", "edupay.key"));
  }

  store::Database& db() {
    if (!db_) {
      db_ = store::openDatabase(args_.get("db", envOr("EDUPAY_DB", "sqlite:edupay.db")));
      auditMigration(*db_, store::migrate(*db_));
      // Messages name programmes by the names of the policy in force.
      if (const auto p = store::SqlEntitlementStore(*db_).activePolicy())
        rules::nameProgrammes(p->content);
    }
    return *db_;
  }
  /// False for an SQLite file that does not exist yet (so a read-only command creates nothing).
  bool databaseExists() const {
    const std::string url = args_.get("db", envOr("EDUPAY_DB", "sqlite:edupay.db"));
    if (url.rfind("sqlite:", 0) != 0) return true;
    return ::access(url.substr(7).c_str(), F_OK) == 0;
  }
  store::SqlRegistryStore& registry() {
    if (!registry_) registry_ = std::make_unique<store::SqlRegistryStore>(db());
    return *registry_;
  }
  store::SqlEntitlementStore& entitlements() {
    if (!entitlements_) entitlements_ = std::make_unique<store::SqlEntitlementStore>(db());
    return *entitlements_;
  }
  store::SqlSecurityStore& security() {
    if (!security_) security_ = std::make_unique<store::SqlSecurityStore>(db());
    return *security_;
  }
  /// The user named by --as, logged in with EDUPAY_PASSWORD (or a password typed on stdin).
  /// Error(kInvalidInput) without --as; Error(kForbidden) when the login fails.
  security::User actingUser();
  /// The active policy; Error(kNotFound) when none was activated.
  std::pair<rules::Policy, int64_t> activePolicy() {
    auto stored = entitlements().activePolicy();
    if (!stored) {
      throw Error(ErrorCode::kNotFound, msg("cli.policy.none_active"));
    }
    return {rules::parsePolicy(stored->content, "active policy " + stored->name), stored->id};
  }
  /// The field cipher, checked against the key fingerprint the database records.
  const security::FieldCipher& cipher() {
    if (!cipher_) {
      cipher_ =
          std::make_unique<security::FieldCipher>(security::FieldCipher::loadKeyFile(keyPath()));
      registry().checkKeyFingerprint(cipher_->fingerprint());
    }
    return *cipher_;
  }
  const std::string& word(size_t i, const char* what) const {
    if (i >= args_.words.size())
      throw Error(ErrorCode::kInvalidInput, msg("cli.missing_word", {arg("what", what)}));
    return args_.words[i];
  }

 private:
  const Args& args_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::SqlRegistryStore> registry_;
  std::unique_ptr<store::SqlEntitlementStore> entitlements_;
  std::unique_ptr<store::SqlSecurityStore> security_;
  std::optional<security::User> acting_;
  std::unique_ptr<security::FieldCipher> cipher_;
};

/// A password from the environment variable `env`, or one line of standard input (prompting
/// on stderr). Error(kInvalidInput) when neither gives one.
std::string readPassword(Context& c, const char* env, const Message& prompt);

// Batch and budget commands (CliDisburse.cpp).
int cmdBatch(Context& c);
int cmdBudget(Context& c);
int cmdNotice(Context& c);
int cmdObjection(Context& c);
// The families' complaint channel, the county's side (CliFamily.cpp).
int cmdComplaint(Context& c);
// Identification of needy students (CliIdentify.cpp).
int cmdIdentify(Context& c);

// Bank files, accounts and reconciliation (CliBank.cpp).
/// The built-in bank layouts plus those of --layouts DIR (or EDUPAY_LAYOUT_DIR).
bankfiles::LayoutSet bankLayouts(Context& c);
int batchExport(Context& c);
int batchClose(Context& c);
int cmdBank(Context& c);
int cmdFile(Context& c);
int cmdAccount(Context& c);
int cmdSchool(Context& c);
int cmdReconcile(Context& c);
int cmdKeygenSigning(Context& c, const std::string& path);

// Listings for people and scripts (CliListings.cpp).
/// The batch whose id is the text `id`, if the user's scope covers its county (a sysadmin sees
/// every batch); Error(kNotFound) "no batch ID in your scope" otherwise, as for an unknown id.
disburse::Batch batchInScope(disburse::DisbursementStore& store, const security::User& user,
                             const std::string& id);
int schoolList(Context& c);
int batchPayees(Context& c);
int batchSchools(Context& c);
int objectionList(Context& c);
int budgetDraft(Context& c);
int reportDecisions(Context& c);

// User and audit commands (CliSecurity.cpp).
int cmdUser(Context& c);
int cmdAudit(Context& c);
/// `edupay audit log [--user --action --object --from --to --page] [--json] --as USER`
/// (CliAudit.cpp).
int cmdAuditLog(Context& c);
/// The commands and options (`edupay help`), in `lang`.
const char* usageText(Lang lang);

// Eligibility commands (CliEligibility.cpp).
int cmdPolicy(Context& c);
int cmdImportRoster(Context& c);
int cmdImportNominations(Context& c);
int cmdEntitle(Context& c);
int cmdExplain(Context& c);
int cmdReportDropouts(Context& c);

}  // namespace edupay::app
