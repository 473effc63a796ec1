#include "registry/Imports.h"

#include "common/Error.h"
#include "common/Log.h"
#include "common/Retry.h"

namespace edupay::registry {
namespace {

using security::Role;

[[noreturn]] void forbidden(const char* code) { throw Error(ErrorCode::kForbidden, msg(code)); }

}  // namespace

std::string fileName(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

namespace {

/// The log line of a file import (never personal data): what, whether it was committed, the file
/// name and digest, row counts, the actor and, for a roster, its source.
void logImport(const std::string& what, bool committed, const std::string& path,
               const std::string& sha256, int64_t rows, int64_t bad, const std::string& actor,
               const std::string& source) {
  log::event("edupay.registry", what + (committed ? " imported" : " not imported"),
             {{"file", fileName(path)},
              {"sha256", sha256},
              {"source", source},
              {"rows", std::to_string(rows)},
              {"bad", std::to_string(bad)},
              {"actor", actor}});
}

}  // namespace

RollImportResult importRollAs(RegistryStore& store, security::SecurityStore& audit,
                              const security::FieldCipher& cipher, const security::User& user,
                              const std::string& path, RollImportOptions options) {
  std::string object;
  if (user.role == Role::kSchoolAdmin) {
    options.only_school = user.scope;
    object = "school:" + user.scope;
  } else if (user.role == Role::kBureauOfficer) {
    options.only_region = user.scope;
    object = "region:" + user.scope;
  } else {
    forbidden("roll.import.refused");
  }
  // Every import reads its file again from the start when the unit runs again.
  auto result = retryUnit("registry.importRoll", [&] {
    return importRoll(store, cipher, path, options, [&](const RollImportResult& r) {
      security::appendAudit(
          audit, user.name, "roll.import", object, "",
          fileName(path) + " sha256 " + r.file_sha256 + ": " + std::to_string(r.rows_total) +
              " rows, " + std::to_string(r.rows_ok) + " ok, " + std::to_string(r.rows_bad) +
              " skipped; students " + std::to_string(r.counts.persons_added) + " new, " +
              std::to_string(r.counts.persons_updated) + " changed; enrollments " +
              std::to_string(r.counts.enrollments_opened) + " opened, " +
              std::to_string(r.counts.transfers) + " transfers; accounts " +
              std::to_string(r.counts.accounts_added) + " added, " +
              std::to_string(r.counts.accounts_replaced) + " replaced");
    });
  });
  if (!result.committed && !options.dry_run && !result.file_sha256.empty()) {
    // Refused (rows with problems): nothing was imported, but the school's upload history and
    // the operation log say it was sent and why it was not taken, as a failed login is logged.
    retryUnit("registry.rollRefused", [&] {
      auto tx = audit.transaction();
      security::appendAudit(audit, user.name, "roll.refused", object, "",
                            fileName(path) + " sha256 " + result.file_sha256 + ": " +
                                std::to_string(result.rows_total) + " rows, " +
                                std::to_string(result.rows_bad) +
                                " with problems; nothing imported");
      tx->commit();
    });
  }
  logImport("roll", result.committed, path, result.file_sha256, result.rows_total, result.rows_bad,
            user.name, "");
  return result;
}

RosterImportResult importRosterAs(RegistryStore& store, security::SecurityStore& audit,
                                  const security::FieldCipher& cipher, const security::User& user,
                                  const std::string& path, const std::string& source,
                                  bool dry_run) {
  if (user.role != Role::kBureauOfficer) {
    forbidden("roster.import.refused");
  }
  auto result = retryUnit("registry.importRoster", [&] {
    return importRoster(
        store, cipher, path, source, dry_run, user.scope, [&](const RosterImportResult& r) {
          security::appendAudit(audit, user.name, "roster.import", "roster:" + source, "",
                                fileName(path) + " sha256 " + r.file_sha256 + ": " +
                                    std::to_string(r.rows_total) + " rows; statuses " +
                                    std::to_string(r.counts.statuses_added) + " added, " +
                                    std::to_string(r.counts.statuses_changed) + " changed, " +
                                    std::to_string(r.counts.statuses_unchanged) + " unchanged");
        });
  });
  logImport("roster", result.committed, path, result.file_sha256, result.rows_total,
            result.rows_bad, user.name, source);
  return result;
}

NominationImportResult importNominationsAs(RegistryStore& store, security::SecurityStore& audit,
                                           const security::FieldCipher& cipher,
                                           const security::User& user, const std::string& path,
                                           const std::string& programme, int academic_year) {
  if (user.role != Role::kBureauOfficer) {
    forbidden("nomination.import.refused");
  }
  const std::string digest = security::sha256File(path);
  return retryUnit("registry.importNominations", [&] {
    return importNominations(
        store, cipher, path, programme, academic_year, [&](const NominationImportResult& r) {
          security::appendAudit(audit, user.name, "nominations.import",
                                "nominations:" + programme + ":" + std::to_string(academic_year),
                                "",
                                fileName(path) + " sha256 " + digest + ": " +
                                    std::to_string(r.matched) + " nominees");
        });
  });
}

SchoolImportResult importSchoolsAs(RegistryStore& store, security::SecurityStore& audit,
                                   const security::User& user, const std::string& path,
                                   const security::FieldCipher* cipher) {
  std::string prefix;
  if (user.role == Role::kBureauOfficer) {
    prefix = user.scope;
  } else if (user.role != Role::kSysadmin) {
    forbidden("roll.schools.refused");
  }
  const std::string digest = security::sha256File(path);
  return retryUnit("registry.importSchools", [&] {
    return importSchools(
        store, path, prefix,
        [&](const SchoolImportResult& r) {
          security::appendAudit(audit, user.name, "schools.import",
                                "schools:" + (prefix.empty() ? std::string("*") : prefix), "",
                                fileName(path) + " sha256 " + digest + ": " +
                                    std::to_string(r.added) + " added, " +
                                    std::to_string(r.updated) + " updated, " +
                                    std::to_string(r.accounts) + " school account(s) recorded");
        },
        cipher, user.name);
  });
}

SchoolImportResult importRegionsAs(RegistryStore& store, security::SecurityStore& audit,
                                   const security::User& user, const std::string& path) {
  if (user.role != Role::kSysadmin) forbidden("roll.regions.refused");
  const std::string digest = security::sha256File(path);
  return retryUnit("registry.importRegions", [&] {
    return importRegions(store, path, [&](const SchoolImportResult& r) {
      security::appendAudit(audit, user.name, "regions.import", "regions", "",
                            fileName(path) + " sha256 " + digest + ": " + std::to_string(r.added) +
                                " added, " + std::to_string(r.updated) + " updated");
    });
  });
}

}  // namespace edupay::registry
