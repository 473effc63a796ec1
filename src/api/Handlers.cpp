// What the /api/v1 handlers share: replies, body fields, scope checks, uploads.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <sstream>

#include "api/Env.h"
#include "api/Handlers.h"

#include "api/Json.h"
#include "api/RequestBody.h"
#include "api/Spreadsheet.h"
#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "bankfiles/Reports.h"
#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "disburse/Notices.h"
#include "registry/Imports.h"
#include "registry/RollImporter.h"
#include "registry/RosterImporter.h"
#include "registry/StudentEdits.h"
#include "rules/EntitlementRun.h"
#include "security/PasswordHasher.h"

namespace edupay::api::handlers {

using Poco::JSON::Array;
using Poco::JSON::Object;
using security::Role;

Reply json(const Object& o, int status) {
  Reply r;
  r.status = status;
  r.body = toJson(o);
  return r;
}

Object::Ptr bodyObject(const Request& req) { return parseJsonObject(req.body); }

std::string field(const Object::Ptr& o, const std::string& name, bool required) {
  if (!o->has(name) || o->isNull(name)) {
    if (required)
      throw Error(ErrorCode::kInvalidInput, msg("api.field.required", {arg("field", name)}));
    return {};
  }
  return o->getValue<std::string>(name);
}

/// Bureau roles and auditors see their region; school administrators their school; bank
/// operators their bank; a sysadmin runs the system, not the money. Not found rather than
/// forbidden, so an out-of-scope id reveals nothing.
void scoped(const security::User& u, const std::string& region, const std::string& bank,
            const Message& not_found) {
  const bool ok =
      u.role == Role::kBankOperator ? (!bank.empty() && u.scope == bank) : u.covers(region);
  if (!ok) throw Error(ErrorCode::kNotFound, not_found);
}

ReturnReasons::ReturnReasons(Env& env) : layouts_(env.runtime().layouts) {
  for (const auto& b : env.disburse().banks()) layout_of_[b.code] = b.layout;
}

Message ReturnReasons::of(const std::string& bank_code, const std::string& code,
                          const std::string& text) const {
  const auto it = layout_of_.find(bank_code);
  return layouts_.returnReason(it == layout_of_.end() ? "" : it->second, code, text);
}

/// Whether `u` sees school `code`: its own administrator, or bureau staff and auditors over its
/// county (bank operators and unknown schools: no).
bool seesSchool(const security::User& u, Env& env, const std::string& code) {
  if (u.role == Role::kSchoolAdmin) return u.covers(code);
  if (u.role == Role::kBankOperator) return false;
  const std::string region = env.schoolRegion(code);
  return !region.empty() && u.covers(region);
}

/// A student's lifelong record (masked) for someone who sees a school the student is or was
/// enrolled at; not found otherwise.
Reply studentReply(const Request& req, Env& env,
                   const std::optional<registry::StudentRecord>& rec) {
  bool visible = false;
  if (rec) {
    for (const auto& e : rec->enrollments) visible |= seesSchool(*req.user, env, e.school_code);
  }
  if (!visible) throw Error(ErrorCode::kNotFound, msg("scope.no_student"));
  Object o = studentJson(*rec, rec->rid_mask,
                         [](const registry::StudentRecord::Account& a) { return a.acct_mask; });
  o.set("person_id", rec->person_id);
  return json(o);
}

Object userJson(const security::User& u) {
  Object o;
  o.set("name", u.name);
  o.set("role", std::string(security::code(u.role)));
  o.set("scope", u.scope);
  return o;
}

disburse::Batch loadBatch(Env& env, const Request& req) {
  const int64_t id = req.id("id");
  auto b = env.disburse().loadBatch(id);
  if (!b) throw Error(ErrorCode::kNotFound, disburse::batchNotInScope(std::to_string(id)));
  const bool bank_view = req.user->role == Role::kBankOperator;
  if (bank_view && (b->status == disburse::BatchStatus::kDraft ||
                    b->status == disburse::BatchStatus::kSubmitted ||
                    b->status == disburse::BatchStatus::kApproved ||
                    b->status == disburse::BatchStatus::kRejected)) {
    throw Error(ErrorCode::kNotFound, disburse::batchNotInScope(std::to_string(id)));
  }
  scoped(*req.user, b->paying_region, b->bank_code, disburse::batchNotInScope(std::to_string(id)));
  return *b;
}

Upload::Upload(const Request& req, Env& env, const std::string& kind, bool keep) : keep_(keep) {
  std::string name;
  const std::string content = uploadedContent(req.content_type, req.body, &name);
  if (content.empty()) throw Error(ErrorCode::kInvalidInput, msg("api.upload.empty"));
  const auto dir = std::filesystem::path(env.runtime().config.files_dir) / "uploads";
  std::filesystem::create_directories(dir);
  // The folder is the service's alone, so no file in it is ever readable by others, not even
  // for the moment between writing and renaming.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  // The sender's file name goes after the digest, so the audit event (and the upload history)
  // names the file as the school or bank knows it; only safe characters are kept.
  // At most its last 200 bytes (from a character's start): the whole name stays within the
  // file system's 255 and keeps its extension.
  size_t start = name.size() > 200 ? name.size() - 200 : 0;
  while (start < name.size() && (static_cast<unsigned char>(name[start]) & 0xC0) == 0x80) ++start;
  std::string shown;
  for (const char ch : name.substr(start)) {
    const auto u = static_cast<unsigned char>(ch);
    shown += (u >= 0x80 || std::isalnum(u) || ch == '.' || ch == '-' || ch == '_') ? ch : '_';
  }
  path_ = (dir / (kind + "-" + security::sha256Hex(content).substr(0, 16) +
                  (shown.empty() ? "" : "-" + shown)))
              .string();
  writeFileAtomically(path_, content);
  ::chmod(path_.c_str(), 0600);
}

Upload::~Upload() {
  std::error_code ignored;
  if (!keep_) std::filesystem::remove(path_, ignored);
}

Reply refusedImport(const std::string& what, const Array& issues, int64_t total, Lang lang) {
  static const std::map<std::string, std::string> kZh = {
      {"the result file", "回盘文件"}, {"the roll", "学籍名册"}, {"the roster", "部门比对名单"}};
  const auto zh = kZh.find(what);
  const Message m = msg("import.refused", {words("what", zh == kZh.end() ? what : zh->second, what),
                                           arg("count", total)});
  Object inner;
  inner.set("code", "rejected");
  inner.set("message", i18n::render(m, lang));
  inner.set("message_code", m.code());
  inner.set("args", messageArgs(m, lang));
  inner.set("details", issues);
  Object err;
  err.set("error", inner);
  return json(err, 422);
}
}  // namespace edupay::api::handlers
