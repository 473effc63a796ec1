// Policy, entitlement runs and jobs, budgets, reports, payment trace and the audit chain.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <filesystem>
#include <map>
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
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "disburse/Notices.h"
#include "domain/Codes.h"
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

Reply budgets(const Request& req, Env& env) {
  const std::string year = req.queryOr("year", "0");
  if (!text::isAllDigits(year) || year.size() > 4)
    throw Error(ErrorCode::kInvalidInput, msg("budget.api.year"));
  Array arr;
  for (const auto& l : env.disburse().budgets(req.user->scope, std::stoi(year)))
    arr.add(budgetJson(l));
  Object o;
  o.set("budgets", arr);
  return json(o);
}

namespace {
Object payerJson(const bankfiles::BankConfig& bank, const std::optional<bankfiles::Payer>& p,
                 const std::string& region) {
  Object o;
  o.set("bank_code", bank.code);
  o.set("bank_name", bank.name);
  o.set("layout", bank.layout);
  o.set("region", p ? p->region : "");
  o.set("account", p ? p->account : "");
  o.set("name", p ? p->name : "");
  // Recorded for the city or the province above the county, not for the county itself.
  o.set("inherited", p.has_value() && p->region != region);
  return o;
}
}  // namespace

Reply payers(const Request& req, Env& env) {
  const std::string region = req.queryOr("region");
  const auto list = bankfiles::payerAccounts(env.disburse(), *req.user, region);
  const std::string shown =
      region.empty() && req.user->role != security::Role::kSysadmin ? req.user->scope : region;
  Array arr;
  for (const auto& a : list) arr.add(payerJson(a.bank, a.payer, shown));
  Object o;
  o.set("region", shown);
  o.set("payers", arr);
  return json(o);
}

Reply setPayer(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  bankfiles::Payer p{field(o, "region", false), req.param("bank"), field(o, "account", false),
                     field(o, "name", false)};
  const auto set = bankfiles::setPayerAccount(env.disburse(), env.security(), *req.user, p);
  const auto bank = env.disburse().bank(set.bank_code);
  return json(payerJson(*bank, set, set.region));
}

Reply auditVerify(const Request& req, Env& env) {
  const auto v = security::verifyAudit(env.security());
  Object o;
  o.set("events", v.events);
  o.set("intact", !v.broken.has_value());
  if (v.broken) {
    o.set("broken_seq", v.broken->seq);
    o.set("problem", i18n::render(v.broken->problem_message, req.lang));
  }
  return json(o);
}

Reply startEntitlementRun(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  rules::EntitleOptions opts;
  opts.term = Term::parse(field(o, "term"));
  opts.region = field(o, "region", false);
  if (opts.region.empty()) opts.region = req.user->scope;
  if (!req.user->covers(opts.region))
    throw Error(ErrorCode::kForbidden, msg("batch.api.region_scope", {arg("region", opts.region)}));
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, msg("batch.no_policy"));
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
    json::set(out, "term", s.term, "students", s.students, "eligible", s.eligible, "updated",
              s.updated, "adjustments", s.adjustments_total);
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
  if (!j || j->user != req.user->name) throw Error(ErrorCode::kNotFound, msg("batch.api.no_job"));
  Object o;
  json::set(o, "job", j->id, "kind", j->kind, "status", j->status, "progress", j->progress);
  if (!j->result_json.empty())
    o.set("result", Poco::JSON::Parser().parse(j->result_json).extract<Object::Ptr>());
  if (!j->error.empty()) o.set("error", j->error);
  return json(o);
}

Reply programmes(const Request&, Env& env) {
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, msg("batch.no_policy"));
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

Reply importBudgets(const Request& req, Env& env) {
  const Upload upload(req, env, "budget", false);
  const std::string& path = upload.path();
  const size_t n = disburse::importBudgetFile(env.disburse(), env.security(), *req.user, path,
                                              rules::programmesInForce(env.entitlements()));
  Object out;
  out.set("lines", static_cast<int64_t>(n));
  return json(out);
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

namespace {

std::string dimensionLabelZh(bankfiles::Dimension d) {
  switch (d) {
    case bankfiles::Dimension::kTerm:
      return "学期";
    case bankfiles::Dimension::kProgramme:
      return "资助项目";
    case bankfiles::Dimension::kRegion:
      return "区县";
    case bankfiles::Dimension::kStage:
      return "学段";
    case bankfiles::Dimension::kCategory:
      return "资助对象类别";
  }
  return std::string(bankfiles::code(d));
}

std::string figureLabelZh(const std::string& figure) {
  static const std::map<std::string, std::string> kLabels = {
      {"entitled_count", "应资助人次"}, {"entitled", "应资助金额（元）"},
      {"paid_count", "已发放人次"},     {"paid", "已发放金额（元）"},
      {"returned_count", "退回人次"},   {"returned", "退回金额（元）"},
  };
  const auto it = kLabels.find(figure);
  return it == kLabels.end() ? figure : it->second;
}

/// A term, programme, stage or category code in Chinese words (a region stays its code).
std::string valueLabelZh(bankfiles::Dimension d, const std::string& key,
                         const std::map<std::string, std::string>& programme_names) {
  switch (d) {
    case bankfiles::Dimension::kTerm: {
      const size_t dash = key.find('-');
      if (dash == std::string::npos) return key;
      const std::string season = key.substr(dash + 1);
      return key.substr(0, dash) + "年" +
             (season == "autumn"   ? "秋季学期"
              : season == "spring" ? "春季学期"
                                   : season);
    }
    case bankfiles::Dimension::kProgramme: {
      const auto it = programme_names.find(key);
      return it == programme_names.end() || it->second.empty() ? key : it->second;
    }
    case bankfiles::Dimension::kStage: {
      const auto st = domain::parseStage(key);
      return st ? std::string(domain::chineseLabel(*st)) : key;
    }
    case bankfiles::Dimension::kCategory: {
      if (key == "none") return "无";
      if (key.rfind("difficulty:", 0) == 0) {
        static const std::map<std::string, std::string> kLevels = {
            {"generally", "一般困难"}, {"difficult", "困难"}, {"especially", "特别困难"}};
        const auto it = kLevels.find(key.substr(11));
        return "家庭经济困难（" + (it == kLevels.end() ? key.substr(11) : it->second) + "）";
      }
      const auto c = domain::parseCategory(key);
      return c ? std::string(domain::chineseLabel(*c)) : key;
    }
    case bankfiles::Dimension::kRegion:
      return key;
  }
  return key;
}

}  // namespace

/// Entitled, paid and returned by programme, region, stage, category and term (JSON, CSV or
/// Excel).
Reply report(const Request& req, Env& env) {
  std::vector<bankfiles::Dimension> by;
  const std::string list = req.queryOr("by", "programme");
  for (const auto& part : text::split(list, ',')) {
    const auto d = bankfiles::parseDimension(text::trim(part));
    if (!d) throw Error(ErrorCode::kInvalidInput, msg("batch.api.report_by", {arg("got", part)}));
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
    // Chinese by default (?lang=en for English): headers and values in words, amounts in yuan
    // as numbers Excel adds up, shown #,##0.00.
    const bool zh = req.queryOr("lang", "zh") != "en";
    std::map<std::string, std::string> programme_names;
    if (auto stored = env.entitlements().activePolicy()) {
      for (const auto& p : rules::parsePolicy(stored->content, "active policy").programmes)
        programme_names[p.code] = zh ? p.name_zh : p.name_en;
    }
    std::vector<std::string> header;
    for (auto d : rep.by)
      header.push_back(zh ? dimensionLabelZh(d) : std::string(bankfiles::code(d)));
    for (const auto& f : bankfiles::reportFigures())
      header.push_back(zh ? figureLabelZh(f.name) : std::string(f.name) + (f.money ? "_yuan" : ""));
    std::vector<std::vector<SheetCell>> rows;
    auto line = [&](const std::vector<std::string>& keys, const bankfiles::ReportRow& x) {
      std::vector<SheetCell> cells;
      for (size_t i = 0; i < rep.by.size(); ++i) {
        const std::string key = i < keys.size() ? keys[i] : std::string();
        cells.emplace_back(zh ? valueLabelZh(rep.by[i], key, programme_names) : key);
      }
      for (const auto& f : bankfiles::reportFigures()) {
        if (f.money) {
          cells.emplace_back(SheetYuan{f.value(x)});
        } else {
          cells.emplace_back(f.value(x));
        }
      }
      rows.push_back(std::move(cells));
    };
    for (const auto& x : rep.rows) line(x.keys, x);
    line({zh ? "合计" : "total"}, rep.total);
    Reply r;
    r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    r.body = tableXlsx(zh ? "统计报表" : "report", header, rows,
                       env.runtime().config.files_dir + "/tmp");
    r.headers["Content-Disposition"] = "attachment; filename=\"" + name + ".xlsx\"";
    return r;
  }
  if (format != "json") throw Error(ErrorCode::kInvalidInput, msg("batch.api.report_format"));
  Array rows;
  for (const auto& x : rep.rows) rows.add(reportRowJson(rep, x));
  Array dims;
  for (auto d : rep.by) dims.add(std::string(bankfiles::code(d)));
  Object o;
  json::set(o, "term", req.queryOr("term"), "region", req.queryOr("region", req.user->scope), "by",
            dims, "rows", rows, "total", reportRowJson(rep, rep.total));
  return json(o);
}

/// A payment traced back to its entitlement, the rule's reason, the policy file, the roster
/// statuses the decision read and the people who prepared and approved its batch.
Reply tracePayment(const Request& req, Env& env) {
  const std::string ref = req.param("reference");
  const auto t = env.disburse().tracePayment(ref);
  // A payment of another county or bank reads exactly like one never issued.
  const Error not_found(ErrorCode::kNotFound,
                        msg("payment.not_found_scope", {arg("reference", ref)}));
  if (!t) throw not_found;
  const auto b = env.disburse().loadBatch(t->batch_id);
  const auto& u = *req.user;
  const bool ok = u.role == Role::kBankOperator ? (b && u.scope == b->bank_code)
                                                : u.covers(b ? b->paying_region : "");
  if (!ok) throw not_found;
  Object pay;
  json::set(pay, "reference", t->reference, "state", t->state, "amount", t->amount.toYuan(),
            "attempt", t->attempt, "payee", t->payee, "holder", t->holder, "account", t->acct_mask,
            "bank_code", t->bank_code);
  if (!t->reason_code.empty()) pay.set("bank_reason_code", t->reason_code);
  if (!t->reason_text.empty()) pay.set("bank_reason_text", t->reason_text);
  if (!t->reason_code.empty() || !t->reason_text.empty()) {
    const Message why = ReturnReasons(env).of(t->bank_code, t->reason_code, t->reason_text);
    pay.set("bank_reason", i18n::render(why, req.lang));
    pay.set("bank_reason_message", messageJson(why, req.lang));
  }
  if (!t->settled_on.empty()) pay.set("settled_on", t->settled_on);
  Object ent;
  json::set(ent, "id", t->entitlement_id, "programme", t->programme, "term", t->term,
            "paying_region", t->paying_region, "reason", t->entitlement_reason, "checks",
            reasonChecksJson(t->entitlement_reason, t->entitlement_reason_messages, req.lang),
            "decided_on", t->entitlement_updated_on);
  Object pol;
  json::set(pol, "id", t->policy_id, "name", t->policy_name, "sha256", t->policy_sha256,
            "activated_on", t->policy_activated_on);
  Array statuses;
  Object student;
  if (const auto rec = env.registry().studentById(t->person_id)) {
    student.set("person_id", rec->person_id);
    student.set("name", rec->name);
    student.set("resident_id", rec->rid_mask);
    for (const auto& s : rec->statuses) {
      Object x;
      json::set(x, "category", s.category, "source", s.source, "source_ref", s.source_ref,
                "valid_from", s.valid_from, "valid_to", s.valid_to);
      statuses.add(x);
    }
  }
  Object out;
  json::set(out, "payment", pay, "entitlement", ent, "policy", pol, "student", student,
            "household_statuses", statuses);
  if (b) {
    Object batch = batchJson(*b);
    out.set("batch", batch);
  }
  return json(out);
}
}  // namespace edupay::api::handlers
