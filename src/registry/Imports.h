#pragma once

#include <string>

#include "registry/RollImporter.h"
#include "registry/RosterImporter.h"
#include "security/Users.h"

namespace edupay::registry {

// The import use cases: each checks the acting user's role and scope, runs the import in one
// transaction and writes one audit event inside it (actor, action, object, the file's name and
// SHA-256 and the counts), so an import is written with its audit event or not at all. The CLI
// (`--as USER`) and the API call these and nothing below them.

/// A school roll. A school administrator imports their own school's roll; a bureau officer the
/// rolls of schools in their region. Error(kForbidden) for any other role.
RollImportResult importRollAs(RegistryStore& store, security::SecurityStore& audit,
                              const security::FieldCipher& cipher, const security::User& user,
                              const std::string& path, RollImportOptions options);

/// An official roster; a bureau officer, rows of regions in their scope only.
RosterImportResult importRosterAs(RegistryStore& store, security::SecurityStore& audit,
                                  const security::FieldCipher& cipher, const security::User& user,
                                  const std::string& path, const std::string& source, bool dry_run);

/// A scholarship nomination list; a bureau officer.
NominationImportResult importNominationsAs(RegistryStore& store, security::SecurityStore& audit,
                                           const security::FieldCipher& cipher,
                                           const security::User& user, const std::string& path,
                                           const std::string& programme, int academic_year);

/// Schools (a sysadmin, or a bureau officer for schools of their region) and regions (a
/// sysadmin). School accounts in the file are encrypted with `cipher` (required when there are).
SchoolImportResult importSchoolsAs(RegistryStore& store, security::SecurityStore& audit,
                                   const security::User& user, const std::string& path,
                                   const security::FieldCipher* cipher = nullptr);
SchoolImportResult importRegionsAs(RegistryStore& store, security::SecurityStore& audit,
                                   const security::User& user, const std::string& path);

/// The base name of a path, for audit details (never the server's folders).
std::string fileName(const std::string& path);

}  // namespace edupay::registry
