// Batches: build, the maker-checker transitions, flags, export and download, notices and
// objections.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

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
#include "common/Csv.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
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

Reply listBatches(const Request& req, Env& env) {
  const auto& u = *req.user;
  const std::string region = u.role == Role::kBankOperator ? "" : u.scope;
  Array arr;
  for (const auto& b : env.disburse().listBatches(req.queryOr("term"), region)) {
    if (u.role == Role::kBankOperator) {
      if (b.bank_code != u.scope) continue;
      if (b.status == disburse::BatchStatus::kDraft ||
          b.status == disburse::BatchStatus::kSubmitted ||
          b.status == disburse::BatchStatus::kApproved ||
          b.status == disburse::BatchStatus::kRejected)
        continue;
    }
    const std::string status = req.queryOr("status");
    if (!status.empty() && status != disburse::code(b.status)) continue;
    arr.add(batchJson(b));
  }
  Object o;
  o.set("batches", arr);
  return json(o);
}

Reply batchDetail(const Request& req, Env& env) {
  const auto b = loadBatch(env, req);
  Object o = batchJson(b);
  if (req.user->role != Role::kBankOperator) {
    Array flags;
    for (const auto& f : env.disburse().flags(b.id)) flags.add(flagJson(f, req.lang));
    o.set("flags", flags);
    Array budget;
    for (const auto& l : env.disburse().budgets(b.paying_region, Term::parse(b.term).year()))
      if (l.programme == b.programme && l.region == b.paying_region) budget.add(budgetJson(l));
    o.set("budget", budget);
  }
  Array files;
  for (const auto& f : env.disburse().exportedFiles(b.id)) {
    Object x;
    json::set(x, "name", f.file_name, "layout", f.layout, "count", f.count, "total",
              f.total.toYuan(), "sha256", f.sha256);
    files.add(x);
  }
  o.set("files", files);
  return json(o);
}

Reply transition(const Request& req, Env& env, const std::string& what) {
  const auto b = loadBatch(env, req);
  disburse::Batch after;
  auto& store = env.disburse();
  if (what == "submit") after = disburse::submitBatch(store, env.security(), *req.user, b.id);
  if (what == "approve") after = disburse::approveBatch(store, env.security(), *req.user, b.id);
  if (what == "reject") {
    after = disburse::rejectBatch(store, env.security(), *req.user, b.id,
                                  field(bodyObject(req), "reason"));
  }
  if (what == "return-to-draft") {
    after = disburse::returnToDraft(store, env.security(), *req.user, b.id,
                                    field(bodyObject(req), "reason"));
  }
  if (what == "close") after = bankfiles::closeBatch(store, env.security(), *req.user, b.id);
  return json(batchJson(after));
}

Reply clearFlag(const Request& req, Env& env) {
  const int64_t id = req.id("id");
  const auto f = env.disburse().flag(id);
  if (!f) throw Error(ErrorCode::kNotFound, disburse::flagNotInScope(std::to_string(id)));
  const auto b = env.disburse().loadBatch(f->batch_id);
  scoped(*req.user, b ? b->paying_region : "", "", disburse::flagNotInScope(std::to_string(id)));
  return json(flagJson(disburse::clearFlag(env.disburse(), env.security(), *req.user, id,
                                           field(bodyObject(req), "reason")),
                       req.lang));
}

Reply exportBatch(const Request& req, Env& env) {
  const auto b = loadBatch(env, req);
  const auto& cfg = env.runtime().config;
  if (cfg.signing_key.empty())
    throw Error(ErrorCode::kUnavailable, msg("batch.export.no_signing_key"));
  std::filesystem::create_directories(cfg.files_dir);
  const auto key = security::SigningKey::load(cfg.signing_key);
  std::optional<rules::Policy> policy;
  if (auto stored = env.entitlements().activePolicy())
    policy = rules::parsePolicy(stored->content, "active policy");
  const std::string purpose = bankfiles::paymentPurpose(policy ? &*policy : nullptr, b);
  const auto r =
      bankfiles::exportBatch(env.disburse(), env.security(), *req.user, b.id, cfg.files_dir,
                             env.runtime().layouts, env.cipher(), key, purpose);
  Object o = batchJson(r.batch);
  o.set("exported_again", r.again);
  Array files;
  for (const auto& p : r.paths) files.add(std::filesystem::path(p).filename().string());
  o.set("files", files);
  return json(o);
}

/// A payment file, its manifest or its signature: only names the database recorded for the
/// batch, so a request can never name another path.
Reply download(const Request& req, Env& env) {
  const auto b = loadBatch(env, req);
  const std::string name = req.param("name");
  for (const auto& f : env.disburse().exportedFiles(b.id)) {
    std::string path;
    std::string type = "application/octet-stream";
    if (name == f.file_name) path = env.runtime().config.files_dir + "/" + f.file_name;
    if (name == f.file_name + ".manifest.json") {
      path = bankfiles::manifestPath(env.runtime().config.files_dir + "/" + f.file_name);
      type = "application/json; charset=utf-8";
    }
    if (name == f.file_name + ".manifest.sig") {
      path = bankfiles::signaturePath(env.runtime().config.files_dir + "/" + f.file_name);
      type = "text/plain; charset=us-ascii";
    }
    if (path.empty()) continue;
    Reply r;
    r.body = readFile(path);
    r.content_type = type;
    r.headers["Content-Disposition"] = "attachment; filename=\"" + name + "\"";
    return r;
  }
  throw Error(ErrorCode::kNotFound,
              msg("batch.file.not_found", {arg("id", std::to_string(b.id)), arg("file", name)}));
}

Reply publishNotice(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, msg("batch.no_policy"));
  const auto policy = rules::parsePolicy(stored->content, "active policy");
  const auto dir = std::filesystem::path(env.runtime().config.files_dir) / "notices";
  std::filesystem::create_directories(dir);
  const std::string programme = field(o, "programme");
  const auto* p = policy.find(programme);
  const disburse::NoticeWording wording{p ? p->name_zh : programme,
                                        env.runtime().config.notice_contact};
  const auto r = disburse::publishNotice(env.disburse(), env.security(), *req.user, programme,
                                         Term::parse(field(o, "term")), field(o, "school"),
                                         dir.string(), policy.holidays, Date::today(), 5, wording);
  Object out;
  json::set(out, "notice", r.info.id, "school", r.info.school_name, "entries", r.info.entries,
            "total", r.info.total.toYuan(), "window_ends", r.info.window_ends, "html",
            std::filesystem::path(r.html_path).filename().string(), "csv",
            std::filesystem::path(r.csv_path).filename().string());
  return json(out);
}

/// A published notice (the printable HTML or the CSV) by the file name the publication returned;
/// only notice files of schools in the caller's scope can be named.
Reply noticeFile(const Request& req, Env& env) {
  const std::string name = req.param("file");
  const bool html = name.size() > 5 && name.substr(name.size() - 5) == ".html";
  const bool csv = name.size() > 4 && name.substr(name.size() - 4) == ".csv";
  bool clean = name.rfind("notice-", 0) == 0 && (html || csv);
  for (char c : name)
    clean &= std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  if (!clean) throw Error(ErrorCode::kNotFound, msg("notice.file.not_found", {arg("file", name)}));
  const std::string stem = name.substr(0, name.find_last_of('.'));
  const std::string school = stem.substr(stem.find_last_of('-') + 1);
  const auto path = std::filesystem::path(env.runtime().config.files_dir) / "notices" / name;
  if (!seesSchool(*req.user, env, school) || !std::filesystem::exists(path))
    throw Error(ErrorCode::kNotFound, msg("notice.file.not_found", {arg("file", name)}));
  Reply r;
  r.body = readFile(path.string());
  r.content_type = html ? "text/html; charset=utf-8" : "text/csv; charset=utf-8";
  if (csv) r.headers["Content-Disposition"] = "attachment; filename=\"" + name + "\"";
  return r;
}

/// The active policy's programmes (code, Chinese and English names, stages), for forms.

Reply addObjection(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const auto rid = ResidentId::parse(field(o, "resident_id"));
  if (!rid) throw Error(ErrorCode::kInvalidInput, msg("objection.resident_id"));
  const int64_t id = disburse::addObjection(
      env.disburse(), env.security(), *req.user, env.cipher().blindIndex("resident_id", rid->str()),
      field(o, "programme"), Term::parse(field(o, "term")), field(o, "text"));
  Object out;
  out.set("objection", id);
  return json(out);
}

Reply resolveObjection(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  disburse::resolveObjection(env.disburse(), env.security(), *req.user, req.id("id"),
                             field(o, "decision"), field(o, "reason"));
  Object out;
  out.set("objection", req.id("id"));
  out.set("decision", field(o, "decision"));
  return json(out);
}

Reply buildBatches(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const Term term = Term::parse(field(o, "term"));
  const std::string region =
      field(o, "region", false).empty() ? req.user->scope : field(o, "region");
  const auto r = disburse::buildBatches(
      env.disburse(), env.security(), *req.user, field(o, "programme"), term, region,
      bankfiles::holderEncodingCheck(env.disburse(), env.runtime().layouts));
  Array batches;
  for (const int64_t id : r.batch_ids) {
    if (const auto b = env.disburse().loadBatch(id)) batches.add(batchJson(*b));
  }
  Object out;
  json::set(out, "batches", batches, "payments", r.payments, "total", r.total.toYuan(), "flags",
            r.flags, "unbankable", r.unbankable);
  return json(out, 201);
}

}  // namespace edupay::api::handlers
