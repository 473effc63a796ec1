#include "registry/Imports.h"

#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/Log.h"
#include "common/MessageWords.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "security/AuditLog.h"

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

/// An import's audit record: `code` with the file's name and digest, then `counts`.
Message fileRecord(const char* code, const std::string& path, const std::string& sha256,
                   std::vector<MessageArg> counts) {
  counts.insert(counts.begin(), {arg("file", fileName(path)), arg("sha256", sha256)});
  return msg(code, std::move(counts));
}

/// `m` with the file at `path` named as its sender knows it: the name it was sent under, not the
/// path it is kept at.
Message namingTheFile(const Message& m, const std::string& path) {
  const std::string name = security::sentName(fileName(path));
  const auto replace = [&](std::string text, const std::string& from) {
    if (from == name) return text;
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + name.size()))
      text.replace(at, from.size(), name);
    return text;
  };
  // The whole path, then the name it is kept under (KIND-DIGEST-NAME) where a message named
  // only that.
  return mapWords(
      m, [&](const std::string& text) { return replace(replace(text, path), fileName(path)); });
}

/// Why a file was refused before a row was read, as the audit record keeps it. A refusal of the
/// file itself (its format: roll.file.*, xlsx.*) in its words, with the file named as sent; any
/// other only by what was wrong, never its cells (a header row that is not a roll's lists the
/// cells of the file's first row, which may be a child's name, ID and account). Masked, and cut
/// to 300 characters: the record sits in the hash chain for good.
MessageArg refusalReason(const Error& e, const std::string& path) {
  const std::string& code = e.message().code();
  std::string zh, en;
  if (code.rfind("roll.file.", 0) == 0 || code.rfind("xlsx.", 0) == 0) {
    const Message m = namingTheFile(e.message(), path);
    zh = i18n::render(m, Lang::kZh);
    en = i18n::render(m, Lang::kEn);
  } else if (code.rfind("roll.header.", 0) == 0) {
    zh = "表头不是学籍名册的表头";
    en = "the header row is not a roll's";
  } else {
    zh = "文件内容无法读取（上传时已说明原因）";
    en = "its content could not be read (the sender was told why)";
  }
  return words("reason", security::maskLongNumbers(text::cutUtf8(zh, 300)),
               security::maskLongNumbers(text::cutUtf8(en, 300)));
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
  RollImportResult result;
  try {
    result = retryUnit("registry.importRoll", [&] {
      return importRoll(store, cipher, path, options, [&](const RollImportResult& r) {
        security::appendAudit(
            audit, user.name, "roll.import", object, Message(),
            fileRecord(
                "audit.rec.roll.import", path, r.file_sha256,
                {arg("rows", r.rows_total), arg("ok", r.rows_ok), arg("skipped", r.rows_bad),
                 arg("students_new", r.counts.persons_added),
                 arg("students_changed", r.counts.persons_updated),
                 arg("opened", r.counts.enrollments_opened), arg("transfers", r.counts.transfers),
                 arg("accounts_added", r.counts.accounts_added),
                 arg("accounts_replaced", r.counts.accounts_replaced)}));
      });
    });
  } catch (const Error& e) {
    // A file refused before a row was read (not a spreadsheet, no header, a wrong encoding) is
    // in the school's upload history too, with why.
    if (e.code() == ErrorCode::kInvalidInput && !options.dry_run) {
      std::string digest;
      try {
        digest = security::sha256File(path);
      } catch (...) {  // unreadable: the record names the file without a digest
      }
      try {
        retryUnit("registry.rollUnreadable", [&] {
          auto tx = audit.transaction();
          security::appendAudit(
              audit, user.name, "roll.refused", object, Message(),
              fileRecord("audit.rec.roll.unreadable", path, digest, {refusalReason(e, path)}));
          tx->commit();
        });
      } catch (const std::exception& recording) {
        // The sender is told why the file was refused, whatever became of its record.
        log::event("edupay.registry", "refused roll not recorded",
                   {{"file", fileName(path)}, {"actor", user.name}, {"error", recording.what()}});
      }
    }
    throw;
  }
  if (!result.committed && !options.dry_run && !result.file_sha256.empty()) {
    // Refused (rows with problems): nothing was imported, but the school's upload history and
    // the operation log say it was sent and why it was not taken, as a failed login is logged.
    retryUnit("registry.rollRefused", [&] {
      auto tx = audit.transaction();
      security::appendAudit(
          audit, user.name, "roll.refused", object, Message(),
          fileRecord("audit.rec.roll.refused", path, result.file_sha256,
                     {arg("rows", result.rows_total), arg("bad", result.rows_bad)}));
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
          security::appendAudit(
              audit, user.name, "roster.import", "roster:" + source, Message(),
              fileRecord("audit.rec.roster.import", path, r.file_sha256,
                         {arg("rows", r.rows_total), arg("added", r.counts.statuses_added),
                          arg("changed", r.counts.statuses_changed),
                          arg("unchanged", r.counts.statuses_unchanged)}));
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
                                Message(),
                                fileRecord("audit.rec.nominations.import", path, digest,
                                           {arg("nominees", r.matched)}));
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
          security::appendAudit(
              audit, user.name, "schools.import",
              "schools:" + (prefix.empty() ? std::string("*") : prefix), Message(),
              fileRecord(
                  "audit.rec.schools.import", path, digest,
                  {arg("added", r.added), arg("updated", r.updated), arg("accounts", r.accounts)}));
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
      security::appendAudit(audit, user.name, "regions.import", "regions", Message(),
                            fileRecord("audit.rec.regions.import", path, digest,
                                       {arg("added", r.added), arg("updated", r.updated)}));
    });
  });
}

}  // namespace edupay::registry
