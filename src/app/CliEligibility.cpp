#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <fstream>
#include <iostream>
#include <optional>

#include "api/Json.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "identify/Identification.h"
#include "registry/Imports.h"
#include "registry/RosterImporter.h"
#include "registry/StudentEdits.h"
#include "rules/EntitlementRun.h"

namespace edupay::app {
namespace {

Term termOption(const Context& c) {
  if (!c.args().has("term")) throw Error(ErrorCode::kInvalidInput, msg("rules.cli.term"));
  return Term::parse(c.args().get("term"));
}

/// One line per programme: the rate in force for `term` (or why there is none), in the
/// reader's language; amounts per year in yuan, by the rate's key (a stage, a level) as the
/// policy file writes it.
void printRates(Context& c, const rules::Policy& policy, const Term& term) {
  for (const auto& p : policy.programmes) {
    const auto* period = p.periodFor(term);
    const MessageArg name = words("programme", p.name_zh.empty() ? p.code : p.name_zh,
                                  p.name_en.empty() ? p.code : p.name_en);
    if (!period) {
      c.out() << "  "
              << c.text(msg(p.requires_local_rate ? "cli.rates.no_local" : "cli.rates.not_in_force",
                            {arg("code", p.code), name}))
              << "\n";
      continue;
    }
    std::string rates;
    for (const auto& [key, yuan] : period->yearly)
      rates += (rates.empty() ? "" : ", ") + (key.empty() ? "" : key + " ") + yuan.toYuan();
    const std::string conf = !period->confidence.empty() ? period->confidence : p.confidence;
    const bool confirm = conf == "W" || conf == "R";
    std::vector<MessageArg> args{arg("code", p.code), name, arg("rates", rates),
                                 arg("schedule", std::string(rules::code(p.schedule))),
                                 arg("payee", std::string(rules::code(p.payee)))};
    if (confirm) args.push_back(arg("confidence", conf));
    c.out() << "  "
            << c.text(msg(confirm ? "cli.rates.line_confirm" : "cli.rates.line", std::move(args)))
            << "\n";
  }
}

int policyCheck(Context& c) {
  const std::string& file = c.word(2, "FILE");
  const rules::Policy policy = rules::loadPolicyFile(file);
  std::optional<rules::StoredPolicy> active;
  if (c.databaseExists()) active = c.entitlements().activePolicy();
  std::vector<Message> diff;
  if (active)
    diff = rules::diffPolicies(rules::parsePolicy(active->content, "active policy"), policy);
  int unconfirmed = 0;
  for (const auto& p : policy.programmes) {
    for (const auto& per : p.periods) unconfirmed += per.confidence == "W" || per.confidence == "R";
  }
  // The identification rules (资助对象认定): checked beyond the schema (tiers increasing, ...).
  std::optional<identify::IdentificationPolicy> ident;
  if (policy.resolved_json.find("\"identification\"") != std::string::npos)
    ident = identify::identificationPolicy(policy);
  if (c.json()) {
    Poco::JSON::Object o;
    json::set(o, "file", file, "valid", true, "name", policy.name, "sha256", policy.sha256,
              "programmes", static_cast<int>(policy.programmes.size()), "unconfirmed_rates",
              unconfirmed, "identification_indicators",
              ident ? static_cast<int>(ident->indicators.size()) : 0, "identification_unconfirmed",
              ident ? ident->unconfirmed() : 0, "active",
              active ? active->name + " " + active->sha256.substr(0, 12) : "");
    Poco::JSON::Array d;
    for (const auto& l : diff) d.add(c.text(l));
    o.set("changes", d);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  c.out() << c.text(msg("cli.policy.valid", {arg("file", file), arg("policy", policy.name),
                                             arg("programmes", policy.programmes.size()),
                                             arg("sha256", policy.sha256.substr(0, 12))}))
          << "\n";
  if (unconfirmed) {
    c.out() << "  " << c.text(msg("cli.policy.unconfirmed", {arg("count", unconfirmed)})) << "\n";
  }
  if (ident) {
    c.out() << "  "
            << c.text(msg("cli.policy.identification",
                          {arg("groups", ident->special_groups.size()),
                           arg("indicators", ident->indicators.size()),
                           arg("tiers", std::to_string(ident->generally) + "/" +
                                            std::to_string(ident->difficult) + "/" +
                                            std::to_string(ident->especially)),
                           arg("days", ident->notice_working_days),
                           arg("percent", std::to_string(ident->spot_check_percent))}));
    if (ident->unconfirmed())
      c.out() << c.text(
          msg("cli.policy.identification_unconfirmed", {arg("count", ident->unconfirmed())}));
    c.out() << "\n";
  } else {
    c.out() << "  " << c.text(msg("cli.policy.no_identification")) << "\n";
  }
  if (!active) {
    c.out() << "  " << c.text(msg("cli.policy.no_active")) << "\n";
  } else if (active->sha256 == policy.sha256) {
    c.out() << "  " << c.text(msg("cli.policy.identical")) << "\n";
  } else {
    c.out() << "  "
            << c.text(msg("cli.policy.changes", {arg("policy", active->name),
                                                 arg("sha256", active->sha256.substr(0, 12))}))
            << "\n";
    for (const auto& l : diff) c.out() << "    " << c.text(l) << "\n";
  }
  return kExitOk;
}

int policyActivate(Context& c) {
  const std::string& file = c.word(2, "FILE");
  const rules::Policy policy = rules::loadPolicyFile(file);
  if (policy.resolved_json.find("\"identification\"") != std::string::npos)
    (void)identify::identificationPolicy(policy);  // refuses inconsistent thresholds now
  const auto user = c.actingUser();
  const int64_t id = rules::activatePolicyAs(c.entitlements(), c.security(), user, policy);
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("policy_id", id);
    o.set("name", policy.name);
    o.set("sha256", policy.sha256);
    c.out() << toJson(o) << "\n";
  } else {
    c.out() << c.text(msg("cli.policy.activated",
                          {arg("name", policy.name), arg("id", std::to_string(id)),
                           arg("sha", policy.sha256.substr(0, 12)), arg("file", file)}))
            << "\n";
  }
  return kExitOk;
}

int policyShow(Context& c) {
  auto [policy, id] = c.activePolicy();
  const Term term = c.args().has("term") ? termOption(c) : Term::containing(Date::today());
  c.out() << c.text(msg("cli.policy.active",
                        {arg("policy", policy.name), arg("id", std::to_string(id)),
                         arg("sha256", policy.sha256.substr(0, 12))}))
          << "\n"
          << c.text(msg("cli.policy.rates",
                        {arg("term", term.str()),
                         arg("date", term.referenceDate(policy.term_config).str())}))
          << "\n";
  printRates(c, policy, term);
  return kExitOk;
}

}  // namespace

int cmdPolicy(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub == "check") return policyCheck(c);
  if (sub == "activate") return policyActivate(c);
  if (sub == "show") return policyShow(c);
  throw Error(ErrorCode::kInvalidInput, msg("rules.cli.policy_usage"));
}

int cmdImportRoster(Context& c) {
  const std::string& file = c.word(2, "FILE");
  const std::string source = c.args().get("source");
  const auto user = c.actingUser();
  const auto r = registry::importRosterAs(c.registry(), c.security(), c.cipher(), user, file,
                                          source, c.args().has("dry-run"));
  if (c.json()) {
    Poco::JSON::Object o;
    json::set(o, "file", file, "source", source, "outcome",
              r.committed ? "imported" : (r.rows_bad ? "rejected" : "dry_run"), "rows_total",
              r.rows_total, "rows_bad", r.rows_bad, "statuses_added", r.counts.statuses_added,
              "statuses_changed", r.counts.statuses_changed, "statuses_unchanged",
              r.counts.statuses_unchanged, "households_added", r.counts.households_added,
              "persons_added", r.counts.persons_added, "issues",
              api::issuesJson(r.issues, c.lang()));
    c.out() << toJson(o) << "\n";
  } else {
    const MessageArg outcome =
        r.committed
            ? words("outcome", "已导入", "imported")
            : (r.rows_bad ? words("outcome", "已拒绝：未写入任何内容", "rejected: nothing written")
                          : words("outcome", "试导入：未写入任何内容", "dry run: nothing written"));
    const auto& n = r.counts;
    c.out() << c.text(
                   msg("roster.cli.outcome",
                       {arg("file", file), registry::rosterSourceWords("source", source), outcome}))
            << "\n  "
            << c.text(msg("roster.cli.rows",
                          {arg("read", r.rows_total), arg("bad", r.rows_bad),
                           arg("added", n.statuses_added), arg("changed", n.statuses_changed),
                           arg("unchanged", n.statuses_unchanged),
                           arg("households", n.households_added), arg("persons", n.persons_added)}))
            << "\n";
    for (size_t i = 0; i < r.issues.size() && i < 20; ++i) {
      const auto& is = r.issues[i];
      const std::string& column =
          c.lang() == Lang::kZh && !is.column_zh.empty() ? is.column_zh : is.column;
      c.out() << "  "
              << c.text(msg("roll.cli.issue",
                            {arg("line", std::to_string(is.line)), arg("column", column),
                             arg("value", is.value.empty() ? "" : " `" + is.value + "`"),
                             arg("reason", is.message)}))
              << "\n";
    }
  }
  return r.rows_bad ? kExitRejected : kExitOk;
}

int cmdImportNominations(Context& c) {
  const std::string& file = c.word(2, "FILE");
  const std::string programme = c.args().get("programme");
  auto [policy, id] = c.activePolicy();
  const auto* p = policy.find(programme);
  if (!p || !p->conditions.nomination) {
    throw Error(ErrorCode::kInvalidInput, msg("nomination.cli.programme"));
  }
  int year = 0;
  try {
    year = std::stoi(c.args().get("year"));
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidInput, msg("nomination.cli.year"));
  }
  const auto user = c.actingUser();
  const auto r = registry::importNominationsAs(c.registry(), c.security(), c.cipher(), user, file,
                                               programme, year);
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("programme", programme);
    o.set("academic_year", year);
    o.set("nominees", r.matched);
    c.out() << toJson(o) << "\n";
  } else {
    c.out() << c.text(msg("nomination.cli.done",
                          {arg("file", file), arg("count", r.matched), arg("programme", programme),
                           arg("years", std::to_string(year) + "-" + std::to_string(year + 1))}))
            << "\n";
  }
  return kExitOk;
}

int cmdEntitle(Context& c) {
  rules::EntitleOptions o;
  o.term = termOption(c);
  o.region = c.args().get("region");
  o.dry_run = c.args().has("dry-run");
  o.exceptions_path = c.args().get("exceptions");
  o.progress = [&c](int64_t n) { c.err() << "  ... " << n << " students\n" << std::flush; };
  auto [policy, policy_id] = c.activePolicy();
  const auto user = c.actingUser();
  const auto s =
      rules::runEntitlementsAs(c.entitlements(), c.security(), user, policy, policy_id, o);
  if (c.json()) {
    c.out() << s.toJson() << "\n";
    return kExitOk;
  }
  const auto n = [](auto v) { return std::to_string(v); };
  c.out() << c.text(
                 msg("cli.entitle.head",
                     {arg("term", s.term), arg("reference", s.reference_date),
                      arg("policy", s.policy_name + " " + s.policy_sha256.substr(0, 12)),
                      arg("region", o.region.empty() ? user.scope : o.region),
                      arg("dry", s.committed ? Message::literal("") : msg("cli.entitle.dry_run"))}))
          << "\n"
          << c.text(msg("cli.entitle.students", {arg("count", n(s.students))})) << "\n"
          << c.text(msg("cli.entitle.totals",
                        {arg("eligible", n(s.eligible)),
                         arg("eligible_amount", s.eligible_amount.toYuanGrouped()),
                         arg("held", n(s.held)), arg("held_amount", s.held_amount.toYuanGrouped()),
                         arg("excluded", n(s.excluded))}))
          << "\n"
          << c.text(msg("cli.entitle.written",
                        {arg("inserted", n(s.inserted)), arg("updated", n(s.updated)),
                         arg("unchanged", n(s.unchanged))}))
          << "\n";
  c.out() << c.text(msg("cli.entitle.by_programme")) << "\n";
  for (const auto& [code, t] : s.by_programme) {
    c.out() << c.text(
                   msg("cli.entitle.programme",
                       {arg("programme", code), arg("eligible", n(t.eligible)),
                        arg("eligible_amount", t.eligible_amount.toYuanGrouped()),
                        arg("held", n(t.held)), arg("held_amount", t.held_amount.toYuanGrouped()),
                        arg("excluded", n(t.excluded))}))
            << "\n";
  }
  if (s.adjustments_total) {
    c.out() << c.text(msg("cli.entitle.adjustments", {arg("count", n(s.adjustments_total))}))
            << "\n";
    for (size_t i = 0; i < s.adjustments.size() && i < 20; ++i) {
      const auto& a = s.adjustments[i];
      c.out() << "    " << a.student << " " << a.programme << ": " << a.before << " -> " << a.after
              << "\n";
    }
  }
  if (s.exceptions) {
    c.out() << c.text(msg("cli.entitle.exceptions", {arg("count", n(s.exceptions))})) << "\n";
    for (const auto& [k, count] : s.exceptions_by_code)
      c.out() << "    " << k << ": " << count << "\n";
    c.out() << c.text(o.exceptions_path.empty()
                          ? msg("cli.entitle.exceptions.how")
                          : msg("cli.entitle.exceptions.file", {arg("file", o.exceptions_path)}))
            << "\n";
  }
  return kExitOk;
}

int cmdExplain(Context& c) {
  const std::string& key = c.word(1, "RESIDENT_ID");
  const Term term = termOption(c);
  // The reader's language like every command (--lang, else the locale); `--lang both` puts the
  // Chinese and the English side by side, for a reader checking one against the other.
  const std::string lang = c.args().get("lang");
  if (lang != "both") (void)c.lang();  // refuses a language it does not know
  // A resident ID, a student number (G + the ID) or a record number.
  const auto found = registry::findByKey(c.registry(), registry::studentKey(c.cipher(), key));
  if (!found) throw Error(ErrorCode::kNotFound, msg("rules.explain.no_student"));
  std::optional<int64_t> person = found->person_id;
  auto [policy, policy_id] = c.activePolicy();
  const Date reference = term.referenceDate(policy.term_config);
  auto facts = c.entitlements().studentFacts(*person, reference, term.academicYear());
  const auto stored = c.entitlements().entitlementsOf(*person, term);
  const bool zh = lang == "both" ? true : c.lang() == Lang::kZh;
  const bool en = lang == "both" ? true : c.lang() == Lang::kEn;
  // A sentence in the languages asked for: `中文 / English`, once when both read the same.
  auto say = [&](const Message& m) {
    const std::string z = zh ? i18n::render(m, Lang::kZh) : "";
    const std::string e = en ? i18n::render(m, Lang::kEn) : "";
    return zh && en && z != e ? z + " / " + e : zh ? z : e;
  };
  auto& out = c.out();
  if (!facts) {
    out << say(msg("rules.explain.not_enrolled",
                   {arg("student", found->rid_mask), arg("date", reference.str())}))
        << "\n";
    return kExitOk;
  }
  std::vector<rules::EvaluationProblem> problems;
  const auto decisions = rules::evaluate(policy, term, *facts, &problems);
  if (c.json()) {
    c.out() << toJson(api::explainJson(policy, term, reference, *facts, decisions, stored,
                                       zh && !en ? Lang::kZh : Lang::kEn))
            << "\n";
    return kExitOk;
  }
  out << say(msg("cli.explain.head",
                 {arg("name", facts->name), arg("id", facts->display),
                  words("stage", std::string(domain::chineseLabel(facts->stage)),
                        std::string(domain::code(facts->stage))),
                  arg("grade", std::to_string(facts->grade)), arg("school", facts->school_code),
                  arg("term", term.str()), arg("date", reference.str())}))
      << "\n";
  static const std::map<rules::Status, std::pair<const char*, const char*>> kStatus = {
      {rules::Status::kEligible, {"应享受", "eligible"}},
      {rules::Status::kHeld, {"暂缓", "held"}},
      {rules::Status::kExcluded, {"不符合", "not eligible"}},
      {rules::Status::kNotApplicable, {"不适用", "not applicable"}}};
  for (size_t i = 0; i < decisions.size(); ++i) {
    const auto& d = decisions[i];
    const auto& p = policy.programmes[i];
    const auto& st = kStatus.at(d.status);
    out << "\n"
        << (zh ? p.name_zh : "") << (zh && en ? " / " : "") << (en ? p.name_en : "") << ": "
        << (zh ? st.first : "") << (zh && en ? " / " : "") << (en ? st.second : "");
    if (d.status == rules::Status::kEligible || d.status == rules::Status::kHeld)
      out << "  " << say(msg("cli.explain.amount", {arg("amount", d.amount.toYuan())}));
    if (!d.hold_reason.empty())
      out << "  (" << (d.hold_message.code().empty() ? d.hold_reason : say(d.hold_message)) << ")";
    out << "\n";
    for (const auto& ch : d.trace) {
      out << "    " << (zh && !en ? (ch.ok ? "[符合] " : "[不符] ") : (ch.ok ? "[ok] " : "[no] "))
          << (zh ? rules::checkLabel(ch.code, true) : "") << (zh && en ? " / " : "")
          << (en ? rules::checkLabel(ch.code, false) : "") << ": "
          << (ch.message.code().empty() ? ch.fact : say(ch.message)) << "\n";
    }
    for (const auto& s : stored) {
      if (s.programme == d.programme) {
        out << "    "
            << say(msg(s.locked ? "cli.explain.stored_locked" : "cli.explain.stored",
                       {words("status",
                              s.status == "eligible"   ? "应享受"
                              : s.status == "held"     ? "暂缓"
                              : s.status == "excluded" ? "不符合"
                                                       : s.status,
                              s.status),
                        arg("amount", Money::fromFen(s.amount_fen).toYuan()),
                        arg("version", std::to_string(s.version))}))
            << "\n";
      }
    }
  }
  for (const auto& pr : problems)
    out << "\n"
        << say(msg(
               "rules.explain.problem",
               {words("programme",
                      policy.find(pr.programme) && !policy.find(pr.programme)->name_zh.empty()
                          ? policy.find(pr.programme)->name_zh
                          : pr.programme,
                      pr.programme),
                arg("problem", pr.text.code().empty() ? Message::literal(pr.message) : pr.text)}))
        << "\n";
  return kExitOk;
}

int cmdReportDropouts(Context& c) {
  const Term term = termOption(c);
  c.cipher();
  auto [policy, id] = c.activePolicy();
  const Date reference = term.referenceDate(policy.term_config);
  // Compulsory education: ages 6 to 15 on the reference date.
  const auto children = c.registry().rosterChildrenNotEnrolled(reference, 6, 15);
  const std::string out_path = c.args().get("out");
  if (!out_path.empty()) {
    AtomicFileWriter file(out_path);
    CsvWriter::Options o;
    o.utf8_bom = true;
    CsvWriter csv(file.stream(), o);
    csv.writeRow(
        {"resident_id", "name", "birth_date", "household_id", "region", "roster_categories"});
    for (const auto& m : children)
      csv.writeRow({m.rid_mask, m.name, m.birth_date, m.household_code, m.region, m.categories});
    file.commit();
  }
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("term", term.str());
    o.set("reference_date", reference.str());
    o.set("children", static_cast<int64_t>(children.size()));
    if (!out_path.empty()) o.set("report", out_path);
    c.out() << toJson(o) << "\n";
  } else {
    c.out() << c.text(msg("cli.dropouts.head",
                          {arg("count", children.size()), arg("date", reference.str())}))
            << "\n";
    for (size_t i = 0; i < children.size() && i < 20; ++i) {
      const auto& m = children[i];
      c.out() << "  "
              << c.text(msg("cli.dropouts.child",
                            {arg("id", m.rid_mask), arg("name", m.name), arg("born", m.birth_date),
                             arg("household", m.household_code), arg("region", m.region),
                             arg("categories", m.categories)}))
              << "\n";
    }
    if (!out_path.empty())
      c.out() << "  " << c.text(msg("cli.dropouts.report", {arg("file", out_path)})) << "\n";
  }
  return kExitOk;
}

}  // namespace edupay::app
