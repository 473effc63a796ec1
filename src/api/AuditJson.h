#pragma once
// One JSON shape for the operation log (操作日志), the upload histories (上传记录) and the trace by
// student (按学生追溯), shared by the CLI (`edupay audit log --json`) and the API, so both say the
// same thing. Masked: resident IDs and accounts appear only as stored masks.

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <vector>

#include "bankfiles/StudentTrace.h"
#include "security/AuditLog.h"

namespace edupay::api {

/// The log's filter from named text values (the API's query string, the CLI's options): `user`,
/// `action`, `object`, `from`, `to`, `page`, `page_size`. Error(kInvalidInput) naming a value
/// that is not a whole number.
security::AuditQuery auditQueryFrom(const std::function<std::string(const std::string&)>& get);

/// `{page, page_size, more, events: [{seq, at, user, action, action_name, object, summary,
/// before, after, before_record, after_record, region, school, bank}], actions: [{code, name}]}`;
/// `after` (and `summary`, the same) is what the event recorded after the action, `before` the
/// state before it (empty where none was recorded), both in `lang`'s words (security::auditText);
/// `before_record`/`after_record` are the states as the hash chain holds them (masked).
Poco::JSON::Object auditPageJson(const security::AuditPage& page, Lang lang);

/// `{kind, page, more, uploads: [{seq, at, user, file_name, sha256, school, bank, region,
/// outcome: imported|unchanged|refused, rows, rows_ok, rows_bad, students_new, students_changed |
/// paid, paid_total, returned, returned_total, pending, unchanged_lines, summary, reason}]}`;
/// `summary` in `lang`'s words, `reason` why a file was refused before a row was read.
Poco::JSON::Object uploadsJson(const std::string& kind, int page, bool more,
                               const std::vector<security::UploadRecord>& uploads, Lang lang);

/// `{query, students: [{person_id, name, resident_id (masked), student_no, schools: [...],
/// entitlements: [{id, programme, term, status, amount, ..., payments: [{reference, state,
/// amount, share, batch, bank_code, holder, account (masked), result: {outcome, reason_code,
/// reason_text, settled_on, file}}]}]}]}`; amounts in yuan as exact decimal strings.
Poco::JSON::Object studentTraceJson(const std::string& query,
                                    const std::vector<bankfiles::TracedStudent>& students);

}  // namespace edupay::api
