#pragma once
// The operation log (操作日志) and the upload histories (上传记录), read from the audit chain:
// what the auditor browses and filters, what a school or a bank operator sees of their own
// uploads. Reading only: nothing here changes the chain.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/Users.h"

namespace edupay::security {

/// A filter over the audit chain. Every field is optional (empty: no filter).
struct AuditQuery {
  std::string user;    ///< the actor's name, exactly
  std::string action;  ///< an action code (`batch.approve`), or its family (`batch`: batch.*)
  std::string object;  ///< an object (`batch:42`), or its kind (`batch`: every batch:…)
  std::string from;    ///< first day, YYYY-MM-DD (UTC+8, as events are stamped)
  std::string to;      ///< last day, YYYY-MM-DD, included
  int page = 1;        ///< 1-based
  int page_size = 50;  ///< 1..200
};

/// Checks the query's dates (YYYY-MM-DD, from ≤ to) and paging; Error(kInvalidInput) naming the
/// field, in Chinese and English.
void checkAuditQuery(const AuditQuery& q);

/// Where an event's object lives, for scope: its county (or a region prefix), school, bank.
/// Empty when the object does not say.
struct ObjectScope {
  std::string region, school, bank;
};

/// The reading side of the audit chain (implemented in src/store).
class AuditLogStore {
 public:
  virtual ~AuditLogStore() = default;
  /// Events matching `q` (user, action, object, dates; not paging) with seq < `before_seq`,
  /// newest first, at most `limit`.
  virtual std::vector<AuditEvent> searchAudit(const AuditQuery& q, int64_t before_seq,
                                              size_t limit) = 0;
  /// The scope of each event's object (same order): the object's county, school or bank where
  /// the database knows it, else the acting user's own scope.
  virtual std::vector<ObjectScope> scopesOf(const std::vector<AuditEvent>& events) = 0;
};

/// Whether `u` sees an event of scope `s`: a sysadmin everything; a school's users their
/// school; a bank operator their bank; bureau staff and auditors the regions they cover. An
/// event whose scope is unknown (a sysadmin's user management, region imports) only a sysadmin
/// or a province-wide (2-digit scope) auditor sees.
bool seesScope(const User& u, const ObjectScope& s);

/// The name of an action code in `lang` (`batch.approve` → 审批通过批次, "approve batch"), in the
/// terms of the national student-aid system; the code itself when the list has none.
std::string actionName(std::string_view code, Lang lang = Lang::kZh);
/// Every action code with its name in `lang`, for the console's filter.
std::vector<std::pair<std::string, std::string>> actionNames(Lang lang = Lang::kZh);

/// A text for display with every run of 15 or more digits (a resident ID or an account number
/// that reached an event's summary) masked to its first 4 and last 4 characters.
std::string maskLongNumbers(std::string_view text);

/// The words of an event's state (AuditEvent::before or after) in `lang`, masked with
/// maskLongNumbers: a state kept as a message (appendAudit with messages) rendered from its
/// stored form; a state written as plain text by an older release, as it is.
std::string auditText(const std::string& stored, Lang lang);
/// A stored state for display as it was recorded: every text in it masked with maskLongNumbers
/// (each argument's words on their own), in its stored form.
std::string maskedRecord(const std::string& stored);

struct AuditEntry {
  AuditEvent event;  ///< before/after as stored, masked (maskedRecord; auditText reads them)
  ObjectScope scope;
};
struct AuditPage {
  std::vector<AuditEntry> entries;  ///< newest first
  int page = 1, page_size = 50;
  bool more = false;  ///< a next page exists
};

/// The operation log (操作日志): events matching `q` that `user` sees (seesScope), newest first,
/// page `q.page`. Auditors and sysadmins only: Error(kForbidden) for any other role;
/// Error(kInvalidInput) for a bad query (checkAuditQuery).
[[nodiscard]] AuditPage auditLog(AuditLogStore& store, const User& user, const AuditQuery& q);

/// One upload of a roll (学籍名册) or a bank result file (银行回盘文件), as its audit event
/// records it.
struct UploadRecord {
  int64_t seq = 0;
  std::string kind;  ///< roll | result
  std::string at, actor, file_name, sha256;
  ObjectScope scope;
  /// roll: rows in the file, imported, skipped (problems); students new and changed.
  int64_t rows = 0, rows_ok = 0, rows_bad = 0, students_new = 0, students_changed = 0;
  /// result: payments paid, returned, pending, unchanged (answered before); yuan totals.
  int64_t paid = 0, returned = 0, pending = 0, unchanged_lines = 0;
  std::string paid_total, returned_total;
  /// A roll that changed nothing (every row as on record), or a result file that settled
  /// nothing new.
  bool unchanged = false;
  /// A roll refused for rows with problems: nothing imported (`rows`, `rows_bad` say why).
  bool refused = false;
  /// A roll refused before a row was read (not a spreadsheet, no header row): why, in each
  /// language's words.
  std::optional<MessageArg> reason;
  std::string summary;  ///< the event's record as stored (auditText gives its words)
};

/// The name a file was sent under: an upload through the service is stored as KIND-DIGEST-NAME
/// (`result-0123456789abcdef-回盘.txt` → `回盘.txt`); any other name as it is.
std::string sentName(const std::string& stored);

/// Reads an import's audit record (`roll.import`, `roll.refused` when `r.refused` is set,
/// `bank.import_result`) into `r`: the message's arguments, or for a record written as text by
/// an older release, its English words.
void parseUploadSummary(const std::string& after, UploadRecord& r);

/// The upload history of `kind` ("roll" or "result"), newest first, page `page` of `page_size`:
/// a school's administrator sees their school's rolls, a bank operator their bank's result
/// files, bureau staff and auditors those of their region, a sysadmin all. Error(kInvalidInput)
/// for another kind, Error(kForbidden) for a role that uploads or oversees no such file.
[[nodiscard]] std::vector<UploadRecord> uploadHistory(AuditLogStore& store, const User& user,
                                                      const std::string& kind, int page,
                                                      int page_size, bool* more = nullptr);

}  // namespace edupay::security
