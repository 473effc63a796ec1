// The /api/v1 routes: thin handlers over the same library calls as the CLI. Who may call each
// route is in its Route (roles); which county, school or bank a user may touch is checked by the
// library call or by `scoped` below.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include "api/Env.h"
#include "api/Json.h"
#include "api/RequestBody.h"
#include "api/Spreadsheet.h"
#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "bankfiles/Reports.h"
#include "common/AtomicFile.h"
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

namespace edupay::api {

std::string csrfToken(const std::string& session_token) {
  return security::sha256Hex("edupay-csrf:" + session_token).substr(0, 32);
}

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using security::Role;

/// Marks a route that takes an uploaded file (see Route::upload).
Route upload(Route r) {
  r.upload = true;
  return r;
}

Reply json(const Object& o, int status = 200) {
  Reply r;
  r.status = status;
  r.body = toJson(o);
  return r;
}

Object::Ptr bodyObject(const Request& req) { return parseJsonObject(req.body); }

std::string field(const Object::Ptr& o, const std::string& name, bool required = true) {
  if (!o->has(name) || o->isNull(name)) {
    if (required) throw Error(ErrorCode::kInvalidInput, "field \"" + name + "\" is required");
    return {};
  }
  return o->getValue<std::string>(name);
}

/// Bureau roles and auditors see their region; school administrators their school; bank
/// operators their bank; a sysadmin runs the system, not the money. Not found rather than
/// forbidden, so an out-of-scope id reveals nothing.
void scoped(const security::User& u, const std::string& region, const std::string& bank,
            const std::string& what) {
  const bool ok =
      u.role == Role::kBankOperator ? (!bank.empty() && u.scope == bank) : u.covers(region);
  if (!ok) throw Error(ErrorCode::kNotFound, "no " + what + " in your scope");
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
  if (!visible) throw Error(ErrorCode::kNotFound, "no such student in your scope");
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
  if (!b) throw Error(ErrorCode::kNotFound, "no batch " + std::to_string(id) + " in your scope");
  const bool bank_view = req.user->role == Role::kBankOperator;
  if (bank_view && (b->status == disburse::BatchStatus::kDraft ||
                    b->status == disburse::BatchStatus::kSubmitted ||
                    b->status == disburse::BatchStatus::kApproved ||
                    b->status == disburse::BatchStatus::kRejected)) {
    throw Error(ErrorCode::kNotFound, "no batch " + std::to_string(id) + " in your scope");
  }
  scoped(*req.user, b->paying_region, b->bank_code, "batch " + std::to_string(id));
  return *b;
}

/// The uploaded file: the first part of a multipart/form-data body, or the body itself. Kept
/// under files.dir/uploads by digest, so imports can name it in their reports.
/// An uploaded file on disk, readable by the service's user only (mode 600). Rolls, rosters and
/// budgets carry personal data and are removed once imported (or refused): the database keeps
/// their name and SHA-256. Bank result files are kept as the bank's evidence.
class Upload {
 public:
  Upload(const Request& req, Env& env, const std::string& kind, bool keep) : keep_(keep) {
    const std::string content = uploadedContent(req.content_type, req.body);
    if (content.empty()) throw Error(ErrorCode::kInvalidInput, "the upload is empty");
    const auto dir = std::filesystem::path(env.runtime().config.files_dir) / "uploads";
    std::filesystem::create_directories(dir);
    // The folder is the service's alone, so no file in it is ever readable by others, not even
    // for the moment between writing and renaming.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
    path_ = (dir / (kind + "-" + security::sha256Hex(content).substr(0, 16))).string();
    writeFileAtomically(path_, content);
    ::chmod(path_.c_str(), 0600);
  }
  ~Upload() {
    std::error_code ignored;
    if (!keep_) std::filesystem::remove(path_, ignored);
  }
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_;
};

Array issuesJson(const std::vector<registry::Issue>& issues) {
  Array a;
  for (const auto& i : issues) {
    Object o;
    o.set("line", i.line);
    o.set("column", i.column);
    o.set("value", i.value);
    o.set("severity", i.warning ? "warning" : "error");
    o.set("reason", i.reason);
    a.add(o);
  }
  return a;
}

Reply refusedImport(const std::string& what, const Array& issues, int64_t total) {
  Object inner;
  inner.set("code", "rejected");
  inner.set("message", what + " rejected: " + std::to_string(total) +
                           " problem(s); nothing was written. Fix the rows and upload again.");
  inner.set("details", issues);
  Object err;
  err.set("error", inner);
  return json(err, 422);
}

Reply login(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string name = field(o, "name"), password = field(o, "password");
  auto& throttle = env.runtime().logins;
  if (const int wait = throttle.retryAfter(req.client); wait > 0) {
    Object err;
    err.set("code", "too_many_requests");
    err.set("message", "too many failed logins from this address; try again in " +
                           std::to_string(wait) + " seconds");
    err.set("details", Array());
    Object body;
    body.set("error", err);
    Reply r = json(body, 429);
    r.headers["Retry-After"] = std::to_string(wait);
    return r;
  }
  security::Session s;
  try {
    s = security::openSession(env.security(), security::PasswordHasher(), name, password,
                              env.runtime().config.session_minutes);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kForbidden) throw;
    throttle.failed(req.client);
    throw Error(ErrorCode::kUnauthenticated, e.what());
  }
  Object out;
  out.set("token", s.token);
  out.set("expires_at", s.expires_at);
  out.set("user", userJson(s.user));
  out.set("csrf_token", csrfToken(s.token));
  Reply r = json(out);
  const std::string attrs = std::string("; Path=/; SameSite=Strict") + (req.tls ? "; Secure" : "");
  r.cookies.push_back(std::string(kSessionCookie) + "=" + s.token + attrs + "; HttpOnly");
  r.cookies.push_back(std::string(kCsrfCookie) + "=" + csrfToken(s.token) + attrs);
  return r;
}

Reply logout(const Request& req, Env& env) {
  env.runtime().sessions.drop(req.token);
  security::closeSession(env.security(), req.token);
  Object out;
  out.set("logged_out", true);
  Reply r = json(out);
  r.cookies.push_back(std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly");
  r.cookies.push_back(std::string(kCsrfCookie) + "=; Path=/; Max-Age=0");
  return r;
}

Reply me(const Request& req, Env&) {
  Object out;
  out.set("user", userJson(*req.user));
  return json(out);
}

Reply findStudent(const Request& req, Env& env) {
  const std::string id = req.queryOr("resident_id");
  std::optional<std::string> hash;
  std::string student_no;
  if (auto rid = ResidentId::parse(id)) {
    hash = env.cipher().blindIndex("resident_id", rid->str());
  } else if (auto no = StudentNumber::parse(id)) {
    student_no = no->str();
  } else {
    throw Error(ErrorCode::kInvalidInput,
                "resident_id: a valid resident ID or national student number");
  }
  return studentReply(req, env, env.registry().findStudent(hash, student_no));
}

Reply explain(const Request& req, Env& env) {
  const auto rid = ResidentId::parse(req.queryOr("resident_id"));
  if (!rid) throw Error(ErrorCode::kInvalidInput, "resident_id: a valid resident ID");
  const Term term = Term::parse(req.queryOr("term"));
  const auto person =
      env.entitlements().personIdByHash(env.cipher().blindIndex("resident_id", rid->str()));
  if (!person) throw Error(ErrorCode::kNotFound, "no student enrolled in your scope that term");
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, "no policy is active");
  const auto policy = rules::parsePolicy(stored->content, "active policy " + stored->name);
  const Date reference = term.referenceDate(policy.term_config);
  const auto facts = env.entitlements().studentFacts(*person, reference, term.academicYear());
  if (!facts || !seesSchool(*req.user, env, facts->school_code))
    throw Error(ErrorCode::kNotFound, "no student enrolled in your scope that term");
  const auto decisions = rules::evaluate(policy, term, *facts);
  return json(explainJson(policy, term, reference, *facts, decisions,
                          env.entitlements().entitlementsOf(*person, term)));
}

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
    for (const auto& f : env.disburse().flags(b.id)) flags.add(flagJson(f));
    o.set("flags", flags);
    Array budget;
    for (const auto& l : env.disburse().budgets(b.paying_region, Term::parse(b.term).year()))
      if (l.programme == b.programme && l.region == b.paying_region) budget.add(budgetJson(l));
    o.set("budget", budget);
  }
  Array files;
  for (const auto& f : env.disburse().exportedFiles(b.id)) {
    Object x;
    x.set("name", f.file_name);
    x.set("layout", f.layout);
    x.set("count", f.count);
    x.set("total", f.total.toYuan());
    x.set("sha256", f.sha256);
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
  if (!f) throw Error(ErrorCode::kNotFound, "no flag " + std::to_string(id) + " in your scope");
  const auto b = env.disburse().loadBatch(f->batch_id);
  scoped(*req.user, b ? b->paying_region : "", "", "flag " + std::to_string(id));
  return json(flagJson(disburse::clearFlag(env.disburse(), env.security(), *req.user, id,
                                           field(bodyObject(req), "reason"))));
}

Reply budgets(const Request& req, Env& env) {
  const std::string year = req.queryOr("year", "0");
  if (!text::isAllDigits(year) || year.size() > 4)
    throw Error(ErrorCode::kInvalidInput, "year: YYYY");
  Array arr;
  for (const auto& l : env.disburse().budgets(req.user->scope, std::stoi(year)))
    arr.add(budgetJson(l));
  Object o;
  o.set("budgets", arr);
  return json(o);
}

Reply exportBatch(const Request& req, Env& env) {
  const auto b = loadBatch(env, req);
  const auto& cfg = env.runtime().config;
  if (cfg.signing_key.empty())
    throw Error(ErrorCode::kUnavailable, "the service has no signing key configured");
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
  throw Error(ErrorCode::kNotFound, "batch " + std::to_string(b.id) + " has no file " + name);
}

Reply uploadResult(const Request& req, Env& env) {
  const Upload upload(req, env, "result", true);
  const std::string& path = upload.path();
  const auto r =
      bankfiles::importResultFile(env.disburse(), env.security(), *req.user, path, std::nullopt);
  Array problems;
  for (const auto& p : r.problems) problems.add(p.substr(p.find(": ") + 2));  // no server path
  if (!r.problems.empty())
    return refusedImport("the result file", problems, static_cast<int64_t>(r.problems.size()));
  Object o = resultImportJson(r);
  o.set("problems", problems);
  return json(o);
}

Reply reconcile(const Request& req, Env& env) {
  const Term term = Term::parse(req.queryOr("term"));
  const std::string region = req.queryOr("region", req.user->scope);
  if (!req.user->covers(region))
    throw Error(ErrorCode::kForbidden, "region " + region + " is outside your scope");
  const auto rows = env.disburse().reconcile(term, region);
  if (req.queryOr("format") == "csv") {
    std::ostringstream out;
    CsvWriter w(out);
    w.writeRow(reconcileCsvHeader());
    for (const auto& r : rows) w.writeRow(reconcileCsvRow(r));
    Reply rep;
    rep.content_type = "text/csv; charset=utf-8";
    rep.body = out.str();
    return rep;
  }
  Array arr;
  bool all = true;
  for (const auto& r : rows) {
    arr.add(reconcileJson(r));
    all &= r.addsUp();
  }
  Object o;
  o.set("term", term.str());
  o.set("region", region);
  o.set("rows", arr);
  o.set("adds_up", all);
  return json(o);
}

Reply auditVerify(const Request&, Env& env) {
  const auto v = security::verifyAudit(env.security());
  Object o;
  o.set("events", v.events);
  o.set("intact", !v.broken.has_value());
  if (v.broken) {
    o.set("broken_seq", v.broken->seq);
    o.set("problem", v.broken->problem);
  }
  return json(o);
}

Reply schools(const Request& req, Env& env) {
  Array arr;
  for (const auto& sc : env.registry().listSchools()) {
    const bool visible = req.user->role == Role::kSchoolAdmin ? req.user->covers(sc.code)
                                                              : req.user->covers(sc.region_code);
    if (!visible) continue;
    Object o;
    o.set("code", sc.code);
    o.set("name", sc.name);
    o.set("region", sc.region_code);
    arr.add(o);
  }
  Object o;
  o.set("schools", arr);
  return json(o);
}

Reply schoolStudents(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, "no school " + code + " in your scope");
  const std::string after = req.queryOr("after", "0"), limit = req.queryOr("limit", "100");
  if (!text::isAllDigits(after) || after.size() > 15 || !text::isAllDigits(limit) ||
      limit.empty() || std::stoi(limit) < 1 || std::stoi(limit) > 1000)
    throw Error(ErrorCode::kInvalidInput, "after: a person id; limit: 1..1000");
  const auto rows = env.registry().studentsAt(code, after.empty() ? 0 : std::stoll(after),
                                              static_cast<size_t>(std::stoi(limit)));
  Array arr;
  for (const auto& r : rows) {
    Object o;
    o.set("person_id", r.person_id);
    o.set("name", r.name);
    o.set("resident_id", r.rid_mask);
    o.set("stage", r.stage);
    o.set("grade", r.grade);
    o.set("class", r.class_name);
    arr.add(o);
  }
  Object o;
  o.set("students", arr);
  if (rows.size() == static_cast<size_t>(std::stoi(limit)))
    o.set("next", "/api/v1/schools/" + code + "/students?after=" +
                      std::to_string(rows.back().person_id) + "&limit=" + limit);
  return json(o);
}

Reply uploadRoll(const Request& req, Env& env) {
  const Upload upload(req, env, "roll", false);
  const std::string& path = upload.path();
  registry::RollImportOptions o;
  o.dry_run = req.queryOr("dry_run") == "1";
  o.accept_valid = req.queryOr("accept_valid") == "1";
  const auto r =
      registry::importRollAs(env.registry(), env.security(), env.cipher(), *req.user, path, o);
  if (!r.committed && !o.dry_run)
    return refusedImport("the roll", issuesJson(r.issues), r.issues_total);
  Object out;
  out.set("committed", r.committed);
  out.set("rows", r.rows_total);
  out.set("rows_ok", r.rows_ok);
  out.set("rows_bad", r.rows_bad);
  out.set("issues", issuesJson(r.issues));
  out.set("issues_total", r.issues_total);
  return json(out);
}

Reply uploadRoster(const Request& req, Env& env) {
  const std::string source = req.queryOr("source");
  const Upload upload(req, env, "roster-" + source, false);
  const std::string& path = upload.path();
  const auto r = registry::importRosterAs(env.registry(), env.security(), env.cipher(), *req.user,
                                          path, source, req.queryOr("dry_run") == "1");
  if (!r.committed && r.rows_bad > 0)
    return refusedImport("the roster", issuesJson(r.issues), r.issues_total);
  Object out;
  out.set("committed", r.committed);
  out.set("rows", r.rows_total);
  return json(out);
}

Reply startEntitlementRun(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  rules::EntitleOptions opts;
  opts.term = Term::parse(field(o, "term"));
  opts.region = field(o, "region", false);
  if (opts.region.empty()) opts.region = req.user->scope;
  if (!req.user->covers(opts.region))
    throw Error(ErrorCode::kForbidden, "region " + opts.region + " is outside your scope");
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, "no policy is active");
  Runtime& rt = env.runtime();
  const security::User user = *req.user;
  const auto job = rt.jobs.start("entitlement_run", user.name, [&rt, opts, user](Job& j) mutable {
    Env jenv(rt);
    auto stored = jenv.entitlements().activePolicy();
    const auto policy = rules::parsePolicy(stored->content, "active policy " + stored->name);
    opts.progress = [&j](int64_t n) { j.progress = n; };
    const auto s = rules::runEntitlementsAs(jenv.entitlements(), jenv.security(), user, policy,
                                            stored->id, opts);
    Object out;
    out.set("term", s.term);
    out.set("students", s.students);
    out.set("eligible", s.eligible);
    out.set("updated", s.updated);
    out.set("adjustments", s.adjustments_total);
    return toJson(out);
  });
  Object out;
  out.set("job", job->id);
  out.set("status", "running");
  out.set("poll", "/api/v1/jobs/" + std::to_string(job->id));
  return json(out, 202);
}

Reply jobStatus(const Request& req, Env& env) {
  const auto j = env.runtime().jobs.get(req.id("id"));
  if (!j || j->user != req.user->name) throw Error(ErrorCode::kNotFound, "no such job of yours");
  Object o;
  o.set("job", j->id);
  o.set("kind", j->kind);
  o.set("status", j->status);
  o.set("progress", j->progress);
  if (!j->result_json.empty())
    o.set("result", Poco::JSON::Parser().parse(j->result_json).extract<Object::Ptr>());
  if (!j->error.empty()) o.set("error", j->error);
  return json(o);
}

Reply publishNotice(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, "no policy is active");
  const auto policy = rules::parsePolicy(stored->content, "active policy");
  const auto dir = std::filesystem::path(env.runtime().config.files_dir) / "notices";
  std::filesystem::create_directories(dir);
  const auto r =
      disburse::publishNotice(env.disburse(), env.security(), *req.user, field(o, "programme"),
                              Term::parse(field(o, "term")), field(o, "school"), dir.string(),
                              policy.holidays, Date::today());
  Object out;
  out.set("notice", r.info.id);
  out.set("school", r.info.school_name);
  out.set("entries", r.info.entries);
  out.set("total", r.info.total.toYuan());
  out.set("window_ends", r.info.window_ends);
  out.set("html", std::filesystem::path(r.html_path).filename().string());
  out.set("csv", std::filesystem::path(r.csv_path).filename().string());
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
  if (!clean) throw Error(ErrorCode::kNotFound, "no notice " + name);
  const std::string stem = name.substr(0, name.find_last_of('.'));
  const std::string school = stem.substr(stem.find_last_of('-') + 1);
  const auto path = std::filesystem::path(env.runtime().config.files_dir) / "notices" / name;
  if (!seesSchool(*req.user, env, school) || !std::filesystem::exists(path))
    throw Error(ErrorCode::kNotFound, "no notice " + name);
  Reply r;
  r.body = readFile(path.string());
  r.content_type = html ? "text/html; charset=utf-8" : "text/csv; charset=utf-8";
  if (csv) r.headers["Content-Disposition"] = "attachment; filename=\"" + name + "\"";
  return r;
}

/// The active policy's programmes (code, Chinese and English names, stages), for forms.
Reply programmes(const Request&, Env& env) {
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, "no policy is active");
  const auto policy = rules::parsePolicy(stored->content, "active policy " + stored->name);
  Array arr;
  for (const auto& p : policy.programmes) {
    Object o;
    o.set("code", p.code);
    o.set("name_zh", p.name_zh);
    o.set("name_en", p.name_en);
    Array stages;
    for (auto st : p.stages) stages.add(std::string(domain::code(st)));
    o.set("stages", stages);
    arr.add(o);
  }
  Object o;
  o.set("policy", stored->name);
  o.set("programmes", arr);
  return json(o);
}

Reply addObjection(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const auto rid = ResidentId::parse(field(o, "resident_id"));
  if (!rid) throw Error(ErrorCode::kInvalidInput, "resident_id: not a valid resident ID");
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

Reply importBudgets(const Request& req, Env& env) {
  const Upload upload(req, env, "budget", false);
  const std::string& path = upload.path();
  const size_t n = disburse::importBudgetFile(env.disburse(), env.security(), *req.user, path);
  Object out;
  out.set("lines", static_cast<int64_t>(n));
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
  out.set("batches", batches);
  out.set("payments", r.payments);
  out.set("total", r.total.toYuan());
  out.set("flags", r.flags);
  out.set("unbankable", r.unbankable);
  return json(out, 201);
}

Reply correctAccount(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  bankfiles::AccountCorrection c;
  c.student = field(o, "student", false);
  c.payment = field(o, "payment", false);
  if (c.student.empty() && c.payment.empty())
    throw Error(ErrorCode::kInvalidInput, "name the \"student\" or the returned \"payment\"");
  c.account = field(o, "account");
  c.holder = field(o, "holder");
  c.bank_code = field(o, "bank_code");
  if (o->has("kind")) c.kind = field(o, "kind");
  const auto r = bankfiles::correctAccount(env.registry(), env.disburse(), env.security(),
                                           *req.user, env.cipher(), c);
  Object out;
  out.set("person_id", r.person_id);
  out.set("account", r.mask);
  out.set("released_for_reissue", r.released);
  return json(out);
}

/// A school's basic account (masked), into which fee waivers are paid.
Reply schoolAccount(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, "no school " + code + " in your scope");
  return json(schoolAccountJson(code, env.registry().schoolAccount(code)));
}

/// Records a school's account (an officer over its county); returned payments to the school are
/// released for re-issue.
Reply setSchoolAccount(const Request& req, Env& env) {
  bankfiles::SchoolAccountSetting s;
  s.school = req.param("code");
  if (!seesSchool(*req.user, env, s.school))
    throw Error(ErrorCode::kNotFound, "no school " + s.school + " in your scope");
  const auto o = bodyObject(req);
  s.account = field(o, "account");
  s.bank_code = field(o, "bank_code");
  s.holder = field(o, "holder", false);
  const auto r =
      bankfiles::setSchoolAccount(env.registry(), env.security(), *req.user, env.cipher(), s);
  return json(schoolAccountChangeJson(r, env.registry().schoolAccount(r.school_code)));
}

Reply recordDifficulty(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string year = field(o, "academic_year");
  if (!text::isAllDigits(year) || year.size() != 4)
    throw Error(ErrorCode::kInvalidInput, "academic_year: YYYY, the year the school year starts");
  const auto c = registry::recordDifficulty(env.registry(), env.security(), *req.user, req.id("id"),
                                            std::stoi(year), field(o, "level"));
  Object out;
  out.set("person_id", c.person_id);
  out.set("academic_year", c.academic_year);
  out.set("level", c.level);
  out.set("previous", c.previous);
  return json(out);
}

/// One student's lifelong record by person id (masked), for pages that list students.
Reply studentById(const Request& req, Env& env) {
  return studentReply(req, env, env.registry().studentById(req.id("id")));
}

/// A school's decisions for a term (who is entitled and why), in keyset pages.
Reply schoolEntitlements(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, "no school " + code + " in your scope");
  const Term term = Term::parse(req.queryOr("term"));
  const std::string status = req.queryOr("status");
  if (!status.empty() && status != "eligible" && status != "held" && status != "excluded")
    throw Error(ErrorCode::kInvalidInput, "status: eligible, held or excluded");
  const std::string after = req.queryOr("after", "0"), limit = req.queryOr("limit", "100");
  if (!text::isAllDigits(after) || after.empty() || after.size() > 15 ||
      !text::isAllDigits(limit) || limit.empty() || limit.size() > 4 || std::stoi(limit) < 1 ||
      std::stoi(limit) > 1000)
    throw Error(ErrorCode::kInvalidInput, "after: an entitlement id; limit: 1..1000");
  const auto rows = env.entitlements().schoolEntitlements(code, term, status, std::stoll(after),
                                                          static_cast<size_t>(std::stoi(limit)));
  Array arr;
  for (const auto& e : rows) {
    Object o;
    o.set("id", e.id);
    o.set("person_id", e.person_id);
    o.set("name", e.name);
    o.set("resident_id", e.rid_mask);
    o.set("programme", e.programme);
    o.set("status", e.status);
    o.set("amount", e.amount.toYuan());
    o.set("reason", e.reason);
    o.set("checks", reasonChecksJson(e.reason));
    if (!e.hold_reason.empty()) o.set("hold_reason", e.hold_reason);
    arr.add(o);
  }
  Object o;
  o.set("term", term.str());
  o.set("entitlements", arr);
  if (rows.size() == static_cast<size_t>(std::stoi(limit)))
    o.set("next", "/api/v1/schools/" + code + "/entitlements?term=" + term.str() +
                      (status.empty() ? "" : "&status=" + status) +
                      "&after=" + std::to_string(rows.back().id) + "&limit=" + limit);
  return json(o);
}

/// Returned payments waiting for a corrected account: a school administrator sees their
/// school's, bureau staff their region's.
Reply returnedFunds(const Request& req, Env& env) {
  const auto& u = *req.user;
  const std::string region = u.role == Role::kSchoolAdmin ? env.schoolRegion(u.scope) : u.scope;
  Array arr;
  for (const auto& r : env.disburse().returnedFunds(region)) {
    if (u.role == Role::kSchoolAdmin && r.school_code != u.scope) continue;
    const std::string status = req.queryOr("status");
    if (!status.empty() && status != r.status) continue;
    Object o;
    o.set("reference", r.reference);
    o.set("school", r.school_code);
    o.set("school_name", r.school_name);
    o.set("holder", r.holder);
    o.set("account", r.acct_mask);
    o.set("reason_code", r.reason_code);
    o.set("reason_text", r.reason_text);
    o.set("returned_on", r.returned_on);
    o.set("status", r.status);
    o.set("programme", r.programme);
    o.set("term", r.term);
    o.set("region", r.region);
    o.set("amount", r.amount.toYuan());
    arr.add(o);
  }
  Object o;
  o.set("returned", arr);
  return json(o);
}

Object reportRowJson(const bankfiles::Report& rep, const bankfiles::ReportRow& r) {
  Object o;
  for (size_t i = 0; i < rep.by.size() && i < r.keys.size(); ++i)
    o.set(std::string(bankfiles::code(rep.by[i])), r.keys[i]);
  for (const auto& f : bankfiles::reportFigures()) {
    const int64_t v = f.value(r);
    if (f.money) {
      o.set(f.name, Money::fromFen(v).toYuan());
    } else {
      o.set(f.name, v);
    }
  }
  return o;
}

/// Entitled, paid and returned by programme, region, stage, category and term (JSON, CSV or
/// Excel).
Reply report(const Request& req, Env& env) {
  std::vector<bankfiles::Dimension> by;
  const std::string list = req.queryOr("by", "programme");
  for (const auto& part : text::split(list, ',')) {
    const auto d = bankfiles::parseDimension(text::trim(part));
    if (!d)
      throw Error(ErrorCode::kInvalidInput,
                  "by: a comma-separated list of term, programme, region, stage, category (got \"" +
                      part + "\")");
    by.push_back(*d);
  }
  const auto rep = bankfiles::buildReport(env.disburse(), *req.user, req.queryOr("term"),
                                          req.queryOr("region"), by);
  const std::string format = req.queryOr("format", "json");
  const std::string name =
      "edupay-report-" + (req.queryOr("term").empty() ? "all-terms" : req.queryOr("term"));
  if (format == "csv") {
    Reply r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = bankfiles::reportCsv(rep);
    r.headers["Content-Disposition"] = "attachment; filename=\"" + name + ".csv\"";
    return r;
  }
  if (format == "xlsx") {
    // Amounts go to Excel in fen: whole numbers it holds exactly and can add up.
    std::vector<std::string> header;
    for (auto d : rep.by) header.emplace_back(bankfiles::code(d));
    for (const auto& f : bankfiles::reportFigures())
      header.push_back(std::string(f.name) + (f.money ? "_fen" : ""));
    std::vector<std::vector<SheetCell>> rows;
    auto line = [&](const std::vector<std::string>& keys, const bankfiles::ReportRow& x) {
      std::vector<SheetCell> cells(keys.begin(), keys.end());
      cells.resize(rep.by.size(), std::string());
      for (const auto& f : bankfiles::reportFigures()) cells.emplace_back(f.value(x));
      rows.push_back(std::move(cells));
    };
    for (const auto& x : rep.rows) line(x.keys, x);
    line({"total"}, rep.total);
    Reply r;
    r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    r.body = tableXlsx("report", header, rows, env.runtime().config.files_dir + "/tmp");
    r.headers["Content-Disposition"] = "attachment; filename=\"" + name + ".xlsx\"";
    return r;
  }
  if (format != "json") throw Error(ErrorCode::kInvalidInput, "format: json, csv or xlsx");
  Array rows;
  for (const auto& x : rep.rows) rows.add(reportRowJson(rep, x));
  Array dims;
  for (auto d : rep.by) dims.add(std::string(bankfiles::code(d)));
  Object o;
  o.set("term", req.queryOr("term"));
  o.set("region", req.queryOr("region", req.user->scope));
  o.set("by", dims);
  o.set("rows", rows);
  o.set("total", reportRowJson(rep, rep.total));
  return json(o);
}

/// A payment traced back to its entitlement, the rule's reason, the policy file, the roster
/// statuses the decision read and the people who prepared and approved its batch.
Reply tracePayment(const Request& req, Env& env) {
  const std::string ref = req.param("reference");
  const auto t = env.disburse().tracePayment(ref);
  if (!t) throw Error(ErrorCode::kNotFound, "no payment " + ref + " in your scope");
  const auto b = env.disburse().loadBatch(t->batch_id);
  scoped(*req.user, b ? b->paying_region : "", b ? b->bank_code : "", "payment " + ref);
  Object pay;
  pay.set("reference", t->reference);
  pay.set("state", t->state);
  pay.set("amount", t->amount.toYuan());
  pay.set("attempt", t->attempt);
  pay.set("payee", t->payee);
  pay.set("holder", t->holder);
  pay.set("account", t->acct_mask);
  pay.set("bank_code", t->bank_code);
  if (!t->reason_code.empty()) pay.set("bank_reason_code", t->reason_code);
  if (!t->reason_text.empty()) pay.set("bank_reason_text", t->reason_text);
  if (!t->settled_on.empty()) pay.set("settled_on", t->settled_on);
  Object ent;
  ent.set("id", t->entitlement_id);
  ent.set("programme", t->programme);
  ent.set("term", t->term);
  ent.set("paying_region", t->paying_region);
  ent.set("reason", t->entitlement_reason);
  ent.set("checks", reasonChecksJson(t->entitlement_reason));
  ent.set("decided_on", t->entitlement_updated_on);
  Object pol;
  pol.set("id", t->policy_id);
  pol.set("name", t->policy_name);
  pol.set("sha256", t->policy_sha256);
  pol.set("activated_on", t->policy_activated_on);
  Array statuses;
  Object student;
  if (const auto rec = env.registry().studentById(t->person_id)) {
    student.set("person_id", rec->person_id);
    student.set("name", rec->name);
    student.set("resident_id", rec->rid_mask);
    for (const auto& s : rec->statuses) {
      Object x;
      x.set("category", s.category);
      x.set("source", s.source);
      x.set("source_ref", s.source_ref);
      x.set("valid_from", s.valid_from);
      x.set("valid_to", s.valid_to);
      statuses.add(x);
    }
  }
  Object out;
  out.set("payment", pay);
  out.set("entitlement", ent);
  out.set("policy", pol);
  out.set("student", student);
  out.set("household_statuses", statuses);
  if (b) {
    Object batch = batchJson(*b);
    out.set("batch", batch);
  }
  return json(out);
}
}  // namespace

void addRoutes(Router& r) {
  const std::set<Role> officer = {Role::kBureauOfficer};
  const std::set<Role> approver = {Role::kBureauApprover};
  const std::set<Role> bureau = {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor};
  const std::set<Role> readers = {Role::kSchoolAdmin, Role::kBureauOfficer, Role::kBureauApprover,
                                  Role::kAuditor};
  r.add({"POST", "/api/v1/login", "log in; returns a bearer token", true, {}, login});
  r.add({"POST", "/api/v1/logout", "revoke the session", false, {}, logout});
  r.add({"GET", "/api/v1/me", "the logged-in user", false, {}, me});
  r.add({"GET", "/api/v1/students", "look a student up by resident ID (masked record)", false,
         readers, findStudent});
  r.add({"GET", "/api/v1/explain", "why a student gets or does not get each programme", false,
         readers, explain});
  r.add({"GET", "/api/v1/schools", "schools in scope", false, readers, schools});
  r.add({"GET", "/api/v1/programmes", "the active policy's programmes", false, {}, programmes});
  r.add({"GET", "/api/v1/schools/{code}/students",
         "a school's students (?after=PERSON&limit=N keyset pages, masked)", false, readers,
         schoolStudents});
  r.add(upload({"POST",
                "/api/v1/rolls",
                "upload the school's roll (?dry_run=1, ?accept_valid=1)",
                false,
                {Role::kSchoolAdmin},
                uploadRoll}));
  r.add({"GET", "/api/v1/students/{id}", "a student's lifelong record by person id (masked)", false,
         readers, studentById});
  r.add({"POST",
         "/api/v1/students/{id}/difficulty",
         "record a difficulty level {\"academic_year\", \"level\"}",
         false,
         {Role::kSchoolAdmin, Role::kBureauOfficer},
         recordDifficulty});
  r.add({"GET", "/api/v1/schools/{code}/entitlements",
         "a school's decisions for a term with reasons (?term=, ?status=, keyset pages)", false,
         readers, schoolEntitlements});
  r.add({"POST",
         "/api/v1/accounts",
         "correct a student's payee account (releases returned payments for re-issue)",
         false,
         {Role::kSchoolAdmin, Role::kBureauOfficer},
         correctAccount});
  r.add({"GET", "/api/v1/schools/{code}/account", "a school's account for fee waivers (masked)",
         false, readers, schoolAccount});
  r.add({"PUT",
         "/api/v1/schools/{code}/account",
         "record a school's account for fee waivers (releases its returned payments for re-issue)",
         false,
         {Role::kBureauOfficer, Role::kSysadmin},
         setSchoolAccount});
  r.add({"GET", "/api/v1/returned", "returned payments waiting for a corrected account (?status=)",
         false, readers, returnedFunds});
  r.add(upload({"POST", "/api/v1/rosters", "upload an official roster (?source=)", false, officer,
                uploadRoster}));
  r.add({"POST", "/api/v1/entitlement-runs", "start the term's entitlement run (a job)", false,
         officer, startEntitlementRun});
  r.add({"GET", "/api/v1/jobs/{id}", "a job's progress and result", false, {}, jobStatus});
  r.add({"POST",
         "/api/v1/notices",
         "publish a school's public notice",
         false,
         {Role::kBureauOfficer, Role::kSchoolAdmin},
         publishNotice});
  r.add({"GET", "/api/v1/notices/{file}", "a published notice (printable HTML or CSV)", false,
         readers, noticeFile});
  r.add({"POST", "/api/v1/objections", "record an objection", false, officer, addObjection});
  r.add({"POST", "/api/v1/objections/{id}/resolve", "resolve an objection", false, officer,
         resolveObjection});
  r.add({"GET",
         "/api/v1/batches",
         "batches in scope (?term=, ?status=)",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor, Role::kBankOperator},
         listBatches});
  r.add({"GET",
         "/api/v1/batches/{id}",
         "a batch with totals, flags, budget and files",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor, Role::kBankOperator},
         batchDetail});
  r.add({"POST", "/api/v1/batches", "build draft batches {\"programme\", \"term\", \"region\"}",
         false, officer, buildBatches});
  r.add({"POST", "/api/v1/batches/{id}/submit", "submit a draft batch", false, officer,
         [](const Request& q, Env& e) { return transition(q, e, "submit"); }});
  r.add({"POST", "/api/v1/batches/{id}/approve", "approve a submitted batch", false, approver,
         [](const Request& q, Env& e) { return transition(q, e, "approve"); }});
  r.add({"POST", "/api/v1/batches/{id}/reject", "reject with {\"reason\"}", false, approver,
         [](const Request& q, Env& e) { return transition(q, e, "reject"); }});
  r.add({"POST", "/api/v1/batches/{id}/return-to-draft",
         "send an approved batch that cannot be exported back to draft with {\"reason\"}", false,
         approver, [](const Request& q, Env& e) { return transition(q, e, "return-to-draft"); }});
  r.add({"POST", "/api/v1/batches/{id}/export", "write the payment files of an approved batch",
         false, officer, exportBatch});
  r.add({"POST", "/api/v1/batches/{id}/close", "close a settled batch", false, officer,
         [](const Request& q, Env& e) { return transition(q, e, "close"); }});
  r.add({"GET",
         "/api/v1/batches/{id}/files/{name}",
         "a payment file, manifest or signature",
         false,
         {Role::kBureauOfficer, Role::kBankOperator},
         download});
  r.add({"POST", "/api/v1/flags/{id}/clear", "clear a precision flag with {\"reason\"}", false,
         officer, clearFlag});
  r.add({"GET", "/api/v1/budgets", "budget lines in scope (?year=)", false, bureau, budgets});
  r.add(upload({"POST", "/api/v1/budgets", "import budget allocations (CSV)", false, officer,
                importBudgets}));
  r.add(upload({"POST",
                "/api/v1/results",
                "upload a bank result file (raw or multipart)",
                false,
                {Role::kBankOperator, Role::kBureauOfficer},
                uploadResult}));
  r.add({"GET", "/api/v1/reconciliation", "reconciliation (?term=, ?region=, ?format=csv)", false,
         bureau, reconcile});
  r.add({"GET", "/api/v1/reports",
         "entitled, paid, returned (?term=, ?region=, ?by=programme,region,stage,category,term, "
         "?format=json|csv|xlsx)",
         false, bureau, report});
  r.add({"GET",
         "/api/v1/payments/{reference}",
         "trace a payment to its entitlement, rule, roster rows and approvers",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor},
         tracePayment});
  r.add({"GET",
         "/api/v1/audit/verify",
         "walk the audit chain",
         false,
         {Role::kAuditor, Role::kSysadmin},
         auditVerify});
}

}  // namespace edupay::api
